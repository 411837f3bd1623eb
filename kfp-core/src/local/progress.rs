//! What a local run shows while it runs and when it ends: a live progress line on a
//! terminal, plain timestamped lines elsewhere (CI logs), and the summary table.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::record::{RunRecord, TaskRecord};

/// Whether a live progress line is on the terminal: a task's output line clears it first.
pub(crate) static LIVE: AtomicBool = AtomicBool::new(false);

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    /// Nothing (the Rust API's default, `--quiet`).
    Off,
    /// A timestamped line per start and end, for logs.
    Lines,
    /// One line redrawn in place on a terminal: done, running, elapsed.
    Live,
}

/// The progress display of one run.
pub struct Progress {
    mode: ProgressMode,
    start: Instant,
    done: usize,
    total: usize,
    running: Vec<String>,
}

impl Progress {
    /// A display in `mode`.
    pub fn new(mode: ProgressMode) -> Self {
        LIVE.store(mode == ProgressMode::Live, Ordering::SeqCst);
        Progress {
            mode,
            start: Instant::now(),
            done: 0,
            total: 0,
            running: Vec::new(),
        }
    }

    /// Task `name` started.
    pub fn started(&mut self, name: &str) {
        self.running.push(name.to_owned());
        match self.mode {
            ProgressMode::Off => {}
            ProgressMode::Lines => eprintln!("{} started {name}", clock()),
            ProgressMode::Live => self.redraw(),
        }
    }

    /// A task ended (or was decided without running).
    pub fn finished(&mut self, record: &TaskRecord) {
        self.running.retain(|n| *n != record.name);
        self.done += 1;
        match self.mode {
            ProgressMode::Off => {}
            ProgressMode::Lines => eprintln!(
                "{} {} {} ({})",
                clock(),
                record.name,
                record.state,
                seconds(record.duration)
            ),
            ProgressMode::Live => self.redraw(),
        }
    }

    /// How many task runs the pipeline has so far (a loop's iterations count once its items
    /// are known).
    pub fn set_total(&mut self, total: usize) {
        self.total = total;
    }

    /// Redraws the live line (its clock moves on).
    pub fn tick(&mut self) {
        if self.mode == ProgressMode::Live {
            self.redraw();
        }
    }

    /// Clears the live line before the summary.
    pub fn end(&mut self) {
        LIVE.store(false, Ordering::SeqCst);
        if self.mode == ProgressMode::Live {
            eprint!("\r\x1b[K");
            let _ = std::io::stderr().flush();
        }
    }

    fn redraw(&self) {
        let mut running = self.running.join(", ");
        if running.len() > 60 {
            running.truncate(57);
            running.push_str("...");
        }
        eprint!(
            "\r\x1b[K[{}/{} done, {} running] {running} · {}",
            self.done,
            self.total.max(self.done),
            self.running.len(),
            seconds(self.start.elapsed())
        );
        let _ = std::io::stderr().flush();
    }
}

/// `12.3s`, or `2m05s` past a minute.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

/// The time of day in UTC, `HH:MM:SS`.
fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let day = secs % 86_400;
    format!("{:02}:{:02}:{:02}", day / 3600, day / 60 % 60, day % 60)
}

/// `path` relative to the current folder when it is inside it, as the user named it.
fn shown(path: &std::path::Path) -> std::path::PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            path.strip_prefix(cwd)
                .ok()
                .map(std::path::Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf())
}

/// The summary table of a run, then its outputs.
pub fn summary(record: &RunRecord) -> String {
    let rows: Vec<[String; 4]> = record
        .tasks
        .iter()
        .map(|t| {
            let name = match &t.display_name {
                Some(d) => format!("{} ({d})", t.name),
                None => t.name.clone(),
            };
            [
                name,
                t.state.to_string(),
                t.attempts.to_string(),
                if t.attempts == 0 && t.duration.is_zero() {
                    "-".to_owned()
                } else {
                    seconds(t.duration)
                },
            ]
        })
        .collect();
    let header = ["TASK", "STATE", "ATTEMPTS", "DURATION"];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        format!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}\n",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        )
    };
    let mut out = line(header);
    for r in &rows {
        out.push_str(&line([&r[0], &r[1], &r[2], &r[3]]));
    }
    out.push_str(&format!(
        "\nrun {} {} in {} (folder {})\n",
        record.run_id,
        record.state.as_str(),
        seconds(record.elapsed),
        shown(&record.root).display()
    ));
    let mut outputs = String::new();
    for t in &record.tasks {
        for (k, v) in &t.outputs {
            outputs.push_str(&format!("  {}.{k} = {v}\n", t.name));
        }
        for (k, a) in &t.artifacts {
            outputs.push_str(&format!(
                "  {}.{k} = {} ({})\n",
                t.name,
                shown(std::path::Path::new(&a.uri)).display(),
                a.schema_title
            ));
        }
    }
    if !outputs.is_empty() {
        out.push_str("outputs:\n");
        out.push_str(&outputs);
    }
    if !record.outputs.is_empty() || !record.output_artifacts.is_empty() {
        out.push_str("pipeline outputs:\n");
        for (k, v) in &record.outputs {
            out.push_str(&format!("  {k} = {v}\n"));
        }
        for (k, a) in &record.output_artifacts {
            out.push_str(&format!(
                "  {k} = {} ({})\n",
                shown(std::path::Path::new(&a.uri)).display(),
                a.schema_title
            ));
        }
    }
    let metrics = logged_metrics(record);
    if !metrics.is_empty() {
        out.push_str("metrics:\n");
        out.push_str(&metrics);
    }
    for t in record.tasks.iter().filter(|t| t.state.is_failure()) {
        out.push_str(&format!(
            "error: task `{}` {}: {}{}\n",
            t.name,
            t.state,
            t.error.as_deref().unwrap_or("-"),
            t.log
                .as_ref()
                .map_or(String::new(), |l| format!(" (log: {})", shown(l).display()))
        ));
    }
    out
}

/// What the tasks logged for the KFP UI (an output artifact's `metadata`): scalar metrics as
/// `name = value`, a confusion matrix and a ROC curve by their size.
fn logged_metrics(record: &RunRecord) -> String {
    let mut out = String::new();
    for t in &record.tasks {
        for (k, a) in &t.artifacts {
            let Some(meta) = a.metadata.as_object().filter(|m| !m.is_empty()) else {
                continue;
            };
            let shown: Vec<String> = meta
                .iter()
                .map(|(name, v)| match (name.as_str(), v) {
                    ("confusionMatrix", m) => format!(
                        "confusion matrix {}x{}",
                        m["rows"].as_array().map_or(0, Vec::len),
                        m["annotationSpecs"].as_array().map_or(0, Vec::len)
                    ),
                    ("confidenceMetrics", c) => {
                        format!("ROC curve of {} points", c.as_array().map_or(0, Vec::len))
                    }
                    (_, v) => format!("{name} = {v}"),
                })
                .collect();
            out.push_str(&format!("  {}.{k}: {}\n", t.name, shown.join(", ")));
        }
    }
    out
}
