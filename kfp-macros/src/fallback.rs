//! What to emit when expansion fails: the user's item (so the rest of the crate keeps
//! compiling and IDEs keep working), the errors, and a small stub in place of the generated
//! items.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::{Component, Pipeline};
use crate::expand::krate;

/// The input untouched, followed by the error.
pub(crate) fn untouched(item: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    quote!(#item #error)
}

/// The component function as written, its errors, and a module of the same name whose
/// `task(..)` takes anything and adds nothing, so that pipelines naming it report nothing more.
pub(crate) fn component(c: &Component, error: syn::Error) -> TokenStream {
    let original = &c.original;
    let error = error.to_compile_error();
    // A method stays where it is, in an `impl`, where a module cannot go.
    if original.sig.receiver().is_some() {
        return quote!(#original #error);
    }
    let vis = &c.vis;
    let ident = &c.ident;
    let task = syn::Ident::new("task", ident.span());
    let kfp = krate(c.args.krate.as_ref());
    let params = c
        .params
        .iter()
        .map(|_| quote!(_: impl ::core::marker::Sized));
    let handles = stub_handles(c, &kfp);
    quote! {
        #original
        #error
        #[doc(hidden)]
        #[allow(dead_code, unused_imports, clippy::pedantic)]
        #vis mod #ident {
            use super::*;

            pub fn #task(#(#params),*) -> #kfp::__private::Task<#handles> {
                #kfp::__private::stub_task()
            }
        }
    }
}

/// The task handles of the stub: the real ones when the return type can name them (so that
/// `.output()` keeps type-checking), `()` when the return type is itself in question.
fn stub_handles(c: &Component, kfp: &TokenStream) -> TokenStream {
    let generic = !c.original.sig.generics.params.is_empty();
    match &c.ret {
        Some(ret) if !generic && !matches!(ret, syn::Type::ImplTrait(_) | syn::Type::Infer(_)) => {
            quote!(<#ret as #kfp::__private::ComponentReturn>::Handles)
        }
        _ => quote!(()),
    }
}

/// A pipeline function that builds an empty pipeline, and the errors.
pub(crate) fn pipeline(p: &Pipeline, error: syn::Error) -> TokenStream {
    let vis = &p.vis;
    let ident = &p.ident;
    let attrs = &p.attrs;
    let error = error.to_compile_error();
    let kfp = krate(p.args.krate.as_ref());
    quote! {
        #error
        #(#attrs)*
        #vis fn #ident() -> #kfp::Pipeline {
            #kfp::build_pipeline("", ::core::option::Option::None, |_| {})
        }
    }
}
