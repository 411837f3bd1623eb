//! Draws a pipeline's DAG (the `graph` command) as Mermaid or Graphviz DOT: tasks by display
//! name, data edges labelled `output → input`, `.after` edges dashed, and boxes for
//! conditions, loops and exit handlers.
//!
//! ```
//! use kfp_core::prelude::*;
//!
//! #[component]
//! fn add(a: i64, b: i64) -> i64 {
//!     a + b
//! }
//!
//! #[pipeline(name = "sum")]
//! fn sum(a: i64) {
//!     let first = add(a, 1);
//!     add(first.output(), 10);
//! }
//!
//! fn main() {
//! let mermaid = kfp_core::graph::mermaid(&sum());
//! assert!(mermaid.contains("t0 -->|\"Output → a\"| t1"));
//! let dot = kfp_core::graph::dot(&sum());
//! assert!(dot.starts_with("digraph \"sum\" {"));
//! }
//! ```

use std::path::PathBuf;

use clap::{Arg as ClapArg, ArgMatches, Command};

use crate::control::{Condition, GroupKind, LoopItems};
use crate::spec::pipeline::{Arg, Pipeline};

/// An edge of the drawing.
struct Edge {
    from: usize,
    to: usize,
    label: Option<String>,
    dashed: bool,
}

fn edges(p: &Pipeline) -> Vec<Edge> {
    let mut out = Vec::new();
    for (t, task) in p.tasks.iter().enumerate() {
        for (input, arg) in task.component.inputs.iter().zip(&task.args) {
            match arg {
                Some(Arg::Output { task: from, output }) => out.push(Edge {
                    from: from.index(),
                    to: t,
                    label: Some(format!("{output} → {}", input.name)),
                    dashed: false,
                }),
                Some(Arg::Collected { task: from, output }) => out.push(Edge {
                    from: from.index(),
                    to: t,
                    label: Some(format!("[{output}] → {}", input.name)),
                    dashed: false,
                }),
                Some(Arg::OneOf { outputs }) => {
                    out.extend(outputs.iter().map(|(from, output)| Edge {
                        from: from.index(),
                        to: t,
                        label: Some(format!("one of {output} → {}", input.name)),
                        dashed: false,
                    }));
                }
                _ => {}
            }
        }
        for a in &task.after {
            out.push(Edge {
                from: a.index(),
                to: t,
                label: None,
                dashed: true,
            });
        }
    }
    out
}

fn operand(p: &Pipeline, a: &Arg) -> String {
    match a {
        Arg::Constant(v) => v.to_string(),
        Arg::Param(n) => format!("param {n}"),
        Arg::Output { task, output } | Arg::Collected { task, output } => {
            let name = p.task(*task).map_or("?", |t| t.name.as_str());
            format!("{name}.{output}")
        }
        Arg::OneOf { outputs } => outputs
            .iter()
            .map(|(task, output)| {
                let name = p.task(*task).map_or("?", |t| t.name.as_str());
                format!("{name}.{output}")
            })
            .collect::<Vec<_>>()
            .join(" | "),
        Arg::LoopItem { field, .. } => match field {
            Some(f) => format!("item.{f}"),
            None => "item".into(),
        },
    }
}

fn cond(p: &Pipeline, c: &Condition) -> String {
    format!("{} {} {}", operand(p, &c.lhs), c.op, operand(p, &c.rhs))
}

fn group_label(p: &Pipeline, g: usize) -> String {
    let group = &p.groups[g];
    let text = match &group.kind {
        GroupKind::Condition { condition, .. } => format!("if {}", cond(p, condition)),
        GroupKind::Branches => "if / elif / else".to_owned(),
        GroupKind::Branch {
            condition: Some(c), ..
        } => format!("elif {}", cond(p, c)),
        GroupKind::Branch {
            condition: None, ..
        } => "else".to_owned(),
        GroupKind::Loop {
            items, parallelism, ..
        } => {
            let over = match items {
                LoopItems::Static(v) => serde_json::Value::Array(v.clone()).to_string(),
                LoopItems::Param(n) => format!("param {n}"),
                LoopItems::Output { task, output } => {
                    format!(
                        "{}.{output}",
                        p.task(*task).map_or("?", |t| t.name.as_str())
                    )
                }
                LoopItems::Collected { task, output } => {
                    format!(
                        "{}.{output} (collected)",
                        p.task(*task).map_or("?", |t| t.name.as_str())
                    )
                }
            };
            match parallelism {
                Some(n) => format!("for each item in {over} ({n} at a time)"),
                None => format!("for each item in {over}"),
            }
        }
        GroupKind::Pipeline { name, .. } => format!("pipeline {name}"),
        GroupKind::ExitHandler { exit_task, .. } => format!(
            "exit handler: then {}",
            p.task(*exit_task).map_or("?", |t| label(t))
        ),
    };
    match group.display_name() {
        Some(n) => format!("{n}: {text}"),
        None => text,
    }
}

