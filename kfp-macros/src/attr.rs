//! Parses the attribute arguments: `#[component(...)]`, `#[pipeline(...)]`, `#[kfp(...)]`.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprLit, Lit, LitStr};

use crate::errors::Errors;

/// A value that may be set once (serde's `Attr<T>`): a second set is an error at that key.
pub(crate) struct Once<T> {
    name: &'static str,
    value: Option<(syn::Ident, T)>,
}

impl<T> Once<T> {
    pub(crate) fn new(name: &'static str) -> Self {
        Once { name, value: None }
    }

    pub(crate) fn set(&mut self, errors: &mut Errors, key: &syn::Ident, value: T) {
        if self.value.is_some() {
            errors.spanned(key, format!("duplicate `{}` argument", self.name));
        } else {
            self.value = Some((key.clone(), value));
        }
    }

    pub(crate) fn get(self) -> Option<T> {
        self.value.map(|(_, v)| v)
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

pub(crate) fn unknown_key(errors: &mut Errors, attr: &str, key: &syn::Ident, keys: &[&str]) {
    let got = key.to_string();
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

/// Reads a string literal value, with the error at the value.
fn lit_str(errors: &mut Errors, key: &syn::Ident, expr: &Expr) -> Option<LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.clone()),
        other => {
            errors.spanned(
                other,
                format!("`{key}` must be a string literal, like `{key} = \"...\"`"),
            );
            None
        }
    }
}

fn lit_str_list(errors: &mut Errors, key: &syn::Ident, expr: &Expr) -> Vec<LitStr> {
    let Expr::Array(array) = expr else {
        errors.spanned(
            expr,
            format!(
                "`{key}` must be a list of string literals, like `{key} = [\"mlflow\", \"boto3\"]`"
            ),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for elem in &array.elems {
        match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => out.push(s.clone()),
            other => errors.spanned(
                other,
                format!("`{key}` must be a list of string literals; this is not a string literal"),
            ),
        }
    }
    out
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
                format!("`{key}` must be a path, like `{key} = ::kfp_core`"),
            );
            None
        }
    }
}

/// Parses `key = value, ...` pairs, calling `each` for every pair.
fn parse_pairs(
    errors: &mut Errors,
    tokens: TokenStream,
    mut each: impl FnMut(&mut Errors, syn::Ident, Expr),
) {
    let parser = |input: ParseStream| -> syn::Result<()> {
        while !input.is_empty() {
            let key: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
            if input.peek(syn::Token![=]) {
                input.parse::<syn::Token![=]>()?;
                let value: Expr = input.parse()?;
                each(errors, key, value);
            } else {
                errors.spanned(&key, format!("expected `{key} = ...`"));
                // Skip to the next comma.
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

pub(crate) fn component_args(errors: &mut Errors, tokens: TokenStream) -> ComponentArgs {
    let mut base_image = Once::new("base_image");
    let mut packages = Once::new("packages");
    let mut name = Once::new("name");
    let mut description = Once::new("description");
    let mut krate = Once::new("crate");
    parse_pairs(errors, tokens, |errors, key, value| {
        match key.to_string().as_str() {
            "base_image" => {
                if let Some(v) = lit_str(errors, &key, &value) {
                    base_image.set(errors, &key, v)
                }
            }
            "packages" => {
                let v = lit_str_list(errors, &key, &value);
                packages.set(errors, &key, v)
            }
            "name" => {
                if let Some(v) = lit_str(errors, &key, &value) {
                    name.set(errors, &key, v)
                }
            }
            "description" => {
                if let Some(v) = lit_str(errors, &key, &value) {
                    description.set(errors, &key, v)
                }
            }
            "crate" => {
                if let Some(v) = parse_path(errors, &key, &value) {
                    krate.set(errors, &key, v)
                }
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
    let mut name = Once::new("name");
    let mut description = Once::new("description");
    let mut krate = Once::new("crate");
    parse_pairs(errors, tokens, |errors, key, value| {
        match key.to_string().as_str() {
            "name" => {
                if let Some(v) = lit_str(errors, &key, &value) {
                    name.set(errors, &key, v)
                }
            }
            "description" => {
                if let Some(v) = lit_str(errors, &key, &value) {
                    description.set(errors, &key, v)
                }
            }
            "crate" => {
                if let Some(v) = parse_path(errors, &key, &value) {
                    krate.set(errors, &key, v)
                }
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
    let mut default = Once::new("default");
    let tokens = match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        other => {
            errors.spanned(other, "expected `#[kfp(default = ...)]`");
            return None;
        }
    };
    parse_pairs(errors, tokens, |errors, key, value| {
        if key == "default" {
            default.set(errors, &key, value)
        } else {
            unknown_key(errors, "kfp", &key, &["default"])
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
    }

    #[test]
    fn duplicate_key_is_an_error() {
        let mut errors = Errors::new();
        let _ = pipeline_args(&mut errors, quote!(name = "a", name = "b"));
        let err = errors.finish().unwrap_err().to_string();
        assert_eq!(err, "duplicate `name` argument");
    }
}
