//! Code generation for `#[pipeline]`.
//!
//! The function becomes `fn name() -> kfp_core::Pipeline`, which builds the pipeline: each
//! parameter becomes a typed placeholder (`Param<T>`) and each component call at statement
//! level (`let t = comp(..);`, `comp(..).after(&t);`) becomes `comp::task(..)`, which adds a task.
//! The same holds inside Rust blocks, loops and branches, and inside closures passed to methods
//! (the bodies of `Condition::then`, `ParallelFor::run`, `ExitHandler::run`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Stmt};

use crate::ast::Pipeline;
use crate::expand::krate;

/// Rewrites a component call `path(args)` into `path::task(args)`, following method chains
/// (`comp(..).set_display_name(..)`) down to the call, and `.output()`/`.outputs()` chains
/// inside arguments.
fn rewrite_expr(expr: &mut Expr) {
    match expr {
        Expr::Call(call) => {
            if let Expr::Path(p) = &mut *call.func {
                if p.qself.is_none() && is_component_path(&p.path) {
                    let span = p.path.segments.last().map(|s| s.ident.span());
                    let ident =
                        syn::Ident::new("task", span.unwrap_or_else(proc_macro2::Span::call_site));
                    p.path.segments.push(syn::PathSegment::from(ident));
                }
            }
            for arg in &mut call.args {
                rewrite_arg(arg);
            }
        }
        Expr::MethodCall(m) => {
            rewrite_expr(&mut m.receiver);
            for arg in &mut m.args {
                rewrite_arg(arg);
            }
        }
        Expr::Paren(p) => rewrite_expr(&mut p.expr),
        // Plain Rust control flow runs when the pipeline is built (like a Python loop in a
        // kfp pipeline function), so component calls inside it add tasks too.
        Expr::Block(b) => rewrite_block(&mut b.block.stmts),
        Expr::ForLoop(f) => rewrite_block(&mut f.body.stmts),
        Expr::While(w) => rewrite_block(&mut w.body.stmts),
        Expr::Loop(l) => rewrite_block(&mut l.body.stmts),
        Expr::If(i) => {
            rewrite_block(&mut i.then_branch.stmts);
            if let Some((_, e)) = &mut i.else_branch {
                rewrite_expr(e);
            }
        }
        Expr::Match(m) => {
            for arm in &mut m.arms {
                rewrite_expr(&mut arm.body);
            }
        }
        _ => {}
    }
}

/// A component is a function: every segment of its path is lower-case (`train`,
/// `crate::steps::train`). `ParallelFor::new(..)`, `Some(..)` and `String::from(..)` are not.
fn is_component_path(path: &syn::Path) -> bool {
    path.segments.iter().all(|s| {
        s.arguments.is_none()
            && !s
                .ident
                .to_string()
                .trim_start_matches("r#")
                .starts_with(|c: char| c.is_uppercase())
    })
}

/// Inside arguments only `comp(..).output()`-style chains are component calls; anything else
/// (`String::from("x")`) is left alone.
fn rewrite_arg(expr: &mut Expr) {
    match expr {
        Expr::MethodCall(m) if is_output_chain(m) => rewrite_expr(&mut m.receiver),
        Expr::Reference(r) => rewrite_arg(&mut r.expr),
        Expr::Field(f) => rewrite_arg(&mut f.base),
        // The body of a condition, loop or exit handler (`.then(|| { .. })`) is pipeline code.
        Expr::Closure(c) => match &mut *c.body {
            Expr::Block(b) => rewrite_block(&mut b.block.stmts),
            body => rewrite_expr(body),
        },
        _ => {}
    }
}

fn is_output_chain(m: &syn::ExprMethodCall) -> bool {
    (m.method == "output" || m.method == "outputs")
        && matches!(&*m.receiver, Expr::Call(_) | Expr::MethodCall(_))
}

fn rewrite_block(stmts: &mut [Stmt]) {
    for stmt in stmts {
        match stmt {
            Stmt::Local(local) => {
                if let Some(init) = &mut local.init {
                    rewrite_expr(&mut init.expr);
                }
            }
            Stmt::Expr(e, _) => rewrite_expr(e),
            _ => {}
        }
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
        .unwrap_or_else(|| ident.to_string());
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
        let pname = id.to_string();
        match &param.default {
            Some(default) => quote_spanned! {ty.span()=>
                #[allow(unused_variables)]
                let #id: #kfp::__private::Param<#ty> = #kfp::__private::param_with_default::<#ty>(
                    __kfp_params,
                    #pname,
                    #kfp::__private::IntoArg::<#ty>::into_arg(#default),
                );
            },
            None => quote_spanned! {ty.span()=>
                #[allow(unused_variables)]
                let #id: #kfp::__private::Param<#ty> = __kfp_params.param::<#ty>(#pname, ::core::option::Option::None);
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
    quote! {
        #(#attrs)*
        #doc_attr
        #vis fn #ident() -> #kfp::Pipeline {
            #kfp::build_pipeline(#name, #description, |__kfp_params: &mut #kfp::__private::Params| {
                #(#params)*
                #(#stmts)*
            })
        }
    }
}
