//! Rules that need the whole model, one `check_*` function each.

use syn::{ItemFn, Type};

use crate::ast::{Component, Pipeline};
use crate::errors::Errors;

/// Runs every rule for a component.
pub(crate) fn check_component(errors: &mut Errors, c: &Component) {
    check_signature(errors, &c.original, "component");
    check_param_types(errors, c.params.iter().map(|p| &p.ty));
    check_packages(errors, c);
    if let Some(ret) = &c.ret {
        check_type(errors, ret, "return");
    }
    if let Some(image) = &c.args.base_image {
        if image.value().trim().is_empty() {
            errors.spanned(image, "`base_image` must not be empty");
        }
    }
}

/// Runs every rule for a pipeline.
pub(crate) fn check_pipeline(errors: &mut Errors, p: &Pipeline) {
    check_signature(errors, &p.original, "pipeline");
    check_param_types(errors, p.params.iter().map(|p| &p.ty));
    check_pipeline_name(errors, p);
    if let syn::ReturnType::Type(_, ty) = &p.original.sig.output {
        errors.spanned(
            ty,
            "a pipeline function returns nothing: its body only calls components",
        );
    }
}

fn check_signature(errors: &mut Errors, item: &ItemFn, what: &str) {
    let sig = &item.sig;
    if let Some(a) = &sig.asyncness {
        errors.spanned(
            a,
            format!("a {what} function cannot be `async`; KFP runs it as a process step, so make it a plain `fn`"),
        );
    }
    if let Some(c) = &sig.constness {
        errors.spanned(c, format!("a {what} function cannot be `const`"));
    }
    if let Some(u) = &sig.unsafety {
        errors.spanned(u, format!("a {what} function cannot be `unsafe`"));
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(
            abi,
            format!("a {what} function cannot have an `extern` ABI"),
        );
    }
    if !sig.generics.params.is_empty() {
        errors.spanned(
            &sig.generics,
            format!("a {what} function cannot be generic: each KFP input needs one concrete type"),
        );
    } else if let Some(w) = &sig.generics.where_clause {
        errors.spanned(w, format!("a {what} function cannot have a `where` clause"));
    }
    if let Some(v) = &sig.variadic {
        errors.spanned(v, format!("a {what} function cannot be variadic"));
    }
}

fn check_param_types<'a>(errors: &mut Errors, types: impl Iterator<Item = &'a Type>) {
    for ty in types {
        check_type(errors, ty, "parameter");
    }
}

fn check_type(errors: &mut Errors, ty: &Type, what: &str) {
    match ty {
        Type::ImplTrait(t) => errors.spanned(
            t,
            format!("`impl Trait` is not allowed as a {what} type: each KFP input or output needs one concrete type"),
        ),
        Type::Reference(r) if what == "parameter" => errors.spanned(
            r,
            "a component or pipeline parameter must be an owned type (`String`, not `&str`): its value arrives from the command line",
        ),
        Type::Infer(t) => errors.spanned(t, format!("the {what} type must be written out")),
        _ => {}
    }
}

fn check_packages(errors: &mut Errors, c: &Component) {
    for p in &c.args.packages {
        let v = p.value();
        if v.trim().is_empty() {
            errors.spanned(p, "a package in `packages` must not be empty");
        } else if v.chars().any(char::is_control) {
            errors.spanned(
                p,
                "a package in `packages` must not contain newlines or other control characters",
            );
        }
    }
}

/// kfp's sanitising: lower-case, runs outside `[-0-9a-z]` become `-`, `-` runs collapse and
/// are trimmed. Kept equal to `kfp_core::spec::component::sanitize_name`.
pub(crate) fn sanitize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.to_lowercase().chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out.trim_matches('-').to_owned()
}

fn check_pipeline_name(errors: &mut Errors, p: &Pipeline) {
    let Some(name) = &p.args.name else { return };
    let sanitized = sanitize_name(&name.value());
    if sanitized.is_empty() || sanitized.len() > 128 {
        errors.spanned(
            name,
            format!(
                "invalid pipeline name {:?}: after KFP's sanitising it becomes {:?}, which does not match `^[a-z0-9][a-z0-9-]{{0,127}}$`; use lower-case letters, digits and `-`",
                name.value(),
                sanitized
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::ComponentArgs;
    use syn::parse_quote;

    fn component_errors(item: ItemFn) -> Vec<String> {
        let mut errors = Errors::new();
        let c = Component::from_syn(&mut errors, ComponentArgs::default(), item);
        check_component(&mut errors, &c);
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn generic_fn() {
        let e = component_errors(parse_quote!(
            fn f<T>(x: T) {}
        ));
        assert_eq!(e.len(), 1);
        assert!(e[0].contains("cannot be generic"));
    }

    #[test]
    fn async_fn() {
        let e = component_errors(parse_quote!(
            async fn f() {}
        ));
        assert!(e[0].contains("cannot be `async`"));
    }

    #[test]
    fn pattern_and_reference_params() {
        let e = component_errors(parse_quote!(
            fn f((a, b): (i64, i64), s: &str) {}
        ));
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("plain name"));
        assert!(e[1].contains("owned type"));
    }

    #[test]
    fn sanitizes_like_kfp() {
        assert_eq!(sanitize_name("My Pipeline_Name"), "my-pipeline-name");
        assert_eq!(sanitize_name("!!!"), "");
    }
}
