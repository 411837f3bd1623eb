//! The KFP v1 target: an Argo Workflow equal to what kfp 1.8.9 emits, but for the container
//! `command`, which runs this binary instead of an inlined Python program.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use super::{Compiler, SDK_VERSION};
use crate::control::{CmpOp, GroupKind, LoopItems};
use crate::pyjson;
use crate::reusable::Placeholder;
use crate::spec::component::{sanitize_name, ComponentSpec, ParamRef};
use crate::spec::pipeline::{Arg, Pipeline, TaskSpec};
use crate::types::constant_text;
use crate::yaml;

/// kfp 1.8.9's default image for Python components.
pub const DEFAULT_IMAGE: &str = "python:3.7";

pub use crate::spec::io::{v1_input_flag as input_flag, v1_output_path as output_path};

/// Compiles `pipeline` (already checked) to an Argo Workflow in YAML.
pub fn compile(compiler: &Compiler, pipeline: &Pipeline) -> String {
    yaml::to_string(&workflow(compiler, pipeline))
}

/// The Argo Workflow for `pipeline` (already checked), as a JSON value in kfp's key order.
pub fn workflow(compiler: &Compiler, pipeline: &Pipeline) -> Value {
    let root_name = sanitize_name(&pipeline.name);
    let mut dags = Dags::new(pipeline);

    let exit_tasks: BTreeSet<usize> = pipeline
        .groups
        .iter()
        .filter_map(|g| match g.kind {
            GroupKind::ExitHandler { exit_task, .. } => Some(exit_task.index),
            _ => None,
        })
        .collect();

    // Place every task and group in the DAG of its group.
    for (g, group) in pipeline.groups.iter().enumerate() {
        dags.children[dag_index(group.parent)].push(Node::Group(g));
    }
    for (i, task) in pipeline.tasks.iter().enumerate() {
        if !exit_tasks.contains(&i) {
            dags.children[dag_index(task.group)].push(Node::Task(i));
        }
    }

    // Each task's container arguments; resolving them fills in the DAGs' inputs, arguments
    // and dependencies on the way.
    let mut task_lines: Vec<CommandLine> = Vec::with_capacity(pipeline.tasks.len());
    for (i, task) in pipeline.tasks.iter().enumerate() {
        let exit = exit_tasks.contains(&i);
        let component = &task.component;
        let mut line = CommandLine::default();
        // Each input's text on the command line: a value, or a file's path.
        let mut values: Vec<Option<String>> = vec![None; component.inputs.len()];
        for (k, input) in component.inputs.iter().enumerate() {
            let param = ParamRef::Input(k);
            let Some(Some(arg)) = task.args.get(k) else {
                if let Some(default) = component
                    .container
                    .as_ref()
                    .and_then(|c| c.defaults.get(&input.name))
                {
                    let text = constant_text(default);
                    line.annotation.insert(input.name.clone(), text.clone());
                    values[k] = Some(text);
                }
                continue;
            };
            if component.artifact(param).is_some() {
                let path = format!("/tmp/inputs/{}/data", component.v1_name(param));
                if let Some(Ref::Output {
                    task: t, output, ..
                }) = Ref::of(arg)
                {
                    let r = Ref::Output {
                        task: t,
                        output,
                        artifact: true,
                    };
                    let name = dags.ref_name(&r);
                    let from = dags.resolve(&r, task.group, Node::Task(i));
                    dags.art_args
                        .entry(Node::Task(i))
                        .or_default()
                        .insert(name.clone(), from);
                    line.input_artifacts.push((name, path.clone()));
                }
                values[k] = Some(path);
                continue;
            }
            let value = match (Ref::of(arg), exit) {
                (None, _) => match arg {
                    Arg::Constant(v) => constant_text(v),
                    _ => String::new(),
                },
                // The exit task runs outside the DAG: it reads pipeline parameters directly.
                (Some(Ref::Param(p)), true) => format!("{{{{workflow.parameters.{p}}}}}"),
                (Some(r), _) => {
                    let name = dags.ref_name(&r);
                    let value = dags.resolve(&r, task.group, Node::Task(i));
                    dags.args
                        .entry(Node::Task(i))
                        .or_default()
                        .insert(name.clone(), value);
                    format!("{{{{inputs.parameters.{name}}}}}")
                }
            };
            line.annotation.insert(input.name.clone(), value.clone());
            values[k] = Some(value);
        }
        match &component.container {
            Some(c) => {
                line.command = Some(expand_placeholders(component, &c.command, &values));
                line.args = expand_placeholders(component, &c.args, &values);
            }
            None => {
                for param in component.params_in_order() {
                    let v1_name = component.v1_name(param);
                    match param {
                        ParamRef::Input(k) => {
                            if let Some(v) = &values[k] {
                                line.args.push(input_flag(v1_name));
                                line.args.push(v.clone());
                            }
                        }
                        ParamRef::Output(_) => {
                            line.args.push(input_flag(v1_name));
                            line.args.push(output_path(v1_name));
                        }
                    }
                }
                let mut returns = component.value_outputs().peekable();
                if returns.peek().is_some() {
                    line.args.push("----output-paths".to_owned());
                    line.args.extend(returns.map(|(_, o)| output_path(&o.name)));
                }
            }
        }
        task_lines.push(line);
        // A claim created by a task reaches this task as an input parameter, as kfp's
        // `add_pvolumes` passes a VolumeOp's `name` output.
        for (id, output) in task.settings.pvc_mounts.iter().filter_map(|m| m.from_task) {
            let r = Ref::Output {
                task: id.index,
                output,
                artifact: false,
            };
            let name = dags.ref_name(&r);
            let value = dags.resolve(&r, task.group, Node::Task(i));
            dags.args
                .entry(Node::Task(i))
                .or_default()
                .insert(name, value);
        }
        for other in &task.after {
            dags.add_after(i, other.index);
        }
        for &g in &task.settings.after_groups {
            dags.add_after_group(i, g);
        }
    }

    // Conditions and loops are resolved in their parent's DAG.
    let mut group_fields: Vec<Map<String, Value>> = vec![Map::new(); pipeline.groups.len()];
    for (g, group) in pipeline.groups.iter().enumerate() {
        let fields = &mut group_fields[g];
        match &group.kind {
            GroupKind::Condition { condition, .. } => {
                let quote = matches!(condition.op, CmpOp::Eq | CmpOp::Ne);
                let mut operand = |arg: &Arg| {
                    let text = match Ref::of(arg) {
                        Some(r) => dags.resolve(&r, group.parent, Node::Group(g)),
                        None => match arg {
                            // Inside `"..."`, govaluate reads `\"` and `\\` as `"` and `\`,
                            // so a constant cannot end the string and add to the expression.
                            // `check_v1` refuses a constant that is not a number where it is
                            // not quoted.
                            Arg::Constant(v) if quote => govaluate_escape(&constant_text(v)),
                            Arg::Constant(v) => constant_text(v),
                            _ => String::new(),
                        },
                    };
                    if quote {
                        format!("\"{text}\"")
                    } else {
                        text
                    }
                };
                let lhs = operand(&condition.lhs);
                let rhs = operand(&condition.rhs);
                fields.insert(
                    "when".into(),
                    json!(format!("{lhs} {} {rhs}", condition.op)),
                );
            }
            GroupKind::Loop { items, .. } => match items {
                LoopItems::Static(values) => {
                    fields.insert("withItems".into(), json!(values));
                }
                LoopItems::Param(p) => {
                    fields.insert(
                        "withParam".into(),
                        json!(format!("{{{{workflow.parameters.{p}}}}}")),
                    );
                }
                LoopItems::Output { task, output } => {
                    let r = Ref::Output {
                        task: task.index,
                        output,
                        artifact: false,
                    };
                    let value = dags.resolve(&r, group.parent, Node::Group(g));
                    fields.insert("withParam".into(), json!(value));
                }
            },
            // `elif`/`else` branches are refused for v1 by `check`.
            GroupKind::ExitHandler { .. } | GroupKind::Branches | GroupKind::Branch { .. } => {}
        }
    }

    let mut templates: BTreeMap<String, Value> = BTreeMap::new();
    let mut rendered: HashMap<*const ComponentSpec, Rendered> = HashMap::new();
    for (i, task) in pipeline.tasks.iter().enumerate() {
        let inputs: BTreeSet<&String> = dags
            .args
            .get(&Node::Task(i))
            .map(|a| a.keys().collect())
            .unwrap_or_default();
        if crate::volumes::is_create_pvc(&task.component) {
            templates.insert(
                task.name.clone(),
                crate::volumes::v1_volume_op(task, SDK_VERSION),
            );
            continue;
        }
        if crate::volumes::is_delete_pvc(&task.component) {
            let claim = task_lines[i].annotation.get("pvc_name").cloned();
            let inputs = inputs.into_iter().cloned().collect();
            templates.insert(
                task.name.clone(),
                crate::volumes::v1_delete_step(
                    task,
                    claim.unwrap_or_default(),
                    inputs,
                    SDK_VERSION,
                ),
            );
            continue;
        }
        let r = rendered
            .entry(std::sync::Arc::as_ptr(&task.component))
            .or_insert_with(|| Rendered::new(compiler, &task.component));
        templates.insert(
            task.name.clone(),
            container_template(r, pipeline, task, &task_lines[i], &dags.consumed[i], inputs),
        );
    }
    let root = dags.dag_template(&root_name, None, Map::new());
    templates.insert(root_name.clone(), root);
    for (g, group) in pipeline.groups.iter().enumerate() {
        let mut extra = Map::new();
        if let GroupKind::Loop {
            parallelism: Some(n),
            ..
        } = group.kind
        {
            extra.insert("parallelism".into(), json!(n));
        }
        let name = group.name();
        let template = dags.dag_template(&name, Some(g), extra);
        templates.insert(name, template);
    }
    // The group tasks' own fields (`when`, `withItems`, loop-item arguments) go into the
    // parent DAG's task entries. Grouped by parent, so that each parent DAG's task list is
    // walked once: searching it once per group was quadratic in the number of groups.
    type Pending = HashMap<String, (Map<String, Value>, Vec<(String, String)>)>;
    let mut by_parent: BTreeMap<String, Pending> = BTreeMap::new();
    for (g, fields) in group_fields.into_iter().enumerate() {
        let parent_name = match pipeline.groups[g].parent {
            Some(p) => pipeline.groups[p].name(),
            None => root_name.clone(),
        };
        let item_args = dags.loop_item_arguments(g);
        by_parent
            .entry(parent_name)
            .or_default()
            .insert(pipeline.groups[g].name(), (fields, item_args));
    }
    for (parent_name, mut pending) in by_parent {
        if let Some(tasks) = templates
            .get_mut(&parent_name)
            .and_then(|t| t["dag"]["tasks"].as_array_mut())
        {
            for entry in tasks {
                let found = entry
                    .get("name")
                    .and_then(Value::as_str)
                    .and_then(|name| pending.remove(name));
                if let (Some((fields, item_args)), Some(entry)) = (found, entry.as_object_mut()) {
                    insert_group_fields(entry, fields, item_args);
                }
            }
        }
    }

    let mut annotations = Map::new();
    annotations.insert(
        "pipelines.kubeflow.org/kfp_sdk_version".into(),
        json!(SDK_VERSION),
    );
    if compiler.timestamp {
        annotations.insert(
            "pipelines.kubeflow.org/pipeline_compilation_time".into(),
            json!(timestamp_now()),
        );
    }
    annotations.insert(
        "pipelines.kubeflow.org/pipeline_spec".into(),
        json!(pyjson::dumps(&pipeline_spec(pipeline), true)),
    );

    let arguments: Vec<Value> = pipeline
        .params
        .iter()
        .map(|p| match &p.default {
            Some(d) => json!({"name": p.name, "value": constant_text(d)}),
            None => json!({ "name": p.name }),
        })
        .collect();

    let mut spec = Map::new();
    spec.insert("entrypoint".into(), json!(root_name));
    spec.insert(
        "templates".into(),
        Value::Array(templates.into_values().collect()),
    );
    spec.insert("arguments".into(), parameters(arguments));
    spec.insert("serviceAccountName".into(), json!("pipeline-runner"));
    if let Some(exit) = exit_tasks.iter().next() {
        spec.insert("onExit".into(), json!(pipeline.tasks[*exit].name));
    }
    if let Some(t) = &pipeline.timeout {
        spec.insert("activeDeadlineSeconds".into(), json!(t.seconds));
    }
    object([
        ("apiVersion", json!("argoproj.io/v1alpha1")),
        ("kind", json!("Workflow")),
        (
            "metadata",
            object([
                ("generateName", json!(format!("{root_name}-"))),
                ("annotations", Value::Object(annotations)),
                (
                    "labels",
                    json!({"pipelines.kubeflow.org/kfp_sdk_version": SDK_VERSION}),
                ),
            ]),
        ),
        ("spec", Value::Object(spec)),
    ])
}

