//! Parses the attribute arguments: `#[component(...)]`, `#[pipeline(...)]`, `#[kfp(...)]`.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprLit, Lit, LitStr};

use crate::errors::Errors;

/// A value that may be set once (serde's `Attr<T>`): a second set is an error at that key.
pub(crate) struct Once<T> {
    /// The attribute the key belongs to (`component`, `pipeline`, `kfp`), for messages.
    attr: &'static str,
    /// Whether the key was given, even with a value that was rejected.
    seen: bool,
    value: Option<T>,
}

impl<T> Once<T> {
    pub(crate) fn new(attr: &'static str) -> Self {
        Once {
            attr,
            seen: false,
            value: None,
        }
    }

    /// Records `key` with its value (`None` if the value was rejected, its error already
    /// recorded); a second `key` is a duplicate error at that key, and the first value stays.
    pub(crate) fn set(&mut self, errors: &mut Errors, key: &syn::Ident, value: Option<T>) {
        if self.seen {
            errors.spanned(key, duplicate_key(self.attr, key));
        } else {
            self.seen = true;
            self.value = value;
        }
    }

    pub(crate) fn get(self) -> Option<T> {
        self.value
    }
}

/// The arguments of `#[component(...)]`.
#[derive(Default)]
pub(crate) struct ComponentArgs {
    pub(crate) base_image: Option<LitStr>,
    pub(crate) packages: Vec<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) krate: Option<syn::Path>,
}

/// The arguments of `#[pipeline(...)]`.
#[derive(Default)]
pub(crate) struct PipelineArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) krate: Option<syn::Path>,
}

const COMPONENT_KEYS: &[&str] = &["base_image", "packages", "name", "description", "crate"];
const PIPELINE_KEYS: &[&str] = &["name", "description", "crate"];

fn expected_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The accepted key closest to `got`, if it is close enough to be a typo.
fn suggest<'a>(got: &str, keys: &[&'a str]) -> Option<&'a str> {
    keys.iter()
        .map(|k| (edit_distance(got, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The message for a key given twice.
fn duplicate_key(attr: &str, key: &syn::Ident) -> String {
    let key = syn::ext::IdentExt::unraw(key);
    format!("duplicate `{attr}` argument `{key}`; give each argument once")
}

/// Records an unknown key, with the closest accepted key when it looks like a typo.
pub(crate) fn unknown_key(errors: &mut Errors, attr: &str, key: &syn::Ident, keys: &[&str]) {
    let got = syn::ext::IdentExt::unraw(key).to_string();
    let msg = match suggest(&got, keys) {
        Some(s) => format!(
            "unknown `{attr}` argument `{got}`; did you mean `{s}`? expected {}",
            expected_list(keys)
        ),
        None => format!(
            "unknown `{attr}` argument `{got}`; expected {}",
            expected_list(keys)
        ),
    };
    errors.spanned(key, msg);
}

/// An example value of `key`, for messages.
fn example(key: &syn::Ident) -> &'static str {
    match key.to_string().as_str() {
        "base_image" => BASE_IMAGE_EXAMPLE,
        "packages" => PACKAGES_EXAMPLE,
        "name" => NAME_EXAMPLE,
        "crate" => CRATE_EXAMPLE,
        "default" => DEFAULT_EXAMPLE,
        _ => DESCRIPTION_EXAMPLE,
    }
}

/// Reads a string literal value, with the error at the value.
fn lit_str(errors: &mut Errors, key: &syn::Ident, expr: &Expr) -> Option<LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.clone()),
        other => {
            errors.spanned(
                other,
                format!(
                    "`{key}` must be a string literal, like `{key} = {}`",
                    example(key)
                ),
            );
            None
        }
    }
}

