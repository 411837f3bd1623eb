//! The description of components and pipelines that the compilers read.

pub mod component;
pub(crate) mod io;
pub mod pipeline;
