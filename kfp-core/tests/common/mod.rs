//! Strategies the property tests share.

#![allow(dead_code)] // each test file uses a different part

use proptest::prelude::*;
use serde_json::Value;

/// `cases` cases; failures print their minimal input (an integration test has no `lib.rs`
/// beside it to persist regressions next to).
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings with what breaks naive quoting: quotes, newlines, backslashes, `$`, unicode
/// (astral too), YAML and Python keywords, flag look-alikes and the empty string.
pub fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-z'\"\\\\\\n\\r\\t$`{}\\[\\],:#&*!|>%@-]{0,12}",
        "[\\u{80}-\\u{10ffff}]{0,6}",
        prop::sample::select(vec![
            "",
            "None",
            "null",
            "True",
            "yes",
            "on",
            "~",
            "--epochs",
            "----output-paths",
            "-h",
            "{{inputs.parameters.x}}",
            "0",
            "-1",
            "1e+16",
            "nan",
            "[1, 2]",
            "{\"a\": 1}",
            " ",
            "\u{feff}",
            "\u{2028}",
            "\u{0}",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Floats of every class, with the extremes made likely.
pub fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        prop::sample::select(vec![
            0.0,
            -0.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::EPSILON,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e16,
            1e-5,
            9_007_199_254_740_993.0,
        ]),
    ]
}

/// JSON values that a `serde_json::Map` input may hold (finite numbers: JSON has no others).
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        tricky_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((tricky_string(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}