fn lit_str_list(errors: &mut Errors, key: &syn::Ident, expr: &Expr) -> Option<Vec<LitStr>> {
    let Expr::Array(array) = expr else {
        errors.spanned(
            expr,
            format!(
                "`{key}` must be a list of string literals, like `{key} = {}`",
                example(key)
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    for elem in &array.elems {
        match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => out.push(s.clone()),
            other => errors.spanned(
                other,
                format!(
                    "each package in `{key}` must be a string literal, like `\"mlflow==2.9.2\"`"
                ),
            ),
        }
    }
    Some(out)
}

fn parse_path(errors: &mut Errors, key: &syn::Ident, expr: &Expr) -> Option<syn::Path> {
    match expr {
        Expr::Path(p) => Some(p.path.clone()),
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => errors.ok(s.parse()),
        other => {
            errors.spanned(
                other,
                format!("`{key}` must be a path, like `{key} = {}`", example(key)),
            );
            None
        }
    }
}

/// Parses `key = value, ...` pairs, calling `each` for every key (with `None` for a key
/// written without `= value`).
fn parse_pairs(
    errors: &mut Errors,
    tokens: TokenStream,
    mut each: impl FnMut(&mut Errors, syn::Ident, Option<Expr>),
) {
    let parser = |input: ParseStream| -> syn::Result<()> {
        while !input.is_empty() {
            let key: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
            if input.peek(syn::Token![=]) {
                input.parse::<syn::Token![=]>()?;
                let value: Expr = input.parse()?;
                each(errors, key, Some(value));
            } else {
                each(errors, key, None);
                // Skip whatever follows the key up to the next comma.
                while !input.is_empty() && !input.peek(syn::Token![,]) {
                    input.parse::<proc_macro2::TokenTree>()?;
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<syn::Token![,]>()?;
        }
        Ok(())
    };
    let result = Parser::parse2(parser, tokens);
    errors.ok(result);
}

/// Reads the value of a known key with `read`, or reports that the key has no value.
fn value_of<T>(
    errors: &mut Errors,
    key: &syn::Ident,
    value: Option<&Expr>,
    read: impl FnOnce(&mut Errors, &syn::Ident, &Expr) -> Option<T>,
) -> Option<T> {
    match value {
        Some(v) => read(errors, key, v),
        None => {
            errors.spanned(
                key,
                format!("`{key}` needs a value, like `{key} = {}`", example(key)),
            );
            None
        }
    }
}

/// The examples the messages show for each key.
const BASE_IMAGE_EXAMPLE: &str = "\"python:3.11\"";
const PACKAGES_EXAMPLE: &str = "[\"mlflow\", \"boto3\"]";
const NAME_EXAMPLE: &str = "\"train-model\"";
const DESCRIPTION_EXAMPLE: &str = "\"...\"";
const CRATE_EXAMPLE: &str = "::kfp_core";
const DEFAULT_EXAMPLE: &str = "3";

pub(crate) fn component_args(errors: &mut Errors, tokens: TokenStream) -> ComponentArgs {
    let mut base_image = Once::new("component");
    let mut packages = Once::new("component");
    let mut name = Once::new("component");
    let mut description = Once::new("component");
    let mut krate = Once::new("component");
    parse_pairs(errors, tokens, |errors, key, value| {
        let value = value.as_ref();
        match key.to_string().as_str() {
            "base_image" => {
                let v = value_of(errors, &key, value, lit_str);
                base_image.set(errors, &key, v);
            }
            "packages" => {
                let v = value_of(errors, &key, value, lit_str_list);
                packages.set(errors, &key, v);
            }
            "name" => {
                let v = value_of(errors, &key, value, lit_str);
                name.set(errors, &key, v);
            }
            "description" => {
                let v = value_of(errors, &key, value, lit_str);
                description.set(errors, &key, v);
            }
            "crate" => {
                let v = value_of(errors, &key, value, parse_path);
                krate.set(errors, &key, v);
            }
            _ => unknown_key(errors, "component", &key, COMPONENT_KEYS),
        }
    });
    ComponentArgs {
        base_image: base_image.get(),
        packages: packages.get().unwrap_or_default(),
        name: name.get(),
        description: description.get(),
        krate: krate.get(),
    }
}

pub(crate) fn pipeline_args(errors: &mut Errors, tokens: TokenStream) -> PipelineArgs {
    let mut name = Once::new("pipeline");
    let mut description = Once::new("pipeline");
    let mut krate = Once::new("pipeline");
    parse_pairs(errors, tokens, |errors, key, value| {
        let value = value.as_ref();
        match key.to_string().as_str() {
            "name" => {
                let v = value_of(errors, &key, value, lit_str);
                name.set(errors, &key, v);
            }
            "description" => {
                let v = value_of(errors, &key, value, lit_str);
                description.set(errors, &key, v);
            }
            "crate" => {
                let v = value_of(errors, &key, value, parse_path);
                krate.set(errors, &key, v);
            }
            _ => unknown_key(errors, "pipeline", &key, PIPELINE_KEYS),
        }
    });
    PipelineArgs {
        name: name.get(),
        description: description.get(),
        krate: krate.get(),
    }
}

/// The per-parameter helper attribute `#[kfp(default = expr)]` of a pipeline parameter.
pub(crate) fn param_default(errors: &mut Errors, attr: &syn::Attribute) -> Option<Expr> {
    let mut default = Once::new("kfp");
    let tokens = match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        other => {
            errors.spanned(other, "`kfp` needs arguments, like `#[kfp(default = 3)]`");
            return None;
        }
    };
    parse_pairs(errors, tokens, |errors, key, value| {
        if key == "default" {
            let v = value_of(errors, &key, value.as_ref(), |_, _, v| Some(v.clone()));
            default.set(errors, &key, v);
        } else {
            unknown_key(errors, "kfp", &key, &["default"]);
        }
    });
    default.get()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn suggests_close_keys() {
        assert_eq!(suggest("base_imge", COMPONENT_KEYS), Some("base_image"));
        assert_eq!(suggest("pakages", COMPONENT_KEYS), Some("packages"));
        assert_eq!(suggest("zzzzzzzz", COMPONENT_KEYS), None);
    }

    #[test]
    fn parses_component_args() {
        let mut errors = Errors::new();
        let args = component_args(
            &mut errors,
            quote!(base_image = "img:1", packages = ["a", "b==1"], name = "N"),
        );
        assert!(errors.finish().is_ok());
        assert_eq!(args.base_image.unwrap().value(), "img:1");
        assert_eq!(args.packages.len(), 2);
        assert_eq!(args.name.unwrap().value(), "N");
    }

    #[test]
    fn reports_every_problem() {
        let mut errors = Errors::new();
        let _ = component_args(
            &mut errors,
            quote!(base_imge = "x", base_image = IMG, packages = "p"),
        );
        let msgs: Vec<String> = errors
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("did you mean `base_image`"));
        assert!(msgs[1].contains("must be a string literal"));
        assert!(msgs[2].contains("list of string literals"));
        assert_eq!(
            msgs[1],
            "`base_image` must be a string literal, like `base_image = \"python:3.11\"`"
        );
    }

    #[test]
    fn duplicate_key_is_an_error() {
        let mut errors = Errors::new();
        let _ = pipeline_args(&mut errors, quote!(name = "a", name = "b"));
        let err = errors.finish().unwrap_err().to_string();
        assert_eq!(
            err,
            "duplicate `pipeline` argument `name`; give each argument once"
        );
    }

    fn component_messages(tokens: TokenStream) -> Vec<String> {
        let mut errors = Errors::new();
        let _ = component_args(&mut errors, tokens);
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn unknown_key_lists_the_accepted_keys() {
        assert_eq!(
            component_messages(quote!(base_imge = "x")),
            ["unknown `component` argument `base_imge`; did you mean `base_image`? expected `base_image`, `packages`, `name`, `description`, `crate`"]
        );
        assert_eq!(
            component_messages(quote!(gpu = 1)),
            ["unknown `component` argument `gpu`; expected `base_image`, `packages`, `name`, `description`, `crate`"]
        );
    }

    #[test]
    fn duplicate_key_after_a_rejected_value() {
        assert_eq!(
            component_messages(quote!(base_image = IMAGE, base_image = "x")),
            [
                "`base_image` must be a string literal, like `base_image = \"python:3.11\"`",
                "duplicate `component` argument `base_image`; give each argument once",
            ]
        );
    }

    #[test]
    fn key_without_a_value() {
        assert_eq!(
            component_messages(quote!(packages, name = "n")),
            ["`packages` needs a value, like `packages = [\"mlflow\", \"boto3\"]`"]
        );
        assert_eq!(
            component_messages(quote!(gpu)),
            ["unknown `component` argument `gpu`; expected `base_image`, `packages`, `name`, `description`, `crate`"]
        );
    }

    #[test]
    fn packages_must_be_string_literals() {
        assert_eq!(
            component_messages(quote!(packages = "mlflow")),
            ["`packages` must be a list of string literals, like `packages = [\"mlflow\", \"boto3\"]`"]
        );
        assert_eq!(
            component_messages(quote!(packages = ["mlflow", boto3, 3])),
            [
                "each package in `packages` must be a string literal, like `\"mlflow==2.9.2\"`",
                "each package in `packages` must be a string literal, like `\"mlflow==2.9.2\"`",
            ]
        );
    }

    #[test]
    fn crate_is_a_path() {
        let mut errors = Errors::new();
        let args = component_args(&mut errors, quote!(crate = ::my::kfp));
        assert!(errors.finish().is_ok());
        assert_eq!(
            quote::ToTokens::to_token_stream(&args.krate.unwrap()).to_string(),
            ":: my :: kfp"
        );
        assert_eq!(
            component_messages(quote!(crate = 3)),
            ["`crate` must be a path, like `crate = ::kfp_core`"]
        );
    }

    #[test]
    fn kfp_helper_attribute() {
        let default = |attr: syn::Attribute| {
            let mut errors = Errors::new();
            let value = param_default(&mut errors, &attr);
            let messages: Vec<String> = match errors.finish() {
                Ok(()) => Vec::new(),
                Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
            };
            (
                value.map(|v| quote::ToTokens::to_token_stream(&v).to_string()),
                messages,
            )
        };
        assert_eq!(
            default(syn::parse_quote!(#[kfp(default = 3)])),
            (Some("3".to_owned()), vec![])
        );
        assert_eq!(
            default(syn::parse_quote!(#[kfp])),
            (
                None,
                vec!["`kfp` needs arguments, like `#[kfp(default = 3)]`".to_owned()]
            )
        );
        assert_eq!(
            default(syn::parse_quote!(#[kfp(default = 1, default = 2)])),
            (
                Some("1".to_owned()),
                vec!["duplicate `kfp` argument `default`; give each argument once".to_owned()]
            )
        );
        assert_eq!(
            default(syn::parse_quote!(#[kfp(defualt = 1)])).1,
            ["unknown `kfp` argument `defualt`; did you mean `default`? expected `default`"]
        );
    }
}
