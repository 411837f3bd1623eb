//! Property tests: every parameter value survives the trip through the text KFP v1 carries
//! (command line and output files) and the JSON KFP v2 carries, and compiled YAML reads back
//! as the workflow the compiler built.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::sync::Arc;

use kfp_core::__private::add_task;
use kfp_core::compiler::v1;
use kfp_core::spec::component::{ComponentSpec, InputSpec, OutputSpec};
use kfp_core::spec::pipeline::Arg;
use kfp_core::types::{constant_text, KfpType, ParamKind};
use kfp_core::{build_pipeline, yaml, Compiler, Json, Pipeline, Target};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// `cases` cases; failures print their minimal input (an integration test has no `lib.rs`
/// beside it to persist regressions next to).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings with what breaks naive quoting: quotes, newlines, backslashes, `$`, unicode
/// (astral too), YAML and Python keywords, flag look-alikes and the empty string.
fn tricky_string() -> impl Strategy<Value = String> {
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
fn any_f64() -> impl Strategy<Value = f64> {
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
fn json_value() -> impl Strategy<Value = Value> {
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
        prop_assert_eq!(v.to_text(), kfp_core::pyjson::float_repr(v));
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

// ---------------------------------------------------------------------------------------------
// Generated pipelines: YAML read back equals the workflow the compiler built.

/// One generated component: input kinds (and whether optional), number of outputs, packages.
#[derive(Clone, Debug)]
struct GenComponent {
    inputs: Vec<(ParamKind, bool)>,
    outputs: Vec<ParamKind>,
    packages: Vec<String>,
    description: Option<String>,
}

/// How one generated task feeds one input.
#[derive(Clone, Debug)]
enum GenArg {
    Constant(Value),
    Param,
    /// An output of an earlier task, picked by these two numbers (modulo what exists).
    Upstream(usize),
    Absent,
}

#[derive(Clone, Debug)]
struct GenTask {
    component: usize,
    args: Vec<GenArg>,
    display_name: Option<String>,
}

#[derive(Clone, Debug)]
struct GenPipeline {
    name: String,
    components: Vec<GenComponent>,
    tasks: Vec<GenTask>,
    defaults: Vec<Option<Value>>,
}

const KINDS: [ParamKind; 6] = [
    ParamKind::String,
    ParamKind::Integer,
    ParamKind::Float,
    ParamKind::Boolean,
    ParamKind::List,
    ParamKind::Struct,
];

/// The pipeline parameter for each kind, in `KINDS` order.
const PARAM_NAMES: [&str; 6] = ["p_str", "p_int", "p_float", "p_bool", "p_list", "p_struct"];

fn kind() -> impl Strategy<Value = ParamKind> {
    prop::sample::select(KINDS.to_vec())
}

fn constant_of(kind: ParamKind) -> BoxedStrategy<Value> {
    match kind {
        ParamKind::String => tricky_string().prop_map(Value::String).boxed(),
        ParamKind::Integer => any::<i64>().prop_map(Value::from).boxed(),
        ParamKind::Float => any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from)
            .boxed(),
        ParamKind::Boolean => any::<bool>().prop_map(Value::Bool).boxed(),
        ParamKind::List => prop::collection::vec(json_value(), 0..3)
            .prop_map(Value::Array)
            .boxed(),
        ParamKind::Struct => prop::collection::vec((tricky_string(), json_value()), 0..3)
            .prop_map(|kv| Value::Object(kv.into_iter().collect()))
            .boxed(),
    }
}

fn gen_component() -> impl Strategy<Value = GenComponent> {
    (
        prop::collection::vec((kind(), prop::bool::weighted(0.2)), 0..4),
        prop::collection::vec(kind(), 0..3),
        prop::collection::vec(
            prop_oneof![
                Just("mlflow".to_owned()),
                Just("opencv-python==4.8.0.74".to_owned()),
                "[ a-z'\"$`;=<>()]{1,10}",
            ],
            0..3,
        ),
        prop::option::of(tricky_string()),
    )
        .prop_map(|(inputs, outputs, packages, description)| GenComponent {
            inputs,
            outputs,
            packages,
            description,
        })
}

fn gen_arg(kind: ParamKind, optional: bool) -> BoxedStrategy<GenArg> {
    let mut options = vec![
        (3, constant_of(kind).prop_map(GenArg::Constant).boxed()),
        (2, Just(GenArg::Param).boxed()),
        (3, any::<usize>().prop_map(GenArg::Upstream).boxed()),
    ];
    if optional {
        options.push((1, Just(GenArg::Absent).boxed()));
    }
    prop::strategy::Union::new_weighted(options).boxed()
}

fn gen_pipeline() -> impl Strategy<Value = GenPipeline> {
    (
        prop::collection::vec(gen_component(), 1..4),
        "[a-zA-Z][a-zA-Z0-9 _-]{0,20}",
        KINDS
            .iter()
            .map(|&k| prop::option::of(default_of(k)))
            .collect::<Vec<_>>(),
    )
        .prop_flat_map(|(components, name, defaults)| {
            let n = components.len();
            let task = (0..n).prop_flat_map({
                let components = components.clone();
                move |c| {
                    let args: Vec<BoxedStrategy<GenArg>> = components[c]
                        .inputs
                        .iter()
                        .map(|&(k, optional)| gen_arg(k, optional))
                        .collect();
                    (args, prop::option::of("[A-Za-z0-9 ]{1,12}")).prop_map(
                        move |(args, display_name)| GenTask {
                            component: c,
                            args,
                            display_name,
                        },
                    )
                }
            });
            (
                prop::collection::vec(task, 1..7),
                Just(components),
                Just(name),
                Just(defaults),
            )
        })
        .prop_map(|(tasks, components, name, defaults)| GenPipeline {
            name,
            components,
            tasks,
            // A default must have its parameter's kind; a mismatched pick means none.
            defaults,
        })
}

/// A default for the pipeline parameter of `kind` (a list parameter is a `Vec<i64>`).
fn default_of(kind: ParamKind) -> BoxedStrategy<Value> {
    match kind {
        ParamKind::List => prop::collection::vec(any::<i64>(), 0..3)
            .prop_map(|v| json!(v))
            .boxed(),
        other => constant_of(other),
    }
}

/// Builds the generated pipeline through the same entry points generated code uses.
fn build(g: &GenPipeline) -> Pipeline {
    let specs: Vec<Arc<ComponentSpec>> = g
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut spec = ComponentSpec::new(format!("step_{i}"));
            spec.description = c.description.clone();
            spec.base_image = Some("python:3.11".to_owned());
            spec.packages = c.packages.clone();
            spec.inputs = c
                .inputs
                .iter()
                .enumerate()
                .map(|(j, &(kind, optional))| InputSpec {
                    name: format!("in_{j}"),
                    kind,
                    rust_type: "T",
                    optional,
                })
                .collect();
            spec.outputs = c
                .outputs
                .iter()
                .enumerate()
                .map(|(j, &kind)| OutputSpec {
                    name: if c.outputs.len() == 1 {
                        "Output".to_owned()
                    } else {
                        format!("out_{j}")
                    },
                    kind,
                })
                .collect();
            Arc::new(spec)
        })
        .collect();
    build_pipeline(&g.name, None, |params| {
        // Every parameter is declared, so that each kind has one to feed from.
        let declared: Vec<String> = KINDS
            .iter()
            .zip(PARAM_NAMES)
            .zip(&g.defaults)
            .map(|((kind, name), default)| {
                match kind {
                    ParamKind::String => {
                        params.param::<String>(
                            name,
                            default.as_ref().and_then(|d| String::from_json(d).ok()),
                        );
                    }
                    ParamKind::Integer => {
                        params.param::<i64>(
                            name,
                            default.as_ref().and_then(|d| i64::from_json(d).ok()),
                        );
                    }
                    ParamKind::Float => {
                        params.param::<f64>(
                            name,
                            default.as_ref().and_then(|d| f64::from_json(d).ok()),
                        );
                    }
                    ParamKind::Boolean => {
                        params.param::<bool>(
                            name,
                            default.as_ref().and_then(|d| bool::from_json(d).ok()),
                        );
                    }
                    ParamKind::List => {
                        params.param::<Vec<i64>>(
                            name,
                            default.as_ref().and_then(|d| Vec::from_json(d).ok()),
                        );
                    }
                    ParamKind::Struct => {
                        params.param::<Map<String, Value>>(
                            name,
                            default.as_ref().and_then(|d| Map::from_json(d).ok()),
                        );
                    }
                }
                (*name).to_owned()
            })
            .collect();
        // (task id, output name, kind) of every output made so far.
        let mut made: Vec<(kfp_core::spec::pipeline::TaskId, String, ParamKind)> = Vec::new();
        for t in &g.tasks {
            let spec = &specs[t.component];
            let args: Vec<Option<Arg>> = spec
                .inputs
                .iter()
                .zip(&t.args)
                .map(|(input, a)| {
                    let param = || {
                        let k = KINDS.iter().position(|k| *k == input.kind).unwrap_or(0);
                        Arg::Param(declared[k].clone())
                    };
                    match a {
                        GenArg::Constant(v) => Some(Arg::Constant(v.clone())),
                        GenArg::Param => Some(param()),
                        GenArg::Absent => None,
                        GenArg::Upstream(pick) => {
                            let fitting: Vec<_> =
                                made.iter().filter(|m| m.2 == input.kind).collect();
                            Some(match fitting.get(pick % fitting.len().max(1)) {
                                Some((task, output, _)) => Arg::Output {
                                    task: *task,
                                    output: output.clone(),
                                },
                                None => param(),
                            })
                        }
                    }
                })
                .collect();
            let mut task = add_task::<()>(Arc::clone(spec), args);
            if let Some(d) = &t.display_name {
                task = task.set_display_name(d);
            }
            for o in &spec.outputs {
                made.push((task.id(), o.name.clone(), o.kind));
            }
        }
    })
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn compiled_yaml_reads_back_as_the_workflow(g in gen_pipeline()) {
        let pipeline = build(&g);
        let compiler = Compiler::new().binary_path("/usr/local/bin/generated");
        let text = compiler
            .compile(&pipeline, Target::V1)
            .map_err(|e| TestCaseError::fail(format!("{g:?} does not compile: {e}")))?;
        let workflow = v1::workflow(&compiler, &pipeline);
        prop_assert_eq!(&text, &yaml::to_string(&workflow));
        let back: Value = yaml::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("cannot read back: {e}\n{text}")))?;
        prop_assert_eq!(&back, &workflow, "{}", text);
        // The same program gives the same bytes.
        prop_assert_eq!(&text, &compiler.compile(&build(&g), Target::V1).map_err(|e| TestCaseError::fail(e.to_string()))?);
    }
}

