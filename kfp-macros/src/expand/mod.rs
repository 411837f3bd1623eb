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
            let e = not_a_fn(
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
            let e = not_a_fn(
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

/// The error for an attribute on something other than a function with a body, spanned on
/// the item's keyword (`struct`, `impl`, ...) when there is one.
fn not_a_fn(item: &TokenStream, msg: &str) -> syn::Error {
    use quote::ToTokens;
    use syn::Item;
    let (keyword, what) = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Struct(i)) => (i.struct_token.into_token_stream(), "a struct"),
        Ok(Item::Enum(i)) => (i.enum_token.into_token_stream(), "an enum"),
        Ok(Item::Union(i)) => (i.union_token.into_token_stream(), "a union"),
        Ok(Item::Impl(i)) => (i.impl_token.into_token_stream(), "an `impl` block"),
        Ok(Item::Trait(i)) => (i.trait_token.into_token_stream(), "a trait"),
        Ok(Item::Mod(i)) => (i.mod_token.into_token_stream(), "a module"),
        Ok(Item::Const(i)) => (i.const_token.into_token_stream(), "a constant"),
        Ok(Item::Static(i)) => (i.static_token.into_token_stream(), "a static"),
        Ok(Item::Type(i)) => (i.type_token.into_token_stream(), "a type alias"),
        Ok(Item::Use(i)) => (i.use_token.into_token_stream(), "a `use`"),
        _ => return syn::Error::new_spanned(item, msg),
    };
    syn::Error::new_spanned(keyword, format!("{msg}, not on {what}"))
}

/// `#[derive(Outputs)]`.
pub(crate) fn derive_outputs(item: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(item) {
        Ok(input) => outputs::expand_or_stub(&input),
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
