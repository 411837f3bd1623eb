//! The description of components and pipelines that the compilers read.

pub mod component;
pub mod container;
pub(crate) mod io;
pub mod pipeline;