#[test]
fn the_same_constant_reads_back_from_compiled_args() {
    // A constant travels as text in the container args; the pod reads it with `from_text`.
    let spec = {
        let mut s = ComponentSpec::new("take");
        s.inputs = vec![
            InputSpec {
                name: "s".into(),
                kind: ParamKind::String,
                rust_type: "String",
                optional: false,
            },
            InputSpec {
                name: "f".into(),
                kind: ParamKind::Float,
                rust_type: "f64",
                optional: false,
            },
            InputSpec {
                name: "d".into(),
                kind: ParamKind::Struct,
                rust_type: "Map",
                optional: false,
            },
        ];
        Arc::new(s)
    };
    let s = "it's \"quoted\"\n$(x) `y` 日本";
    let d = json!({"b": [1, 2.5, null], "a": {"é": true}});
    let pipeline = build_pipeline("consts", None, |_| {
        add_task::<()>(
            Arc::clone(&spec),
            vec![
                Some(Arg::Constant(json!(s))),
                Some(Arg::Constant(json!(1e16))),
                Some(Arg::Constant(d.clone())),
            ],
        );
    });
    let text = Compiler::new()
        .binary_path("/bin/x")
        .compile(&pipeline, Target::V1)
        .unwrap();
    let workflow: Value = yaml::from_str(&text).unwrap();
    let args = workflow["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "take")
        .unwrap()["container"]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let parsed = kfp_core::runtime::args::parse_v1(&spec, &args).unwrap();
    assert_eq!(String::from_text(&parsed.values["s"]).unwrap(), s);
    assert_eq!(f64::from_text(&parsed.values["f"]).unwrap(), 1e16);
    assert_eq!(
        Value::Object(Map::from_text(&parsed.values["d"]).unwrap()),
        d
    );
}