/// A JSON object with these entries, in this order. Unlike `json!`, which serializes (deep
/// copies) every value it interpolates, this moves them: the workflow holds every template,
/// and copying it took most of the compile time of a large pipeline.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// `{"parameters": list}`, moving `list`.
fn parameters(list: Vec<Value>) -> Value {
    object([("parameters", Value::Array(list))])
}

/// Adds a group task's `when`/`withItems`/`withParam` and loop-item arguments to its entry in
/// the parent DAG, in kfp's key order (name, template, when, dependencies, arguments, with*).
fn insert_group_fields(
    entry: &mut Map<String, Value>,
    mut fields: Map<String, Value>,
    item_args: Vec<(String, String)>,
) {
    let mut out = Map::new();
    for key in ["name", "template"] {
        if let Some(v) = entry.remove(key) {
            out.insert(key.into(), v);
        }
    }
    if let Some(w) = fields.remove("when") {
        out.insert("when".into(), w);
    }
    if let Some(d) = entry.remove("dependencies") {
        out.insert("dependencies".into(), d);
    }
    let mut arguments = entry.remove("arguments").unwrap_or_else(|| json!({}));
    if !item_args.is_empty() {
        let params = arguments
            .as_object_mut()
            .map(|a| a.entry("parameters").or_insert_with(|| json!([])));
        if let Some(Value::Array(list)) = params {
            for (name, value) in item_args {
                list.push(json!({"name": name, "value": value}));
            }
            list.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        }
    }
    if arguments.as_object().is_some_and(|a| !a.is_empty()) {
        out.insert("arguments".into(), arguments);
    }
    out.extend(fields);
    out.extend(std::mem::take(entry));
    *entry = out;
}

