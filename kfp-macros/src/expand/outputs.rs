//! Code generation for `#[derive(Outputs)]`: a struct whose fields are a component's named
//! outputs (kfp's `NamedTuple`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::expand::{krate, respan};

/// The `crate = "path"` of `#[kfp(...)]` on the struct, if any.
fn krate_path(input: &syn::DeriveInput) -> syn::Result<Option<syn::Path>> {
    let mut krate_path: Option<syn::Path> = None;
    for a in &input.attrs {
        if a.path().is_ident("kfp") {
            a.parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    let s: syn::LitStr = meta.value()?.parse()?;
                    krate_path = Some(s.parse()?);
                    Ok(())
                } else {
                    let key = quote::ToTokens::to_token_stream(&meta.path)
                        .to_string()
                        .replace(' ', "");
                    Err(meta.error(format!("unknown `kfp` argument `{key}`; expected `crate`")))
                }
            })?;
        }
    }
    Ok(krate_path)
}

/// The derive's output, or its error and a stub: an impl with no outputs, so that a
/// component returning the type reports nothing more.
pub(crate) fn expand_or_stub(input: &syn::DeriveInput) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(e) => {
            let error = e.to_compile_error();
            if !input.generics.params.is_empty() {
                return error;
            }
            let kfp = krate(krate_path(input).ok().flatten().as_ref());
            let ident = &input.ident;
            quote! {
                #error
                const _: () = {
                    #[automatically_derived]
                    impl #kfp::__private::ComponentReturn for #ident {
                        type Handles = ();
                        fn output_specs() -> #kfp::__private::Vec<#kfp::__private::OutputSpec> {
                            #kfp::__private::Vec::new()
                        }
                        fn into_outputs(
                            self,
                        ) -> ::core::result::Result<
                            #kfp::__private::Vec<#kfp::__private::OutputValue>,
                            #kfp::__private::Error,
                        > {
                            ::core::result::Result::Ok(#kfp::__private::Vec::new())
                        }
                    }
                };
            }
        }
    }
}

fn expand(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let kfp = krate(krate_path(input)?.as_ref());
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "`#[derive(Outputs)]` structs cannot be generic: each output needs one concrete type",
        ));
    }
    let data = match &input.data {
        syn::Data::Struct(data) => data,
        syn::Data::Enum(e) => return Err(not_a_struct(e.enum_token)),
        syn::Data::Union(u) => return Err(not_a_struct(u.union_token)),
    };
    let syn::Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &data.fields,
            "`#[derive(Outputs)]` needs named fields, like `struct Stats { sum: f64, label: String }`: each field name becomes an output name",
        ));
    };
    let ident = &input.ident;
    let vis = &input.vis;
    let handles = format_ident!("{}Outputs", ident);
    let names: Vec<&syn::Ident> = fields
        .named
        .iter()
        .filter_map(|f| f.ident.as_ref())
        .collect();
    let types: Vec<&syn::Type> = fields.named.iter().map(|f| &f.ty).collect();
    let name_strs: Vec<String> = names.iter().map(|n| n.unraw().to_string()).collect();
    let specs = types.iter().zip(&name_strs).map(|(ty, n)| {
        let kfp = respan(kfp.clone(), ty.span());
        quote_spanned!(ty.span()=> #kfp::__private::output::<#ty>(#n))
    });
    // Spanned on the field's type, like `specs`, so that a field type that is not a KFP
    // parameter type is one error there.
    let values = names
        .iter()
        .zip(&types)
        .zip(&name_strs)
        .map(|((id, ty), n)| {
            let kfp = respan(kfp.clone(), ty.span());
            let mut id = (*id).clone();
            id.set_span(ty.span());
            quote_spanned!(ty.span()=> #kfp::__private::OutputValue::new::<#ty>(#n, &self.#id))
        });
    let handle_fields = names.iter().zip(&types).map(|(id, ty)| {
        let doc = format!("The `{id}` output.");
        quote!(#[doc = #doc] pub #id: #kfp::__private::TaskOutput<#ty>)
    });
    let handle_inits = names
        .iter()
        .zip(&name_strs)
        .map(|(id, n)| quote!(#id: #kfp::__private::TaskOutput::new(__kfp_task, #n)));
    // Read from `output_specs`, so that a field type that is not a KFP type is reported once,
    // there; a file (`OutputPath<K>`, `InputPath<K>`) says its artifact type.
    let pipeline_outputs = names.iter().zip(&types).enumerate().map(|(i, (id, ty))| {
        let file = if is_path_type(ty) {
            quote!(<#ty as #kfp::__private::KfpType>::ARTIFACT)
        } else {
            quote!(::core::option::Option::None)
        };
        quote!(#kfp::__private::pipeline_output_of(
            __kfp_specs.get(#i),
            self.#id.task(),
            self.#id.name(),
            #file,
        ))
    });
    let doc = format!("The outputs of a task whose component returns [`{ident}`].");
    Ok(quote! {
        #[doc = #doc]
        #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug)]
        #vis struct #handles {
            #(#handle_fields,)*
        }

        const _: () = {
            #[automatically_derived]
            impl #kfp::__private::ComponentReturn for #ident {
                type Handles = #handles;
                fn output_specs() -> #kfp::__private::Vec<#kfp::__private::OutputSpec> {
                    ::core::convert::From::from([#(#specs),*])
                }
                fn into_outputs(
                    self,
                ) -> ::core::result::Result<
                    #kfp::__private::Vec<#kfp::__private::OutputValue>,
                    #kfp::__private::Error,
                > {
                    ::core::result::Result::Ok(::core::convert::From::from([#(#values),*]))
                }
            }

            #[automatically_derived]
            impl #kfp::__private::PipelineOutputs for #handles {
                fn pipeline_outputs(&self) -> #kfp::__private::Vec<#kfp::__private::PipelineOutput> {
                    let __kfp_specs = <#ident as #kfp::__private::ComponentReturn>::output_specs();
                    ::core::convert::From::from([#(#pipeline_outputs),*])
                }
            }

            #[automatically_derived]
            impl #kfp::__private::OutputHandles for #handles {
                fn from_task(__kfp_task: #kfp::__private::TaskId) -> Self {
                    #handles { #(#handle_inits,)* }
                }
            }
        };
    })
}

/// Whether `ty` is a file type (`OutputPath<K>`, `InputPath<K>`, by its last path segment).
fn is_path_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "OutputPath" || s.ident == "InputPath"),
        _ => false,
    }
}

fn not_a_struct(keyword: impl quote::ToTokens) -> syn::Error {
    syn::Error::new_spanned(
        keyword,
        "`#[derive(Outputs)]` goes on a struct with named fields, one per output, like `struct Stats { sum: f64, label: String }`",
    )
}