fn label(t: &crate::spec::pipeline::TaskSpec) -> &str {
    t.display_name.as_deref().unwrap_or(&t.name)
}

/// The groups directly in `parent` and the tasks directly in it.
fn members(p: &Pipeline, parent: Option<usize>) -> (Vec<usize>, Vec<usize>) {
    let groups = (0..p.groups.len())
        .filter(|&g| p.groups[g].parent == parent)
        .collect();
    let tasks = (0..p.tasks.len())
        .filter(|&t| p.tasks[t].group == parent)
        .collect();
    (groups, tasks)
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// The pipeline as a Mermaid flowchart.
pub fn mermaid(p: &Pipeline) -> String {
    let mut out = String::from("flowchart TD\n");
    fn level(p: &Pipeline, parent: Option<usize>, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        let (groups, tasks) = members(p, parent);
        for t in tasks {
            out.push_str(&format!(
                "{pad}t{t}[\"{}\"]\n",
                mermaid_text(label(&p.tasks[t]))
            ));
        }
        for g in groups {
            out.push_str(&format!(
                "{pad}subgraph g{g}[\"{}\"]\n",
                mermaid_text(&group_label(p, g))
            ));
            level(p, Some(g), depth + 1, out);
            out.push_str(&format!("{pad}end\n"));
        }
    }
    level(p, None, 1, &mut out);
    for e in edges(p) {
        let arrow = if e.dashed { "-.->" } else { "-->" };
        match e.label {
            Some(l) => out.push_str(&format!(
                "  t{} {arrow}|\"{}\"| t{}\n",
                e.from,
                mermaid_text(&l),
                e.to
            )),
            None => out.push_str(&format!("  t{} {arrow} t{}\n", e.from, e.to)),
        }
    }
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The pipeline as a Graphviz DOT digraph.
pub fn dot(p: &Pipeline) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n  rankdir=TB;\n  node [shape=box, style=rounded];\n",
        dot_text(&p.name)
    );
    fn level(p: &Pipeline, parent: Option<usize>, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        let (groups, tasks) = members(p, parent);
        for t in tasks {
            out.push_str(&format!(
                "{pad}t{t} [label=\"{}\"];\n",
                dot_text(label(&p.tasks[t]))
            ));
        }
        for g in groups {
            out.push_str(&format!(
                "{pad}subgraph cluster_g{g} {{\n{pad}  label=\"{}\";\n{pad}  style=dashed;\n",
                dot_text(&group_label(p, g))
            ));
            level(p, Some(g), depth + 1, out);
            out.push_str(&format!("{pad}}}\n"));
        }
    }
    level(p, None, 1, &mut out);
    for e in edges(p) {
        let mut attrs = Vec::new();
        if let Some(l) = e.label {
            attrs.push(format!("label=\"{}\"", dot_text(&l)));
        }
        if e.dashed {
            attrs.push("style=dashed".to_owned());
        }
        if attrs.is_empty() {
            out.push_str(&format!("  t{} -> t{};\n", e.from, e.to));
        } else {
            out.push_str(&format!(
                "  t{} -> t{} [{}];\n",
                e.from,
                e.to,
                attrs.join(", ")
            ));
        }
    }
    out.push_str("}\n");
    out
}

/// The `graph` subcommand's definition.
pub(crate) fn command() -> Command {
    Command::new("graph")
        .about("Draw the pipeline's DAG (the pipeline `compile --target v2` compiles)")
        .arg(
            ClapArg::new("format")
                .long("format")
                .value_name("FORMAT")
                .value_parser(["mermaid", "dot"])
                .default_value("mermaid")
                .help("mermaid: a Mermaid flowchart; dot: Graphviz DOT"),
        )
        .arg(
            ClapArg::new("output")
                .short('o')
                .long("output")
                .value_name("PATH")
                .help("Where to write it [default: stdout]"),
        )
}

/// Runs `graph` with its matches `m` on `pipeline`; returns the exit status.
pub(crate) fn main(m: &ArgMatches, pipeline: &Pipeline) -> u8 {
    let text = match m.get_one::<String>("format").map(String::as_str) {
        Some("dot") => dot(pipeline),
        _ => mermaid(pipeline),
    };
    match m.get_one::<String>("output").map(PathBuf::from) {
        Some(path) if path.as_os_str() != "-" => match std::fs::write(&path, text) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                1
            }
        },
        _ => {
            print!("{text}");
            0
        }
    }
}
