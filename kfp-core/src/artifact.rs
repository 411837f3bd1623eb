//! Files passed between tasks: [`InputPath`] and [`OutputPath`], typed by an artifact kind
//! ([`Dataset`], [`Model`], [`Metrics`], [`Csv`], or the untyped [`Artifact`]; for what the
//! KFP UI shows, [`ClassificationMetrics`], [`Markdown`], [`Html`] and the others of
//! [`crate::ui`]).
//!
//! A component parameter of type `OutputPath<K>` is an output: the component writes the file
//! at that path, and downstream tasks take it as an `InputPath<K>`. KFP v1 names the artifact
//! after the parameter less a trailing `_path` or `_file` (`dataset_path` → `dataset`), KFP v2
//! after the parameter as written.
//!
//! ```
//! use kfp_core::prelude::*;
//! use kfp_core::artifact::Csv;
//!
//! #[component]
//! fn make_dataset(rows: i64, dataset_path: OutputPath<Csv>) -> Result<(), BoxError> {
//!     std::fs::write(&dataset_path, "0,0\n".repeat(rows as usize))?;
//!     Ok(())
//! }
//!
//! #[component]
//! fn count_rows(dataset_path: InputPath<Csv>) -> Result<i64, BoxError> {
//!     Ok(std::fs::read_to_string(&dataset_path)?.lines().count() as i64)
//! }
//!
//! #[pipeline(name = "files")]
//! fn files() {
//!     let data = make_dataset(3);
//!     count_rows(data.outputs().dataset_path);
//! }
//! fn main() {
//! assert_eq!(files().tasks.len(), 2);
//! }
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::types::{KfpType, ParamKind, ValueError};

/// The type of an artifact, as both targets name it.
///
/// More may be said about a type in a later release (KFP v2's schema version, say), so it is
/// built with [`ArtifactType::new`], not a struct literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ArtifactType {
    /// The KFP v1 type name (`CSV`, `Model`), or `None` for an untyped file.
    pub v1_type: Option<&'static str>,
    /// The KFP v2 schema title (`system.Dataset`).
    pub schema_title: &'static str,
}

impl ArtifactType {
    /// The type KFP v1 calls `v1_type` (`None`: an untyped file) and KFP v2 `schema_title`,
    /// for an [`ArtifactKind`] of your own.
    ///
    /// ```
    /// use kfp_core::artifact::{ArtifactKind, ArtifactType};
    ///
    /// /// A Parquet file.
    /// struct Parquet;
    /// impl ArtifactKind for Parquet {
    ///     const TYPE: ArtifactType = ArtifactType::new(Some("Parquet"), "system.Dataset");
    /// }
    /// assert_eq!(Parquet::TYPE.schema_title, "system.Dataset");
    /// ```
    pub const fn new(v1_type: Option<&'static str>, schema_title: &'static str) -> Self {
        ArtifactType {
            v1_type,
            schema_title,
        }
    }
}

/// A kind of artifact: a marker type for [`InputPath`] and [`OutputPath`].
pub trait ArtifactKind {
    /// The kind's names on both targets.
    const TYPE: ArtifactType;
}

