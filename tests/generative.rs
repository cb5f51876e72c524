//! The generative test of the arithmetic rules: for each shape family, correct figures are
//! rendered into many phrasings — other cue words and separators, interposed periods and labels,
//! Chinese numerals, full-width digits, the spaces PDF extraction leaves, line wraps — and must
//! draw no arithmetic finding; then one figure is moved beyond its rounding and exactly one
//! finding of the right rule must point at the right figure.

use std::sync::OnceLock;

use tally::engine::{check, load_rules, RuleSet};
use tally::source::Document;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| load_rules(false, &[]).expect("built-in rules compile"))
}

/// Arithmetic rule ids: the families this test covers.
fn arithmetic(id: &str) -> bool {
    [
        "ratio/",
        "sum/",
        "growth/",
        "number/percent-vs-points",
        "number/comparison-contradicts-figures",
        "count/items-mismatch",
        "number/distributive-arity",
    ]
    .iter()
    .any(|p| id.starts_with(p))
}

/// `(rule id, reported text)` of the arithmetic findings in `text`. Every text is also checked
/// with every statement read (no gate): the statement gate may only skip statements that no
/// shape can match, so both runs must agree.
fn findings(text: &str) -> Vec<(String, String)> {
    let rules = rules();
    let read = |doc: &Document| -> Vec<(String, String)> {
        check(doc, rules)
            .into_iter()
            .map(|f| {
                (
                    rules[f.rule].id.clone(),
                    doc.text[f.span.clone()].to_owned(),
                )
            })
            .filter(|(id, _)| arithmetic(id))
            .collect()
    };
    let gated = read(&Document::new("<generated>", text.to_owned()));
    let ungated_doc = Document::new("<generated>", text.to_owned());
    tally::statement::read_document(&ungated_doc, &tally::statement::Gate::all());
    assert_eq!(
        gated,
        read(&ungated_doc),
        "the statement gate changed the findings of {text:?}"
    );
    gated
}

/// A Chinese numeral for 0 < n < 100000 (`120` → `一百二十`).
fn chinese(n: u64) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    const PLACES: [&str; 5] = ["", "十", "百", "千", "万"];
    let digits: Vec<u64> = n.to_string().bytes().map(|b| u64::from(b - b'0')).collect();
    let mut out = String::new();
    let mut zero = false;
    for (i, d) in digits.iter().enumerate() {
        let place = digits.len() - 1 - i;
        if *d == 0 {
            zero = true;
            continue;
        }
        if zero && !out.is_empty() {
            out.push('零');
        }
        zero = false;
        if !(*d == 1 && place == 1 && out.is_empty()) {
            out.push_str(DIGITS[*d as usize]);
        }
        out.push_str(PLACES[place]);
    }
    out
}

/// Full-width digits, point and percent.
fn fullwidth(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
            '.' => '．',
            '%' => '％',
            _ => c,
        })
        .collect()
}

/// The spaces a PDF text layer puts between CJK characters and digits (`68214 件`).
fn pdf_spaces(text: &str) -> String {
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if let Some(p) = prev {
            let digit = |x: char| x.is_ascii_digit() || x == '%';
            if (digit(p) && !c.is_ascii() && !matches!(c, '，' | '。' | '、'))
                || (!p.is_ascii() && c.is_ascii_digit() && !matches!(p, '，' | '。' | '、'))
            {
                out.push(' ');
            }
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// A line break between two CJK characters after the third character (a wrapped line of a
/// paragraph).
fn wrapped(text: &str) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let cjk = |c: char| !c.is_ascii() && !"，。、：；（）".contains(c);
    let at = (3..chars.len())
        .find(|&i| cjk(chars[i - 1].1) && cjk(chars[i].1))
        .map_or(text.len(), |i| chars[i].0);
    format!("{}\n{}", &text[..at], &text[at..])
}

/// Every phrasing of one template: as written, full-width, with PDF spaces, wrapped, and with
/// Chinese numerals when the template allows them (`cn` gives the Chinese form of the text).
fn variants(text: &str, cn: Option<String>) -> Vec<String> {
    let mut out = vec![
        text.to_owned(),
        fullwidth(text),
        pdf_spaces(text),
        wrapped(text),
        wrapped(&pdf_spaces(text)),
    ];
    if let Some(cn) = cn {
        out.push(cn);
    }
    out
}

/// A template: a text with `{a}`, `{b}` … placeholders for integers and `{r}` for a rate.
struct Family {
    name: &'static str,
    rule: &'static str,
    templates: &'static [&'static str],
    /// Whether the Chinese-numeral form applies (integers only, no rate with decimals).
    chinese: bool,
}

