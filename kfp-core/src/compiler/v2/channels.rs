//! The values that cross from one DAG into another on KFP v2 (kfp's pipeline channels): what
//! they are called, what type they have, where they come from, and the conditions written
//! with them.
//!
//! kfp 2.17.3 names a channel `<task>-<output>` (a task output), `<param>` (a pipeline
//! parameter), `loop-item-param-<n>`, `<param>-loop-item` or `<task>-<output>-loop-item` (a
//! loop's item), `<item>-subvar-<field>` (a field of it), and a group input carrying it
//! `pipelinechannel--<name>`.

use serde_json::Value;

use crate::compiler::v2_io::{io_name, output_io, Io};
use crate::control::{json_kind, Condition, GroupKind, GroupSpec, LoopItems};
use crate::spec::component::sanitize_name;
use crate::spec::pipeline::{Arg, Pipeline, TaskSpec};
use crate::types::ParamKind;

pub(super) use crate::compiler::tree::Node;
use crate::compiler::tree::Tree;

/// A value that crosses into a DAG (kfp's `PipelineChannel`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Channel {
    /// A pipeline parameter.
    Param(String),
    /// An output of a task, by its IR name.
    Output { task: usize, key: String },
    /// The item of a loop.
    Item(usize),
    /// A field of the item of a loop.
    Field(usize, String),
    /// An output of a task inside loops, collected into a list; `group` is the outermost
    /// loop the consumer is outside of, which hands the list out.
    Collected {
        group: usize,
        task: usize,
        key: String,
    },
    /// The output of whichever branch of the `if`/`elif`/`else` group `group` ran (kfp's
    /// `dsl.OneOf`), the `id`-th of that group; `members` are the tasks and output keys, one
    /// per branch.
    OneOf {
        group: usize,
        id: u32,
        members: Vec<(usize, String)>,
    },
}

/// The IR type of a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Type {
    /// A parameter of this type.
    Param(ParamKind),
    /// An artifact with this schema title.
    Artifact(String),
}

/// What the pipeline says about its channels. Every lookup tolerates an index from another
/// pipeline or out of range, so that checking an invalid pipeline never panics.
pub(super) struct Context<'p> {
    pub(super) p: &'p Pipeline,
}

impl<'p> Context<'p> {
    pub(super) fn new(p: &'p Pipeline) -> Self {
        Context { p }
    }

