//! How a component's inputs and outputs are named on the command line of the pod, on each
//! target: facts the compilers write into the YAML and the pod side reads back, so both take
//! them from here.

/// The path KFP v1 gives output `name`: `/tmp/outputs/<name>/data`.
pub fn v1_output_path(name: &str) -> String {
    format!("/tmp/outputs/{name}/data")
}

/// The KFP v1 command-line flag for input `name`: `--` and the name with `_` → `-`.
pub fn v1_input_flag(name: &str) -> String {
    format!("--{}", name.replace('_', "-"))
}

/// The flag that carries KFP v2's executor input (a JSON document) to the container.
pub const V2_EXECUTOR_INPUT_FLAG: &str = "--executor_input";

/// The flag that names the function to run, as kfp's Python executor takes it.
pub const V2_FUNCTION_FLAG: &str = "--function_to_execute";
