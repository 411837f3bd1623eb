//! The model the expansion reads: a component, a pipeline, a named-outputs struct.

use syn::{Attribute, Expr, FnArg, Ident, ItemFn, Pat, ReturnType, Type, Visibility};

use crate::attr::{self, ComponentArgs, PipelineArgs};
use crate::errors::Errors;

/// One parameter of a component or pipeline function.
pub(crate) struct Param {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// `#[kfp(default = ...)]`: a pipeline parameter's default, or a component input's (which
    /// makes the input optional).
    pub(crate) default: Option<Expr>,
}

/// A `#[component]` function.
pub(crate) struct Component {
    pub(crate) ident: Ident,
    pub(crate) vis: Visibility,
    pub(crate) args: ComponentArgs,
    pub(crate) params: Vec<Param>,
    /// The return type; `None` for `()`.
    pub(crate) ret: Option<Type>,
    /// The doc comment, used as the description when none is given.
    pub(crate) doc: Option<String>,
    /// The function as written.
    pub(crate) original: ItemFn,
}

/// A `#[pipeline]` function.
pub(crate) struct Pipeline {
    pub(crate) ident: Ident,
    pub(crate) vis: Visibility,
    pub(crate) args: PipelineArgs,
    pub(crate) params: Vec<Param>,
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) doc: Option<String>,
    pub(crate) original: ItemFn,
}

/// The text of the `///` comments in `attrs`, one line each, trimmed as rustdoc does.
pub(crate) fn doc_text(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|l| l.strip_prefix(' ').map(str::to_owned).unwrap_or(l))
        .collect();
    let text = lines.join("\n").trim().to_owned();
    if text.is_empty() {
        None
    } else {
        Some(text)
    }
}

/// The parameters of `item`, a `what` (`component` or `pipeline`) function; our helper
/// attributes are taken off them. `#[kfp(...)]` is allowed on pipeline parameters only.
fn params(errors: &mut Errors, item: &mut ItemFn, what: &str) -> Vec<Param> {
    let allow_helper = what == "pipeline";
    let mut out = Vec::new();
    for input in &mut item.sig.inputs {
        match input {
            FnArg::Receiver(r) => errors.spanned(
                &*r,
                format!(
                    "a {what} function cannot take `self`; `#[{what}]` goes on a free function"
                ),
            ),
            FnArg::Typed(pt) => {
                let mut default = None;
                let mut kept = Vec::new();
                let mut seen_kfp = false;
                for a in pt.attrs.drain(..) {
                    if a.path().is_ident("kfp") {
                        if seen_kfp {
                            errors.spanned(
                                &a,
                                "a second `#[kfp(..)]` on one parameter; give `default` once, in one `#[kfp(default = ...)]`",
                            );
                            continue;
                        }
                        seen_kfp = true;
                        default = attr::param_default(errors, &a);
                    } else {
                        kept.push(a);
                    }
                }
                pt.attrs = kept;
                match &*pt.pat {
                    Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                        out.push(Param {
                            ident: pi.ident.clone(),
                            ty: (*pt.ty).clone(),
                            default,
                        })
                    }
                    other => errors.spanned(
                        other,
                        format!("a {what} parameter must be a plain name, like `epochs: i64`: it becomes the KFP {} of that name", if allow_helper { "parameter" } else { "input" }),
                    ),
                }
            }
        }
    }
    out
}

impl Component {
    /// Builds the model and strips our helper attributes from `item`.
    pub(crate) fn from_syn(errors: &mut Errors, args: ComponentArgs, mut item: ItemFn) -> Self {
        let params = params(errors, &mut item, "component");
        let ret = match &item.sig.output {
            ReturnType::Default => None,
            ReturnType::Type(_, ty) => match &**ty {
                Type::Tuple(t) if t.elems.is_empty() => None,
                ty => Some(ty.clone()),
            },
        };
        Component {
            ident: item.sig.ident.clone(),
            vis: item.vis.clone(),
            doc: doc_text(&item.attrs),
            args,
            params,
            ret,
            original: item,
        }
    }
}

impl Pipeline {
    /// Builds the model and strips our helper attributes from `item`.
    pub(crate) fn from_syn(errors: &mut Errors, args: PipelineArgs, mut item: ItemFn) -> Self {
        let params = params(errors, &mut item, "pipeline");
        Pipeline {
            ident: item.sig.ident.clone(),
            vis: item.vis.clone(),
            attrs: item.attrs.clone(),
            doc: doc_text(&item.attrs),
            args,
            params,
            original: item,
        }
    }
}