/// A node of a DAG: a task, or a group (which is a DAG of its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Task(usize),
    Group(usize),
}

/// A value a task or group uses that comes from elsewhere in the pipeline.
enum Ref<'a> {
    Param(&'a str),
    Output {
        task: usize,
        output: &'a str,
        /// Whether it is a file (an artifact) rather than a parameter.
        artifact: bool,
    },
    Item {
        group: usize,
        field: Option<&'a str>,
    },
}

impl<'a> Ref<'a> {
    fn of(arg: &'a Arg) -> Option<Ref<'a>> {
        match arg {
            Arg::Constant(_) => None,
            Arg::Param(p) => Some(Ref::Param(p)),
            Arg::Output { task, output } => Some(Ref::Output {
                task: task.index,
                output,
                artifact: false,
            }),
            Arg::LoopItem { group, field } => Some(Ref::Item {
                group: *group,
                field: field.as_deref(),
            }),
            // Fan-in and `OneOf` are refused for v1 by `check`.
            Arg::Collected { .. } | Arg::OneOf { .. } => None,
        }
    }
}

/// DAG index: 0 for the root, `g + 1` for group `g`.
fn dag_index(group: Option<usize>) -> usize {
    group.map_or(0, |g| g + 1)
}

/// The DAG templates being built: each one's inputs, and each node's arguments and
/// dependencies.
struct Dags<'p> {
    p: &'p Pipeline,
    children: Vec<Vec<Node>>,
    inputs: Vec<BTreeSet<String>>,
    input_artifacts: Vec<BTreeSet<String>>,
    args: HashMap<Node, BTreeMap<String, String>>,
    art_args: HashMap<Node, BTreeMap<String, String>>,
    deps: HashMap<Node, BTreeSet<String>>,
    /// Which outputs of each task are consumed as parameters downstream.
    consumed: Vec<BTreeSet<String>>,
}

