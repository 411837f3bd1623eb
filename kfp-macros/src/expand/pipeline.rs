//! Code generation for `#[pipeline]`.
//!
//! The function becomes `fn name() -> kfp_core::Pipeline`, which builds the pipeline: each
//! parameter becomes a typed placeholder (`Param<T>`) and each component call (`comp(..)`)
//! becomes `comp::task(..)`, which adds a task.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Expr, Stmt};

use crate::ast::Pipeline;
use crate::expand::{krate, respan};

/// Rewrites every component call `path(args)` in a pipeline body into `path::task(args)`,
/// wherever it stands: statements, `let`s, arguments, blocks, loops, branches and the closures
/// of `Condition::then`, `ParallelFor::run` and `ExitHandler::run`. Macro invocations and
/// nested items are left alone.
struct Rewrite;

impl syn::visit_mut::VisitMut for Rewrite {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let Expr::Path(p) = &mut *call.func {
            if p.qself.is_none() && is_component_path(&p.path) {
                let span = p
                    .path
                    .segments
                    .last()
                    .map_or_else(proc_macro2::Span::call_site, |s| s.ident.span());
                p.path
                    .segments
                    .push(syn::PathSegment::from(syn::Ident::new("task", span)));
            }
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// A component is a function whose path is all lower-case (`train`, `steps::train`).
/// `ParallelFor::new(..)`, `Some(..)`, `String::from(..)` and `i64::from(..)` are not;
/// neither is anything
/// from `std`, `core`, `alloc` or `kfp_core`, nor a parenthesised path (`(helper)(x)`), which
/// is how a pipeline body calls a plain function.
fn is_component_path(path: &syn::Path) -> bool {
    let first = path.segments.first().map(|s| s.ident.to_string());
    if matches!(
        first.as_deref(),
        Some("std" | "core" | "alloc" | "kfp_core")
    ) {
        return false;
    }
    // `i64::from(3i32)`, `str::len(s)`: a function of a primitive type, not a component.
    let primitive = |s: &syn::PathSegment| {
        matches!(
            s.ident.to_string().as_str(),
            "bool"
                | "char"
                | "str"
                | "f32"
                | "f64"
                | "i8"
                | "i16"
                | "i32"
                | "i64"
                | "i128"
                | "isize"
                | "u8"
                | "u16"
                | "u32"
                | "u64"
                | "u128"
                | "usize"
        )
    };
    if path.segments.len() > 1 && path.segments.iter().any(primitive) {
        return false;
    }
    path.segments.iter().all(|s| {
        s.arguments.is_none()
            && !s
                .ident
                .to_string()
                .trim_start_matches("r#")
                .starts_with(|c: char| c.is_uppercase())
    })
}

fn rewrite_block(stmts: &mut [Stmt]) {
    use syn::visit_mut::VisitMut;
    for stmt in stmts {
        Rewrite.visit_stmt_mut(stmt);
    }
}

pub(crate) fn expand(p: &Pipeline) -> TokenStream {
    let kfp = krate(p.args.krate.as_ref());
    let vis = &p.vis;
    let ident = &p.ident;
    let attrs = &p.attrs;
    let name = p
        .args
        .name
        .as_ref()
        .map(|n| n.value())
        .unwrap_or_else(|| ident.unraw().to_string());
    let description = match p
        .args
        .description
        .as_ref()
        .map(|d| d.value())
        .or_else(|| p.doc.clone())
    {
        Some(d) => quote!(::core::option::Option::Some(#d)),
        None => quote!(::core::option::Option::None),
    };
    let params = p.params.iter().map(|param| {
        let id = &param.ident;
        let ty = &param.ty;
        let pname = id.unraw().to_string();
        let kfp = respan(kfp.clone(), ty.span());
        match &param.default {
            Some(default) => {
                // Spanned on the default, where a value of the wrong type is reported.
                let span = default.span();
                let default_kfp = respan(kfp.clone(), span);
                let default = quote_spanned!(span=> #default_kfp::__private::IntoArg::<#ty>::into_arg(#default));
                quote_spanned! {ty.span()=>
                    #[allow(unused_variables)]
                    let #id: #kfp::__private::Param<#ty> = #kfp::__private::param_with_default::<#ty>(
                        __kfp_params,
                        #pname,
                        #default,
                    );
                }
            }
            // A path call, not a method call, so that a type that is not a KFP parameter
            // type is reported on the type alone.
            None => quote_spanned! {ty.span()=>
                #[allow(unused_variables)]
                let #id: #kfp::__private::Param<#ty> = #kfp::__private::Params::param::<#ty>(
                    __kfp_params,
                    #pname,
                    ::core::option::Option::None,
                );
            },
        }
    });
    let mut body = (*p.original.block).clone();
    rewrite_block(&mut body.stmts);
    let stmts = &body.stmts;
    let doc = format!(
        "Builds the `{name}` pipeline (generated by `#[pipeline]` from the function of that name)."
    );
    let has_doc = p.doc.is_some();
    let doc_attr = if has_doc {
        quote!()
    } else {
        quote!(#[doc = #doc])
    };
    let ret = match &p.original.sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => quote!(#ty),
    };
    let body_fn = quote::format_ident!("__kfp_pipeline_{}", ident.unraw());
    let fn_name = ident.unraw().to_string();
    let outputs_fn = quote::format_ident!("__kfp_outputs_{}", ident.unraw());
    // The one place that needs the return type to be a pipeline's outputs, spanned on it.
    let (ret_span, ret_ty) = match &p.original.sig.output {
        syn::ReturnType::Default => (proc_macro2::Span::call_site(), quote!(())),
        syn::ReturnType::Type(_, ty) => (ty.span(), quote!(#ty)),
    };
    let ret_kfp = respan(kfp.clone(), ret_span);
    let outputs_item = quote_spanned! {ret_span=>
        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #outputs_fn(
            __kfp_returned: &#ret_ty,
        ) -> #ret_kfp::__private::Vec<#ret_kfp::__private::PipelineOutput> {
            #ret_kfp::__private::pipeline_outputs(__kfp_returned)
        }
    };
    let nested_params = p.params.iter().map(|param| {
        let id = &param.ident;
        let ty = &param.ty;
        let kfp = respan(kfp.clone(), ty.span());
        quote_spanned!(ty.span()=> #id: impl #kfp::__private::IntoArg<#ty>)
    });
    let nested_args = p.params.iter().map(|param| {
        let id = &param.ident;
        let ty = &param.ty;
        let pname = id.unraw().to_string();
        quote_spanned!(ty.span()=> (#pname, #kfp::__private::arg::<#ty, _>(#id)))
    });
    let mod_doc = format!(
        "The `{name}` pipeline as a step of another: `{ident}::task(..)` adds its tasks to the pipeline being built and returns what its body returns."
    );
    quote! {
        #(#attrs)*
        #doc_attr
        #vis fn #ident() -> #kfp::Pipeline {
            #kfp::build_pipeline(#name, #description, |__kfp_params: &mut #kfp::__private::Params| {
                let __kfp_returned = #body_fn(__kfp_params);
                #kfp::__private::set_pipeline_outputs(#outputs_fn(&__kfp_returned));
            })
        }

        #outputs_item

        #[doc(hidden)]
        #[allow(non_snake_case, clippy::unused_unit)]
        fn #body_fn(__kfp_params: &mut #kfp::__private::Params) -> #ret {
            #(#params)*
            #(#stmts)*
        }

        #[doc = #mod_doc]
        #[allow(unused_imports, clippy::module_name_repetitions)]
        #vis mod #ident {
            use super::*;

            /// Adds the pipeline's tasks to the pipeline being built, its parameters set to
            /// these arguments (`DEFAULT` takes a parameter's default).
            #[allow(clippy::too_many_arguments)]
            pub fn task(#(#nested_params),*) -> #ret {
                #kfp::__private::nested_pipeline(
                    #name,
                    #fn_name,
                    ::core::convert::From::from([#(#nested_args),*]),
                    super::#body_fn,
                    super::#outputs_fn,
                )
            }
        }
    }
}
