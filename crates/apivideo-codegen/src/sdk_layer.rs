//! The SDK layer the pipeline adds to progenitor's output, so that every
//! operation is called the same way and fails with one error type:
//!
//! - each builder's `send()` returns `crate::error::Result<T>` (the answer's
//!   body), and `send_with_response()` returns it with its status and
//!   headers. progenitor's own `send` becomes the private `exchange`, which
//!   records the answer before decoding it, so that the error says which
//!   status it came with and what the transport did;
//! - every operation marked `x-paginated` gets its `Paginated` impl;
//! - the enum-typed query parameters of handwritten operations become
//!   component schemas (see [`lift_handwritten_enums`]), so their types are
//!   generated like those of generated operations;
//! - every generated string enum keeps values it does not know
//!   ([`forward_compatible_enums`]), and the schemas of error answers are
//!   decoded with none of their fields required ([`lenient_errors`]), so an
//!   answer from a newer API still decodes.

use quote::{format_ident, quote};
use serde_json::Value;
use syn::{Expr, ImplItem, Item, Lit, Pat, Stmt};

use crate::Error;
use crate::preprocess::Handwritten;
use crate::spec::{PAGINATED_EXT, Spec, schema_ref_name};
use crate::split::pascal;

/// Rewrites the `send` of every builder in `mod builder`. Fails, naming the
/// builder, if progenitor's output no longer has the expected shape.
pub(crate) fn rewrite_sends(file: &mut syn::File) -> Result<(), Error> {
    let builders = module(&mut file.items, "builder")?;
    for item in &mut builders.1 {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() {
            continue;
        }
        let Some(at) = block
            .items
            .iter()
            .position(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "send"))
        else {
            continue;
        };
        let self_ty = &block.self_ty;
        let name = quote!(#self_ty).to_string();
        let ImplItem::Fn(mut send) = block.items.remove(at) else {
            unreachable!("the position was found for a fn")
        };
        let shape = |what: &str| Error::Generate(format!("the `send` of builder `{name}` {what}"));
        let answer = answer_type(&send.sig.output)
            .ok_or_else(|| shape("does not return Result<ResponseValue<T>, _>"))?;
        let operation =
            operation_id(&send.block.stmts).ok_or_else(|| shape("names no operation_id"))?;
        let seen = send
            .block
            .stmts
            .iter()
            .position(binds_response)
            .ok_or_else(|| shape("never binds `let response = result?;`"))?;
        send.block
            .stmts
            .insert(seen + 1, syn::parse_quote!(exchange.observe(&response);));
        let docs: Vec<_> = send
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        send.attrs.retain(|a| !a.path().is_ident("doc"));
        send.sig.ident = format_ident!("exchange");
        send.vis = syn::Visibility::Inherited;
        send.sig.inputs.push(syn::parse_quote!(
            exchange: &mut crate::error::Exchange
        ));
        let wrappers: syn::ItemImpl = syn::parse_quote! {
            impl X {
                #(#docs)*
                ///
                ///Returns the answer's body; fails with [`crate::error::Error`].
                pub async fn send(self) -> crate::error::Result<#answer> {
                    self.send_with_response().await.map(ResponseValue::into_inner)
                }

                ///Like `send`, keeping the answer's status and headers.
                pub async fn send_with_response(
                    self,
                ) -> crate::error::Result<ResponseValue<#answer>> {
                    let mut exchange = crate::error::Exchange::new(#operation);
                    match self.exchange(&mut exchange).await {
                        Ok(answer) => Ok(answer),
                        Err(e) => Err(exchange.error(e).await),
                    }
                }
            }
        };
        block.items.insert(at, ImplItem::Fn(send));
        block.items.splice(at..at, wrappers.items);
    }
    Ok(())
}

/// `T` in `Result<ResponseValue<T>, E>`.
fn answer_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let result = last_segment(ty)?;
    let ok = first_type_arg(result)?;
    let value = last_segment(ok)?;
    (value.ident == "ResponseValue").then_some(())?;
    first_type_arg(value).cloned()
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last(),
        _ => None,
    }
}