impl<'p> Dags<'p> {
    fn new(p: &'p Pipeline) -> Self {
        let n = p.groups.len() + 1;
        Dags {
            p,
            children: vec![Vec::new(); n],
            inputs: vec![BTreeSet::new(); n],
            input_artifacts: vec![BTreeSet::new(); n],
            args: HashMap::new(),
            art_args: HashMap::new(),
            deps: HashMap::new(),
            consumed: vec![BTreeSet::new(); p.tasks.len()],
        }
    }

    fn node_name(&self, node: Node) -> String {
        match node {
            Node::Task(t) => self.p.tasks[t].name.clone(),
            Node::Group(g) => self.p.groups[g].name(),
        }
    }

    /// kfp's name for a loop's item: `loop-item-param-<n>`, `<param>-loop-item`,
    /// `<task>-<output>-loop-item`.
    fn loop_item_base(&self, group: usize) -> String {
        match &self.p.groups[group].kind {
            GroupKind::Loop { items, item_id, .. } => match items {
                LoopItems::Static(_) => format!("loop-item-param-{item_id}"),
                LoopItems::Param(p) => format!("{p}-loop-item"),
                LoopItems::Output { task, output } => {
                    format!("{}-{output}-loop-item", self.p.tasks[task.index].name)
                }
            },
            _ => format!("loop-item-{group}"),
        }
    }

    fn ref_name(&self, r: &Ref) -> String {
        match r {
            Ref::Param(p) => (*p).to_owned(),
            Ref::Output { task, output, .. } => {
                let producer = &self.p.tasks[*task];
                let component = &producer.component;
                let v1 = component
                    .outputs
                    .iter()
                    .position(|o| o.name == *output)
                    .map_or(*output, |k| component.v1_name(ParamRef::Output(k)));
                match crate::ui::v1::special_output(v1) {
                    Some(special) => special.to_owned(),
                    None => format!("{}-{v1}", producer.name),
                }
            }
            Ref::Item { group, field } => match field {
                Some(f) => format!("{}-subvar-{f}", self.loop_item_base(*group)),
                None => self.loop_item_base(*group),
            },
        }
    }

    /// The text that gives `r` inside the DAG of `dag`, to `consumer` (a node of that DAG):
    /// a task output of the same DAG directly (and a dependency on its producer), anything
    /// else as an input of the DAG, passed down from the enclosing DAGs.
    fn resolve(&mut self, r: &Ref, dag: Option<usize>, consumer: Node) -> String {
        let name = self.ref_name(r);
        match r {
            Ref::Output {
                task,
                output,
                artifact,
            } if self.p.tasks[*task].group == dag => {
                let producer = self.p.tasks[*task].name.clone();
                self.deps
                    .entry(consumer)
                    .or_default()
                    .insert(producer.clone());
                if *artifact {
                    return format!("{{{{tasks.{producer}.outputs.artifacts.{name}}}}}");
                }
                self.consumed[*task].insert((*output).to_owned());
                return format!("{{{{tasks.{producer}.outputs.parameters.{name}}}}}");
            }
            Ref::Item { group, .. } if Some(*group) == dag => {
                self.inputs[dag_index(dag)].insert(name.clone());
                return format!("{{{{inputs.parameters.{name}}}}}");
            }
            _ => {}
        }
        let artifact = matches!(r, Ref::Output { artifact: true, .. });
        if artifact {
            self.input_artifacts[dag_index(dag)].insert(name.clone());
        } else {
            self.inputs[dag_index(dag)].insert(name.clone());
        }
        if let Some(g) = dag {
            let parent = self.p.groups[g].parent;
            let value = self.resolve(r, parent, Node::Group(g));
            let args = if artifact {
                &mut self.art_args
            } else {
                &mut self.args
            };
            args.entry(Node::Group(g))
                .or_default()
                .insert(name.clone(), value);
        }
        if artifact {
            format!("{{{{inputs.artifacts.{name}}}}}")
        } else {
            format!("{{{{inputs.parameters.{name}}}}}")
        }
    }

