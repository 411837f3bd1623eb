//! Code generation for `#[component]`. Reads only the model; cannot fail.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::Component;
use crate::expand::krate;

fn opt_str(kfp: &TokenStream, s: Option<String>) -> TokenStream {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => {
            let _ = kfp;
            quote!(::core::option::Option::None)
        }
    }
}

pub(crate) fn expand(c: &Component) -> TokenStream {
    let kfp = krate(c.args.krate.as_ref());
    let original = &c.original;
    let vis = &c.vis;
    let ident = &c.ident;
    let key = ident.to_string();
    let ret = match &c.ret {
        Some(t) => quote!(#t),
        None => quote!(()),
    };

    let name = opt_str(&kfp, c.args.name.as_ref().map(|n| n.value()));
    let description = opt_str(
        &kfp,
        c.args
            .description
            .as_ref()
            .map(|d| d.value())
            .or_else(|| c.doc.clone()),
    );
    let base_image = opt_str(&kfp, c.args.base_image.as_ref().map(|b| b.value()));
    let packages: Vec<String> = c.args.packages.iter().map(|p| p.value()).collect();

    let inputs = c.params.iter().map(|p| {
        let ty = &p.ty;
        let name = p.ident.to_string();
        quote_spanned!(ty.span()=> #kfp::__private::input::<#ty>(#name))
    });
    let task_params = c.params.iter().map(|p| {
        let ty = &p.ty;
        let id = format_ident!("{}", p.ident);
        quote_spanned!(ty.span()=> #id: impl #kfp::__private::IntoArg<#ty>)
    });
    let task_args = c.params.iter().map(|p| {
        let ty = &p.ty;
        let id = format_ident!("{}", p.ident);
        quote_spanned!(ty.span()=> #kfp::__private::arg::<#ty, _>(#id))
    });
    let reads = c.params.iter().map(|p| {
        let ty = &p.ty;
        let id = format_ident!("__kfp_in_{}", p.ident);
        let name = p.ident.to_string();
        quote_spanned!(ty.span()=> let #id: #ty = __kfp_inv.input::<#ty>(#name)?;)
    });
    let call_args = c
        .params
        .iter()
        .map(|p| format_ident!("__kfp_in_{}", p.ident));
    let ret_span = c.ret.as_ref().map(|t| t.span()).unwrap_or(ident.span());
    let handles = quote_spanned!(ret_span=> <#ret as #kfp::__private::ComponentReturn>::Handles);
    let output_specs =
        quote_spanned!(ret_span=> <#ret as #kfp::__private::ComponentReturn>::output_specs());

    let mod_doc = format!(
        "The KFP component generated from [`{key}()`]: `{key}::task(..)` adds a task running it to the pipeline being built, `{key}::spec()` describes it."
    );
    quote! {
        #original

        #[doc = #mod_doc]
        #[allow(unused_imports, clippy::module_name_repetitions)]
        #vis mod #ident {
            use super::*;

            /// Adds a task running this component to the pipeline being built.
            #[allow(clippy::too_many_arguments)]
            pub fn task(#(#task_params),*) -> #kfp::__private::Task<#handles> {
                #kfp::__private::add_task(
                    spec(),
                    #kfp::__private::Vec::from([#(#task_args),*]),
                )
            }

            /// The component's description: name, image, packages, inputs and outputs.
            pub fn spec() -> #kfp::__private::Arc<#kfp::__private::ComponentSpec> {
                static __KFP_SPEC: #kfp::__private::LazyLock<#kfp::__private::Arc<#kfp::__private::ComponentSpec>> =
                    #kfp::__private::LazyLock::new(|| {
                        #kfp::__private::component(
                            #key,
                            #name,
                            #description,
                            #base_image,
                            &[#(#packages),*],
                            #kfp::__private::Vec::from([#(#inputs),*]),
                            #output_specs,
                            __kfp_run,
                        )
                    });
                #kfp::__private::Arc::clone(&__KFP_SPEC)
            }

            fn __kfp_run(
                __kfp_inv: &mut #kfp::__private::Invocation<'_>,
            ) -> ::core::result::Result<(), #kfp::__private::RunError> {
                #(#reads)*
                let __kfp_ret = super::#ident(#(#call_args),*);
                __kfp_inv.finish(__kfp_ret)
            }
        }
    }
}