    pub(super) fn task(&self, t: usize) -> Option<&'p TaskSpec> {
        self.p.tasks.get(t)
    }

    pub(super) fn group(&self, g: usize) -> Option<&'p GroupSpec> {
        self.p.groups.get(g)
    }

    /// The tree of groups.
    fn tree(&self) -> Tree<'p> {
        Tree { p: self.p }
    }

    /// The node that holds `node`; `None` for the root.
    pub(super) fn parent(&self, node: Node) -> Option<Node> {
        self.tree().parent(node)
    }

    /// The nodes from the root down to `node`, both included (kfp's parent groups).
    pub(super) fn path(&self, node: Node) -> Vec<Node> {
        self.tree().path(node)
    }

    /// kfp's uncommon ancestors: the nodes of the paths to `a` and to `b` below the deepest
    /// group that holds both.
    pub(super) fn uncommon(&self, a: Node, b: Node) -> (Vec<Node>, Vec<Node>) {
        self.tree().uncommon(a, b)
    }

    /// Whether `node` is a loop.
    pub(super) fn is_loop(&self, node: Node) -> bool {
        let Node::Group(g) = node else {
            return false;
        };
        matches!(self.group(g).map(|g| &g.kind), Some(GroupKind::Loop { .. }))
    }

    /// Whether `g` loops over a static list (its items are not a channel).
    pub(super) fn is_static(&self, g: usize) -> bool {
        matches!(
            self.group(g).map(|g| &g.kind),
            Some(GroupKind::Loop {
                items: LoopItems::Static(_),
                ..
            })
        )
    }

    /// Whether group `ancestor` holds group `g` (strictly).
    pub(super) fn holds(&self, ancestor: usize, g: usize) -> bool {
        let path = self.path(Node::Group(g));
        path[..path.len() - 1].contains(&Node::Group(ancestor))
    }

    /// The name of `node` in the IR: the task's name, the group's (`for-loop-2`).
    pub(super) fn node_name(&self, node: Node) -> String {
        match node {
            Node::Root => sanitize_name(&self.p.name),
            Node::Group(g) => self.group(g).map(GroupSpec::v2_name).unwrap_or_default(),
            Node::Task(t) => self.task(t).map(|t| t.name.clone()).unwrap_or_default(),
        }
    }

    /// The channel of `arg` as `consumer` sees it; `None` for a constant or a value from
    /// another pipeline.
    pub(super) fn channel(&self, arg: &Arg, consumer: Node) -> Option<Channel> {
        match arg {
            Arg::Constant(_) => None,
            Arg::Param(p) => Some(Channel::Param(p.clone())),
            Arg::Output { task, output } => {
                let producer = self.p.task(*task)?;
                Some(Channel::Output {
                    task: task.index(),
                    key: io_name(&producer.component, output).into_owned(),
                })
            }
            Arg::LoopItem { group, field: None } => Some(Channel::Item(*group)),
            Arg::LoopItem {
                group,
                field: Some(f),
            } => Some(Channel::Field(*group, f.clone())),
            Arg::OneOf { outputs } => self.one_of(outputs),
            Arg::Collected { task, output } => {
                let producer = self.p.task(*task)?;
                let (up, _) = self.uncommon(Node::Task(task.index()), consumer);
                let group = match up.first() {
                    Some(Node::Group(g)) => *g,
                    _ => return None,
                };
                Some(Channel::Collected {
                    group,
                    task: task.index(),
                    key: io_name(&producer.component, output).into_owned(),
                })
            }
        }
    }

    /// The channel a loop iterates over: a parameter or an output; `None` for a static list.
    pub(super) fn items(&self, g: usize) -> Option<Channel> {
        match &self.group(g)?.kind {
            GroupKind::Loop { items, .. } => match items {
                // Compiled in the nested pipeline, where it is a loop over its parameter.
                LoopItems::Static(_) | LoopItems::Collected { .. } => None,
                LoopItems::Param(p) => Some(Channel::Param(p.clone())),
                LoopItems::Output { task, output } => {
                    let producer = self.p.task(*task)?;
                    Some(Channel::Output {
                        task: task.index(),
                        key: io_name(&producer.component, output).into_owned(),
                    })
                }
            },
            _ => None,
        }
    }

    /// The channel's own name.
    pub(super) fn name(&self, c: &Channel) -> String {
        match c {
            Channel::Param(p) => p.clone(),
            Channel::Output { key, .. } => key.clone(),
            Channel::Item(g) => match self.items(*g) {
                Some(items) => format!("{}-loop-item", self.name(&items)),
                None => {
                    let id = match self.group(*g).map(|g| &g.kind) {
                        Some(GroupKind::Loop { item_id, .. }) => *item_id,
                        _ => 0,
                    };
                    format!("loop-item-param-{id}")
                }
            },
            Channel::Field(g, f) => format!("{}-subvar-{f}", self.name(&Channel::Item(*g))),
            Channel::Collected { task, key, .. } => {
                format!(
                    "pipelinechannel--{}-{key}",
                    self.node_name(Node::Task(*task))
                )
            }
            Channel::OneOf { group, id, .. } => format!(
                "pipelinechannel--{}-oneof-{id}",
                self.node_name(Node::Group(*group))
            ),
        }
    }

    /// The task or group that produces the channel (kfp's `channel.task`): a task for an
    /// output (and for the items of a loop over one), the handing-out loop for a collected
    /// list; `None` for a pipeline parameter and a static list's items.
    pub(super) fn producer(&self, c: &Channel) -> Option<Node> {
        match c {
            Channel::Param(_) => None,
            Channel::Output { task, .. } => Some(Node::Task(*task)),
            Channel::Item(g) | Channel::Field(g, _) => match self.items(*g)? {
                Channel::Output { task, .. } => Some(Node::Task(task)),
                _ => None,
            },
            Channel::Collected { group, .. } | Channel::OneOf { group, .. } => {
                Some(Node::Group(*group))
            }
        }
    }

    /// `<producer>-<name>`, or the name alone when no task produces it.
    pub(super) fn full_name(&self, c: &Channel) -> String {
        match self.producer(c) {
            Some(n) => format!("{}-{}", self.node_name(n), self.name(c)),
            None => self.name(c),
        }
    }

    /// The name of the group input that carries the channel: `pipelinechannel--<full name>`.
    pub(super) fn input_name(&self, c: &Channel) -> String {
        format!("pipelinechannel--{}", self.full_name(c))
    }

    /// The channel's IR type.
    ///
    /// A static list's item has the type of its first item; a field of one, the type of the
    /// first value of the first item, whatever the field (kfp 2.17.3 types them so). A field of
    /// a loop over a parameter or an output has the type it is used as.
    pub(super) fn ty(&self, c: &Channel) -> Type {
        let param = |kind: Option<ParamKind>| Type::Param(kind.unwrap_or(ParamKind::String));
        match c {
            Channel::Param(p) => match self.file_param(p) {
                Some((title, _)) => Type::Artifact(title.into()),
                None => param(self.p.params.iter().find(|s| s.name == *p).map(|s| s.kind)),
            },
            Channel::Output { task, key } => {
                let Some(producer) = self.task(*task) else {
                    return param(None);
                };
                let component = &producer.component;
                let i = component
                    .outputs
                    .iter()
                    .position(|o| io_name(component, &o.name) == key.as_str());
                match i.map(|i| output_io(component, i)) {
                    Some(Io::Artifact(title)) => Type::Artifact(title.into_owned()),
                    Some(Io::Parameter(kind)) => Type::Param(kind),
                    None => param(None),
                }
            }
            Channel::Item(g) if self.file_loop(*g).is_some() => {
                Type::Artifact(self.file_loop(*g).unwrap_or_default().into())
            }
            Channel::Item(g) => param(match self.group(*g).map(|g| &g.kind) {
                Some(GroupKind::Loop { item_kind, .. }) => *item_kind,
                _ => None,
            }),
            Channel::Field(g, f) => param(self.field_kind(*g, f)),
            // A collected file is a list of artifacts; a collected value, a list.
            Channel::Collected { task, key, .. } => match self.ty(&Channel::Output {
                task: *task,
                key: key.clone(),
            }) {
                artifact @ Type::Artifact(_) => artifact,
                Type::Param(_) => Type::Param(ParamKind::List),
            },
            Channel::OneOf { members, .. } => match members.first() {
                Some((task, key)) => self.ty(&Channel::Output {
                    task: *task,
                    key: key.clone(),
                }),
                None => param(None),
            },
        }
    }

    /// The schema title of parameter `name` when it is a file, and whether it is a list of
    /// files.
    pub(super) fn file_param(&self, name: &str) -> Option<(&'static str, bool)> {
        self.p
            .file_params
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, a, list)| (a.schema_title, *list))
    }

    /// The schema title of the items of loop `g` when it loops over a list of files (a
    /// nested pipeline's `Vec<InputPath<K>>` parameter).
    pub(super) fn file_loop(&self, g: usize) -> Option<&'static str> {
        match &self.group(g)?.kind {
            GroupKind::Loop {
                items: LoopItems::Param(p),
                ..
            } => self.file_param(p).filter(|(_, list)| *list).map(|(t, _)| t),
            _ => None,
        }
    }

    fn field_kind(&self, g: usize, field: &str) -> Option<ParamKind> {
        if let Some(GroupKind::Loop {
            items: LoopItems::Static(values),
            ..
        }) = self.group(g).map(|g| &g.kind)
        {
            return match values.first() {
                Some(Value::Object(first)) => first.values().next().and_then(json_kind),
                _ => Some(ParamKind::String),
            };
        }
        // The first use: in a condition, else as a task's input.
        let is_field = |arg: &Arg| match arg {
            Arg::LoopItem {
                group,
                field: Some(f),
            } => *group == g && f == field,
            _ => false,
        };
        let in_condition = self.p.groups.iter().find_map(|group| {
            group
                .conditions()
                .into_iter()
                .find(|(c, _)| is_field(&c.lhs) || is_field(&c.rhs))
                .map(|(c, _)| c.kind)
        });
        in_condition.or_else(|| {
            self.p.tasks.iter().find_map(|t| {
                t.args
                    .iter()
                    .zip(&t.component.inputs)
                    .find(|(a, _)| a.as_ref().is_some_and(is_field))
                    .map(|(_, input)| input.kind)
            })
        })
    }

    /// kfp's channels to add on the way into nested DAGs: the channel, and for a loop's item
    /// (or a field of it) the item, then the list it comes from.
    pub(super) fn chain(&self, c: &Channel) -> Vec<Channel> {
        let mut chain = vec![c.clone()];
        let loop_group = match c {
            Channel::Field(g, _) => {
                chain.push(Channel::Item(*g));
                Some(*g)
            }
            Channel::Item(g) => Some(*g),
            _ => None,
        };
        if let Some(items) = loop_group.and_then(|g| self.items(g)) {
            chain.push(items);
        }
        chain
    }

    /// Whether the channel is loop `g`'s own: its item, or the list it iterates over. Inside
    /// the loop only the item is needed.
    pub(super) fn belongs_to_loop(&self, c: &Channel, g: usize) -> bool {
        *c == Channel::Item(g) || self.items(g).as_ref() == Some(c)
    }

    /// Whether the channel is a static list's item or a field of it, which exists only
    /// inside its loop.
    pub(super) fn is_with_items(&self, c: &Channel) -> bool {
        matches!(c, Channel::Item(g) | Channel::Field(g, _) if self.is_static(*g))
    }

    /// The channels a group's conditions use, in kfp's order.
    pub(super) fn condition_channels(&self, g: usize) -> Vec<Channel> {
        let Some(group) = self.group(g) else {
            return Vec::new();
        };
        group
            .conditions()
            .into_iter()
            .flat_map(|(c, _)| [&c.lhs, &c.rhs])
            .filter_map(|a| self.channel(a, Node::Group(g)))
            .collect()
    }

    /// The trigger condition of group `g` in kfp's CEL: each comparison, negated with `!(..)`
    /// for the branches before, joined with `&&`. `Err` says why a comparison cannot be
    /// written.
    pub(super) fn trigger_condition(&self, g: usize) -> Result<String, String> {
        let Some(group) = self.group(g) else {
            return Ok(String::new());
        };
        let parts = group
            .conditions()
            .into_iter()
            .map(|(c, negate)| self.comparison(g, c, negate))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(parts.join(" && "))
    }

    /// One comparison, as kfp's `_single_binary_operation_to_cel_condition` writes it.
    fn comparison(&self, g: usize, c: &Condition, negate: bool) -> Result<String, String> {
        let lhs = self.operand(g, &c.lhs)?;
        let rhs = self.operand(g, &c.rhs)?;
        // Two types: the other is promoted, String over Boolean over Double over Integer.
        let canonical = if lhs.kind == rhs.kind {
            lhs.kind
        } else if lhs.kind == ParamKind::String || rhs.kind == ParamKind::String {
            ParamKind::String
        } else if lhs.kind == ParamKind::Boolean || rhs.kind == ParamKind::Boolean {
            ParamKind::Boolean
        } else {
            ParamKind::Float
        };
        let cast = |o: Operand| -> Result<String, String> {
            if o.kind == canonical {
                return Ok(o.text);
            }
            match canonical {
                ParamKind::String => Ok(format!("'{}'", o.text)),
                // kfp reads the other operand as an int (and inverts it): only an integer
                // constant survives that.
                ParamKind::Boolean => match o.int {
                    Some(0) => Ok("true".to_owned()),
                    Some(_) => Ok("false".to_owned()),
                    None => Err(format!(
                        "it compares a boolean with {}, which kfp cannot write as a condition",
                        o.text
                    )),
                },
                _ => Ok(format!("double({})", o.text)),
            }
        };
        let text = format!("{} {} {}", cast(lhs)?, c.op, cast(rhs)?);
        Ok(if negate { format!("!({text})") } else { text })
    }

    fn operand(&self, g: usize, arg: &Arg) -> Result<Operand, String> {
        if let Arg::Constant(v) = arg {
            let text = match v {
                Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
                    Some(f) => crate::pyjson::float_repr(f),
                    None => n.to_string(),
                },
                other => {
                    return Err(format!(
                        "it compares with the constant {other}; conditions compare strings, \
                         numbers and booleans"
                    ))
                }
            };
            let kind = json_kind(v).unwrap_or(ParamKind::String);
            return Ok(Operand {
                text,
                kind,
                int: v.as_i64().filter(|_| kind == ParamKind::Integer),
            });
        }
        let Some(channel) = self.channel(arg, Node::Group(g)) else {
            return Err("it compares a value from another pipeline".into());
        };
        let input = self.input_name(&channel);
        match self.ty(&channel) {
            Type::Param(
                kind @ (ParamKind::String
                | ParamKind::Integer
                | ParamKind::Float
                | ParamKind::Boolean),
            ) => {
                let value = format!("inputs.parameter_values['{input}']");
                Ok(Operand {
                    text: if kind == ParamKind::Integer {
                        format!("int({value})")
                    } else {
                        value
                    },
                    kind,
                    int: None,
                })
            }
            Type::Param(kind) => Err(format!(
                "it compares `{input}`, a {}; conditions compare strings, numbers and booleans",
                kind.v2_name()
            )),
            Type::Artifact(title) => Err(format!(
                "it compares `{input}`, an artifact ({title}); conditions compare strings, \
                 numbers and booleans"
            )),
        }
    }
}

