//! Property tests: every parameter value survives the trip through the text KFP v1 carries
//! (command line and output files) and the JSON KFP v2 carries.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;

use common::{any_f64, config, json_value, tricky_string};
use kfp_core::__private::support::constant_text;
use kfp_core::types::KfpType;
use kfp_core::Json;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Whether two values are the same, with every NaN equal to every NaN and `-0.0` distinct
/// from `0.0`.
trait Same {
    fn same(&self, other: &Self) -> bool;
}

macro_rules! same_by_eq {
    ($($t:ty),*) => {$(
        impl Same for $t {
            fn same(&self, other: &Self) -> bool {
                self == other
            }
        }
    )*};
}
same_by_eq!(String, bool, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, Value);

impl Same for f64 {
    fn same(&self, other: &Self) -> bool {
        (self.is_nan() && other.is_nan()) || self.to_bits() == other.to_bits()
    }
}

impl Same for f32 {
    fn same(&self, other: &Self) -> bool {
        (self.is_nan() && other.is_nan()) || self.to_bits() == other.to_bits()
    }
}

impl<T: Same> Same for Vec<T> {
    fn same(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.same(b))
    }
}

impl<T: Same> Same for Option<T> {
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.same(b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl<T: Same> Same for BTreeMap<String, T> {
    fn same(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other)
                .all(|((ka, va), (kb, vb))| ka == kb && va.same(vb))
    }
}

impl<T: Same> Same for HashMap<String, T> {
    fn same(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|w| v.same(w)))
    }
}

