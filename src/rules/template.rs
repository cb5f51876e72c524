//! Message templates: `{name}` placeholders filled from a finding's captures; `{{` and `}}` escape.
//! Plain data; imports nothing of the engine.

use std::ops::Range;

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(String),
}

/// A template syntax error, with the byte range inside the template string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub range: Range<usize>,
}

impl Template {
    /// Parses `text`; an unclosed `{` or an empty `{}` is an error.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, n)| n) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|&(_, n)| n) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let rest = &text[i + 1..];
                    let Some(close) = rest.find('}') else {
                        return Err(TemplateError {
                            message: "unclosed `{` in template (write `{{` for a literal brace)"
                                .into(),
                            range: i..text.len(),
                        });
                    };
                    let name = &rest[..close];
                    if name.is_empty()
                        || !name
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                    {
                        return Err(TemplateError {
                            message: format!("`{{{name}}}` is not a placeholder name"),
                            range: i..i + close + 2,
                        });
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Var(name.to_owned()));
                    while chars.peek().is_some_and(|&(j, _)| j <= i + close + 1) {
                        chars.next();
                    }
                }
                _ => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template { parts })
    }

    /// Placeholder names, in order of appearance.
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(name) => Some(name.as_str()),
            Part::Text(_) => None,
        })
    }

    /// Fills the placeholders; a name without a value renders as empty text.
    pub fn render<'a>(&self, lookup: impl Fn(&str) -> Option<&'a str>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Var(name) => out.push_str(lookup(name).unwrap_or("")),
            }
        }
        out
    }
}

/// Prints the template as written (placeholders kept).
impl std::fmt::Display for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for part in &self.parts {
            match part {
                Part::Text(text) => f.write_str(&text.replace('{', "{{").replace('}', "}}"))?,
                Part::Var(name) => write!(f, "{{{name}}}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_fills_placeholders_and_escapes_braces() {
        let t = Template::parse("重复“{match}” {{x}}").unwrap();
        assert_eq!(t.vars().collect::<Vec<_>>(), ["match"]);
        let out = t.render(|name| (name == "match").then_some("对对"));
        assert_eq!(out, "重复“对对” {x}");
    }

    #[test]
    fn template_unclosed_brace_is_error() {
        let err = Template::parse("ab{value").unwrap_err();
        assert_eq!(err.range, 2..8);
    }

    #[test]
    fn template_bad_name_is_error() {
        assert!(Template::parse("{a b}").is_err());
        assert!(Template::parse("{}").is_err());
    }
}
