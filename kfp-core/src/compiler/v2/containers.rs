//! What KFP v2 refuses in a container component that KFP v1 takes.

use crate::error::BuildError;
use crate::reusable::Placeholder;
use crate::spec::pipeline::Pipeline;

/// kfp 2.17.3 reads an input of no declared type as an artifact, and refuses an artifact in an
/// `{inputValue: ...}` placeholder (`TypeError: Input "x" with type "system.Artifact@0.0.1"
/// cannot be paired with InputValuePlaceholder`); kfp 1.8.9 takes any value there.
pub(super) fn check_untyped_values(p: &Pipeline, errors: &mut Vec<BuildError>) {
    for task in &p.tasks {
        let Some(c) = task.component.container() else {
            continue;
        };
        let mut values = Vec::new();
        for list in [&c.command, &c.args] {
            value_inputs(list, &mut values);
        }
        for input in &task.component.inputs {
            let untyped = c.spec["inputs"]
                .as_array()
                .and_then(|l| l.iter().find(|d| d["name"] == input.name.as_str()))
                .is_some_and(|d| d.get("type").is_none());
            if untyped && values.contains(&input.name.as_str()) {
                errors.push(BuildError::Unsupported {
                    task: task.name.clone(),
                    message: format!(
                        "input `{}` has no type and is used as `{{inputValue: {}}}`: KFP v2 \
                         reads an untyped input as an artifact, which cannot be a value; \
                         declare its type (`String`, `Integer`, ...)",
                        input.name, input.name
                    ),
                });
            }
        }
    }
}

/// The inputs `list` uses as values.
fn value_inputs<'a>(list: &'a [Placeholder], out: &mut Vec<&'a str>) {
    for p in list {
        match p {
            Placeholder::InputValue(n) => out.push(n),
            Placeholder::Concat(parts) => value_inputs(parts, out),
            Placeholder::IfPresent {
                then, otherwise, ..
            } => {
                value_inputs(then, out);
                value_inputs(otherwise, out);
            }
            _ => {}
        }
    }
}
