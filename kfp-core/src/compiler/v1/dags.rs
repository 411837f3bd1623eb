//! The DAG templates of a v1 workflow as they are built: which node sits in which DAG, how
//! a value from elsewhere in the pipeline reaches it, and what each DAG takes as inputs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use crate::compiler::document::object;
use crate::control::{GroupKind, LoopItems};
use crate::spec::component::ParamRef;
use crate::spec::pipeline::{Arg, Pipeline};

/// A node of a DAG: a task, or a group (which is a DAG of its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Node {
    Task(usize),
    Group(usize),
}

/// A value a task or group uses that comes from elsewhere in the pipeline.
pub(super) enum Ref<'a> {
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
    pub(super) fn of(arg: &'a Arg) -> Option<Ref<'a>> {
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
pub(super) fn dag_index(group: Option<usize>) -> usize {
    group.map_or(0, |g| g + 1)
}

/// The DAG templates being built: each one's inputs, and each node's arguments and
/// dependencies.
pub(super) struct Dags<'p> {
    pub(super) p: &'p Pipeline,
    pub(super) children: Vec<Vec<Node>>,
    pub(super) inputs: Vec<BTreeSet<String>>,
    pub(super) input_artifacts: Vec<BTreeSet<String>>,
    pub(super) args: HashMap<Node, BTreeMap<String, String>>,
    pub(super) art_args: HashMap<Node, BTreeMap<String, String>>,
    pub(super) deps: HashMap<Node, BTreeSet<String>>,
    /// Which outputs of each task are consumed as parameters downstream.
    pub(super) consumed: Vec<BTreeSet<String>>,
    /// What each DAG hands out to its parent: a nested pipeline's outputs read outside it
    /// (kfp's graph outputs), by name: the value inside the DAG and whether it is a file.
    pub(super) outputs: Vec<BTreeMap<String, (String, bool)>>,
}

impl<'p> Dags<'p> {
    pub(super) fn new(p: &'p Pipeline) -> Self {
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
            outputs: vec![BTreeMap::new(); n],
        }
    }

    pub(super) fn node_name(&self, node: Node) -> String {
        match node {
            Node::Task(t) => self.p.tasks[t].name.clone(),
            Node::Group(g) => self.p.groups[g].name(),
        }
    }

    /// kfp's name for a loop's item: `loop-item-param-<n>`, `<param>-loop-item`,
    /// `<task>-<output>-loop-item`.
    pub(super) fn loop_item_base(&self, group: usize) -> String {
        match &self.p.groups[group].kind {
            GroupKind::Loop { items, item_id, .. } => match items {
                LoopItems::Static(_) => format!("loop-item-param-{item_id}"),
                LoopItems::Param(p) => format!("{p}-loop-item"),
                // Refused for v1 by `check_v1`.
                LoopItems::Output { task, output } | LoopItems::Collected { task, output } => {
                    format!("{}-{output}-loop-item", self.p.tasks[task.index].name)
                }
            },
            _ => format!("loop-item-{group}"),
        }
    }

    pub(super) fn ref_name(&self, r: &Ref) -> String {
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
                match super::ui::special_output(v1) {
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
    pub(super) fn resolve(&mut self, r: &Ref, dag: Option<usize>, consumer: Node) -> String {
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
            // An output a nested pipeline in this DAG returns: read from its graph template.
            Ref::Output { task, .. } => {
                if let Some(Node::Group(h)) = self.node_in(dag, *task) {
                    if matches!(self.p.groups[h].kind, GroupKind::Pipeline { .. }) {
                        let holder = self.p.groups[h].name();
                        self.deps.entry(consumer).or_default().insert(holder);
                        return self.lift(r, h);
                    }
                }
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

    /// Makes output `r` of a task inside group `g` an output of `g`'s template (kfp's graph
    /// outputs, read outside a nested pipeline) and returns how `g`'s parent DAG reads it.
    fn lift(&mut self, r: &Ref, g: usize) -> String {
        let name = self.ref_name(r);
        let Ref::Output {
            task,
            output,
            artifact,
        } = r
        else {
            return String::new();
        };
        let inner = match self.node_in(Some(g), *task) {
            Some(Node::Task(_)) => {
                let producer = &self.p.tasks[*task].name;
                if *artifact {
                    format!("{{{{tasks.{producer}.outputs.artifacts.{name}}}}}")
                } else {
                    let text = format!("{{{{tasks.{producer}.outputs.parameters.{name}}}}}");
                    self.consumed[*task].insert((*output).to_owned());
                    text
                }
            }
            Some(Node::Group(h)) => self.lift(r, h),
            None => String::new(),
        };
        self.outputs[g + 1].insert(name.clone(), (inner, *artifact));
        let holder = self.p.groups[g].name();
        let kind = if *artifact { "artifacts" } else { "parameters" };
        format!("{{{{tasks.{holder}.outputs.{kind}.{name}}}}}")
    }

    /// The node of the DAG of `dag` that holds task `task`: the task itself, or the group on
    /// the way down to it.
    pub(super) fn node_in(&self, dag: Option<usize>, task: usize) -> Option<Node> {
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
    pub(super) fn add_after(&mut self, task: usize, other: usize) {
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
    pub(super) fn add_after_group(&mut self, task: usize, group: usize) {
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
    pub(super) fn loop_item_arguments(&self, group: usize) -> Vec<(String, String)> {
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
    pub(super) fn dag_template(
        &self,
        name: &str,
        group: Option<usize>,
        extra: Map<String, Value>,
    ) -> Value {
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
        let (files, values): (Vec<_>, Vec<_>) =
            self.outputs[index].iter().partition(|(_, (_, file))| *file);
        let mut outputs = Map::new();
        if !values.is_empty() {
            let params = values
                .iter()
                .map(|(n, (v, _))| json!({"name": n, "valueFrom": {"parameter": v}}))
                .collect();
            outputs.insert("parameters".into(), Value::Array(params));
        }
        if !files.is_empty() {
            let artifacts = files
                .iter()
                .map(|(n, (v, _))| json!({"name": n, "from": v}))
                .collect();
            outputs.insert("artifacts".into(), Value::Array(artifacts));
        }
        if !outputs.is_empty() {
            template.insert("outputs".into(), Value::Object(outputs));
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
