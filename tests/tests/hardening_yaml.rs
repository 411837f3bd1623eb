//! Hostile and careless values, met where a user meets them: in the compiled YAML, or in the
//! build error that refuses to write it.

use kfp_core::prelude::*;
use serde_json::Value;

#[component(base_image = "python:3.11")]
fn flip() -> String {
    "heads".to_owned()
}

#[component(base_image = "python:3.11")]
fn show(msg: String) {
    println!("{msg}");
}

const HOSTILE: &str = "heads\" || \"a\" == \"a";

#[pipeline(name = "hostile-when")]
fn hostile_when() {
    let f = flip();
    f.output().equals(HOSTILE).then(|| {
        show("matched");
    });
}

#[pipeline(name = "string-ordered")]
fn string_ordered() {
    let f = flip();
    f.output().less_than("b || true").then(|| {
        show("less");
    });
}

fn compile(p: &Pipeline, target: Target) -> Result<String, String> {
    Compiler::new()
        .binary_path("/usr/local/bin/t")
        .compile(p, target)
        .map_err(|e| e.to_string())
}

fn doc(text: &str) -> Value {
    kfp_core::__private::support::yaml::from_str_multi(text)
        .unwrap()
        .remove(0)
}

/// Reads a string literal's content starting after its opening `quote`: the text up to the
/// closing quote, with `\x` read as `x` (govaluate's and CEL's rule for `\"`, `\'` and
/// `\\`), and what follows the literal.
fn string_literal(s: &str, quote: char) -> (String, &str) {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.extend(chars.next().map(|(_, c)| c)),
            c if c == quote => return (out, &s[i + 1..]),
            c => out.push(c),
        }
    }
    panic!("unterminated string in {s:?}");
}

