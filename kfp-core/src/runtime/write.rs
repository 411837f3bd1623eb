//! Writing a run's output files as one set: every file goes to a temporary file beside its
//! final path first, and only when all are written are they renamed into place.
//!
//! Each temporary file has an unpredictable name and is created exclusively (`O_EXCL`, by the
//! `tempfile` crate), so a file or symlink planted in the output folder is never written
//! through; its name is short, so an output whose own name is near the 255-byte limit still
//! gets one. On a failure, what this run created (temporary files, renamed outputs, folders)
//! is removed, so no final path is left holding part of a set.

use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// The output files of one run, written to temporary files until [`OutputSet::commit`].
#[derive(Debug, Default)]
pub struct OutputSet {
    staged: Vec<(PathBuf, NamedTempFile)>,
    created_dirs: Vec<PathBuf>,
}

/// A write that failed: the final path it was for, and the error.
#[derive(Debug)]
pub struct WriteError {
    /// The output's final path.
    pub path: PathBuf,
    /// What went wrong.
    pub error: std::io::Error,
}

impl OutputSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `bytes` to a new temporary file in `path`'s folder (creating the folder) that
    /// [`OutputSet::commit`] renames to `path`. On an error, everything this set created is
    /// removed.
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let result = self.try_stage(path, bytes);
        if result.is_err() {
            self.discard(&[]);
        }
        result.map_err(|error| WriteError {
            path: path.to_path_buf(),
            error,
        })
    }

    fn try_stage(&mut self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        self.create_dir_all(dir)?;
        let mut file = tempfile::Builder::new()
            .prefix(".kfp-out-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        self.staged.push((path.to_path_buf(), file));
        Ok(())
    }

    /// Creates `dir` and its missing parents, remembering the ones this set created.
    fn create_dir_all(&mut self, dir: &Path) -> std::io::Result<()> {
        let missing: Vec<PathBuf> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect();
        std::fs::create_dir_all(dir)?;
        // Outermost last, so that removing in order empties inner folders first.
        self.created_dirs.extend(missing);
        Ok(())
    }

    /// Renames every staged file to its final path, in the order staged. If one rename
    /// fails, the outputs already renamed and the files not yet renamed are removed.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let mut staged = std::mem::take(&mut self.staged).into_iter();
        let mut done: Vec<PathBuf> = Vec::new();
        while let Some((path, file)) = staged.next() {
            if let Err(e) = file.persist(&path) {
                // Dropping a temporary file removes it: this one, then those not reached.
                drop(e.file);
                staged.by_ref().for_each(drop);
                self.discard(&done);
                return Err(WriteError {
                    path,
                    error: e.error,
                });
            }
            done.push(path);
        }
        Ok(())
    }

    /// Removes the temporary files, the final paths in `renamed` and the folders this set
    /// created (those left empty).
    fn discard(&mut self, renamed: &[PathBuf]) {
        self.staged.clear();
        for path in renamed {
            let _ = std::fs::remove_file(path);
        }
        for dir in self.created_dirs.drain(..) {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kfp-write-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn nothing_reaches_a_final_path_before_commit() {
        let dir = scratch("commit");
        let (a, b) = (dir.join("a/data"), dir.join("b/data"));
        let mut set = OutputSet::new();
        set.stage(&a, b"1").unwrap();
        set.stage(&b, b"2").unwrap();
        assert!(!a.exists() && !b.exists());
        set.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "1");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "2");
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("a")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only `data` is left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_stage_removes_what_the_set_created() {
        let dir = scratch("fail");
        let a = dir.join("new/a");
        // A folder where the file should go: the rename fails.
        let blocked = dir.join("blocked");
        std::fs::create_dir_all(blocked.join("x")).unwrap();
        let mut set = OutputSet::new();
        set.stage(&a, b"1").unwrap();
        set.stage(&blocked, b"2").unwrap();
        let e = set.commit().unwrap_err();
        assert_eq!(e.path, blocked);
        assert!(!a.exists(), "the first output is removed again");
        assert!(!dir.join("new").exists(), "the folder it made is removed");
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["blocked"], "no temporary file is left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_written_through() {
        let dir = scratch("symlink");
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        // The names the old code used, and a few more, all pointing at the victim.
        for i in 0..50 {
            let _ = std::os::unix::fs::symlink(&victim, dir.join(format!(".sum.tmp{i}")));
        }
        let _ = std::os::unix::fs::symlink(
            &victim,
            dir.join(format!(".sum.tmp{}", std::process::id())),
        );
        let out = dir.join("sum");
        let mut set = OutputSet::new();
        set.stage(&out, b"42").unwrap();
        set.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "42");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_name_at_the_length_limit_still_gets_a_temporary_file() {
        let dir = scratch("long");
        let out = dir.join("n".repeat(250));
        let mut set = OutputSet::new();
        set.stage(&out, b"x").unwrap();
        set.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "x");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
