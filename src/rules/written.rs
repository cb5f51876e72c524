//! A rule's kind sub-table as its rule file writes it, printed again as TOML for `tally explain`
//! and the generated rule docs. Keys keep the file's order (the parsed table is sorted by name,
//! so entries are ordered by their spans); comments and layout are not kept. Text only: no IO.

use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

/// An array longer than this (in characters, written on one line) is written one item per line.
const WIDTH: usize = 96;

/// The `[rule.KIND]` sub-table of the rule `id` in the rule file `text`, as TOML text ending in a
/// newline; `None` when the file does not parse or has no such rule or sub-table.
pub fn written_params(text: &str, id: &str) -> Option<String> {
    let root = DeTable::parse(text).ok()?;
    let rules = root.get_ref().get("rule")?.get_ref().as_array()?;
    let rule = rules.iter().find_map(|entry| {
        let table = entry.get_ref().as_table()?;
        (table.get("id")?.get_ref().as_str()? == id).then_some(table)
    })?;
    let kind = rule.get("kind")?.get_ref().as_str()?;
    let params = rule.get(kind)?.get_ref().as_table()?;
    let mut out = format!("[rule.{}]\n", render_key(kind));
    for (key, value) in ordered(params) {
        out.push_str(&format!(
            "{} = {}\n",
            render_key(key.get_ref()),
            render_value(value, true)
        ));
    }
    Some(out)
}

/// The entries of `table` in the order the file wrote them.
fn ordered<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(
    &'t Spanned<std::borrow::Cow<'i, str>>,
    &'t Spanned<DeValue<'i>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// A bare key when TOML allows one, else a quoted one.
fn render_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        key.to_owned()
    } else {
        toml::Value::String(key.to_owned()).to_string()
    }
}

/// A value on one line, except that a long top-level array (`top`) gets one item per line.
fn render_value(value: &Spanned<DeValue<'_>>, top: bool) -> String {
    match value.get_ref() {
        DeValue::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| render_value(v, false)).collect();
            let line = format!("[{}]", items.join(", "));
            if top && items.len() > 1 && line.chars().count() > WIDTH {
                let mut out = "[\n".to_owned();
                for item in items {
                    out.push_str(&format!("  {item},\n"));
                }
                out.push(']');
                out
            } else {
                line
            }
        }
        DeValue::Table(table) => {
            let entries: Vec<String> = ordered(table)
                .into_iter()
                .map(|(k, v)| format!("{} = {}", render_key(k.get_ref()), render_value(v, false)))
                .collect();
            if entries.is_empty() {
                "{}".to_owned()
            } else {
                format!("{{ {} }}", entries.join(", "))
            }
        }
        _ => match toml::Value::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(scalar) => scalar.to_string(),
            // A scalar the parser accepted always converts; keep the text visible if not.
            Err(_) => format!("{:?}", value.get_ref()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[rule]]
id = "style/a"
kind = "pattern"

[rule.pattern]
unless = ['XX\d']
regex = 'a(?<x>b)'
max = 1
not-after = { total = ["up"], "a b" = true }

[[rule]]
id = "style/b"
kind = "repeat"
repeat = { chars = ["对", "的", "了", "是", "在", "和", "有", "我", "他", "这", "中", "大", "来", "上", "国", "个", "到", "说", "们", "子", "时", "年", "得", "就"] }
"#;

    #[test]
    fn written_params_keep_the_file_order_and_toml_quoting() {
        assert_eq!(
            written_params(FILE, "style/a").as_deref(),
            Some(
                "[rule.pattern]\nunless = ['XX\\d']\nregex = \"a(?<x>b)\"\nmax = 1\n\
                 not-after = { total = [\"up\"], \"a b\" = true }\n"
            )
        );
    }

    #[test]
    fn written_params_break_long_arrays_one_item_per_line() {
        let text = written_params(FILE, "style/b").expect("rule b");
        assert!(
            text.starts_with("[rule.repeat]\nchars = [\n  \"对\",\n"),
            "{text}"
        );
        assert!(text.ends_with("  \"就\",\n]\n"), "{text}");
    }

    #[test]
    fn written_params_of_an_unknown_rule_is_none() {
        assert_eq!(written_params(FILE, "style/c"), None);
        assert_eq!(written_params("not toml [", "style/a"), None);
    }
}
