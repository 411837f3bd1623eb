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

/// The component function as written, its errors, and an empty module of the same name, so
/// that pipelines naming it report nothing more.
pub(crate) fn component(c: &Component, error: syn::Error) -> TokenStream {
    let original = &c.original;
    let vis = &c.vis;
    let ident = &c.ident;
    let error = error.to_compile_error();
    let kfp = krate(c.args.krate.as_ref());
    let params = c
        .params
        .iter()
        .map(|_| quote!(_: impl ::core::marker::Sized));
    quote! {
        #original
        #error
        #[doc(hidden)]
        #[allow(dead_code, unused_variables)]
        #vis mod #ident {
            pub fn task(#(#params),*) -> #kfp::__private::Task<()> {
                #kfp::__private::stub_task()
            }
        }
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