    /// The node of the DAG of `dag` that holds task `task`: the task itself, or the group on
    /// the way down to it.
    fn node_in(&self, dag: Option<usize>, task: usize) -> Option<Node> {
        let mut group = self.p.tasks[task].group;
        if group == dag {
            return Some(Node::Task(task));
        }
        while let Some(g) = group {
            let parent = self.p.groups[g].parent;
            if parent == dag {
                return Some(Node::Group(g));
            }
            group = parent;
        }
        None
    }

    /// `task.after(other)`: a dependency between the nodes that hold them in the innermost
    /// DAG holding both.
    fn add_after(&mut self, task: usize, other: usize) {
        let mut dag = self.p.tasks[other].group;
        loop {
            if let (Some(a), Some(b)) = (self.node_in(dag, task), self.node_in(dag, other)) {
                if a != b {
                    let name = self.node_name(b);
                    self.deps.entry(a).or_default().insert(name);
                }
                return;
            }
            match dag {
                Some(g) => dag = self.p.groups[g].parent,
                None => return,
            }
        }
    }

    /// `task.after(group)`: a dependency between the nodes that hold them in the innermost
    /// DAG holding both.
    fn add_after_group(&mut self, task: usize, group: usize) {
        let mut dag = self.p.groups.get(group).and_then(|g| g.parent);
        loop {
            let holder = {
                let mut g = Some(group);
                loop {
                    match g {
                        Some(x) if self.p.groups[x].parent == dag => break Some(Node::Group(x)),
                        Some(x) => g = self.p.groups[x].parent,
                        None => break None,
                    }
                }
            };
            if let (Some(a), Some(b)) = (self.node_in(dag, task), holder) {
                if a != b {
                    let name = self.node_name(b);
                    self.deps.entry(a).or_default().insert(name);
                }
                return;
            }
            match dag {
                Some(g) => dag = self.p.groups[g].parent,
                None => return,
            }
        }
    }

    /// The arguments a loop group's task passes for its own item: `{{item}}`, `{{item.key}}`.
    fn loop_item_arguments(&self, group: usize) -> Vec<(String, String)> {
        if !matches!(self.p.groups[group].kind, GroupKind::Loop { .. }) {
            return Vec::new();
        }
        let base = self.loop_item_base(group);
        let subvar = format!("{base}-subvar-");
        self.inputs[group + 1]
            .iter()
            .filter_map(|name| {
                if *name == base {
                    Some((name.clone(), "{{item}}".to_owned()))
                } else {
                    name.strip_prefix(&subvar)
                        .map(|key| (name.clone(), format!("{{{{item.{key}}}}}")))
                }
            })
            .collect()
    }

    /// The DAG template of the root (`group` = `None`) or of a group.
    fn dag_template(&self, name: &str, group: Option<usize>, extra: Map<String, Value>) -> Value {
        let index = dag_index(group);
        let mut tasks: Vec<(String, Value)> = self.children[index]
            .iter()
            .map(|&node| {
                let node_name = self.node_name(node);
                let mut t = Map::new();
                t.insert("name".into(), json!(node_name));
                t.insert("template".into(), json!(node_name));
                if let Some(deps) = self.deps.get(&node).filter(|d| !d.is_empty()) {
                    t.insert("dependencies".into(), json!(deps));
                }
                let mut arguments = Map::new();
                if let Some(args) = self.args.get(&node).filter(|a| !a.is_empty()) {
                    let params: Vec<Value> = args
                        .iter()
                        .map(|(n, v)| json!({"name": n, "value": v}))
                        .collect();
                    arguments.insert("parameters".into(), Value::Array(params));
                }
                if let Some(args) = self.art_args.get(&node).filter(|a| !a.is_empty()) {
                    let artifacts: Vec<Value> = args
                        .iter()
                        .map(|(n, v)| json!({"name": n, "from": v}))
                        .collect();
                    arguments.insert("artifacts".into(), Value::Array(artifacts));
                }
                if !arguments.is_empty() {
                    t.insert("arguments".into(), Value::Object(arguments));
                }
                (node_name, Value::Object(t))
            })
            .collect();
        tasks.sort_by(|a, b| a.0.cmp(&b.0));
        let mut template = Map::new();
        template.insert("name".into(), json!(name));
        template.extend(extra);
        // A loop's own item is an input too, but the root's parameters come from the workflow.
        let mut inputs = Map::new();
        if !self.inputs[index].is_empty() {
            let params: Vec<Value> = self.inputs[index]
                .iter()
                .map(|n| json!({ "name": n }))
                .collect();
            inputs.insert("parameters".into(), Value::Array(params));
        }
        if !self.input_artifacts[index].is_empty() {
            let artifacts: Vec<Value> = self.input_artifacts[index]
                .iter()
                .map(|n| json!({ "name": n }))
                .collect();
            inputs.insert("artifacts".into(), Value::Array(artifacts));
        }
        if !inputs.is_empty() {
            template.insert("inputs".into(), Value::Object(inputs));
        }
        template.insert(
            "dag".into(),
            object([(
                "tasks",
                Value::Array(tasks.into_iter().map(|(_, t)| t).collect()),
            )]),
        );
        Value::Object(template)
    }
}

