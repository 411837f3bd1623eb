//! Code generation for `#[component]`. Reads only the model; cannot fail.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::ast::Component;
use crate::expand::{krate, respan};

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
    let key = ident.unraw().to_string();
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
        let name = p.ident.unraw().to_string();
        let kfp = respan(kfp.clone(), ty.span());
        if is_output_file(ty) {
            quote_spanned!(ty.span()=> #kfp::__private::output_file::<#ty>(#name))
        } else if is_final_status(ty) {
            quote_spanned!(ty.span()=> #kfp::__private::final_status_input(#name))
        } else if let Some(default) = &p.default {
            quote_spanned!(default.span()=> #kfp::__private::input_with_default::<#ty>(
                #name,
                #kfp::__private::IntoArg::<#ty>::into_arg(#default),
            ))
        } else {
            quote_spanned!(ty.span()=> #kfp::__private::input::<#ty>(#name))
        }
    });
    let in_params = || c.params.iter().filter(|p| !is_output_file(&p.ty));
    let out_files: Vec<_> = c.params.iter().filter(|p| is_output_file(&p.ty)).collect();
    // The bound is spanned on the input's type: "required by this bound" points there. KFP
    // fills in a final status: the task does not take it.
    let task_params = in_params().filter(|p| !is_final_status(&p.ty)).map(|p| {
        let ty = &p.ty;
        let id = p.ident.clone();
        let kfp = respan(kfp.clone(), ty.span());
        quote_spanned!(ty.span()=> #id: impl #kfp::__private::IntoArg<#ty>)
    });
    let task_args = in_params().map(|p| {
        let ty = &p.ty;
        let id = p.ident.clone();
        if is_final_status(ty) {
            quote!(::core::option::Option::None)
        } else {
            quote_spanned!(ty.span()=> #kfp::__private::arg::<#ty, _>(#id))
        }
    });
    // Spanned like `inputs` and in the same body, so that rustc reports a type that is not a
    // KFP parameter type once.
    let reads = c.params.iter().map(|p| {
        let ty = &p.ty;
        let id = format_ident!("__kfp_in_{}", p.ident.unraw());
        let name = p.ident.unraw().to_string();
        let kfp = respan(kfp.clone(), ty.span());
        if is_output_file(ty) {
            quote_spanned!(ty.span()=> let #id: #ty = #kfp::__private::Invocation::output_file::<#ty>(__kfp_inv, #name)?;)
        } else if is_final_status(ty) {
            quote_spanned!(ty.span()=> let #id: #ty = #kfp::__private::Invocation::final_status(__kfp_inv, #name)?;)
        } else {
            quote_spanned!(ty.span()=> let #id: #ty = #kfp::__private::Invocation::input::<#ty>(__kfp_inv, #name)?;)
        }
    });
    let call_args = c
        .params
        .iter()
        .map(|p| format_ident!("__kfp_in_{}", p.ident.unraw()));
    let ret_span = c.ret.as_ref().map(|t| t.span()).unwrap_or(ident.span());
    let ret_kfp = respan(kfp.clone(), ret_span);
    let ret_handles =
        quote_spanned!(ret_span=> <#ret as #ret_kfp::__private::ComponentReturn>::Handles);
    // A component that writes files gets a handles struct of its own: one field per file,
    // and `output` for what it returns.
    let (handles, outputs_struct) = if out_files.is_empty() {
        (ret_handles, quote!())
    } else {
        let fields = out_files.iter().map(|p| {
            let id = &p.ident;
            let ty = &p.ty;
            let doc = format!("The `{id}` file.");
            quote!(#[doc = #doc] pub #id: #kfp::__private::TaskOutput<#ty>)
        });
        let inits = out_files.iter().map(|p| {
            let id = &p.ident;
            let name = id.unraw().to_string();
            quote!(#id: #kfp::__private::TaskOutput::new(__kfp_task, #name))
        });
        let (ret_field, ret_init) = if c.ret.is_some() {
            (
                quote!(#[doc = "What the component returns."] pub output: #ret_handles,),
                quote!(output: #kfp::__private::OutputHandles::from_task(__kfp_task),),
            )
        } else {
            (quote!(), quote!())
        };
        let doc = format!("The outputs of a task running [`{key}()`](super::{key}).");
        (
            quote!(Outputs),
            quote! {
                #[doc = #doc]
                #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug)]
                pub struct Outputs {
                    #(#fields,)*
                    #ret_field
                }

                #[automatically_derived]
                impl #kfp::__private::OutputHandles for Outputs {
                    fn from_task(__kfp_task: #kfp::__private::TaskId) -> Self {
                        Outputs { #(#inits,)* #ret_init }
                    }
                }
            },
        )
    };
    let output_specs =
        quote_spanned!(ret_span=> <#ret as #ret_kfp::__private::ComponentReturn>::output_specs());
    let finish = quote_spanned!(ret_span=> #ret_kfp::__private::Invocation::finish::<#ret>(__kfp_inv, __kfp_ret));
    // `task` is spanned on the function's name: "function defined here" points there.
    let task = syn::Ident::new("task", ident.span());
    // Spanned on the return type, so that one that is not a component return type is
    // reported there instead of on the attribute.
    let task_ret = quote_spanned!(ret_span=> #ret_kfp::__private::Task<#handles>);

    let mod_doc = format!(
        "The KFP component generated from [`{key}()`]: `{key}::task(..)` adds a task running it to the pipeline being built, `{key}::spec()` describes it."
    );
    quote! {
        #original

        #[doc = #mod_doc]
        #[allow(unused_imports, clippy::module_name_repetitions)]
        #vis mod #ident {
            use super::*;

            #outputs_struct

            /// Adds a task running this component to the pipeline being built.
            #[allow(clippy::too_many_arguments)]
            pub fn #task(#(#task_params),*) -> #task_ret {
                #kfp::__private::add_task(
                    spec(),
                    ::core::convert::From::from([#(#task_args),*]),
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
                            ::core::convert::From::from([#(#inputs),*]),
                            #output_specs,
                            |__kfp_inv| {
                                #(#reads)*
                                let __kfp_ret = super::#ident(#(#call_args),*);
                                #finish
                            },
                        )
                    });
                ::core::clone::Clone::clone(&*__KFP_SPEC)
            }
        }
    }
}

/// Whether `ty` is `TaskFinalStatus`: KFP fills such a parameter with how an exit handler's
/// group ended, so it is an input of the component but not an argument of its task.
fn is_final_status(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "TaskFinalStatus" && s.arguments.is_none()),
        _ => false,
    }
}

/// Whether `ty` is an output file (`OutputPath<..>`): such a parameter is an output of the
/// component, not an argument of its task.
fn is_output_file(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "OutputPath"),
        _ => false,
    }
}