macro_rules! kinds {
    ($($(#[$doc:meta])* $name:ident => $v1:expr, $v2:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;
        impl ArtifactKind for $name {
            const TYPE: ArtifactType = ArtifactType { v1_type: $v1, schema_title: $v2 };
        }
    )*};
}

kinds! {
    /// Any file (v1: untyped, v2: `system.Artifact`).
    Artifact => None, "system.Artifact";
    /// A data set (v1 `Dataset`, v2 `system.Dataset`).
    Dataset => Some("Dataset"), "system.Dataset";
    /// A trained model (v1 `Model`, v2 `system.Model`).
    Model => Some("Model"), "system.Model";
    /// Metrics (v1 `Metrics`, v2 `system.Metrics`).
    Metrics => Some("Metrics"), "system.Metrics";
    /// A CSV file (v1 `CSV`, v2 `system.Artifact`).
    Csv => Some("CSV"), "system.Artifact";
    /// A confusion matrix and a ROC curve (v2 `system.ClassificationMetrics`), logged with
    /// [`OutputPath::log_confusion_matrix`] and [`OutputPath::log_roc_curve`].
    ClassificationMetrics => Some("ClassificationMetrics"), "system.ClassificationMetrics";
    /// Classification metrics per slice of the data (v2 `system.SlicedClassificationMetrics`).
    SlicedClassificationMetrics =>
        Some("SlicedClassificationMetrics"), "system.SlicedClassificationMetrics";
    /// A Markdown file the KFP UI renders (v2 `system.Markdown`).
    Markdown => Some("Markdown"), "system.Markdown";
    /// An HTML file the KFP UI renders (v2 `system.HTML`).
    Html => Some("HTML"), "system.HTML";
    /// The KFP v1 UI's viewers (v1 `UI_metadata`): a parameter `mlpipeline_ui_metadata_path`
    /// of this kind is the special output `mlpipeline-ui-metadata`, written with
    /// [`UiMetadataFile`](crate::ui::v1::UiMetadataFile).
    UiMetadata => Some("UI_metadata"), "system.Artifact";
}

macro_rules! path_type {
    ($(#[$doc:meta])* $name:ident, $rust:literal) => {
        $(#[$doc])*
        pub struct $name<K = Artifact> {
            path: PathBuf,
            _k: PhantomData<fn() -> K>,
        }

        impl<K> $name<K> {
            /// The file at `path`.
            pub fn new(path: impl Into<PathBuf>) -> Self {
                $name { path: path.into(), _k: PhantomData }
            }

            /// The path.
            pub fn path(&self) -> &Path {
                &self.path
            }
        }

        impl<K> Clone for $name<K> {
            fn clone(&self) -> Self {
                Self::new(self.path.clone())
            }
        }

        impl<K> fmt::Debug for $name<K> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", $rust, self.path.display())
            }
        }

        impl<K> PartialEq for $name<K> {
            fn eq(&self, other: &Self) -> bool {
                self.path == other.path
            }
        }

        impl<K> std::ops::Deref for $name<K> {
            type Target = Path;
            fn deref(&self) -> &Path {
                &self.path
            }
        }

        impl<K> AsRef<Path> for $name<K> {
            fn as_ref(&self) -> &Path {
                &self.path
            }
        }

        impl<K: ArtifactKind> KfpType for $name<K> {
            const KIND: ParamKind = ParamKind::String;
            const RUST_NAME: &'static str = $rust;
            const ARTIFACT: Option<ArtifactType> = Some(K::TYPE);
            fn to_json(&self) -> Value {
                Value::String(self.path.to_string_lossy().into_owned())
            }
            fn from_json(value: &Value) -> Result<Self, ValueError> {
                match value {
                    Value::String(s) => Self::from_text(s),
                    _ => Err(ValueError::expected_text("a file path")),
                }
            }
            fn from_text(text: &str) -> Result<Self, ValueError> {
                if text.is_empty() {
                    Err(ValueError::expected_text("a file path"))
                } else {
                    Ok(Self::new(text))
                }
            }
        }
    };
}

path_type!(
    /// A file an upstream task wrote, read by this component (kfp's `InputPath`, `Input[...]`).
    InputPath,
    "InputPath"
);
path_type!(
    /// A file this component writes for downstream tasks (kfp's `OutputPath`, `Output[...]`).
    /// Its parent folder exists when the component starts.
    OutputPath,
    "OutputPath"
);

/// The name KFP v1 gives an artifact parameter: less a trailing `_path` or `_file`.
///
/// ```
/// assert_eq!(kfp_core::artifact::v1_name("dataset_path"), "dataset");
/// assert_eq!(kfp_core::artifact::v1_name("metrics_file"), "metrics");
/// assert_eq!(kfp_core::artifact::v1_name("model"), "model");
/// ```
pub fn v1_name(name: &str) -> &str {
    name.strip_suffix("_path")
        .or_else(|| name.strip_suffix("_file"))
        .filter(|n| !n.is_empty())
        .unwrap_or(name)
}

/// A file an upstream task writes feeds an input file of the same kind.
impl<K: ArtifactKind> crate::dsl::IntoArg<InputPath<K>> for crate::dsl::TaskOutput<OutputPath<K>> {
    fn into_arg(self) -> crate::spec::pipeline::Arg {
        crate::spec::pipeline::Arg::Output {
            task: self.task(),
            output: self.name().to_owned(),
        }
    }
}