/// The `pipelines.kubeflow.org/pipeline_spec` annotation (before JSON encoding).
fn pipeline_spec(pipeline: &Pipeline) -> Value {
    let mut spec = Map::new();
    if let Some(d) = &pipeline.description {
        spec.insert("description".into(), json!(d));
    }
    if !pipeline.params.is_empty() {
        let inputs: Vec<Value> = pipeline
            .params
            .iter()
            .map(|p| {
                let mut m = Map::new();
                if let Some(d) = &p.default {
                    m.insert("default".into(), json!(constant_text(d)));
                }
                m.insert("name".into(), json!(p.name));
                if p.default.is_some() || p.optional {
                    m.insert("optional".into(), json!(true));
                }
                m.insert("type".into(), json!(p.kind.v1_name()));
                Value::Object(m)
            })
            .collect();
        spec.insert("inputs".into(), json!(inputs));
    }
    spec.insert("name".into(), json!(pipeline.name));
    Value::Object(spec)
}

/// The kfp v1 component spec (the `component_spec` annotation) of `component` with `command`.
pub fn component_spec(component: &ComponentSpec, command: &[String], image: &str) -> Value {
    let mut args: Vec<Value> = Vec::new();
    for param in component.params_in_order() {
        let name = component.v1_name(param);
        let flag = input_flag(name);
        let file = component.artifact(param).is_some();
        let placeholder = match param {
            ParamRef::Input(_) if file => json!({ "inputPath": name }),
            ParamRef::Input(_) => json!({ "inputValue": name }),
            ParamRef::Output(_) => json!({ "outputPath": name }),
        };
        match param {
            ParamRef::Input(k) if component.inputs[k].optional => {
                args.push(
                    json!({"if": {"cond": {"isPresent": name}, "then": [flag, placeholder]}}),
                );
            }
            _ => {
                args.push(json!(flag));
                args.push(placeholder);
            }
        }
    }
    let mut returns = component.value_outputs().peekable();
    if returns.peek().is_some() {
        args.push(json!("----output-paths"));
        for (_, o) in returns {
            args.push(json!({ "outputPath": o.name }));
        }
    }
    // A value has its KFP type; a file its artifact type, or none.
    let type_of = |param: ParamRef, kind: crate::types::ParamKind| match component.artifact(param) {
        Some(a) => a.v1_type,
        None => Some(kind.v1_name()),
    };
    let mut spec = Map::new();
    if let Some(d) = &component.description {
        spec.insert("description".into(), json!(d));
    }
    spec.insert(
        "implementation".into(),
        json!({"container": {"args": args, "command": command, "image": image}}),
    );
    if !component.inputs.is_empty() {
        let inputs: Vec<Value> = component
            .inputs
            .iter()
            .enumerate()
            .map(|(k, i)| {
                let param = ParamRef::Input(k);
                let mut m = Map::new();
                if let Some(d) = component.input_defaults.get(&i.name) {
                    m.insert("default".into(), json!(constant_text(d)));
                }
                m.insert("name".into(), json!(component.v1_name(param)));
                if i.optional {
                    m.insert("optional".into(), json!(true));
                }
                if let Some(t) = type_of(param, i.kind) {
                    m.insert("type".into(), json!(t));
                }
                Value::Object(m)
            })
            .collect();
        spec.insert("inputs".into(), json!(inputs));
    }
    spec.insert("name".into(), json!(component.name));
    if !component.outputs.is_empty() {
        let outputs: Vec<Value> = component
            .outputs
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let param = ParamRef::Output(k);
                let mut m = Map::new();
                m.insert("name".into(), json!(component.v1_name(param)));
                if let Some(t) = type_of(param, o.kind) {
                    m.insert("type".into(), json!(t));
                }
                Value::Object(m)
            })
            .collect();
        spec.insert("outputs".into(), json!(outputs));
    }
    Value::Object(spec)
}

