//! The built-in rule packs, embedded in the binary at build time (text only: compiling them is the
//! engine's job, which this module never imports).

/// `(name, TOML text)` of every built-in pack, in a fixed order.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    ("rules/count.toml", include_str!("../../rules/count.toml")),
    ("rules/dates.toml", include_str!("../../rules/dates.toml")),
    ("rules/en.toml", include_str!("../../rules/en.toml")),
    ("rules/fields.toml", include_str!("../../rules/fields.toml")),
    ("rules/growth.toml", include_str!("../../rules/growth.toml")),
    (
        "rules/numbers.toml",
        include_str!("../../rules/numbers.toml"),
    ),
    ("rules/punct.toml", include_str!("../../rules/punct.toml")),
    ("rules/ratio.toml", include_str!("../../rules/ratio.toml")),
    ("rules/repeat.toml", include_str!("../../rules/repeat.toml")),
    (
        "rules/sequence.toml",
        include_str!("../../rules/sequence.toml"),
    ),
    ("rules/source.toml", include_str!("../../rules/source.toml")),
    ("rules/style.toml", include_str!("../../rules/style.toml")),
    ("rules/sums.toml", include_str!("../../rules/sums.toml")),
    ("rules/tables.toml", include_str!("../../rules/tables.toml")),
];
