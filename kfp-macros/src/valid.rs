//! Rules that need the whole model, one `check_*` function each.

use syn::{ItemFn, Type};

use crate::ast::{Component, Pipeline};
use crate::errors::Errors;
use crate::sanitize::sanitize_name;

/// Runs every rule for a component.
pub(crate) fn check_component(errors: &mut Errors, c: &Component) {
    check_signature(errors, &c.original, "component");
    check_param_types(errors, c.params.iter().map(|p| &p.ty), "component");
    check_packages(errors, c);
    check_base_image(errors, c);
    check_reserved_names(errors, c);
    if let Some(ret) = &c.ret {
        check_return_type(errors, ret);
    }
}

/// Runs every rule for a pipeline.
pub(crate) fn check_pipeline(errors: &mut Errors, p: &Pipeline) {
    check_signature(errors, &p.original, "pipeline");
    check_param_types(errors, p.params.iter().map(|p| &p.ty), "pipeline");
    check_pipeline_name(errors, p);
}

/// The function is a plain, non-generic, safe Rust `fn`.
fn check_signature(errors: &mut Errors, item: &ItemFn, what: &str) {
    let sig = &item.sig;
    if let Some(a) = &sig.asyncness {
        errors.spanned(
            a,
            format!("a {what} function cannot be `async`: KFP runs it as a step of its own; make it a plain `fn`"),
        );
    }
    if let Some(c) = &sig.constness {
        errors.spanned(
            c,
            format!("a {what} function cannot be `const`; make it a plain `fn`"),
        );
    }
    if let Some(u) = &sig.unsafety {
        errors.spanned(
            u,
            format!("a {what} function cannot be `unsafe`; make it a plain `fn` and put the `unsafe` block inside"),
        );
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(
            abi,
            format!("a {what} function cannot have an `extern` ABI; make it a plain `fn`"),
        );
    }
    if !sig.generics.params.is_empty() {
        errors.spanned(
            &sig.generics,
            format!(
                "a {what} function cannot be generic: each KFP {} needs one concrete type",
                noun(what)
            ),
        );
    } else if let Some(w) = &sig.generics.where_clause {
        errors.spanned(
            w,
            format!("a {what} function cannot have a `where` clause: each KFP {} needs one concrete type", noun(what)),
        );
    }
    if let Some(v) = &sig.variadic {
        errors.spanned(
            v,
            format!(
                "a {what} function cannot be variadic: each KFP {} needs a name and a type",
                noun(what)
            ),
        );
    }
}

/// What a parameter of a `what` function becomes in KFP.
fn noun(what: &str) -> &'static str {
    if what == "pipeline" {
        "parameter"
    } else {
        "input"
    }
}

fn check_param_types<'a>(errors: &mut Errors, types: impl Iterator<Item = &'a Type>, what: &str) {
    for ty in types {
        check_param_type(errors, ty, what);
    }
}

/// A parameter type is owned and written out; whether it is a KFP parameter type is left to
/// the `KfpType` bound, whose message lands on the type.
fn check_param_type(errors: &mut Errors, ty: &Type, what: &str) {
    match ty {
        Type::ImplTrait(t) => errors.spanned(
            t,
            format!("a {what} parameter cannot be `impl Trait`: each KFP {} needs one concrete type, like `String`", noun(what)),
        ),
        Type::Reference(r) => {
            let owned = match &*r.elem {
                Type::Path(p) if p.path.is_ident("str") => "String".to_owned(),
                Type::Slice(s) => format!("Vec<{}>", type_text(&s.elem)),
                other => type_text(other),
            };
            errors.spanned(
                r,
                format!("a {what} parameter must be an owned type, like `{owned}`: KFP passes its value in as text"),
            );
        }
        Type::Infer(t) => errors.spanned(t, format!("a {what} parameter type must be written out")),
        _ => {}
    }
}

/// The return type is written out and names one type.
fn check_return_type(errors: &mut Errors, ty: &Type) {
    match ty {
        Type::ImplTrait(t) => errors.spanned(
            t,
            "a component cannot return `impl Trait`: each KFP output needs one concrete type, like `String`",
        ),
        Type::Infer(t) => errors.spanned(t, "a component's return type must be written out"),
        _ => {}
    }
}

/// A type as the user would write it, for messages.
fn type_text(ty: &Type) -> String {
    quote::ToTokens::to_token_stream(ty)
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}

fn check_base_image(errors: &mut Errors, c: &Component) {
    if let Some(image) = &c.args.base_image {
        if image.value().trim().is_empty() {
            errors.spanned(
                image,
                "`base_image` must not be empty; name an image, like `base_image = \"python:3.11\"`",
            );
        } else if let Err(e) = crate::image_ref::check_image_reference(&image.value()) {
            errors.spanned(
                image,
                format!("`base_image` is not an image reference: {e}; name an image, like `base_image = \"python:3.11\"` or `\"gcr.io/project/image:tag\"`"),
            );
        }
    }
}