/// What a container template takes from its component alone, rendered once per component
/// rather than once per task: a pipeline that uses one component a thousand times renders its
/// `component_spec` annotation once.
struct Rendered {
    command: Value,
    image: Value,
    component_spec: Value,
}

impl Rendered {
    fn new(compiler: &Compiler, component: &ComponentSpec) -> Self {
        let image = component.base_image.as_deref().unwrap_or(DEFAULT_IMAGE);
        let command = compiler.component_command(component);
        let spec = match &component.container {
            Some(c) => c.spec.clone(),
            None => component_spec(component, &command, image),
        };
        Rendered {
            component_spec: Value::String(pyjson::dumps(&spec, true)),
            command: Value::Array(command.into_iter().map(Value::String).collect()),
            image: Value::String(image.to_owned()),
        }
    }
}

/// A task's command line and what it needs from its template's inputs.
#[derive(Default)]
struct CommandLine {
    /// The command, for a container component (a Rust component's is the same for every task).
    command: Option<Vec<String>>,
    args: Vec<String>,
    /// The `arguments.parameters` annotation: value inputs by name.
    annotation: BTreeMap<String, String>,
    /// Input files: artifact name and path.
    input_artifacts: Vec<(String, String)>,
}

/// A container component's command or arguments with the placeholders filled in; an
/// argument whose input is absent is left out, as kfp does.
fn expand_placeholders(
    component: &ComponentSpec,
    list: &[Placeholder],
    values: &[Option<String>],
) -> Vec<String> {
    fn one(c: &ComponentSpec, p: &Placeholder, values: &[Option<String>]) -> Option<String> {
        let input = |n: &str| {
            c.inputs
                .iter()
                .position(|i| i.name == n)
                .and_then(|k| values[k].clone())
        };
        match p {
            Placeholder::Literal(s) => Some(s.clone()),
            Placeholder::InputValue(n) | Placeholder::InputPath(n) => input(n),
            Placeholder::OutputPath(n) => Some(output_path(n)),
            Placeholder::Concat(parts) => parts.iter().map(|p| one(c, p, values)).collect(),
            Placeholder::IfPresent { .. } => None,
        }
    }
    let mut out = Vec::new();
    for p in list {
        match p {
            Placeholder::IfPresent {
                present,
                then,
                otherwise,
            } => {
                let given = component
                    .inputs
                    .iter()
                    .position(|i| i.name == *present)
                    .is_some_and(|k| values[k].is_some());
                out.extend(expand_placeholders(
                    component,
                    if given { then } else { otherwise },
                    values,
                ));
            }
            p => out.extend(one(component, p, values)),
        }
    }
    out
}

