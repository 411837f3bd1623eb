//! The scheduler of a local run: walks the pipeline model (tasks, their arguments, the
//! groups around them), expands loops into iterations as their items become known, decides
//! each task's fate (run, skip by condition, not run after a failure), and runs what is
//! ready on worker threads, up to the run's and each loop's parallelism.
//!
//! One coordinating thread owns every state; workers only run a task (cache lookup, attempts
//! with retries) and send back its record over a channel.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::condition::{coerce, compare, conditions};
use super::executor_input::TaskInputs;
use super::progress::Progress;
use super::record::{ArtifactRecord, TaskRecord, TaskState};
use super::worker::Job;
use super::Runner;
use crate::compiler::v2_io::io_name;
use crate::control::{Condition, GroupKind, LoopItems};
use crate::spec::pipeline::{Arg, Pipeline, TaskId};

/// The key of a loop item that stands for a file: a loop over files a loop collected.
const FILE_ITEM: &str = "__kfp_file";

/// The file a loop item stands for, if it does.
fn file_item(item: &Value) -> Option<ArtifactRecord> {
    let a = item.as_object().filter(|o| o.len() == 1)?.get(FILE_ITEM)?;
    Some(ArtifactRecord {
        uri: a.get("uri")?.as_str()?.to_owned(),
        schema_title: a.get("schemaTitle")?.as_str()?.to_owned(),
        metadata: a.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

/// What a run needs besides the pipeline.
pub(crate) struct Context<'a> {
    pub runner: &'a Runner,
    pub params: &'a Map<String, Value>,
    pub root: PathBuf,
    pub run_id: String,
    pub cache_dir: Option<PathBuf>,
    pub env: Vec<Vec<(String, String)>>,
    pub venvs: Vec<Option<PathBuf>>,
    pub cancel: Arc<AtomicBool>,
    pub progress: &'a mut Progress,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Pending,
    Running,
    Done(TaskState),
}

struct Inst {
    task: usize,
    ctx: Vec<usize>,
    st: St,
    record: Option<TaskRecord>,
}

enum Items {
    Known(Vec<Value>),
    Pending,
    Blocked,
}

enum Decision {
    Wait,
    Done(TaskState, Option<String>),
    Ready(TaskInputs),
}

/// An input resolved in a task's iteration.
enum Resolved {
    Value(Value),
    Artifacts(Vec<ArtifactRecord>),
    Absent,
}

struct Sched<'p, 'c> {
    p: &'p Pipeline,
    cx: Context<'c>,
    /// Per task: its loop groups, outermost first.
    loops: Vec<Vec<usize>>,
    /// Per task: all its groups, outermost first.
    ancestors: Vec<Vec<usize>>,
    /// Per task: whether every iteration it will have exists.
    complete: Vec<bool>,
    insts: Vec<Inst>,
    index: HashMap<(usize, Vec<usize>), usize>,
    items: HashMap<(usize, Vec<usize>), Vec<Value>>,
    running: usize,
    parallelism: usize,
}

/// Runs `pipeline` and returns one record per task iteration, in pipeline order.
pub(crate) fn run(p: &Pipeline, cx: Context<'_>) -> Vec<TaskRecord> {
    let n = p.tasks.len();
    let mut ancestors = vec![Vec::new(); n];
    let mut loops = vec![Vec::new(); n];
    for (t, task) in p.tasks.iter().enumerate() {
        let mut g = task.group;
        while let Some(i) = g {
            ancestors[t].insert(0, i);
            if matches!(p.groups[i].kind, GroupKind::Loop { .. }) {
                loops[t].insert(0, i);
            }
            g = p.groups[i].parent;
        }
    }
    let parallelism = cx
        .runner
        .parallelism
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let mut s = Sched {
        p,
        cx,
        loops,
        ancestors,
        complete: vec![false; n],
        insts: Vec::new(),
        index: HashMap::new(),
        items: HashMap::new(),
        running: 0,
        parallelism: parallelism.max(1),
    };
    s.run_loop();
    s.records()
}

impl Sched<'_, '_> {
    fn run_loop(&mut self) {
        let (tx, rx) = mpsc::channel::<(usize, TaskRecord)>();
        loop {
            self.expand();
            self.cx.progress.set_total(self.insts.len());
            let mut progressed = false;
            for i in 0..self.insts.len() {
                if self.insts[i].st != St::Pending {
                    continue;
                }
                match self.decide(i) {
                    Decision::Wait => {}
                    Decision::Done(state, error) => {
                        self.finish_unrun(i, state, error);
                        progressed = true;
                    }
                    Decision::Ready(inputs) => {
                        if self.cx.cancel.load(Ordering::SeqCst) {
                            self.finish_unrun(
                                i,
                                TaskState::NotRun,
                                Some("the run was interrupted".into()),
                            );
                            progressed = true;
                        } else if self.has_room(i) {
                            self.start(i, inputs, tx.clone());
                            progressed = true;
                        }
                    }
                }
            }
            if progressed {
                continue;
            }
            if self.running == 0 {
                break;
            }
            // Wake up now and then to keep the live progress line's clock going.
            let (i, record) = match rx.recv_timeout(Duration::from_millis(250)) {
                Ok(done) => done,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.cx.progress.tick();
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            self.running -= 1;
            self.insts[i].st = St::Done(record.state);
            self.cx.progress.finished(&record);
            self.insts[i].record = Some(record);
        }
        // Whatever is left waits on something that never came.
        for i in 0..self.insts.len() {
            if self.insts[i].st == St::Pending {
                self.finish_unrun(
                    i,
                    TaskState::NotRun,
                    Some("what it waits for never came".into()),
                );
            }
        }
    }

    fn name(&self, task: usize, ctx: &[usize]) -> String {
        let mut name = self.p.tasks[task].name.clone();
        for i in ctx {
            name.push_str(&format!("[{i}]"));
        }
        name
    }

    fn dir(&self, task: usize, ctx: &[usize]) -> PathBuf {
        let mut dir = self.cx.root.join(&self.p.tasks[task].name);
        for i in ctx {
            dir.push(i.to_string());
        }
        dir
    }

    fn blank_record(&self, task: usize, ctx: &[usize], state: TaskState) -> TaskRecord {
        let t = &self.p.tasks[task];
        TaskRecord {
            name: self.name(task, ctx),
            task: t.name.clone(),
            display_name: t.display_name.clone(),
            iteration: ctx.to_vec(),
            state,
            attempts: 0,
            duration: Duration::ZERO,
            outputs: Map::new(),
            artifacts: BTreeMap::new(),
            dir: None,
            log: None,
            error: None,
        }
    }

    fn finish_unrun(&mut self, i: usize, state: TaskState, error: Option<String>) {
        let mut record = self.blank_record(self.insts[i].task, &self.insts[i].ctx.clone(), state);
        record.error = error;
        self.cx.progress.finished(&record);
        self.insts[i].st = St::Done(state);
        self.insts[i].record = Some(record);
    }

    fn records(mut self) -> Vec<TaskRecord> {
        let mut order: Vec<usize> = (0..self.insts.len()).collect();
        order.sort_by(|a, b| {
            let (x, y) = (&self.insts[*a], &self.insts[*b]);
            (x.task, &x.ctx).cmp(&(y.task, &y.ctx))
        });
        let mut out = Vec::new();
        let mut seen = vec![false; self.p.tasks.len()];
        for i in order {
            seen[self.insts[i].task] = true;
            if let Some(r) = self.insts[i].record.take() {
                out.push(r);
            }
        }
        // A task in a loop whose items never came has no iteration: one row says so.
        for (t, was) in seen.iter().enumerate() {
            if !was {
                let mut r = self.blank_record(t, &[], TaskState::NotRun);
                r.error = Some("its loop's items never came".into());
                let pos = out.iter().position(|o| {
                    self.p
                        .tasks
                        .iter()
                        .position(|x| x.name == o.task)
                        .unwrap_or(0)
                        > t
                });
                match pos {
                    Some(p) => out.insert(p, r),
                    None => out.push(r),
                }
            }
        }
        out
    }

    // ---- expansion of loops -------------------------------------------------------------

    fn expand(&mut self) {
        for t in 0..self.p.tasks.len() {
            self.complete[t] = true;
            let mut ctx = Vec::new();
            self.enumerate(t, &mut ctx);
        }
    }

    fn enumerate(&mut self, t: usize, ctx: &mut Vec<usize>) {
        let level = ctx.len();
        if level == self.loops[t].len() {
            let key = (t, ctx.clone());
            if !self.index.contains_key(&key) {
                self.index.insert(key, self.insts.len());
                self.insts.push(Inst {
                    task: t,
                    ctx: ctx.clone(),
                    st: St::Pending,
                    record: None,
                });
            }
            return;
        }
        let g = self.loops[t][level];
        match self.loop_items(g, ctx) {
            Items::Known(list) => {
                for i in 0..list.len() {
                    ctx.push(i);
                    self.enumerate(t, ctx);
                    ctx.pop();
                }
            }
            Items::Pending => self.complete[t] = false,
            Items::Blocked => {}
        }
    }

    fn loop_items(&mut self, g: usize, outer: &[usize]) -> Items {
        if let Some(list) = self.items.get(&(g, outer.to_vec())) {
            return Items::Known(list.clone());
        }
        let GroupKind::Loop { items, .. } = &self.p.groups[g].kind else {
            return Items::Blocked;
        };
        let value = match items {
            LoopItems::Static(list) => Value::Array(list.clone()),
            LoopItems::Param(name) => self.cx.params.get(name).cloned().unwrap_or(Value::Null),
            // Every iteration of the producer, in order: its values, or its files as items
            // that stand for them.
            LoopItems::Collected { task, output } => {
                let p = task.index();
                if !self.complete[p] {
                    return Items::Pending;
                }
                let mut found: Vec<&Inst> = self.insts.iter().filter(|x| x.task == p).collect();
                found.sort_by(|a, b| a.ctx.cmp(&b.ctx));
                let mut list = Vec::new();
                for x in found {
                    match x.st {
                        St::Pending | St::Running => return Items::Pending,
                        St::Done(s) if !s.has_outputs() => continue,
                        St::Done(_) => {}
                    }
                    let key = io_name(&self.p.tasks[p].component, output).into_owned();
                    let Some(r) = &x.record else { continue };
                    if let Some(v) = r.outputs.get(&key) {
                        list.push(v.clone());
                    } else if let Some(a) = r.artifacts.get(&key) {
                        list.push(json!({ FILE_ITEM: {
                            "uri": a.uri, "schemaTitle": a.schema_title, "metadata": a.metadata,
                        }}));
                    }
                }
                Value::Array(list)
            }
            LoopItems::Output { task, output } => {
                let p = task.index();
                let pctx = &outer[..self.loops[p].len().min(outer.len())];
                match self
                    .index
                    .get(&(p, pctx.to_vec()))
                    .map(|&i| self.insts[i].st)
                {
                    None if self.complete[p] => return Items::Blocked,
                    None | Some(St::Pending | St::Running) => return Items::Pending,
                    Some(St::Done(s)) if !s.has_outputs() => return Items::Blocked,
                    Some(St::Done(_)) => {
                        let i = self.index[&(p, pctx.to_vec())];
                        let key = io_name(&self.p.tasks[p].component, output).into_owned();
                        self.insts[i]
                            .record
                            .as_ref()
                            .and_then(|r| r.outputs.get(&key).cloned())
                            .unwrap_or(Value::Null)
                    }
                }
            }
        };
        let list = match value {
            Value::Array(list) => list,
            Value::String(text) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Array(list)) => list,
                _ => return Items::Blocked,
            },
            _ => return Items::Blocked,
        };
        self.items.insert((g, outer.to_vec()), list.clone());
        Items::Known(list)
    }

    // ---- deciding a task's fate ------------------------------------------------------------

    /// The instances of task `p` that task `t`'s iteration `ctx` sees: the one in the same
    /// iterations, or all iterations of the loops `t` is not in.
    fn matching(&self, p: usize, t: usize, ctx: &[usize]) -> Vec<usize> {
        let common = self.loops[p]
            .iter()
            .zip(&self.loops[t])
            .take_while(|(a, b)| a == b)
            .count();
        let prefix = &ctx[..common.min(ctx.len())];
        let mut out: Vec<usize> = self
            .insts
            .iter()
            .enumerate()
            .filter(|(_, x)| x.task == p && x.ctx.starts_with(prefix))
            .map(|(i, _)| i)
            .collect();
        out.sort_by(|a, b| self.insts[*a].ctx.cmp(&self.insts[*b].ctx));
        out
    }

    fn decide(&mut self, i: usize) -> Decision {
        let t = self.insts[i].task;
        let ctx = self.insts[i].ctx.clone();
        let task = &self.p.tasks[t];
        // (producer, whether its data is used)
        let mut refs: Vec<(TaskId, bool)> = Vec::new();
        for arg in task.args.iter().flatten() {
            match arg {
                Arg::Output { task, .. } => refs.push((*task, true)),
                Arg::Collected { task, .. } => refs.push((*task, false)),
                // Only one branch runs: a skipped one does not skip this task.
                Arg::OneOf { outputs } => refs.extend(outputs.iter().map(|(t, _)| (*t, false))),
                _ => {}
            }
        }
        refs.extend(task.after.iter().map(|a| (*a, false)));
        for &g in &self.ancestors[t] {
            for c in conditions(&self.p.groups[g].kind) {
                for arg in [&c.lhs, &c.rhs] {
                    if let Arg::Output { task, .. } = arg {
                        refs.push((*task, true));
                    }
                }
            }
        }
        let mut skipped = false;
        for (p, data) in refs {
            let p = p.index();
            if !self.complete[p] {
                return Decision::Wait;
            }
            let found = self.matching(p, t, &ctx);
            if found.is_empty() && data {
                return Decision::Done(
                    TaskState::NotRun,
                    Some(format!("upstream `{}` did not run", self.p.tasks[p].name)),
                );
            }
            for x in found {
                match self.insts[x].st {
                    St::Pending | St::Running => return Decision::Wait,
                    St::Done(TaskState::Skipped) => skipped |= data,
                    St::Done(s) if !s.has_outputs() => {
                        return Decision::Done(
                            TaskState::NotRun,
                            Some(format!(
                                "upstream `{}` {}",
                                self.insts[x]
                                    .record
                                    .as_ref()
                                    .map_or("?", |r| r.name.as_str()),
                                s
                            )),
                        )
                    }
                    St::Done(_) => {}
                }
            }
        }
        if skipped {
            return Decision::Done(
                TaskState::Skipped,
                Some("an upstream task was skipped".into()),
            );
        }
        for &g in &self.ancestors[t].clone() {
            if !self.group_holds(g, t, &ctx) {
                return Decision::Done(TaskState::Skipped, None);
            }
        }
        let mut inputs = TaskInputs::default();
        let component = task.component.clone();
        // An exit task waits for its group, then learns how it ended.
        if let Some(g) = self.exit_group(t) {
            let Some(status) = self.group_status(g) else {
                return Decision::Wait;
            };
            for fi in component.final_status_inputs() {
                if let Some(input) = component.inputs.get(fi) {
                    inputs.params.insert(input.name.clone(), status.clone());
                }
            }
        }
        for (input, arg) in component.inputs.iter().zip(&task.args) {
            if input.final_status {
                continue;
            }
            let Some(arg) = arg else { continue };
            let name = io_name(&component, &input.name).into_owned();
            match self.resolve(arg, t, &ctx) {
                Resolved::Value(v) => {
                    inputs.params.insert(name, coerce(input.kind, v));
                }
                Resolved::Artifacts(list) => {
                    inputs.artifacts.insert(name, list);
                }
                Resolved::Absent => {}
            }
        }
        Decision::Ready(inputs)
    }

    fn exit_group(&self, t: usize) -> Option<usize> {
        self.p.groups.iter().position(|g| {
            matches!(&g.kind, GroupKind::ExitHandler { exit_task, .. } if exit_task.index() == t)
        })
    }

    /// How exit handler group `g` ended, as a `TaskFinalStatus` JSON; `None` while a task in it
    /// may still run.
    fn group_status(&self, g: usize) -> Option<Value> {
        let mut failed: Option<String> = None;
        let mut cancelled = false;
        for t in 0..self.p.tasks.len() {
            if !self.ancestors[t].contains(&g) {
                continue;
            }
            if !self.complete[t] {
                return None;
            }
            for x in self.insts.iter().filter(|x| x.task == t) {
                match x.st {
                    St::Pending | St::Running => return None,
                    St::Done(TaskState::Cancelled) => cancelled = true,
                    St::Done(s) if s.is_failure() || s == TaskState::NotRun => {
                        if failed.is_none() && s != TaskState::NotRun {
                            failed = x.record.as_ref().map(|r| r.name.clone());
                        }
                    }
                    St::Done(_) => {}
                }
            }
        }
        let group = &self.p.groups[g];
        let (state, code, message) = if cancelled || self.cx.cancel.load(Ordering::SeqCst) {
            (
                "CANCELLED",
                Some(1),
                Some("the run was interrupted".to_owned()),
            )
        } else if let Some(task) = failed {
            ("FAILED", Some(2), Some(format!("task `{task}` failed")))
        } else {
            ("SUCCEEDED", None, None)
        };
        let status = crate::TaskFinalStatus {
            state: state.into(),
            pipeline_job_resource_name: self.cx.run_id.clone(),
            pipeline_task_name: group
                .display_name()
                .map_or_else(|| group.v2_name(), str::to_owned),
            error_code: code,
            error_message: message,
        };
        Some(status.to_json())
    }

    /// Whether group `g` lets task `t`'s iteration `ctx` run (a condition or branch holds).
    fn group_holds(&self, g: usize, t: usize, ctx: &[usize]) -> bool {
        match &self.p.groups[g].kind {
            GroupKind::Condition { condition, .. } => self.eval(condition, t, ctx),
            GroupKind::Branch {
                negated, condition, ..
            } => {
                negated.iter().all(|c| !self.eval(c, t, ctx))
                    && condition.as_ref().is_none_or(|c| self.eval(c, t, ctx))
            }
            _ => true,
        }
    }

    fn eval(&self, c: &Condition, t: usize, ctx: &[usize]) -> bool {
        let (Resolved::Value(a), Resolved::Value(b)) =
            (self.resolve(&c.lhs, t, ctx), self.resolve(&c.rhs, t, ctx))
        else {
            return false;
        };
        compare(c.kind, &a, c.op, &b)
    }

    fn resolve(&self, arg: &Arg, t: usize, ctx: &[usize]) -> Resolved {
        match arg {
            Arg::Constant(v) => Resolved::Value(v.clone()),
            Arg::Param(name) => self
                .cx
                .params
                .get(name)
                .cloned()
                .map_or(Resolved::Absent, Resolved::Value),
            Arg::LoopItem { group, field } => {
                let Some(pos) = self.loops[t].iter().position(|g| g == group) else {
                    return Resolved::Absent;
                };
                let item = self
                    .items
                    .get(&(*group, ctx[..pos].to_vec()))
                    .and_then(|l| l.get(ctx[pos]))
                    .cloned();
                match (item, field) {
                    (Some(v), None) => match file_item(&v) {
                        Some(a) => Resolved::Artifacts(vec![a]),
                        None => Resolved::Value(v),
                    },
                    (Some(v), Some(f)) => {
                        v.get(f).cloned().map_or(Resolved::Absent, Resolved::Value)
                    }
                    (None, _) => Resolved::Absent,
                }
            }
            Arg::Output { task, output } => {
                let found = self.matching(task.index(), t, ctx);
                match found.first() {
                    Some(&x) => self.output_of(x, output),
                    None => Resolved::Absent,
                }
            }
            // The output of whichever branch ran (kfp's `dsl.OneOf`).
            Arg::OneOf { outputs } => outputs
                .iter()
                .map(
                    |(task, output)| match self.matching(task.index(), t, ctx).first() {
                        Some(&x) => self.output_of(x, output),
                        None => Resolved::Absent,
                    },
                )
                .find(|r| !matches!(r, Resolved::Absent))
                .unwrap_or(Resolved::Absent),
            Arg::Collected { task, output } => {
                let mut values = Vec::new();
                let mut artifacts = Vec::new();
                for x in self.matching(task.index(), t, ctx) {
                    match self.output_of(x, output) {
                        Resolved::Value(v) => values.push(v),
                        Resolved::Artifacts(a) => artifacts.extend(a),
                        Resolved::Absent => {}
                    }
                }
                if artifacts.is_empty() {
                    Resolved::Value(Value::Array(values))
                } else {
                    Resolved::Artifacts(artifacts)
                }
            }
        }
    }

    fn output_of(&self, x: usize, output: &str) -> Resolved {
        let Some(r) = &self.insts[x].record else {
            return Resolved::Absent;
        };
        let key = io_name(&self.p.tasks[self.insts[x].task].component, output).into_owned();
        if let Some(v) = r.outputs.get(&key) {
            return Resolved::Value(v.clone());
        }
        match r.artifacts.get(&key) {
            Some(a) => Resolved::Artifacts(vec![a.clone()]),
            None => Resolved::Absent,
        }
    }

    // ---- starting tasks ------------------------------------------------------------------

    fn has_room(&self, i: usize) -> bool {
        if self.running >= self.parallelism {
            return false;
        }
        let t = self.insts[i].task;
        let ctx = &self.insts[i].ctx;
        for (level, &g) in self.loops[t].iter().enumerate() {
            let GroupKind::Loop {
                parallelism: Some(limit),
                ..
            } = &self.p.groups[g].kind
            else {
                continue;
            };
            // Iterations of this loop (in the same outer iterations) with a task running.
            let mut busy: Vec<usize> = self
                .insts
                .iter()
                .filter(|x| {
                    x.st == St::Running
                        && self.loops[x.task].get(level) == Some(&g)
                        && x.ctx.len() > level
                        && x.ctx[..level] == ctx[..level]
                })
                .map(|x| x.ctx[level])
                .collect();
            busy.sort_unstable();
            busy.dedup();
            if !busy.contains(&ctx[level]) && busy.len() >= *limit as usize {
                return false;
            }
        }
        true
    }

    fn start(&mut self, i: usize, inputs: TaskInputs, tx: mpsc::Sender<(usize, TaskRecord)>) {
        let t = self.insts[i].task;
        let ctx = self.insts[i].ctx.clone();
        let task = &self.p.tasks[t];
        let record = self.blank_record(t, &ctx, TaskState::NotRun);
        let job = Job {
            component: task.component.clone(),
            inputs,
            dir: self.dir(t, &ctx),
            root: self.cx.root.clone(),
            env: self.cx.env[t].clone(),
            context: vec![
                ("KFP_PIPELINE_NAME".into(), self.p.name.clone()),
                ("KFP_TASK_NAME".into(), task.name.clone()),
                ("KFP_RUN_ID".into(), self.cx.run_id.clone()),
            ],
            venv: self.cx.venvs[t].clone(),
            timeout: task
                .settings
                .timeout
                .as_ref()
                .map(|d| Duration::from_secs(d.seconds)),
            retry: task.settings.retry.clone(),
            // An exit task reacts to how this run's group ended: never from the cache.
            cache: if task.caching && task.component.final_status_inputs().next().is_none() {
                self.cx.cache_dir.clone()
            } else {
                None
            },
            exec: self.cx.runner.exec.clone(),
            cancel: self.cx.cancel.clone(),
            echo: (!self.cx.runner.quiet).then(|| record.name.clone()),
        };
        self.cx.progress.started(&record.name);
        self.insts[i].st = St::Running;
        self.running += 1;
        std::thread::spawn(move || {
            let record = job.run(record);
            let _ = tx.send((i, record));
        });
    }
}