/// An input whose KFP v1 flag would be `----output-paths` (`__output_paths`, or
/// `__output_paths_path` for a file) is read as the separator before the output paths, so its
/// pod could never run.
fn check_reserved_names(errors: &mut Errors, c: &Component) {
    use syn::ext::IdentExt;
    for p in &c.params {
        let name = p.ident.unraw().to_string();
        let bare = ["_path", "_file"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(&name);
        if [name.as_str(), bare]
            .iter()
            .any(|n| n.replace('_', "-") == "--output-paths")
        {
            errors.spanned(
                &p.ident,
                format!("`{name}` is reserved: its KFP v1 flag would be `----output-paths`, the separator before the output paths; rename the parameter"),
            );
        }
    }
}

fn check_packages(errors: &mut Errors, c: &Component) {
    for p in &c.args.packages {
        let v = p.value();
        if v.trim().is_empty() {
            errors.spanned(
                p,
                "a package in `packages` must not be empty; name a pip requirement, like `\"mlflow==2.9.2\"`",
            );
        } else if v.chars().any(char::is_control) {
            errors.spanned(
                p,
                "a package in `packages` must not contain newlines or other control characters; give one pip requirement per string",
            );
        }
    }
}

fn check_pipeline_name(errors: &mut Errors, p: &Pipeline) {
    let Some(name) = &p.args.name else { return };
    let value = name.value();
    let sanitized = sanitize_name(&value);
    if sanitized.is_empty() {
        errors.spanned(
            name,
            format!("invalid pipeline name `{value}`: KFP's sanitising leaves nothing of it; use lower-case letters, digits and `-`, like `train-model`"),
        );
    } else if sanitized.len() > 128 {
        errors.spanned(
            name,
            format!("invalid pipeline name: KFP sanitises it to {} characters, more than the 128 KFP allows; shorten it", sanitized.len()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::{self, ComponentArgs};
    use proc_macro2::TokenStream;
    use quote::quote;
    use syn::parse_quote;

    fn messages(errors: Errors) -> Vec<String> {
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn component_errors(item: ItemFn) -> Vec<String> {
        component_errors_with(quote!(), item)
    }

    fn component_errors_with(args: TokenStream, item: ItemFn) -> Vec<String> {
        let mut errors = Errors::new();
        let args: ComponentArgs = attr::component_args(&mut errors, args);
        let c = Component::from_syn(&mut errors, args, item);
        check_component(&mut errors, &c);
        messages(errors)
    }

    fn pipeline_errors(args: TokenStream, item: ItemFn) -> Vec<String> {
        let mut errors = Errors::new();
        let args = attr::pipeline_args(&mut errors, args);
        let p = Pipeline::from_syn(&mut errors, args, item);
        check_pipeline(&mut errors, &p);
        messages(errors)
    }

    /// Asserts that `errors` is exactly one message, `expected`.
    fn assert_one(errors: &[String], expected: &str) {
        assert_eq!(errors, [expected.to_owned()]);
    }

    #[test]
    fn a_plain_component_passes() {
        let e = component_errors(parse_quote!(
            pub fn f(a: i64, b: Option<String>) -> Result<f64, Error> {}
        ));
        assert_eq!(e, Vec::<String>::new());
    }

    #[test]
    fn generic_fn() {
        assert_one(
            &component_errors(parse_quote!(
                fn f<T>(x: T) {}
            )),
            "a component function cannot be generic: each KFP input needs one concrete type",
        );
        assert_one(
            &pipeline_errors(
                quote!(),
                parse_quote!(
                    fn p<T>(x: T) {}
                ),
            ),
            "a pipeline function cannot be generic: each KFP parameter needs one concrete type",
        );
    }

    #[test]
    fn where_clause() {
        assert_one(
            &component_errors(parse_quote!(
                fn f(x: i64) where i64: Copy {}
            )),
            "a component function cannot have a `where` clause: each KFP input needs one concrete type",
        );
    }

    #[test]
    fn async_fn() {
        assert_one(
            &component_errors(parse_quote!(
                async fn f() {}
            )),
            "a component function cannot be `async`: KFP runs it as a step of its own; make it a plain `fn`",
        );
    }

    #[test]
    fn const_fn() {
        assert_one(
            &component_errors(parse_quote!(
                const fn f() {}
            )),
            "a component function cannot be `const`; make it a plain `fn`",
        );
    }

    #[test]
    fn unsafe_fn() {
        assert_one(
            &component_errors(parse_quote!(
                unsafe fn f() {}
            )),
            "a component function cannot be `unsafe`; make it a plain `fn` and put the `unsafe` block inside",
        );
    }

    #[test]
    fn extern_fn() {
        assert_one(
            &component_errors(parse_quote!(
                extern "C" fn f() {}
            )),
            "a component function cannot have an `extern` ABI; make it a plain `fn`",
        );
    }

    #[test]
    fn self_receiver() {
        assert_one(
            &component_errors(parse_quote!(
                fn f(&self, x: i64) {}
            )),
            "a component function cannot take `self`; `#[component]` goes on a free function",
        );
    }

    #[test]
    fn pattern_argument() {
        assert_one(
            &component_errors(parse_quote!(
                fn f((a, b): (i64, i64)) {}
            )),
            "a component parameter must be a plain name, like `epochs: i64`: it becomes the KFP input of that name",
        );
        assert_one(
            &pipeline_errors(quote!(), parse_quote!(fn p(_: i64) {})),
            "a pipeline parameter must be a plain name, like `epochs: i64`: it becomes the KFP parameter of that name",
        );
    }

    #[test]
    fn mut_binding_is_a_plain_name() {
        assert_eq!(
            component_errors(parse_quote!(
                fn f(mut x: i64) {}
            )),
            Vec::<String>::new()
        );
    }

    #[test]
    fn impl_trait_parameter() {
        assert_one(
            &component_errors(parse_quote!(
                fn f(x: impl Into<String>) {}
            )),
            "a component parameter cannot be `impl Trait`: each KFP input needs one concrete type, like `String`",
        );
    }

    #[test]
    fn reference_parameters_name_the_owned_type() {
        let e = component_errors(parse_quote!(
            fn f(s: &str, l: &[i64], m: &Vec<String>) {}
        ));
        assert_eq!(
            e,
            [
                "a component parameter must be an owned type, like `String`: KFP passes its value in as text",
                "a component parameter must be an owned type, like `Vec<i64>`: KFP passes its value in as text",
                "a component parameter must be an owned type, like `Vec<String>`: KFP passes its value in as text",
            ]
        );
    }

    #[test]
    fn impl_trait_return() {
        assert_one(
            &component_errors(parse_quote!(
                fn f() -> impl Into<String> {}
            )),
            "a component cannot return `impl Trait`: each KFP output needs one concrete type, like `String`",
        );
    }

    #[test]
    fn a_component_input_may_have_a_default() {
        assert!(component_errors(parse_quote!(
            fn f(#[kfp(default = 3)] x: i64) {}
        ))
        .is_empty());
    }

    #[test]
    fn a_kfp_attribute_on_a_component_input_takes_only_default() {
        assert_one(
            &component_errors(parse_quote!(
                fn f(#[kfp(defualt = 3)] x: i64) {}
            )),
            "unknown `kfp` argument `defualt`; did you mean `default`? expected `default`",
        );
    }

    #[test]
    fn empty_base_image() {
        assert_one(
            &component_errors_with(
                quote!(base_image = " "),
                parse_quote!(
                    fn f() {}
                ),
            ),
            "`base_image` must not be empty; name an image, like `base_image = \"python:3.11\"`",
        );
    }

    #[test]
    fn empty_or_multi_line_package() {
        let e = component_errors_with(
            quote!(packages = ["", "a\nb", "ok==1"]),
            parse_quote!(
                fn f() {}
            ),
        );
        assert_eq!(
            e,
            [
                "a package in `packages` must not be empty; name a pip requirement, like `\"mlflow==2.9.2\"`",
                "a package in `packages` must not contain newlines or other control characters; give one pip requirement per string",
            ]
        );
    }

    #[test]
    fn a_pipeline_may_return_what_a_caller_uses() {
        // A nested pipeline returns its output to the pipeline that calls it.
        assert!(pipeline_errors(
            quote!(),
            parse_quote!(
                fn p(x: i64) -> TaskOutput<i64> {
                    double(x).output()
                }
            )
        )
        .is_empty());
    }

    #[test]
    fn invalid_pipeline_names() {
        assert_one(
            &pipeline_errors(quote!(name = "!!!"), parse_quote!(fn p() {})),
            "invalid pipeline name `!!!`: KFP's sanitising leaves nothing of it; use lower-case letters, digits and `-`, like `train-model`",
        );
        let long = "a".repeat(129);
        assert_one(
            &pipeline_errors(quote!(name = #long), parse_quote!(fn p() {})),
            "invalid pipeline name: KFP sanitises it to 129 characters, more than the 128 KFP allows; shorten it",
        );
        let fits = "a".repeat(128);
        assert_eq!(
            pipeline_errors(
                quote!(name = #fits),
                parse_quote!(
                    fn p() {}
                )
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            pipeline_errors(
                quote!(name = "My Pipeline!"),
                parse_quote!(
                    fn p() {}
                )
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_problem_in_one_pass() {
        let e = component_errors_with(
            quote!(base_imge = "x"),
            parse_quote!(
                async fn f<T>(&self, s: &str) {}
            ),
        );
        assert_eq!(e.len(), 5, "{e:?}");
    }

    #[test]
    fn sanitizes_like_kfp() {
        assert_eq!(sanitize_name("My Pipeline_Name"), "my-pipeline-name");
        assert_eq!(sanitize_name("--A__b--"), "a-b");
        assert_eq!(sanitize_name("!!!"), "");
    }
}
