//! The DAGs of a KFP v2 pipeline: the root's, and one per group (a condition, a branch, a
//! loop, an exit handler), each group a component of its own (`comp-condition-1`) and a task
//! of the DAG around it.
//!
//! A port of kfp 2.17.3's `compiler_utils.get_inputs_for_all_groups`,
//! `get_outputs_for_all_groups` and `get_dependencies`, and of `pipeline_spec_builder`'s
//! group and task specs: a value used inside a group from outside it enters every group on
//! the way as an input `pipelinechannel--<name>`; a collected output leaves every loop on the
//! way as an output; a dependency on a task inside another group is one on the group holding
//! it, between siblings.
//!
//! kfp crashes (or writes an invalid pipeline) in a few nested cases: a field of a static
//! list's item used in a group inside the loop, a collected output leaving an `if` with
//! `elif`s. Those compile here to what kfp would write had it not crashed: the group gets the
//! field as an input of its own.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::channels::{Channel, Context, Node, Type};
use super::{artifact_type, component_name, definitions, ir_value};
use crate::compiler::v2_io::{input_io, io_name};
use crate::control::{GroupKind, LoopItems};
use crate::pyjson;
use crate::spec::pipeline::{Arg, Pipeline};

/// The inputs of a DAG's component, which its tasks read from: names of parameters and of
/// artifacts.
struct ParentInputs {
    params: BTreeSet<String>,
    artifacts: BTreeSet<String>,
}