#[test]
fn v1_when_keeps_a_hostile_constant_inside_its_string() {
    let yaml = compile(&hostile_when(), Target::V1).unwrap();
    let wf = doc(&yaml);
    let root = wf["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "hostile-when")
        .unwrap();
    let when = root["dag"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|t| t["when"].as_str())
        .unwrap();
    // `"<ref>" == "<constant>"`, and nothing after the constant's closing quote.
    let rest = when.strip_prefix("\"{{tasks.flip.outputs.parameters.flip-Output}}\" == \"");
    let rest = rest.unwrap_or_else(|| panic!("{when}"));
    let (constant, after) = string_literal(rest, '"');
    assert_eq!(constant, HOSTILE, "{when}");
    assert_eq!(after, "", "{when}");
}

#[test]
fn v2_cel_keeps_a_hostile_constant_inside_its_string() {
    for hostile in [HOSTILE, "heads' || 'a' == 'a", "back\\' || true || '"] {
        let p = kfp_core::build_pipeline("hostile-cel", None, |_| {
            let f = flip::task();
            f.output().equals(hostile).then(|| {
                show::task("matched");
            });
        });
        let ir = doc(&compile(&p, Target::V2).unwrap());
        let cond = ir["root"]["dag"]["tasks"]["condition-1"]["triggerPolicy"]["condition"]
            .as_str()
            .unwrap_or_else(|| panic!("{}", ir["root"]));
        let rest = cond
            .strip_prefix("inputs.parameter_values['pipelinechannel--flip-Output'] == '")
            .unwrap_or_else(|| panic!("{cond}"));
        let (constant, after) = string_literal(rest, '\'');
        assert_eq!(constant, hostile, "{cond}");
        assert_eq!(after, "", "{cond}");
    }
}

#[test]
fn v1_refuses_a_non_number_in_an_ordered_comparison() {
    let e = compile(&string_ordered(), Target::V1).unwrap_err();
    assert!(e.contains("`condition-1`"), "{e}");
    assert!(e.contains("\"b || true\", which is not a number"), "{e}");
}

#[test]
fn a_container_image_that_is_not_a_reference_is_a_build_error() {
    use kfp_core::reusable::{ContainerComponent, Placeholder};
    let echo = ContainerComponent::new("echo", "alpine:3.19\nRUN touch /pwned")
        .command([Placeholder::Literal("echo".into())]);
    let p = kfp_core::build_pipeline("bad-image", None, |_| {
        echo.task([]);
    });
    for target in [Target::V1, Target::V2] {
        let e = compile(&p, target).unwrap_err();
        assert!(e.contains("task `echo`"), "{e}");
        assert!(e.contains("`image`"), "{e}");
    }
}

const ECHO_YAML: &str = "name: echo
inputs:
- {name: msg, type: String}
implementation:
  container:
    image: alpine:3.19
    command: [echo, {inputValue: msg}]
";

#[test]
fn one_container_component_serves_two_tasks() {
    use kfp_core::reusable::{load_component_from_text, ContainerComponent, Placeholder};
    let built = ContainerComponent::new("echo", "alpine:3.19")
        .input("msg", "String")
        .command([Placeholder::InputValue("msg".into())]);
    let loaded = load_component_from_text(ECHO_YAML).unwrap();
    let again = load_component_from_text(ECHO_YAML).unwrap();
    let by_hand = kfp_core::build_pipeline("twice-by-hand", None, |_| {
        built.task([("msg", "a".into())]);
        built.task([("msg", "b".into())]);
    });
    let by_load = kfp_core::build_pipeline("twice-loaded", None, |_| {
        loaded.task([("msg", "a".into())]);
        loaded.task([("msg", "b".into())]);
        again.task([("msg", "c".into())]);
    });
    for target in [Target::V1, Target::V2] {
        let yaml = compile(&by_hand, target).unwrap_or_else(|e| panic!("{target}: {e}"));
        assert!(yaml.contains("echo-2"), "{yaml}");
        let yaml = compile(&by_load, target).unwrap_or_else(|e| panic!("{target}: {e}"));
        assert!(yaml.contains("echo-3"), "{yaml}");
    }
}

mod first {
    use kfp_core::prelude::*;
    #[component(base_image = "python:3.11")]
    pub fn step() {}
}

mod second {
    use kfp_core::prelude::*;
    // `name` changes what KFP shows, not the name the binary runs it by.
    #[component(base_image = "python:3.11", name = "Other step")]
    pub fn step() {}
}

#[pipeline(name = "same-fn-name")]
fn same_fn_name() {
    first::step();
    second::step();
}

#[test]
fn two_functions_of_one_name_are_refused_with_a_fix_that_works() {
    let e = compile(&same_fn_name(), Target::V1).unwrap_err();
    assert!(e.contains("both called `step`"), "{e}");
    assert!(e.contains("rename one of them"), "{e}");
    // The fix the old message gave (a `name = ...`) is what `second::step` already has.
    assert!(e.contains("changes only the name KFP shows"), "{e}");
}

#[component(base_image = "python:3.11")]
fn call_api(api_token: i64, endpoint: String) {
    println!("{api_token} {endpoint}");
}

#[test]
fn literal_credentials_are_refused_by_name_and_in_uris() {
    for (name, value) in [
        ("OPENAI_API_KEY", "sk-1"),
        ("DB_PASS", "hunter2"),
        ("SSH_PRIVATE_KEY", "-----BEGIN"),
        ("GOOGLE_APPLICATION_CREDENTIALS", "{}"),
        ("BASIC_AUTH", "u:p"),
        ("DATABASE_URL", "postgresql://ml:hunter2@db:5432/mlflow"),
    ] {
        let p = kfp_core::build_pipeline("creds", None, |_| {
            show::task("x").set_env_variable(name, value);
        });
        let e = compile(&p, Target::V1).unwrap_err();
        assert!(e.contains("task `show`") || e.contains("`show`"), "{e}");
        assert!(e.contains(name), "{name}: {e}");
        assert!(!e.contains("hunter2"), "the message echoes the value: {e}");
    }
    let mlflow = kfp_core::mlflow::Mlflow::new("https://admin:hunter2@mlflow.example.com");
    let p = kfp_core::build_pipeline("creds-mlflow", None, |_| {
        show::task("x").use_mlflow(&mlflow);
    });
    let e = compile(&p, Target::V2).unwrap_err();
    assert!(e.contains("MLFLOW_TRACKING_URI"), "{e}");
    assert!(e.contains("password in a URI"), "{e}");
}

#[pipeline(name = "credential-defaults")]
fn credential_defaults(
    #[kfp(default = "sk-live-1")] api_key: String,
    #[kfp(default = "s3://ak:sk@bucket/data")] data: String,
    #[kfp(default = "")] db_password: String,
) {
    show(api_key);
    show(data);
    show(db_password);
}

#[test]
fn pipeline_parameter_defaults_are_checked_for_credentials() {
    let e = compile(&credential_defaults(), Target::V2).unwrap_err();
    assert!(
        e.contains("pipeline parameter `api_key` looks like a credential"),
        "{e}"
    );
    assert!(e.contains("(pipeline parameter data)"), "{e}");
    assert!(
        !e.contains("db_password"),
        "an empty default is no credential: {e}"
    );
    assert!(!e.contains("sk-live-1") && !e.contains("ak:sk"), "{e}");
}

#[test]
fn a_pod_error_does_not_echo_a_credential_input() {
    use kfp_core::__private::Invocation;
    let spec = call_api::spec();
    let argv: Vec<String> = ["--api-token", "sk-live-SECRET-VALUE", "--endpoint", "e"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut inv = Invocation::from_v1_args(&spec, &argv).unwrap();
    let e = inv.input::<i64>("api_token").unwrap_err().to_string();
    assert!(e.contains("`--api-token`"), "{e}");
    assert!(e.contains("hidden"), "{e}");
    assert!(!e.contains("sk-live"), "{e}");
    // An input that does not look like a credential still shows its value.
    let argv: Vec<String> = ["--api-token", "1", "--endpoint", "e"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut inv = Invocation::from_v1_args(&spec, &argv).unwrap();
    let e = inv.input::<i64>("endpoint").unwrap_err().to_string();
    assert!(e.contains("\"e\""), "{e}");
}

#[component(base_image = "python:3.11")]
fn take_list(items: serde_json::Map<String, serde_json::Value>) {
    println!("{}", items.len());
}

/// `{"x": [[...[1]...]]}`: `n` levels of lists and maps.
fn nested(n: usize) -> serde_json::Map<String, serde_json::Value> {
    let mut v = serde_json::Value::from(1);
    for _ in 1..n {
        v = serde_json::Value::Array(vec![v]);
    }
    let mut m = serde_json::Map::new();
    m.insert("x".into(), v);
    m
}

#[test]
fn constants_nested_past_the_parser_limit_are_refused_naming_the_task() {
    // Run on a thread with room for building and dropping the deep value itself (which
    // recurses in serde_json); the compiler must not recurse into it at all.
    let result = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(|| {
            let mut out = Vec::new();
            for depth in [200, 10_000] {
                let deep = nested(depth);
                let p = kfp_core::build_pipeline("deep", None, |_| {
                    take_list::task(deep.clone());
                });
                for target in [Target::V1, Target::V2] {
                    out.push(compile(&p, target));
                }
            }
            let ok = nested(100);
            let p = kfp_core::build_pipeline("deep-ok", None, |_| {
                take_list::task(ok.clone());
            });
            out.push(compile(&p, Target::V1));
            out
        })
        .unwrap()
        .join()
        .unwrap();
    let (refused, accepted) = result.split_at(4);
    for r in refused {
        let e = r.as_ref().unwrap_err();
        assert!(e.contains("`take-list`"), "{e}");
        let limit = kfp_core::__private::support::MAX_DEPTH;
        assert!(e.contains(&format!("more than {limit} deep")), "{e}");
    }
    assert!(accepted[0].is_ok(), "{:?}", accepted[0]);
}

#[test]
fn v1_refuses_template_tags_in_constants_env_and_display_names() {
    let p = kfp_core::build_pipeline("tags", None, |_| {
        show::task("{{inputs.parameters.s}}");
        show::task("plain")
            .set_env_variable("GREETING", "hi {{workflow.name}}")
            .set_display_name("step {{pod.name}}");
    });
    let e = compile(&p, Target::V1).unwrap_err();
    assert!(e.contains("`show`: input `msg` holds `{{`"), "{e}");
    assert!(
        e.contains("`show-2`: environment variable `GREETING` holds `{{`"),
        "{e}"
    );
    assert!(e.contains("`show-2`: its display name holds `{{`"), "{e}");
    // KFP v2 takes them as they are.
    let ir = compile(&p, Target::V2).unwrap();
    assert!(ir.contains("{{inputs.parameters.s}}"), "{ir}");
}
