//! Code generation for `#[derive(Outputs)]`: a struct whose fields are a component's named
//! outputs (kfp's `NamedTuple`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::expand::krate;

pub(crate) fn expand(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let mut krate_path: Option<syn::Path> = None;
    for a in &input.attrs {
        if a.path().is_ident("kfp") {
            a.parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    let s: syn::LitStr = meta.value()?.parse()?;
                    krate_path = Some(s.parse()?);
                    Ok(())
                } else {
                    Err(meta.error("unknown `kfp` argument; expected `crate`"))
                }
            })?;
        }
    }
    let kfp = krate(krate_path.as_ref());
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "`#[derive(Outputs)]` structs cannot be generic: each output needs one concrete type",
        ));
    }
    let syn::Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`#[derive(Outputs)]` goes on a struct with named fields, one per output",
        ));
    };
    let syn::Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &data.fields,
            "`#[derive(Outputs)]` needs named fields: each field name becomes an output name",
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
    let name_strs: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let specs = types
        .iter()
        .zip(&name_strs)
        .map(|(ty, n)| quote_spanned!(ty.span()=> #kfp::__private::output::<#ty>(#n)));
    let values = names
        .iter()
        .zip(&name_strs)
        .map(|(id, n)| quote!(#kfp::__private::OutputValue::new(#n, &self.#id)));
    let handle_fields = names.iter().zip(&types).map(|(id, ty)| {
        let doc = format!("The `{id}` output.");
        quote!(#[doc = #doc] pub #id: #kfp::__private::TaskOutput<#ty>)
    });
    let handle_inits = names
        .iter()
        .zip(&name_strs)
        .map(|(id, n)| quote!(#id: #kfp::__private::TaskOutput::new(__kfp_task, #n)));
    let doc = format!("The outputs of a task whose component returns [`{ident}`].");
    Ok(quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug)]
        #vis struct #handles {
            #(#handle_fields,)*
        }

        const _: () = {
            #[automatically_derived]
            impl #kfp::__private::ComponentReturn for #ident {
                type Handles = #handles;
                fn output_specs() -> #kfp::__private::Vec<#kfp::__private::OutputSpec> {
                    #kfp::__private::Vec::from([#(#specs),*])
                }
                fn into_outputs(
                    self,
                ) -> ::core::result::Result<
                    #kfp::__private::Vec<#kfp::__private::OutputValue>,
                    #kfp::__private::Error,
                > {
                    ::core::result::Result::Ok(#kfp::__private::Vec::from([#(#values),*]))
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
