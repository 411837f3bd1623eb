//! `.after(..)` a whole group: a task that waits for every task of an exit handler's group
//! (kfp's `task.after(exit_handler)`, the only group both kfp 1.8.9 and kfp 2.17.3 take
//! there).

use super::{ExitHandler, GroupKind};
use crate::dsl::Task;
use crate::error::BuildError;
use crate::spec::pipeline::Pipeline;

/// A group a task can run `.after(..)`: what [`ExitHandler::run_group`] gives back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupHandle {
    pipeline: u64,
    index: usize,
}

impl GroupHandle {
    /// The group's index in [`Pipeline::groups`].
    pub fn index(self) -> usize {
        self.index
    }
}

impl ExitHandler {
    /// [`run`](ExitHandler::run), also giving back the group, for tasks that run after it
    /// ([`Task::after_group`]), like `with dsl.ExitHandler(t) as eh: ...` and
    /// `task.after(eh)`.
    ///
    /// ```
    /// use kfp_core::prelude::*;
    ///
    /// #[component]
    /// fn say(s: String) {
    ///     println!("{s}");
    /// }
    ///
    /// fn main() {
    /// let p = kfp_core::build_pipeline("p", None, |_| {
    ///     let done = say::task("done".to_owned());
    ///     let (group, ()) = ExitHandler::new(&done).run_group(|| {
    ///         say::task("inside".to_owned());
    ///     });
    ///     say::task("after".to_owned()).after_group(&group);
    /// });
    /// let ir = Compiler::new().compile(&p, Target::V2).unwrap();
    /// assert!(ir.contains("- exit-handler-1"));
    /// }
    /// ```
    pub fn run_group<R>(self, body: impl FnOnce() -> R) -> (GroupHandle, R) {
        let pipeline = self.exit_task.pipeline;
        let kind = GroupKind::ExitHandler {
            exit_task: self.exit_task,
            name: self.name,
        };
        let mut index = usize::MAX;
        let r = super::build::with_loop(kind, |g| {
            index = g;
            body()
        });
        (GroupHandle { pipeline, index }, r)
    }
}

impl<O> Task<O> {
    /// Runs this task after every task of `group` has ended (`task.after(exit_handler)`).
    pub fn after_group(self, group: &GroupHandle) -> Self {
        if group.pipeline != self.id().pipeline {
            let task = self.name();
            self.record(BuildError::ForeignTask { task, input: None });
            return self;
        }
        let g = group.index;
        self.update(|t| {
            if !t.settings.after_groups.contains(&g) {
                t.settings.after_groups.push(g);
            }
        })
    }
}

/// A task that runs after a group it is inside of waits for itself.
pub(crate) fn check(p: &Pipeline, errors: &mut Vec<BuildError>) {
    for task in &p.tasks {
        for &g in &task.settings.after_groups {
            let Some(group) = p.groups.get(g) else {
                errors.push(BuildError::Internal(format!(
                    "task `{}` runs after a group that does not exist",
                    task.name
                )));
                continue;
            };
            let mut inside = task.group;
            while let Some(i) = inside {
                if i == g {
                    errors.push(BuildError::InvalidGroup {
                        group: group.name(),
                        message: format!(
                            "task `{}` is inside this group and runs after it, so it would \
                             wait for itself",
                            task.name
                        ),
                    });
                    break;
                }
                inside = p.groups[i].parent;
            }
        }
    }
}