/// One side of a comparison, written out.
struct Operand {
    text: String,
    kind: ParamKind,
    /// The value of an integer constant.
    int: Option<i64>,
}

impl Context<'_> {
    /// The `if`/`elif`/`else` group a `OneOf`'s first output comes out of: the group of
    /// branches around the branch that holds its task (kfp's
    /// `channels[0].task.parent_task_group.parent_task_group`).
    pub(super) fn one_of_group(
        &self,
        outputs: &[(crate::spec::pipeline::TaskId, String)],
    ) -> Option<usize> {
        let (first, _) = outputs.first()?;
        let branch = self.p.task(*first)?.group?;
        self.group(branch)?.parent
    }

    /// The channel of a `OneOf` of `outputs`: numbered in its group of branches by first use,
    /// as kfp numbers them as they are made.
    fn one_of(&self, outputs: &[(crate::spec::pipeline::TaskId, String)]) -> Option<Channel> {
        let group = self.one_of_group(outputs)?;
        let mut seen: Vec<&Vec<(crate::spec::pipeline::TaskId, String)>> = Vec::new();
        for task in &self.p.tasks {
            for arg in task.args.iter().flatten() {
                if let Arg::OneOf { outputs: o } = arg {
                    if self.one_of_group(o) == Some(group) && !seen.contains(&o) {
                        seen.push(o);
                    }
                }
            }
        }
        let id = seen.iter().position(|o| o.as_slice() == outputs)? + 1;
        let members = outputs
            .iter()
            .map(|(task, output)| {
                let producer = self.p.task(*task)?;
                Some((
                    task.index(),
                    io_name(&producer.component, output).into_owned(),
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Channel::OneOf {
            group,
            id: u32::try_from(id).ok()?,
            members,
        })
    }
}