fn container_template(
    rendered: &Rendered,
    pipeline: &Pipeline,
    task: &TaskSpec,
    line: &CommandLine,
    consumed: &BTreeSet<String>,
    input_names: BTreeSet<&String>,
) -> Value {
    let component = &task.component;
    // A raw `ContainerOp` reads its outputs from its own paths and carries no component
    // annotations, as kfp writes none for it.
    let raw = crate::container_op::raw(component);
    let mut template = Map::new();
    template.insert("name".into(), json!(task.name));
    let mut container = Map::new();
    if raw.is_none_or(|r| r.has_args) {
        container.insert(
            "args".into(),
            Value::Array(line.args.iter().cloned().map(Value::String).collect()),
        );
    }
    let command = match &line.command {
        Some(c) => Value::Array(c.iter().cloned().map(Value::String).collect()),
        None => rendered.command.clone(),
    };
    container.insert("command".into(), command);
    container.insert("image".into(), rendered.image.clone());
    let mut template_fields = Map::new();
    let producer = |id| pipeline.task(id).map(|t| t.name.clone());
    crate::settings::v1_fields(
        &task.settings,
        &mut container,
        &mut template_fields,
        &producer,
    );
    template.insert("container".into(), Value::Object(container));
    let mut inputs = Map::new();
    let input_params: Vec<Value> = input_names
        .into_iter()
        .map(|n| json!({ "name": n }))
        .collect();
    if !input_params.is_empty() {
        inputs.insert("parameters".into(), Value::Array(input_params));
    }
    if !line.input_artifacts.is_empty() {
        let mut arts = line.input_artifacts.clone();
        arts.sort();
        arts.dedup();
        let arts: Vec<Value> = arts
            .into_iter()
            .map(|(name, path)| json!({"name": name, "path": path}))
            .collect();
        inputs.insert("artifacts".into(), Value::Array(arts));
    }
    if !inputs.is_empty() {
        template.insert("inputs".into(), Value::Object(inputs));
    }
    if !component.outputs.is_empty() {
        // (v1 name, Rust name), sorted by the v1 name as kfp sorts them.
        let mut sorted: Vec<(&str, &str)> = component
            .outputs
            .iter()
            .enumerate()
            .map(|(k, o)| (component.v1_name(ParamRef::Output(k)), o.name.as_str()))
            .collect();
        sorted.sort_unstable();
        let path = |o: &str| match raw {
            Some(r) => r
                .file_outputs
                .iter()
                .find(|(n, _)| n == o)
                .map_or_else(|| output_path(o), |(_, p)| p.clone()),
            None => output_path(o),
        };
        // kfp 1.8.9 keeps `mlpipeline-metrics` and `mlpipeline-ui-metadata` apart: artifacts
        // named without the task, listed first in the component's order. (kfp cannot pass
        // them on; a Rust pipeline can, so a consumed one is a parameter of that name too.)
        let name_of = |o: &str| match crate::ui::v1::special_output(o) {
            Some(special) => special.to_owned(),
            None => format!("{}-{o}", task.name),
        };
        let legacy: Vec<Value> = component
            .outputs
            .iter()
            .enumerate()
            .map(|(k, _)| component.v1_name(ParamRef::Output(k)))
            .filter(|o| crate::ui::v1::special_output(o).is_some())
            .map(|o| json!({"name": name_of(o), "path": path(o)}))
            .collect();
        let mut outputs = Map::new();
        let params: Vec<Value> = sorted
            .iter()
            .filter(|(_, name)| consumed.contains(*name))
            .map(|(o, _)| json!({"name": name_of(o), "valueFrom": {"path": path(o)}}))
            .collect();
        if !params.is_empty() {
            outputs.insert("parameters".into(), Value::Array(params));
        }
        let artifacts: Vec<Value> = legacy
            .into_iter()
            .chain(
                sorted
                    .iter()
                    .filter(|(o, _)| crate::ui::v1::special_output(o).is_none())
                    .map(|(o, _)| json!({"name": name_of(o), "path": path(o)})),
            )
            .collect();
        outputs.insert("artifacts".into(), Value::Array(artifacts));
        template.insert("outputs".into(), Value::Object(outputs));
    }

    let extra = crate::settings::v1_metadata(task);
    let mut annotations = extra.annotations;
    if let Some(d) = &task.display_name {
        annotations.insert("pipelines.kubeflow.org/task_display_name".into(), json!(d));
    }
    if raw.is_none() {
        annotations.insert(
            "pipelines.kubeflow.org/component_spec".into(),
            rendered.component_spec.clone(),
        );
        let component_ref = match component.container.as_ref().and_then(|c| c.digest.as_ref()) {
            Some(d) => format!("{{\"digest\": \"{d}\"}}"),
            None => "{}".to_owned(),
        };
        annotations.insert(
            "pipelines.kubeflow.org/component_ref".into(),
            json!(component_ref),
        );
        let value_inputs =
            (0..component.inputs.len()).any(|k| component.artifact(ParamRef::Input(k)).is_none());
        if value_inputs {
            let map: Map<String, Value> = line
                .annotation
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            annotations.insert(
                "pipelines.kubeflow.org/arguments.parameters".into(),
                Value::String(pyjson::dumps(&Value::Object(map), true)),
            );
        }
    }
    // kfp 1.8.9 writes caching off as the `enable_caching` label alone; the staleness
    // annotation is its own setting.
    if let Some(s) = extra.max_cache_staleness {
        annotations.insert(
            "pipelines.kubeflow.org/max_cache_staleness".into(),
            json!(s),
        );
    }
    template.extend(template_fields);
    let mut labels = extra.labels;
    labels.insert(
        "pipelines.kubeflow.org/kfp_sdk_version".into(),
        json!(SDK_VERSION),
    );
    labels.insert(
        "pipelines.kubeflow.org/pipeline-sdk-type".into(),
        json!("kfp"),
    );
    labels.insert(
        "pipelines.kubeflow.org/enable_caching".into(),
        json!(if task.caching { "true" } else { "false" }),
    );
    let mut metadata = Map::new();
    metadata.insert("labels".into(), Value::Object(labels));
    if !annotations.is_empty() {
        metadata.insert("annotations".into(), Value::Object(annotations));
    }
    template.insert("metadata".into(), Value::Object(metadata));
    Value::Object(template)
}

/// The current UTC time as kfp writes it (`2026-11-29T10:50:52.576223`).
fn timestamp_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_micros()
    )
}

/// `text` as the inside of a govaluate string literal (Argo's `when`): `\` and `"` escaped.
///
/// ```
/// use kfp_core::compiler::v1::govaluate_escape;
/// assert_eq!(govaluate_escape(r#"heads" || "a" == "a"#), r#"heads\" || \"a\" == \"a"#);
/// assert_eq!(govaluate_escape("heads"), "heads");
/// ```
pub fn govaluate_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Whether `text` is a number literal govaluate reads as one (digits, sign, point, exponent),
/// so that it can stand unquoted in a `when`.
pub(crate) fn is_govaluate_number(text: &str) -> bool {
    text.parse::<f64>().is_ok_and(f64::is_finite)
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
}