fn first_type_arg(segment: &syn::PathSegment) -> Option<&syn::Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// The literal in `let info = OperationInfo { operation_id: "..." };`.
fn operation_id(stmts: &[Stmt]) -> Option<String> {
    stmts.iter().find_map(|stmt| {
        let Stmt::Local(local) = stmt else {
            return None;
        };
        let Expr::Struct(init) = &*local.init.as_ref()?.expr else {
            return None;
        };
        init.fields.iter().find_map(|field| {
            let syn::Member::Named(member) = &field.member else {
                return None;
            };
            match &field.expr {
                Expr::Lit(lit) if member == "operation_id" => match &lit.lit {
                    Lit::Str(s) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            }
        })
    })
}

/// Whether `stmt` is `let response = result?;`.
fn binds_response(stmt: &Stmt) -> bool {
    let Stmt::Local(local) = stmt else {
        return false;
    };
    let named = matches!(&local.pat, Pat::Ident(p) if p.ident == "response");
    let tried = local
        .init
        .as_ref()
        .is_some_and(|init| matches!(&*init.expr, Expr::Try(_)));
    named && tried
}

/// Gives every string enum of `mod types` an `Unknown(UnknownValue)` variant
/// that keeps a value the spec does not list (a generated `Deserialize`
/// matches the listed values and keeps any other; the variant serializes
/// back as the plain value), and makes `Display` write it back as it came. `FromStr` stays strict, so a typo in a value a caller writes is
/// still an error; a caller who needs a value newer than the SDK writes
/// `Unknown("…".into())`. The enums lose `Copy`, which a `String` forbids.
/// A server decodes inside `apivideo_raw::unknown::strictly`, where such a
/// value is refused. The enums are `#[non_exhaustive]`, as a value that is
/// unknown today may get its own variant tomorrow.
/// Returns how many enums were changed.
pub(crate) fn forward_compatible_enums(file: &mut syn::File) -> Result<usize, Error> {
    let types = module(&mut file.items, "types")?;
    // A string enum: unit variants only, and a `FromStr` impl.
    let parsed: std::collections::BTreeSet<String> = types
        .1
        .iter()
        .filter_map(|item| match item {
            Item::Impl(block) => {
                let is_from_str = block
                    .trait_
                    .as_ref()
                    .and_then(|(path, _)| path.segments.last())
                    .is_some_and(|s| s.ident == "FromStr");
                let ty = &block.self_ty;
                is_from_str.then(|| quote!(#ty).to_string())
            }
            _ => None,
        })
        .collect();
    let mut changed = std::collections::BTreeSet::new();
    let mut deserializers: Vec<Item> = Vec::new();
    for item in &mut types.1 {
        let Item::Enum(e) = item else { continue };
        let unit = !e.variants.is_empty()
            && e.variants
                .iter()
                .all(|v| matches!(v.fields, syn::Fields::Unit));
        if !unit || !parsed.contains(&e.ident.to_string()) {
            continue;
        }
        if e.variants.iter().any(|v| v.ident == "Unknown") {
            return Err(Error::Generate(format!(
                "enum `{}` has a value named `Unknown`, the name of the variant that keeps values the spec does not list",
                e.ident
            )));
        }
        // Each variant and the value it stands for.
        let mut values = Vec::new();
        for v in &e.variants {
            let mut value = v.ident.to_string();
            for attr in v.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        let lit: syn::LitStr = meta.value()?.parse()?;
                        value = lit.value();
                    }
                    Ok(())
                })
                .map_err(|err| Error::Syntax(err.to_string()))?;
            }
            values.push((v.ident.clone(), value));
        }
        // `Copy` goes (a `String` forbids it) and so does the derived
        // `Deserialize`: the one below keeps unlisted values.
        for attr in &mut e.attrs {
            if attr.path().is_ident("derive") {
                let derives: syn::punctuated::Punctuated<syn::Path, syn::Token![,]> = attr
                    .parse_args_with(syn::punctuated::Punctuated::parse_terminated)
                    .map_err(|err| Error::Syntax(err.to_string()))?;
                let kept = derives.iter().filter(|p| {
                    let last = p.segments.last().map(|s| s.ident.to_string());
                    !matches!(last.as_deref(), Some("Copy" | "Deserialize"))
                });
                *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
            }
        }
        // New values may gain a variant of their own in a later release:
        // callers match with a wildcard arm, so that is not a breaking change.
        e.attrs.push(syn::parse_quote!(#[non_exhaustive]));
        e.variants.push(syn::parse_quote! {
            ///A value this version of the SDK does not know (the API added it
            ///later), kept as it came.
            #[serde(untagged)]
            Unknown(crate::unknown::UnknownValue)
        });
        let name = &e.ident;
        let idents = values.iter().map(|(i, _)| i);
        let strings: Vec<&String> = values.iter().map(|(_, v)| v).collect();
        deserializers.push(syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    const VALUES: &[&str] = &[#(#strings),*];
                    let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                    match value.as_str() {
                        #(#strings => Ok(Self::#idents),)*
                        _ => crate::unknown::unlisted(value, VALUES).map(Self::Unknown),
                    }
                }
            }
        });
        changed.insert(e.ident.to_string());
    }
    types.1.extend(deserializers);
    // `Display` writes an unknown value back as it came.
    for item in &mut types.1 {
        let Item::Impl(block) = item else { continue };
        let ty = &block.self_ty;
        let is_display = block
            .trait_
            .as_ref()
            .and_then(|(path, _)| path.segments.last())
            .is_some_and(|s| s.ident == "Display");
        if !is_display || !changed.contains(&quote!(#ty).to_string()) {
            continue;
        }
        let name = quote!(#ty).to_string();
        let arms = block
            .items
            .iter_mut()
            .find_map(|i| match i {
                ImplItem::Fn(f) => f.block.stmts.iter_mut().find_map(|stmt| match stmt {
                    Stmt::Expr(Expr::Match(m), _) => Some(&mut m.arms),
                    _ => None,
                }),
                _ => None,
            })
            .ok_or_else(|| {
                Error::Generate(format!("the `Display` of enum `{name}` is not a `match`"))
            })?;
        arms.push(syn::parse_quote!(Self::Unknown(ref value) => f.write_str(value),));
    }
    Ok(changed.len())
}

/// Makes every field of the schemas that error answers use (and of the
/// schemas they contain) optional, in the document handed to progenitor. An
/// error answer is decoded to report it: one that lacks `type` or `title`
/// must still be that error, with its real status, not a decode failure.
/// The spec itself keeps its `required` lists, for the emulator and the
/// checks.
pub(crate) fn lenient_errors(spec: &Spec, root: &mut Value) {
    let mut pending: Vec<String> = spec
        .operations()
        .iter()
        .flat_map(|op| op.responses())
        .filter(|(status, _)| {
            status.starts_with('4') || status.starts_with('5') || *status == "default"
        })
        .filter_map(|(_, response)| spec.response_schema_name(response))
        .collect();
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        let Some(schema) = root
            .pointer_mut(&format!("/components/schemas/{name}"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        schema.remove("required");
        for property in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
        {
            let inner = property.get("items").unwrap_or(property);
            if let Some(referenced) = schema_ref_name(inner) {
                pending.push(referenced);
            }
        }
    }
}

/// The `Paginated` impls of the generated list builders: one per operation
/// marked `x-paginated` that is not handwritten. The item type is the one
/// of the `data` array in the operation's success answer.
pub(crate) fn paginated_impls(spec: &Spec, handwritten: &[Handwritten]) -> Result<String, Error> {
    let mut items = Vec::new();
    for op in spec.operations() {
        let id = op.id.as_deref().unwrap_or_default();
        if !op.flag(PAGINATED_EXT) || handwritten.iter().any(|h| h.operation_id == id) {
            continue;
        }
        let item = list_item(spec, op).ok_or_else(|| {
            Error::Generate(format!(
                "{} is marked {PAGINATED_EXT} but its success answer has no `data` array of a component schema",
                op.location()
            ))
        })?;
        let builder = format_ident!("{}", pascal(id));
        let item = format_ident!("{}", pascal(&item));
        items.push(quote! {
            impl Paginated for crate::builder::#builder<'_> {
                type Item = crate::types::#item;

                async fn fetch_page(self, page: NonZeroU64) -> Result<Page<Self::Item>> {
                    let list = self.current_page(page).send().await?;
                    Ok(Page { items: list.data, pagination: list.pagination })
                }
            }
        });
    }
    let file: syn::File =
        syn::parse2(quote!(#(#items)*)).map_err(|e| Error::Syntax(e.to_string()))?;
    Ok(prettyplease::unparse(&file))
}

/// The schema name of the items of a paginated answer's `data` array.
fn list_item(spec: &Spec, op: &crate::spec::Operation) -> Option<String> {
    let (_, answer) = spec.success(op)?;
    let schema = spec.resolve_ref(&format!("#/components/schemas/{}", answer?))?;
    schema_ref_name(schema.pointer("/properties/data/items")?)
}

/// Gives the enum-typed query parameters of each handwritten operation a
/// component schema named `{Operation}{Parameter}` (`ListVideosSortBy`), in
/// the document handed to progenitor, so the SDK's handwritten builders
/// take the same kind of generated enum as the generated ones do.
pub(crate) fn lift_handwritten_enums(
    spec: &Spec,
    root: &mut Value,
    handwritten: &[Handwritten],
) -> Result<(), Error> {
    for op in spec.operations() {
        let id = op.id.as_deref().unwrap_or_default();
        if !handwritten.iter().any(|h| h.operation_id == id) {
            continue;
        }
        for parameter in op.parameters().filter_map(|p| spec.deref(p)) {
            let Some(schema) = parameter.get("schema").and_then(|s| spec.deref(s)) else {
                continue;
            };
            if parameter.get("in").and_then(Value::as_str) != Some("query")
                || schema.get("enum").is_none()
            {
                continue;
            }
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
            let mut schema = schema.clone();
            if let (Some(obj), Some(text)) = (schema.as_object_mut(), parameter.get("description"))
            {
                obj.entry("description").or_insert(text.clone());
            }
            let type_name = format!("{}{}", pascal(id), pascal(name));
            let schemas = root
                .pointer_mut("/components/schemas")
                .and_then(Value::as_object_mut)
                .ok_or_else(|| Error::Parse("the spec has no components.schemas".into()))?;
            if schemas.contains_key(&type_name) {
                return Err(Error::Generate(format!(
                    "{}: the schema name `{type_name}` for parameter `{name}` is taken",
                    op.location()
                )));
            }
            schemas.insert(type_name, schema);
        }
    }
    Ok(())
}

/// The items of the inline module `name` among `items`.
fn module<'a>(
    items: &'a mut [Item],
    name: &str,
) -> Result<&'a mut (syn::token::Brace, Vec<Item>), Error> {
    items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_mut(),
            _ => None,
        })
        .ok_or_else(|| Error::Generate(format!("the generated code has no `mod {name}`")))
}