fn render(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Runs a family: each template with the correct `good` values must be silent; with `bad` values
/// it must give exactly one finding of `rule`, at the text `reported`.
fn run(
    family: &Family,
    good: &[(&str, u64)],
    rate: Option<&str>,
    bad: &[(&str, String)],
    reported: &str,
    reported_cn: Option<&str>,
) {
    let mut checked = 0;
    for template in family.templates {
        let mut values: Vec<(&str, String)> =
            good.iter().map(|(k, v)| (*k, v.to_string())).collect();
        if let Some(r) = rate {
            values.push(("r", r.to_owned()));
        }
        let cn = family.chinese.then(|| {
            let cn_values: Vec<(&str, String)> =
                good.iter().map(|(k, v)| (*k, chinese(*v))).collect();
            render(template, &cn_values)
        });
        for text in variants(&render(template, &values), cn) {
            let found = findings(&text);
            assert!(
                found.is_empty(),
                "{}: correct figures flagged {found:?} in {text:?}",
                family.name
            );
            checked += 1;
        }
        // One figure beyond its rounding.
        let mut wrong = values.clone();
        for (k, v) in bad {
            if let Some(slot) = wrong.iter_mut().find(|(n, _)| n == k) {
                slot.1 = v.clone();
            }
        }
        let bad_cn = family.chinese.then(|| {
            let mut cn_values: Vec<(&str, String)> =
                good.iter().map(|(k, v)| (*k, chinese(*v))).collect();
            for (k, v) in bad {
                if let (Some(slot), Ok(n)) =
                    (cn_values.iter_mut().find(|(n, _)| n == k), v.parse::<u64>())
                {
                    slot.1 = chinese(n);
                }
            }
            render(template, &cn_values)
        });
        let bad_text = render(template, &wrong);
        for (i, text) in variants(&bad_text, bad_cn).into_iter().enumerate() {
            let found = findings(&text);
            assert_eq!(
                found.len(),
                1,
                "{}: expected one finding in {text:?}, got {found:?}",
                family.name
            );
            assert_eq!(
                found[0].0, family.rule,
                "{}: wrong rule in {text:?}",
                family.name
            );
            // The reported figure (its unit may differ by template), with the spaces a variant
            // added taken out.
            let shown: String = found[0].1.chars().filter(|c| !c.is_whitespace()).collect();
            let expected = match i {
                1 => fullwidth(reported),
                5 => reported_cn.unwrap_or(reported).to_owned(),
                _ => reported.to_owned(),
            };
            assert!(
                shown.starts_with(&expected),
                "{}: reported {shown:?}, not {expected:?}, in {text:?}",
                family.name
            );
        }
    }
    assert!(checked >= 10, "{}: only {checked} phrasings", family.name);
}

#[test]
fn family_a_total_then_open_parts_never_exceed() {
    let family = Family {
        name: "a/open",
        rule: "sum/parts-exceed-total",
        templates: &[
            "收到申请{t}件，其中当面申请{a}件、网络申请{b}件、信函申请{c}件。",
            "收到申请{t}件，其中：当面申请{a}件、网络申请{b}件和信函申请{c}件。",
            "2024年共收到申请{t}件，包括当面申请{a}件、网络申请{b}件、信函申请{c}件。",
            "本年度收到申请{t}件，其中2024年当面申请{a}件、网络申请{b}件、信函申请{c}件。",
            "全年接诊患者{t}例，其中门诊{a}例、住院{b}例、转诊{c}例。",
        ],
        chinese: true,
    };
    run(
        &family,
        &[("t", 120), ("a", 45), ("b", 61), ("c", 14)],
        None,
        &[("c", "19".into())],
        "120",
        Some("一百二十"),
    );
}

#[test]
fn family_a_closed_lists_equal_their_total() {
    let short = Family {
        name: "a/closed-short",
        rule: "sum/parts-short-of-total",
        templates: &[
            "审查规范性文件{t}件，决定保留{a}件，废止{b}件，修改{c}件。",
            "审查规范性文件{t}件，决定保留{a}件、废止{b}件、修改{c}件。",
            "2024年审查规范性文件{t}件，分别为保留{a}件，废止{b}件，修改{c}件。",
            "合计{t}件，其中保留{a}件、废止{b}件、修改{c}件。",
        ],
        chinese: true,
    };
    run(
        &short,
        &[("t", 46), ("a", 25), ("b", 17), ("c", 4)],
        None,
        &[("t", "50".into())],
        "50",
        Some("五十"),
    );
    let sides = Family {
        name: "a/closed-sides",
        rule: "sum/parts-short-of-total",
        templates: &[
            "年末户籍人口{t}人，其中城镇人口{a}人，乡村人口{b}人。",
            "年末户籍人口{t}人，其中：城镇{a}人、农村{b}人。",
            "在册职工{t}人，其中男性{a}人，女性{b}人。",
        ],
        chinese: true,
    };
    run(
        &sides,
        &[("t", 5846), ("a", 2493), ("b", 3353)],
        None,
        &[("t", "5946".into())],
        "5946",
        Some("五千九百四十六"),
    );
}

#[test]
fn family_b_parts_then_their_total() {
    let family = Family {
        name: "b/parts-then-total",
        rule: "sum/parts-short-of-total",
        templates: &[
            "当面申请{a}件、网络申请{b}件、信函申请{c}件，共计{t}件。",
            "当面申请{a}件、网络申请{b}件和信函申请{c}件，合计{t}件。",
            "2024年当面申请{a}件、网络申请{b}件、信函申请{c}件，总计{t}件。",
            "当面{a}件、网络{b}件、信函{c}件，共{t}件。",
        ],
        chinese: true,
    };
    run(
        &family,
        &[("t", 120), ("a", 45), ("b", 61), ("c", 14)],
        None,
        &[("t", "125".into())],
        "125",
        Some("一百二十五"),
    );
}

#[test]
fn family_g_budget_execution() {
    let family = Family {
        name: "g/execution",
        rule: "ratio/execution-rate-mismatch",
        templates: &[
            "年初预算{w}万元，执行数{p}万元，完成预算的{r}%。",
            "预算数为{w}万元，决算数为{p}万元，完成预算的{r}%。",
            "2024年预算{w}万元，执行数{p}万元，执行率{r}%。",
        ],
        chinese: false,
    };
    // 1150 / 1200 = 95.83%.
    run(
        &family,
        &[("w", 1200), ("p", 1150)],
        Some("95.8"),
        &[("r", "97.8".into())],
        "97.8%",
        None,
    );
}

#[test]
fn family_g_comparison_words_against_the_figures() {
    let family = Family {
        name: "g/compare",
        rule: "number/comparison-contradicts-figures",
        templates: &[
            "决算数为{a}万元，预算数为{b}万元，决算数{r}预算数。",
            "预算数为{b}万元，决算数为{a}万元，决算数{r}预算数，主要原因是新增项目。",
            "2024年决算数{a}万元，年初预算数{b}万元，决算数{r}预算数。",
        ],
        chinese: false,
    };
    run(
        &family,
        &[("a", 1260), ("b", 1200)],
        Some("大于"),
        &[("r", "小于".into())],
        "小于",
        None,
    );
}

#[test]
fn family_i_a_stated_count_against_its_list() {
    // Text with the right count, then with a wrong one; the count is reported.
    let cases: [(&str, &str, &str); 8] = [
        (
            "实施三大工程：一是产业升级；二是城乡融合；三是民生保障。",
            "实施四大工程：一是产业升级；二是城乡融合；三是民生保障。",
            "四大",
        ),
        (
            "抓好三个方面：（一）加快转型；（二）优化服务；（三）强化保障。",
            "抓好两个方面：（一）加快转型；（二）优化服务；（三）强化保障。",
            "两个",
        ),
        (
            "抓好3个方面：一是加快转型，二是优化服务，三是强化保障。",
            "抓好4个方面：一是加快转型，二是优化服务，三是强化保障。",
            "4个",
        ),
        (
            "聚焦城管、住建、农业等3个重点领域。",
            "聚焦城管、住建、农业、市场监管等3个重点领域。",
            "3个",
        ),
        (
            "聚焦城管(19项)、住建(6项)等2个领域。",
            "聚焦城管(19项)、住建(6项)、农业(4项)等2个领域。",
            "2个",
        ),
        (
            "围绕“法与国家”“法与我们”两大主题开展活动。",
            "围绕“法与国家”“法与我们”三大主题开展活动。",
            "三大",
        ),
        (
            "实施三大工程：\n一是产业升级；二是城乡融合；三是民生保障。",
            "实施五大工程：\n一是产业升级；二是城乡融合；三是民生保障。",
            "五大",
        ),
        (
            "实施 3 大工程：一是产业升级；二是城乡融合；三是民生保障。",
            "实施 4 大工程：一是产业升级；二是城乡融合；三是民生保障。",
            "4大",
        ),
    ];
    for (good, bad, reported) in cases {
        assert!(findings(good).is_empty(), "{good}: {:?}", findings(good));
        let found = findings(bad);
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        let shown: String = found[0].1.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(
            (found[0].0.as_str(), shown.as_str()),
            ("count/items-mismatch", reported)
        );
    }
    // Fewer items before 等 than stated is an abridged list.
    assert!(findings("聚焦城管、住建等5个重点领域。").is_empty());
}

#[test]
fn family_d_and_e_shares_of_an_earlier_total_and_multiples() {
    let cases: [(&str, &str, &str, &str); 4] = [
        (
            "部门支出总额3626.76万元，比上年增长5.9%。其中基本支出2914.30万元，占部门支出总额的80.4%。",
            "部门支出总额3626.76万元，比上年增长5.9%。其中基本支出2914.30万元，占部门支出总额的84.0%。",
            "ratio/share-of-earlier-total",
            "84.0%",
        ),
        (
            "部门支出总额 3626.76 万元。\n其中：项目支出 712.46 万元，占部门支出总额的 19.6%。",
            "部门支出总额 3626.76 万元。\n其中：项目支出 712.46 万元，占部门支出总额的 21.6%。",
            "ratio/share-of-earlier-total",
            "21.6%",
        ),
        (
            "今年出口额120亿元，是上年80亿元的1.5倍。",
            "今年出口额120亿元，是上年80亿元的2.5倍。",
            "growth/multiple-mismatch",
            "2.5倍",
        ),
        (
            "全年接待游客300万人次，相当于2020年150万人次的2倍。",
            "全年接待游客300万人次，相当于2020年150万人次的3倍。",
            "growth/multiple-mismatch",
            "3倍",
        ),
    ];
    for (good, bad, rule, reported) in cases {
        assert!(findings(good).is_empty(), "{good}: {:?}", findings(good));
        let found = findings(bad);
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        let shown: String = found[0].1.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(
            (found[0].0.as_str(), shown.as_str()),
            (rule, reported),
            "{bad}"
        );
    }
    // A share of another total than the one before stays silent.
    assert!(
        findings("部门支出总额3626.76万元。其中基本支出2914.30万元，占基本支出预算的90.0%。")
            .is_empty()
    );
}

#[test]
fn family_c_part_whole_and_rate() {
    let family = Family {
        name: "c/ratio",
        rule: "ratio/rate-mismatch",
        templates: &[
            "受理{w}件，办结{p}件，办结率{r}%。",
            "全年受理信访事项{w}件，按期办结{p}件，按期办结率为{r}%。",
            "受理{w}件，其中办结{p}件，办结率达{r}%。",
            "2024年受理{w}件，2024年办结{p}件，办结率{r}%。",
            "抽检食品{w}批次，检出合格{p}批次，合格率{r}%。",
        ],
        chinese: false,
    };
    // 43149 / 43896 = 98.298% → 98.3%; 97.3% is beyond its rounding.
    run(
        &family,
        &[("w", 43896), ("p", 43149)],
        Some("98.3"),
        &[("r", "97.3".into())],
        "97.3%",
        None,
    );
}

#[test]
fn family_e_change_between_two_values() {
    let family = Family {
        name: "e/change",
        rule: "growth/rate-mismatch",
        templates: &[
            "成员单位从{a}家增至{b}家，增长{r}%。",
            "成员单位由{a}家增加到{b}家，增长{r}%。",
            "发生案件{b}起，比上年的{a}起增长{r}%。",
            "发生案件{b}起，同比上年的{a}起增加{r}%。",
            "2023年执行数为{a}万元，2024年预算安排{b}万元，比2023年执行数增加{r}%。",
        ],
        chinese: false,
    };
    // 3400 / 1500 − 1 = 126.67% → 126.7% (whole 万元 figures are rounded to ±0.5万).
    run(
        &family,
        &[("a", 1500), ("b", 3400)],
        Some("126.7"),
        &[("r", "120.7".into())],
        "120.7%",
        None,
    );
}

#[test]
fn family_f_change_from_a_value_and_its_delta() {
    let family = Family {
        name: "f/delta",
        rule: "growth/delta-mismatch",
        templates: &[
            "2024年预算安排{v}万元，比2023年执行数增加{d}万元，增长{r}%。",
            "一般公共预算支出{v}万元，比上年执行数增加{d}万元，增长{r}%。",
            "项目支出{v}万元，较上年增加{d}万元，增长{r}%。",
        ],
        chinese: false,
    };
    // base 1500 − 300 = 1200; 300 / 1200 = 25%.
    run(
        &family,
        &[("v", 1500), ("d", 300)],
        Some("25.0"),
        &[("r", "20.0".into())],
        "20.0%",
        None,
    );
}

#[test]
fn family_h_shares_of_one_whole() {
    let family = Family {
        name: "h/shares",
        rule: "sum/shares-not-100",
        templates: &[
            "第一产业占{x}%，第二产业占{y}%，第三产业占{z}%。",
            "第一产业增加值占地区生产总值的比重为{x}%，第二产业占{y}%，第三产业占{z}%。",
            "一产占{x}%、二产占{y}%、三产占{z}%。",
        ],
        chinese: false,
    };
    // Rates with decimals are rendered by hand: 8.1 + 40.2 + 51.7 = 100.
    for template in family.templates {
        let text = render(
            template,
            &[
                ("x", "8.1".into()),
                ("y", "40.2".into()),
                ("z", "51.7".into()),
            ],
        );
        for v in variants(&text, None) {
            assert!(findings(&v).is_empty(), "shares flagged in {v:?}");
        }
        let bad = render(
            template,
            &[
                ("x", "8.1".into()),
                ("y", "40.2".into()),
                ("z", "53.7".into()),
            ],
        );
        for (i, v) in variants(&bad, None).into_iter().enumerate() {
            let found = findings(&v);
            assert_eq!(found.len(), 1, "{v:?}: {found:?}");
            assert_eq!(found[0].0, family.rule);
            let shown: String = found[0].1.chars().filter(|c| !c.is_whitespace()).collect();
            let expected = if i == 1 {
                fullwidth("8.1%")
            } else {
                "8.1%".to_owned()
            };
            assert_eq!(shown, expected, "{v:?}");
        }
    }
}

#[test]
fn family_j_english_figures() {
    let cases: [(&str, &str, &str, &str); 3] = [
        (
            "Of the 412 housing complaints, 351 (85.2%) were upheld.",
            "Of the 412 housing complaints, 351 (87.9%) were upheld.",
            "ratio/rate-mismatch-en",
            "87.9%",
        ),
        (
            "Telephone enquiries fell from 2,904 to 2,611, a decrease of 10.1%.",
            "Telephone enquiries fell from 2,904 to 2,611, a decrease of 11.2%.",
            "growth/rate-mismatch-en",
            "11.2%",
        ),
        (
            "North (21), South (18) and Coastal (14), 53 in total.",
            "North (21), South (18) and Coastal (14), 55 in total.",
            "sum/parts-total-en",
            "55",
        ),
    ];
    for (good, bad, rule, reported) in cases {
        assert!(findings(good).is_empty(), "{good}: {:?}", findings(good));
        let found = findings(bad);
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        assert_eq!((found[0].0.as_str(), found[0].1.as_str()), (rule, reported));
    }
}

#[test]
fn chinese_numerals_render_as_reports_write_them() {
    assert_eq!(chinese(120), "一百二十");
    assert_eq!(chinese(15), "十五");
    assert_eq!(chinese(43896), "四万三千八百九十六");
    assert_eq!(chinese(105), "一百零五");
}

#[test]
fn family_i_subjects_paired_with_values_by_fenbie() {
    let subjects = ["农业", "工业", "服务业", "建筑业", "交通运输业"];
    let verbs = ["分别增长", "分别下降了", "分别为", "分别达到", "分别完成"];
    let openings = ["", "全年，", "2024年，", "据统计："];
    let mut checked = 0;
    for n in 2..=5 {
        for m in 1..=n {
            for (i, verb) in verbs.iter().enumerate() {
                let opening = openings[(n + m + i) % openings.len()];
                let values: Vec<String> = (0..m)
                    .map(|k| {
                        let v = format!("{}.{}%", 3 + k, (k * 3 + i) % 10);
                        // An approximate last value is still a value.
                        if k + 1 == m && (n + i) % 3 == 0 {
                            format!("{v}以上")
                        } else {
                            v
                        }
                    })
                    .collect();
                let joined = if m == 2 && i % 2 == 0 {
                    values.join("和")
                } else {
                    values.join("、")
                };
                let text = format!(
                    "{opening}{}增加值{verb}{joined}。",
                    subjects[..n].join("、")
                );
                for text in [text.clone(), pdf_spaces(&text), wrapped(&text)] {
                    let found = findings(&text);
                    let expected = (2..n).contains(&m);
                    assert_eq!(
                        found.len(),
                        usize::from(expected),
                        "{n} subjects, {m} values: {found:?} in {text:?}"
                    );
                    if expected {
                        assert_eq!(found[0].0, "number/distributive-arity", "{text:?}");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 100, "only {checked} phrasings");
}
