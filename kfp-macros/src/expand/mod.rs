//! Parse, validate, expand: the entry points behind the attribute shims.

pub(crate) mod component;
pub(crate) mod outputs;
pub(crate) mod pipeline;

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::quote;

use crate::{ast, attr, errors::Errors, fallback, valid};

/// `#[component(args)] item`.
pub(crate) fn component(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let e = syn::Error::new_spanned(
                &item,
                "`#[component]` goes on a free function, like `fn train(epochs: i64) { ... }`",
            );
            return fallback::untouched(item, e);
        }
    };
    let mut errors = Errors::new();
    let args = attr::component_args(&mut errors, args);
    let model = ast::Component::from_syn(&mut errors, args, func);
    valid::check_component(&mut errors, &model);
    match errors.finish() {
        Ok(()) => component::expand(&model),
        Err(e) => fallback::component(&model, e),
    }
}

/// `#[pipeline(args)] item`.
pub(crate) fn pipeline(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let e = syn::Error::new_spanned(
                &item,
                "`#[pipeline]` goes on a free function, like `fn my_pipeline(epochs: i64) { ... }`",
            );
            return fallback::untouched(item, e);
        }
    };
    let mut errors = Errors::new();
    let args = attr::pipeline_args(&mut errors, args);
    let model = ast::Pipeline::from_syn(&mut errors, args, func);
    valid::check_pipeline(&mut errors, &model);
    match errors.finish() {
        Ok(()) => pipeline::expand(&model),
        Err(e) => fallback::pipeline(&model, e),
    }
}

/// `#[derive(Outputs)]`.
pub(crate) fn derive_outputs(item: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(item) {
        Ok(input) => outputs::expand(&input).unwrap_or_else(|e| e.to_compile_error()),
        Err(e) => e.to_compile_error(),
    }
}

/// The path of the runtime crate: `crate = ...` or `::kfp_core`.
pub(crate) fn krate(path: Option<&syn::Path>) -> TokenStream {
    match path {
        Some(p) => quote!(#p),
        None => quote!(::kfp_core),
    }
}

/// `tokens` with every span set to `span`, so that an error about the tokens (a path into
/// kfp_core, say) lands on the user's code they stand for instead of on the attribute.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => {
                let mut out = Group::new(g.delimiter(), respan(g.stream(), span));
                out.set_span(span);
                TokenTree::Group(out)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
