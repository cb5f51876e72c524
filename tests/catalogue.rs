//! The positive and negative examples of the rule catalogue (`RULES.md`, sections Number format,
//! Ratio, Sum, Count, Growth and Granularity) for the checks tally implements: each positive
//! example must produce a finding of the named rule (or rule prefix), each negative one none.
//! Catalogue checks not implemented yet are listed in the README's rule table as gaps.

use tally::engine::load_rules;
use tally::rules::id_matches;
use tally::source::Document;

/// (rule id or prefix, text, must fire)
const CASES: &[(&str, &str, bool)] = &[
    ("number/glued-values", "分别下降79.07%79.03%", true),
    ("number/glued-values", "年平均增长率在10%9%左右", true),
    ("number/glued-values", "增长10%～20%", false),
    ("number/glued-values", "分别为10%、9%", false),
    ("number/glued-values", "79.07%、79.03%", false),
    ("number/", "“3550”", false),
    ("number/range-unit", "增长15～30%", true),
    ("number/range-unit", "投资9～16亿", true),
    ("number/range-unit", "增长15%～30%", false),
    ("number/range-unit", "投资9亿～16亿", false),
    ("number/range-unit", "重100～150kg", false),
    ("number/range-with-approx", "长20～50m左右", true),
    ("number/range-with-approx", "增长10%～20%左右", true),
    ("number/range-with-approx", "长20～50m之间", false),
    ("number/approx-redundant", "约50人左右", true),
    ("number/approx-redundant", "大约3000万元左右", true),
    ("number/approx-redundant", "50余次", false),
    ("number/approx-redundant", "近500本", false),
    ("number/approx-redundant", "99.8%以上", false),
    ("number/mixed-numeral", "4千", true),
    ("number/mixed-numeral", "3百人", true),
    ("number/mixed-numeral", "1百零8", true),
    ("number/mixed-numeral", "3.6万张", false),
    ("number/mixed-numeral", "10亿零817万5288人", false),
    ("number/mixed-numeral", "3千米", false),
    ("number/approx-pair", "约二、三米", true),
    ("number/approx-pair", "一、二等奖", false),
    ("number/approx-pair", "6、7月", false),
    ("number/digit-grouping", "12,34件", true),
    ("number/decrease-by-multiple", "成本降低2倍", true),
    ("number/decrease-by-multiple", "增长1.3倍", false),
    ("number/rate-over-100", "满意率101%", true),
    ("number/fullwidth-digit", "共１２３件", true),
    (
        "number/numeral-form",
        "五年来成效明显。5年来对全区开展评查",
        true,
    ),
    (
        "number/numeral-form",
        "十九届五中全会以来，19项改革落地",
        false,
    ),
    (
        "number/grouping-consistency",
        "受理1,025件，共完成审批14101件",
        true,
    ),
    (
        "number/grouping-consistency",
        "受理1,025件，拨打12345热线",
        false,
    ),
    ("number/rate-over-100", "下降120%", true),
    ("number/rate-over-100", "增长126.7%", false),
    ("number/rate-over-100", "完成率105%", false),
    ("ratio/", "受理43896件,调处成功43149件,成功率达97.3%", true),
    (
        "ratio/",
        "受理矛盾纠纷43896件,调处成功43149件,调处成功率达98.3%",
        false,
    ),
    (
        "sum/part-exceeds-total",
        "累计办件53006件,其中民生事项64387件",
        true,
    ),
    ("sum/", "42项行政处罚权(第一批)(其中小纪镇赋权877项)", false),
    ("sum/", "累计办件53006件,仅民生服务类事项就达44387件", false),
    (
        "sum/shares-not-100",
        "一产占8.1%、二产占40.2%、三产占53.7%",
        true,
    ),
    (
        "sum/shares-not-100",
        "一产占8.1%、二产占40.2%、三产占51.7%",
        false,
    ),
    (
        "sum/",
        "政府规范性文件46件决定保留25件,废止17件,5件予以修改",
        true,
    ),
    ("sum/", "46件决定保留25件,废止17件,4件予以修改", false),
    ("sum/", "41件决定保留31件,修改1件,废止9件", false),
    (
        "sum/",
        "城管(19项)、住建(6项)、农业(4项)、市场监管(7项)、卫生健康(6项)等5个领域的42项",
        false,
    ),
    (
        "sum/",
        "合计19.2亿元，其中税收12亿元、社保费6.2亿元、房租789万元",
        true,
    ),
    (
        "sum/",
        "合计18.3亿元，其中税收12亿元、社保费6.2亿元、房租789万元",
        false,
    ),
    (
        "sum/",
        "五年来共办理182件（2016年30件、2017年35件、2018年37件、2019年38件、2020年40件）",
        true,
    ),
    ("count/", "围绕“法与国家”“法与龙川”“法与我们”两大主题", true),
    ("count/", "实施“促消费惠民生”三大行动", false),
    ("count/", "“三集中三到位”", false),
    ("count/", "“一单两库”", false),
    (
        "count/",
        "提出三点意见：一是加强，二是改进，三是落实，四是巩固。",
        true,
    ),
    ("growth/", "成员单位从15家增至34家，增长126%", true),
    ("growth/", "成员单位从15家增至34家，增长126.7%", false),
    ("growth/", "成员单位从15家增至34家，增长127%", false),
    ("growth/", "成员单位从15家增至34家", false),
    ("growth/", "成员单位从15家增至34家，增长2.3倍", true),
    ("growth/", "成员单位从15家增至34家，增长1.3倍", false),
    ("growth/", "成员单位从15家增至34家，增长到2.3倍", false),
    ("growth/", "由120件下降到150件", true),
    ("growth/", "由150件下降到120件", false),
    (
        "ratio/impossible-rate",
        "办理行政复议案件182件,其中直接纠错率12.93%",
        true,
    ),
    (
        "ratio/impossible-rate",
        "办理行政复议案件182件,其中直接纠错率12.64%",
        false,
    ),
    ("ratio/", "受理43896件,调处成功率98.3%", false),
    ("growth/", "2016年100件、2020年150件，年均增长12.5%", true),
    ("number/", "由95%提高到98%，提高3%", true),
    (
        "ratio/impossible-mean",
        "新招录公务员5名，平均年龄37.37岁",
        true,
    ),
    (
        "ratio/impossible-mean",
        "新招录公务员5名，平均年龄37.4岁",
        false,
    ),
];

#[test]
fn catalogue_examples_behave_as_labelled() {
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    let mut failures = Vec::new();
    for (rule, text, fire) in CASES {
        let doc = Document::new("catalogue.txt", format!("{text}\n"));
        let found: Vec<&str> = tally::engine::check(&doc, &rules)
            .iter()
            .map(|f| rules[f.rule].id.as_str())
            .collect();
        let fired = found.iter().any(|id| id_matches(id, rule));
        if fired != *fire {
            failures.push(format!(
                "{rule} {} on {text:?} (found {found:?})",
                if *fire { "missing" } else { "noisy" }
            ));
        }
    }
    assert!(CASES.len() >= 60);
    assert!(
        failures.is_empty(),
        "{} catalogue examples misbehave:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