/// Lets every typify builder setter of an optional field take the plain
/// value as well as an `Option` of it: `.name("dark")` where the field is
/// `Option<PlayerThemeCreationPayloadName>`, `.description("text")` where it
/// is `Option<String>`.
///
/// typify bounds those setters on `T: TryInto<Option<X>>`, which no `&str`,
/// number or model meets. The bound becomes
/// `T: crate::convert::IntoOption<X>`, implemented for `Option<X>` and for
/// every `Plain` type that converts to `X` with `TryInto`; a value that
/// does not convert (a name too long for its pattern) is reported at
/// `build()`/`send()` like any setter error. Every type of `mod types` is
/// marked `Plain` here. Returns the number of setters changed.
pub(crate) fn plain_setters(file: &mut syn::File) -> Result<usize, Error> {
    let types = module(&mut file.items, "types")?;
    let mut plain: Vec<Item> = Vec::new();
    for item in &types.1 {
        let (ident, generics) = match item {
            Item::Struct(s) => (&s.ident, &s.generics),
            Item::Enum(e) => (&e.ident, &e.generics),
            _ => continue,
        };
        if generics.params.is_empty() {
            plain.push(syn::parse_quote!(impl crate::convert::Plain for #ident {}));
        }
    }
    let builders = module(&mut types.1, "builder")?;
    let mut changed = 0;
    for item in &mut builders.1 {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() {
            continue;
        }
        for member in &mut block.items {
            let ImplItem::Fn(setter) = member else {
                continue;
            };
            if plain_setter(setter)? {
                changed += 1;
            }
        }
    }
    types.1.extend(plain);
    Ok(changed)
}

/// Rewrites one setter if it has typify's shape for an optional field.
fn plain_setter(setter: &mut syn::ImplItemFn) -> Result<bool, Error> {
    let Some(clause) = setter.sig.generics.where_clause.as_mut() else {
        return Ok(false);
    };
    // `T: ::std::convert::TryInto<::std::option::Option<X>>`
    let mut inner = None;
    for predicate in &clause.predicates {
        let syn::WherePredicate::Type(p) = predicate else {
            continue;
        };
        for bound in &p.bounds {
            let syn::TypeParamBound::Trait(t) = bound else {
                continue;
            };
            let Some(last) = t.path.segments.last() else {
                continue;
            };
            if last.ident != "TryInto" {
                continue;
            }
            let Some(target) = first_type_arg(last) else {
                continue;
            };
            let Some(option) = last_segment(target).filter(|s| s.ident == "Option") else {
                continue;
            };
            inner = first_type_arg(option).cloned();
        }
    }
    let Some(inner) = inner else {
        return Ok(false);
    };
    let name = setter.sig.ident.to_string();
    *clause = syn::parse_quote!(where T: crate::convert::IntoOption<#inner>);
    // `value.try_into()` becomes `IntoOption::into_option(value)`.
    let mut found = false;
    for stmt in &mut setter.block.stmts {
        found |= replace_try_into(stmt);
    }
    if !found {
        return Err(Error::Generate(format!(
            "setter `{name}` of a typify builder no longer calls `value.try_into()`; update plain_setters"
        )));
    }
    Ok(true)
}

fn replace_try_into(stmt: &mut Stmt) -> bool {
    struct Swap(bool);
    impl syn::fold::Fold for Swap {
        fn fold_expr(&mut self, expr: Expr) -> Expr {
            match expr {
                Expr::MethodCall(call) if call.method == "try_into" && call.args.is_empty() => {
                    self.0 = true;
                    let receiver = call.receiver;
                    syn::parse_quote!(crate::convert::IntoOption::into_option(#receiver))
                }
                other => syn::fold::fold_expr(self, other),
            }
        }
    }
    let mut swap = Swap(false);
    let old = std::mem::replace(stmt, Stmt::Expr(syn::parse_quote!(()), None));
    *stmt = syn::fold::Fold::fold_stmt(&mut swap, old);
    swap.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `mod builder` with one builder whose `send` has this body.
    fn builder_file(body: &str) -> syn::File {
        syn::parse_str(&format!(
            "pub mod builder {{
                pub struct GetThing<'a> {{ client: &'a super::Client }}
                impl<'a> GetThing<'a> {{
                    ///Sends a `GET` request to `/things`
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Problem>> {{
                        {body}
                    }}
                }}
            }}"
        ))
        .expect("valid Rust")
    }

    const GOOD: &str = "let Self { client } = self;
        let info = OperationInfo { operation_id: \"get_thing\" };
        let result = client.exec(request, &info).await;
        let response = result?;
        ResponseValue::from_response(response).await";

    fn methods(file: &syn::File) -> Vec<String> {
        let Item::Mod(m) = &file.items[0] else {
            panic!("a module")
        };
        let Item::Impl(block) = &m.content.as_ref().unwrap().1[1] else {
            panic!("an impl")
        };
        block
            .items
            .iter()
            .filter_map(|i| match i {
                ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn send_returns_the_sdk_result_and_the_answer_is_observed() {
        let mut file = builder_file(GOOD);
        rewrite_sends(&mut file).expect("rewritten");
        assert_eq!(methods(&file), ["send", "send_with_response", "exchange"]);
        let code = prettyplease::unparse(&file);
        assert!(
            code.contains("pub async fn send(self) -> crate::error::Result<types::Thing>"),
            "{code}"
        );
        assert!(code.contains("Exchange::new(\"get_thing\")"), "{code}");
        let observed = code.find("exchange.observe(&response);").expect("observed");
        let bound = code.find("let response = result?;").expect("bound");
        let decoded = code.find("ResponseValue::from_response").expect("decoded");
        assert!(bound < observed && observed < decoded, "{code}");
    }

    #[test]
    fn an_unexpected_shape_fails_naming_the_builder() {
        for (body, what) in [
            (
                "let info = OperationInfo { operation_id: \"get_thing\" }; client.exec(request, &info).await",
                "let response = result?;",
            ),
            (
                "let response = result?; ResponseValue::from_response(response).await",
                "operation_id",
            ),
        ] {
            let err = rewrite_sends(&mut builder_file(body)).expect_err("refused");
            let text = err.to_string();
            assert!(text.contains("GetThing") && text.contains(what), "{text}");
        }
    }

    #[test]
    fn a_paginated_operation_without_a_data_array_is_refused() {
        let spec = Spec::parse(
            r##"
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /things:
    get:
      operationId: list_things
      x-paginated: true
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Things" }
components:
  schemas:
    Things:
      type: object
      properties:
        items: { type: array, items: { type: string } }
"##,
        )
        .expect("parses");
        let err = paginated_impls(&spec, &[]).expect_err("refused");
        assert!(err.to_string().contains("list_things"), "{err}");
    }
}