/// A `OneOf` output of a group of branches: each branch and the name of its output, and the
/// parameter type.
type OneOfOutput = (Vec<(usize, String)>, &'static str);

/// The analysed pipeline: what enters and leaves each group, and what each node waits for.
pub(super) struct Dags<'p> {
    cx: Context<'p>,
    /// Each exit task, with its exit handler group.
    exit: BTreeMap<usize, usize>,
    /// The channels that enter each group (and, unused, each task and the root).
    inputs: BTreeMap<Node, BTreeSet<Channel>>,
    /// The collected outputs each loop hands out: name → the node inside and its output.
    outputs: BTreeMap<usize, BTreeMap<String, (Node, String)>>,
    /// The siblings each node waits for.
    deps: BTreeMap<Node, BTreeSet<Node>>,
    /// What each branch of an `if`/`elif`/`else` hands out for a `OneOf`: name → the task
    /// inside, its output key and the parameter type.
    branch_outputs: BTreeMap<usize, BTreeMap<String, (usize, String, &'static str)>>,
    /// What each group of branches hands out for a `OneOf`: name → the branch and the name
    /// of its output, per branch, and the parameter type.
    one_of_outputs: BTreeMap<usize, BTreeMap<String, OneOfOutput>>,
    /// The nodes of each DAG (the root's and each group's), exit tasks left out.
    children: BTreeMap<Node, Vec<Node>>,
}

impl<'p> Dags<'p> {
    /// Analyses `p`, which must have passed `check`.
    pub(super) fn new(p: &'p Pipeline) -> Self {
        let exit = p
            .groups
            .iter()
            .enumerate()
            .filter_map(|(g, group)| match &group.kind {
                GroupKind::ExitHandler { exit_task, .. } if p.task(*exit_task).is_some() => {
                    Some((exit_task.index(), g))
                }
                _ => None,
            })
            .collect();
        let mut dags = Dags {
            cx: Context::new(p),
            exit,
            inputs: BTreeMap::new(),
            outputs: BTreeMap::new(),
            deps: BTreeMap::new(),
            children: BTreeMap::new(),
            branch_outputs: BTreeMap::new(),
            one_of_outputs: BTreeMap::new(),
        };
        for g in 0..p.groups.len() {
            let node = dags.cx.parent(Node::Group(g)).unwrap_or(Node::Root);
            dags.children.entry(node).or_default().push(Node::Group(g));
        }
        for t in 0..p.tasks.len() {
            if !dags.exit.contains_key(&t) {
                let node = dags.cx.parent(Node::Task(t)).unwrap_or(Node::Root);
                dags.children.entry(node).or_default().push(Node::Task(t));
            }
        }
        dags.find_inputs();
        dags.find_outputs();
        dags.find_one_of_outputs();
        dags.find_deps();
        dags
    }

    /// The channels task `t` takes: its arguments', then those of the conditions around it.
    fn task_channels(&self, t: usize) -> Vec<Channel> {
        let Some(task) = self.cx.task(t) else {
            return Vec::new();
        };
        let mut channels: Vec<Channel> = task
            .args
            .iter()
            .flatten()
            .filter_map(|a| self.cx.channel(a, Node::Task(t)))
            .collect();
        for node in self.cx.path(Node::Task(t)) {
            if let Node::Group(g) = node {
                channels.extend(self.cx.condition_channels(g));
            }
        }
        channels
    }

    /// kfp's `get_inputs_for_all_groups`: every channel a task takes enters each group
    /// between where it comes from and the task. Inside the loop over a list, the loop's item
    /// takes over from the list.
    fn find_inputs(&mut self) {
        let cx = &self.cx;
        for t in 0..cx.p.tasks.len() {
            if self.exit.contains_key(&t) {
                continue;
            }
            let node = Node::Task(t);
            for channel in self.task_channels(t) {
                let mut chain = cx.chain(&channel);
                // Down from the producer's side, for an output; kfp sends a collected output
                // the same way, from the task inside the loops.
                let producer = match &channel {
                    Channel::Collected { task, .. } => Some(Node::Task(*task)),
                    c => cx.producer(c),
                };
                // A static list's item (or field) is born inside its loop: up from the task to
                // the loop. (kfp sends a field on up to the root, an invalid input of any
                // condition or exit handler on the way.)
                let own_loop = match &channel {
                    Channel::Item(l) | Channel::Field(l, _) if cx.is_static(*l) => Some(*l),
                    _ => None,
                };
                let (nodes, last) = if let Some(producer) = producer {
                    (cx.uncommon(producer, node).1, true)
                } else if let Some(l) = own_loop {
                    let mut path = cx.path(node);
                    path.reverse();
                    let end = path.iter().position(|&n| n == Node::Group(l));
                    path.truncate(end.map_or(path.len(), |e| e + 1));
                    (path, false)
                } else {
                    (cx.path(node), true)
                };
                for n in nodes {
                    let current = if last { chain.last() } else { chain.first() };
                    let Some(current) = current.cloned() else {
                        break;
                    };
                    self.inputs.entry(n).or_default().insert(current.clone());
                    if let Node::Group(g) = n {
                        if cx.is_loop(n) && cx.belongs_to_loop(&current, g) {
                            if last {
                                chain.pop();
                            } else {
                                chain.remove(0);
                            }
                            if chain.is_empty() {
                                break;
                            }
                        }
                    }
                }
            }
        }
    }

    /// kfp's `get_outputs_for_all_groups`: a collected output leaves each loop (and group)
    /// between the task that makes it and the consumer's side, as
    /// `pipelinechannel--<task>-<output>`.
    fn find_outputs(&mut self) {
        let cx = &self.cx;
        for (t, task) in cx.p.tasks.iter().enumerate() {
            for arg in task.args.iter().flatten() {
                let Some(channel @ Channel::Collected { task: producer, .. }) =
                    cx.channel(arg, Node::Task(t))
                else {
                    continue;
                };
                let Channel::Collected { key, .. } = &channel else {
                    continue;
                };
                let surfaced = cx.name(&channel);
                let (up, _) = cx.uncommon(Node::Task(producer), Node::Task(t));
                let mut inner = (Node::Task(producer), key.clone());
                for n in up.iter().rev().skip(1) {
                    if let Node::Group(g) = *n {
                        self.outputs
                            .entry(g)
                            .or_default()
                            .insert(surfaced.clone(), inner);
                        inner = (*n, surfaced.clone());
                    }
                }
            }
        }
    }

    /// kfp's `build_oneof_dag_outputs`: each branch hands out its task's output, and the group
    /// of branches the output of whichever branch ran (`valueFromOneof`).
    fn find_one_of_outputs(&mut self) {
        let cx = &self.cx;
        for (t, task) in cx.p.tasks.iter().enumerate() {
            for arg in task.args.iter().flatten() {
                let Some(channel @ Channel::OneOf { group, .. }) = cx.channel(arg, Node::Task(t))
                else {
                    continue;
                };
                let Channel::OneOf { members, .. } = &channel else {
                    continue;
                };
                let kind = match cx.ty(&channel) {
                    Type::Param(k) => k.v2_name(),
                    // `check` refuses a `OneOf` of files.
                    Type::Artifact(_) => continue,
                };
                let mut selectors = Vec::new();
                for (member, key) in members {
                    let Some(branch) = cx.task(*member).and_then(|m| m.group) else {
                        continue;
                    };
                    let output = Channel::Output {
                        task: *member,
                        key: key.clone(),
                    };
                    let name = cx.input_name(&output);
                    self.branch_outputs
                        .entry(branch)
                        .or_default()
                        .insert(name.clone(), (*member, key.clone(), kind));
                    selectors.push((branch, name));
                }
                self.one_of_outputs
                    .entry(group)
                    .or_default()
                    .insert(cx.name(&channel), (selectors, kind));
            }
        }
    }

    /// kfp's `get_dependencies`: a task waits for the producers of what it takes and for the
    /// tasks it runs `.after(..)`, as a wait between the siblings that hold them.
    fn find_deps(&mut self) {
        let cx = &self.cx;
        for t in 0..cx.p.tasks.len() {
            if self.exit.contains_key(&t) {
                continue;
            }
            let mut ups: BTreeSet<Node> = self
                .task_channels(t)
                .iter()
                .filter_map(|c| cx.producer(c))
                .collect();
            if let Some(task) = cx.task(t) {
                ups.extend(
                    task.after
                        .iter()
                        .filter(|a| cx.p.task(**a).is_some())
                        .map(|a| Node::Task(a.index())),
                );
                // `.after(..)` a whole (exit handler) group.
                ups.extend(
                    task.settings
                        .after_groups
                        .iter()
                        .filter(|g| cx.group(**g).is_some())
                        .map(|g| Node::Group(*g)),
                );
            }
            for up in ups {
                let (u, d) = cx.uncommon(up, Node::Task(t));
                if let (Some(u), Some(d)) = (u.first(), d.first()) {
                    self.deps.entry(*d).or_default().insert(*u);
                }
            }
        }
    }

    /// Whether `node` is a node of the DAG of `scope`.
    fn in_dag(&self, node: Node, scope: Node) -> bool {
        match node {
            Node::Task(t) if self.exit.contains_key(&t) => false,
            _ => self.cx.parent(node) == Some(scope),
        }
    }

    /// The channels group `g` takes as inputs, by input name (kfp's "punching holes").
    fn group_channels(&self, g: usize) -> BTreeMap<String, Channel> {
        let cx = &self.cx;
        let inputs = self.inputs.get(&Node::Group(g));
        let mut channels: Vec<Channel> = inputs.into_iter().flatten().cloned().collect();
        match cx.group(g).map(|g| &g.kind) {
            Some(GroupKind::Loop { .. }) => {
                // A static list's item (or field) is born inside its loop: only loops inside
                // it take it.
                channels.retain(|c| match c {
                    Channel::Item(l) if cx.is_static(*l) => *l == g || cx.holds(*l, g),
                    Channel::Field(l, _) if cx.is_static(*l) => cx.holds(*l, g),
                    _ => true,
                });
                channels.extend(cx.items(g));
                channels.push(Channel::Item(g));
            }
            Some(GroupKind::Condition { .. } | GroupKind::Branch { .. }) => {
                channels.extend(cx.condition_channels(g));
            }
            _ => {}
        }
        channels
            .into_iter()
            .map(|c| (cx.input_name(&c), c))
            .collect()
    }

    /// The inputs the tasks of the DAG of `scope` can read.
    fn parent_inputs(&self, scope: Node) -> ParentInputs {
        match scope {
            Node::Group(g) => {
                let mut inputs = ParentInputs {
                    params: BTreeSet::new(),
                    artifacts: BTreeSet::new(),
                };
                for (name, c) in self.group_channels(g) {
                    match self.cx.ty(&c) {
                        Type::Artifact(_) => inputs.artifacts.insert(name),
                        Type::Param(_) => inputs.params.insert(name),
                    };
                }
                inputs
            }
            _ => {
                let names: BTreeSet<String> =
                    self.cx.p.params.iter().map(|p| p.name.clone()).collect();
                ParentInputs {
                    params: names.clone(),
                    artifacts: names,
                }
            }
        }
    }

    /// The tasks of the root DAG, and every group's component into `components`.
    pub(super) fn build(&self, components: &mut Map<String, Value>) -> Map<String, Value> {
        for g in 0..self.cx.p.groups.len() {
            components.insert(
                format!("comp-{}", self.cx.node_name(Node::Group(g))),
                self.group_component(g),
            );
        }
        let mut tasks = self.dag_tasks(Node::Root);
        for (&t, &g) in &self.exit {
            if let Some(task) = self.cx.task(t) {
                let parent = self.parent_inputs(Node::Root);
                let spec = self.task_spec(t, Node::Root, &parent, Some(g));
                tasks.insert(task.name.clone(), spec);
            }
        }
        tasks
    }

    fn dag_tasks(&self, scope: Node) -> Map<String, Value> {
        let mut tasks = Map::new();
        let parent = self.parent_inputs(scope);
        for &node in self.children.get(&scope).into_iter().flatten() {
            let spec = match node {
                Node::Task(t) => self.task_spec(t, scope, &parent, None),
                Node::Group(g) => self.group_task(g, scope),
                Node::Root => continue,
            };
            tasks.insert(self.cx.node_name(node), spec);
        }
        tasks
    }

    /// The sorted names of the siblings `node` waits for.
    fn dependent_tasks(&self, node: Node) -> Option<Value> {
        let deps = self.deps.get(&node).filter(|d| !d.is_empty())?;
        let mut names: Vec<String> = deps.iter().map(|&n| self.cx.node_name(n)).collect();
        names.sort_unstable();
        names.dedup();
        Some(json!(names))
    }

    /// A group's component: its inputs, the collected outputs it hands out, and its DAG.
    fn group_component(&self, g: usize) -> Value {
        let cx = &self.cx;
        let mut params = Map::new();
        let mut artifacts = Map::new();
        for (name, c) in self.group_channels(g) {
            match cx.ty(&c) {
                Type::Artifact(title) => {
                    let list = matches!(&c, Channel::Param(p)
                        if cx.file_param(p).is_some_and(|(_, list)| list));
                    let mut spec = json!({ "artifactType": artifact_type(&title) });
                    if list {
                        spec["isArtifactList"] = json!(true);
                    }
                    artifacts.insert(name, spec);
                }
                Type::Param(kind) => {
                    params.insert(name, json!({ "parameterType": kind.v2_name() }));
                }
            }
        }
        let mut spec = Map::new();
        let mut dag = Map::new();
        if let Some(outputs) = self.outputs.get(&g).filter(|o| !o.is_empty()) {
            let mut from = Map::new();
            let mut defs = Map::new();
            let mut art_from = Map::new();
            let mut art_defs = Map::new();
            for (name, (inner, key)) in outputs {
                let producer = self.collected_producer(name, *inner, key);
                if let Some(Type::Artifact(title)) = producer.map(|c| cx.ty(&c)) {
                    // A collected file: the list of the artifacts of every iteration.
                    art_from.insert(
                        name.clone(),
                        json!({"artifactSelectors": [{
                            "outputArtifactKey": key,
                            "producerSubtask": cx.node_name(*inner),
                        }]}),
                    );
                    art_defs.insert(
                        name.clone(),
                        json!({"artifactType": artifact_type(&title), "isArtifactList": true}),
                    );
                    continue;
                }
                from.insert(
                    name.clone(),
                    json!({"valueFromParameter": {
                        "outputParameterKey": key,
                        "producerSubtask": cx.node_name(*inner),
                    }}),
                );
                defs.insert(name.clone(), json!({ "parameterType": "LIST" }));
            }
            let mut outs = Map::new();
            let mut out_defs = Map::new();
            if !art_from.is_empty() {
                outs.insert("artifacts".into(), Value::Object(art_from));
                out_defs.insert("artifacts".into(), Value::Object(art_defs));
            }
            if !from.is_empty() {
                outs.insert("parameters".into(), Value::Object(from));
                out_defs.insert("parameters".into(), Value::Object(defs));
            }
            dag.insert("outputs".into(), Value::Object(outs));
            spec.insert("outputDefinitions".into(), Value::Object(out_defs));
        }
        self.one_of_dag_outputs(g, &mut dag, &mut spec);
        dag.insert(
            "tasks".into(),
            Value::Object(self.dag_tasks(Node::Group(g))),
        );
        spec.insert("dag".into(), Value::Object(dag));
        if let Some(defs) = definitions(params, artifacts) {
            spec.insert("inputDefinitions".into(), defs);
        }
        Value::Object(spec)
    }

    /// The collected output `name` that group output comes from, as the task inside the loops
    /// makes it: `inner` is that task, or the inner group that hands it on.
    fn collected_producer(&self, name: &str, inner: Node, key: &str) -> Option<Channel> {
        match inner {
            Node::Task(t) => Some(Channel::Output {
                task: t,
                key: key.to_owned(),
            }),
            Node::Group(g) => {
                let (inner, key) = self.outputs.get(&g)?.get(name)?;
                self.collected_producer(name, *inner, key)
            }
            Node::Root => None,
        }
    }

    /// The `OneOf` outputs of group `g`: a branch's task output, or the output of whichever
    /// branch ran.
    fn one_of_dag_outputs(
        &self,
        g: usize,
        dag: &mut Map<String, Value>,
        spec: &mut Map<String, Value>,
    ) {
        let cx = &self.cx;
        let mut from = Map::new();
        let mut defs = Map::new();
        for (name, (task, key, kind)) in self.branch_outputs.get(&g).into_iter().flatten() {
            from.insert(
                name.clone(),
                json!({"valueFromParameter": {
                    "outputParameterKey": key,
                    "producerSubtask": cx.node_name(Node::Task(*task)),
                }}),
            );
            defs.insert(name.clone(), json!({ "parameterType": kind }));
        }
        for (name, (selectors, kind)) in self.one_of_outputs.get(&g).into_iter().flatten() {
            let selectors: Vec<Value> = selectors
                .iter()
                .map(|(branch, key)| {
                    json!({"outputParameterKey": key,
                           "producerSubtask": cx.node_name(Node::Group(*branch))})
                })
                .collect();
            from.insert(
                name.clone(),
                json!({"valueFromOneof": {"parameterSelectors": selectors}}),
            );
            defs.insert(name.clone(), json!({ "parameterType": kind }));
        }
        if from.is_empty() {
            return;
        }
        let outputs = dag.entry("outputs").or_insert_with(|| json!({}));
        if let Some(params) = outputs
            .as_object_mut()
            .map(|o| o.entry("parameters").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
        {
            params.extend(from);
        }
        let definitions = spec.entry("outputDefinitions").or_insert_with(|| json!({}));
        if let Some(params) = definitions
            .as_object_mut()
            .map(|o| o.entry("parameters").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
        {
            params.extend(defs);
        }
    }

    /// A group's task in the DAG around it (kfp's `build_task_spec_for_group`): where each
    /// input comes from, and the loop's iterator or the condition's trigger.
    fn group_task(&self, g: usize, scope: Node) -> Value {
        let cx = &self.cx;
        let root = scope == Node::Root;
        let mut params = Map::new();
        let mut artifacts = Map::new();
        for (input, c) in self.group_channels(g) {
            // A field reads its loop's item, with a selector.
            let (source, selector, key) = match &c {
                Channel::Field(l, f) => {
                    let key = match cx.items(*l) {
                        Some(items) if !cx.is_with_items(&c) => cx.name(&items),
                        _ => cx.name(&c),
                    };
                    (Channel::Item(*l), Some(f), key)
                }
                _ => (c.clone(), None, cx.name(&c)),
            };
            let source_name = cx.full_name(&source);
            let producer = cx.producer(&c).filter(|&n| self.in_dag(n, scope));
            let mut spec = Map::new();
            if let Some(f) = selector {
                spec.insert(
                    "parameterExpressionSelector".into(),
                    json!(format!("parseJson(string_value)[\"{f}\"]")),
                );
            }
            if let Type::Artifact(_) = cx.ty(&c) {
                match producer {
                    Some(n) => spec.insert(
                        "taskOutputArtifact".into(),
                        json!({"outputArtifactKey": key, "producerTask": cx.node_name(n)}),
                    ),
                    None => spec.insert(
                        "componentInputArtifact".into(),
                        json!(if root { source_name } else { input.clone() }),
                    ),
                };
                artifacts.insert(input, Value::Object(spec));
            } else {
                match producer {
                    Some(n) => spec.insert(
                        "taskOutputParameter".into(),
                        json!({"outputParameterKey": key, "producerTask": cx.node_name(n)}),
                    ),
                    None => spec.insert(
                        "componentInputParameter".into(),
                        json!(if root {
                            source_name
                        } else {
                            format!("pipelinechannel--{source_name}")
                        }),
                    ),
                };
                params.insert(input, Value::Object(spec));
            }
        }
        let mut t = Map::new();
        let group = cx.group(g);
        if let Some(GroupKind::Loop {
            items, parallelism, ..
        }) = group.map(|g| &g.kind)
        {
            let (item_input, items) = match (items, cx.items(g)) {
                (LoopItems::Static(values), _) => (
                    cx.input_name(&Channel::Item(g)),
                    json!({ "raw": pyjson::dumps(&Value::Array(values.clone()), true) }),
                ),
                (_, Some(list)) if cx.file_loop(g).is_some() => (
                    cx.input_name(&Channel::Item(g)),
                    json!({ "inputArtifact": cx.input_name(&list) }),
                ),
                (_, Some(list)) => (
                    cx.input_name(&Channel::Item(g)),
                    json!({ "inputParameter": cx.input_name(&list) }),
                ),
                (_, None) => (cx.input_name(&Channel::Item(g)), json!({})),
            };
            // The item is not an input of the loop's task: KFP gives it to each iteration.
            params.remove(&item_input);
            artifacts.remove(&item_input);
            let iterator = if cx.file_loop(g).is_some() {
                "artifactIterator"
            } else {
                "parameterIterator"
            };
            t.insert(
                iterator.into(),
                json!({ "itemInput": item_input, "items": items }),
            );
            if let Some(n) = parallelism.filter(|&n| n > 0) {
                t.insert("iteratorPolicy".into(), json!({ "parallelismLimit": n }));
            }
        }
        if group.is_some_and(|g| !g.conditions().is_empty()) {
            // `check` has refused a condition that cannot be written.
            let condition = cx.trigger_condition(g).unwrap_or_default();
            t.insert("triggerPolicy".into(), json!({ "condition": condition }));
        }
        let name = cx.node_name(Node::Group(g));
        t.insert(
            "componentRef".into(),
            json!({ "name": format!("comp-{name}") }),
        );
        if let Some(deps) = self.dependent_tasks(Node::Group(g)) {
            t.insert("dependentTasks".into(), deps);
        }
        if let Some(inputs) = definitions(params, artifacts) {
            t.insert("inputs".into(), inputs);
        }
        let display = group.and_then(|g| g.display_name()).map(str::to_owned);
        t.insert(
            "taskInfo".into(),
            json!({ "name": display.unwrap_or(name) }),
        );
        Value::Object(t)
    }

    /// A task in the DAG of `scope` (kfp's `build_task_spec_for_task`); `exit_of` is the exit
    /// handler group of an exit task, which runs when that group ends and can read its status.
    fn task_spec(
        &self,
        t: usize,
        scope: Node,
        parent: &ParentInputs,
        exit_of: Option<usize>,
    ) -> Value {
        let cx = &self.cx;
        let Some(task) = cx.task(t) else {
            return json!({});
        };
        let from_input = |name: String, set: &BTreeSet<String>| {
            if set.contains(&name) {
                name
            } else {
                format!("pipelinechannel--{name}")
            }
        };
        let mut params = Map::new();
        let mut artifacts = Map::new();
        for (i, (input, arg)) in task.component.inputs.iter().zip(&task.args).enumerate() {
            let is_artifact = input_io(&task.component, i).is_artifact();
            let source = match arg {
                // A `None` for an optional input is the input left out, as in kfp.
                None | Some(Arg::Constant(Value::Null)) => continue,
                Some(Arg::Constant(v)) => json!({ "runtimeValue": { "constant": ir_value(v) } }),
                Some(Arg::Param(p)) if is_artifact => {
                    json!({ "componentInputArtifact": from_input(p.clone(), &parent.artifacts) })
                }
                Some(Arg::Param(p)) => {
                    json!({ "componentInputParameter": from_input(p.clone(), &parent.params) })
                }
                Some(arg) => {
                    let Some(c) = cx.channel(arg, Node::Task(t)) else {
                        continue;
                    };
                    self.channel_source(&c, scope, parent, is_artifact)
                }
            };
            let name = io_name(&task.component, &input.name).into_owned();
            if is_artifact {
                artifacts.insert(name, source);
            } else {
                params.insert(name, source);
            }
        }
        let mut spec = Map::new();
        spec.insert(
            "cachingOptions".into(),
            if task.caching {
                json!({ "enableCache": true })
            } else {
                // `enableCache: false` is the proto default, which kfp leaves out.
                json!({})
            },
        );
        spec.insert(
            "componentRef".into(),
            json!({ "name": component_name(task) }),
        );
        match exit_of {
            Some(g) => {
                let group = cx.node_name(Node::Group(g));
                for i in task.component.final_status_inputs() {
                    if let Some(input) = task.component.inputs.get(i) {
                        params.insert(
                            io_name(&task.component, &input.name).into_owned(),
                            json!({ "taskFinalStatus": { "producerTask": group } }),
                        );
                    }
                }
                spec.insert("dependentTasks".into(), json!([group]));
                spec.insert(
                    "triggerPolicy".into(),
                    json!({ "strategy": "ALL_UPSTREAM_TASKS_COMPLETED" }),
                );
            }
            None => {
                if let Some(deps) = self.dependent_tasks(Node::Task(t)) {
                    spec.insert("dependentTasks".into(), deps);
                }
            }
        }
        if let Some(inputs) = definitions(params, artifacts) {
            spec.insert("inputs".into(), inputs);
        }
        if let Some(retry) = super::platform::v2_retry_policy(&task.settings) {
            spec.insert("retryPolicy".into(), retry);
        }
        spec.insert(
            "taskInfo".into(),
            json!({ "name": task.display_name.as_deref().unwrap_or(&task.name) }),
        );
        Value::Object(spec)
    }

    /// Where a task in the DAG of `scope` reads channel `c`: from a sibling's output, or from
    /// an input of the DAG's component.
    fn channel_source(
        &self,
        c: &Channel,
        scope: Node,
        parent: &ParentInputs,
        is_artifact: bool,
    ) -> Value {
        let cx = &self.cx;
        match c {
            Channel::Field(l, f) => {
                let item = cx.input_name(&Channel::Item(*l));
                // kfp reads the field from the loop's item; where only the field entered the
                // group (a static list's item in a nested group), from the field's own input.
                if parent.params.contains(&item) {
                    json!({
                        "componentInputParameter": item,
                        "parameterExpressionSelector": format!("parseJson(string_value)[\"{f}\"]"),
                    })
                } else {
                    json!({ "componentInputParameter": cx.input_name(c) })
                }
            }
            _ => {
                let sibling = cx.producer(c).filter(|&n| self.in_dag(n, scope));
                let key = cx.name(c);
                match (sibling, is_artifact) {
                    (Some(n), true) => json!({"taskOutputArtifact": {
                        "outputArtifactKey": key, "producerTask": cx.node_name(n)}}),
                    (Some(n), false) => json!({"taskOutputParameter": {
                        "outputParameterKey": key, "producerTask": cx.node_name(n)}}),
                    (None, true) => json!({ "componentInputArtifact": cx.input_name(c) }),
                    (None, false) => json!({ "componentInputParameter": cx.input_name(c) }),
                }
            }
        }
    }
}