impl Same for Map<String, Value> {
    fn same(&self, other: &Self) -> bool {
        // Key order is not part of the value: kfp writes outputs with sorted keys.
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

/// A serde struct passed as `Json<T>`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Config {
    name: String,
    epochs: i64,
    rate: f64,
    tags: Vec<String>,
    extra: Option<bool>,
}

impl Same for Json<Config> {
    fn same(&self, other: &Self) -> bool {
        self.0.name == other.0.name
            && self.0.epochs == other.0.epochs
            && self.0.rate.same(&other.0.rate)
            && self.0.tags == other.0.tags
            && self.0.extra == other.0.extra
    }
}

/// Checks the three trips of one value: output-file text, command-line constant text and
/// JSON.
fn check_round_trips<T: KfpType + Same + Debug>(value: &T) -> Result<(), TestCaseError> {
    let text = value.to_text();
    let back = T::from_text(&text).map_err(|e| {
        TestCaseError::fail(format!("{value:?} → {text:?} does not read back: {e}"))
    })?;
    prop_assert!(back.same(value), "{value:?} → {text:?} → {back:?}");

    let json = value.to_json();
    let constant = constant_text(&json);
    let back = T::from_text(&constant).map_err(|e| {
        TestCaseError::fail(format!(
            "{value:?} → constant {constant:?} does not read back: {e}"
        ))
    })?;
    prop_assert!(
        back.same(value),
        "{value:?} → constant {constant:?} → {back:?}"
    );

    let back = T::from_json(&json)
        .map_err(|e| TestCaseError::fail(format!("{value:?} → {json} does not read back: {e}")))?;
    prop_assert!(back.same(value), "{value:?} → {json} → {back:?}");
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn strings(v in tricky_string()) {
        check_round_trips(&v)?;
        prop_assert_eq!(v.to_text(), v);
    }

    #[test]
    fn booleans(v in any::<bool>()) {
        check_round_trips(&v)?;
        prop_assert_eq!(v.to_text(), if v { "True" } else { "False" });
    }

    #[test]
    fn signed_integers(
        a in prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), Just(0)],
        b in prop_oneof![any::<i32>(), Just(i32::MIN), Just(i32::MAX)],
        c in prop_oneof![any::<i16>(), Just(i16::MIN), Just(i16::MAX)],
        d in prop_oneof![any::<i8>(), Just(i8::MIN), Just(i8::MAX)],
        e in any::<isize>(),
    ) {
        check_round_trips(&a)?;
        check_round_trips(&b)?;
        check_round_trips(&c)?;
        check_round_trips(&d)?;
        check_round_trips(&e)?;
        prop_assert_eq!(a.to_text(), a.to_string());
    }

    #[test]
    fn unsigned_integers(
        a in prop_oneof![any::<u64>(), Just(u64::MAX), Just(0)],
        b in prop_oneof![any::<u32>(), Just(u32::MAX)],
        c in any::<u16>(),
        d in prop_oneof![any::<u8>(), Just(u8::MAX)],
        e in any::<usize>(),
    ) {
        check_round_trips(&a)?;
        check_round_trips(&b)?;
        check_round_trips(&c)?;
        check_round_trips(&d)?;
        check_round_trips(&e)?;
    }

    #[test]
    fn integers_never_read_a_wider_value(v in any::<i64>()) {
        let text = v.to_text();
        prop_assert_eq!(i32::from_text(&text).is_ok(), i32::try_from(v).is_ok());
        prop_assert_eq!(u8::from_text(&text).is_ok(), u8::try_from(v).is_ok());
    }

    #[test]
    fn floats(v in any_f64(), w in any::<f32>()) {
        check_round_trips(&v)?;
        check_round_trips(&w)?;
        // Python's `str(float)`.
        prop_assert_eq!(v.to_text(), kfp_core::__private::support::float_repr(v));
    }

    #[test]
    fn lists(
        ints in prop::collection::vec(any::<i64>(), 0..8),
        strings in prop::collection::vec(tricky_string(), 0..6),
        floats in prop::collection::vec(any_f64(), 0..6),
        nested in prop::collection::vec(prop::collection::vec(any::<bool>(), 0..3), 0..3),
    ) {
        check_round_trips(&ints)?;
        check_round_trips(&strings)?;
        check_round_trips(&floats)?;
        check_round_trips(&nested)?;
        // kfp writes JSON with `ensure_ascii`: the text is ASCII whatever the strings hold.
        prop_assert!(strings.to_text().is_ascii(), "{}", strings.to_text());
    }

    #[test]
    fn maps(
        strings in prop::collection::btree_map(tricky_string(), tricky_string(), 0..6),
        lists in prop::collection::btree_map(tricky_string(), prop::collection::vec(any::<i32>(), 0..3), 0..4),
        hashed in prop::collection::hash_map(tricky_string(), any::<u16>(), 0..6),
        object in prop::collection::vec((tricky_string(), json_value()), 0..6),
    ) {
        check_round_trips(&strings)?;
        check_round_trips(&lists)?;
        check_round_trips(&hashed)?;
        let object: Map<String, Value> = object.into_iter().collect();
        check_round_trips(&object)?;
        // Output files hold the keys sorted, at every depth.
        let text = object.to_text();
        let read: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(keys_sorted(&read), "{text}");
        prop_assert!(text.is_ascii(), "{text}");
    }

    #[test]
    fn structs(
        name in tricky_string(),
        epochs in any::<i64>(),
        rate in any::<f64>().prop_filter("finite", |f| f.is_finite()),
        tags in prop::collection::vec(tricky_string(), 0..3),
        extra in any::<Option<bool>>(),
    ) {
        check_round_trips(&Json(Config { name, epochs, rate, tags, extra }))?;
    }

    #[test]
    fn options(
        a in any::<Option<i64>>(),
        b in prop::option::of(tricky_string()),
        c in prop::option::of(any_f64()),
    ) {
        // Present: the inner type's text. Absent: no flag at all, which reads as `None`.
        for_option(&a)?;
        for_option(&b)?;
        for_option(&c)?;
    }
}

fn for_option<T: KfpType + Same + Debug>(v: &Option<T>) -> Result<(), TestCaseError> {
    match v {
        Some(_) => {
            check_round_trips(v)?;
        }
        None => {
            prop_assert!(Option::<T>::absent().is_some_and(|a| a.is_none()));
            prop_assert_eq!(
                Option::<T>::from_json(&Value::Null)
                    .ok()
                    .map(|x| x.is_none()),
                Some(true)
            );
        }
    }
    Ok(())
}

/// Whether every object in `v` has its keys in code-point order.
fn keys_sorted(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            m.keys().zip(m.keys().skip(1)).all(|(a, b)| a < b) && m.values().all(keys_sorted)
        }
        Value::Array(items) => items.iter().all(keys_sorted),
        _ => true,
    }
}
