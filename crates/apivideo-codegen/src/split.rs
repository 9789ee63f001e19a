//! Splits the generated file into small sections for the snapshots, so that
//! a one-field change in the spec shows up as a small diff in one file:
//! client methods and builders per tag, types per owning tag (or `common`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use syn::{Item, ItemMod};

use crate::spec::Spec;

/// A named slice of the generated code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Snapshot name, e.g. `ops_videos` or `types_common`.
    pub name: String,
    /// Formatted code.
    pub code: String,
}

/// `upload_tokens` for the tag `Upload tokens`.
fn snake(tag: &str) -> String {
    tag.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// `UploadTokens` for `Upload tokens` or `upload_tokens`.
pub(crate) fn pascal(words: &str) -> String {
    words
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

const COMMON: &str = "common";

/// Where generated items go: op builders by operation, types by owner.
struct Buckets {
    /// Pascal-cased operation id → tag section.
    ops: BTreeMap<String, String>,
    /// `ClientVideosExt` → tag section.
    traits: BTreeMap<String, String>,
    /// Component schema name → tag section or `common`.
    schemas: BTreeMap<String, String>,
}

impl Buckets {
    fn new(spec: &Spec) -> Self {
        let mut ops = BTreeMap::new();
        let mut traits = BTreeMap::new();
        for tag in spec.tags() {
            traits.insert(format!("Client{}Ext", pascal(&tag)), snake(&tag));
        }
        // Which tags use each schema directly (request body, parameters,
        // success responses), and which schemas each schema refers to.
        let mut direct: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for op in spec.operations() {
            let tag = snake(op.tag().unwrap_or(COMMON));
            if let Some(id) = &op.id {
                ops.insert(pascal(id), tag.clone());
            }
            let mut refs = BTreeSet::new();
            if let Some(body) = op.value.get("requestBody") {
                collect_refs(body, &mut refs);
            }
            for p in op.parameters() {
                collect_refs(p, &mut refs);
            }
            for (status, r) in op.responses() {
                if status.starts_with('2')
                    && let Some(r) = spec.deref(r)
                {
                    collect_refs(r, &mut refs);
                }
            }
            for name in refs {
                direct.entry(name).or_default().insert(tag.clone());
            }
        }
        // The bodies of webhook deliveries (`x-webhooks`) belong with the
        // webhooks that send them.
        let mut refs = BTreeSet::new();
        if let Some(hooks) = spec.root.get("x-webhooks") {
            collect_refs(hooks, &mut refs);
        }
        for name in refs {
            direct.entry(name).or_default().insert(snake("Webhooks"));
        }
        let components = spec
            .root
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut referrers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, schema) in &components {
            let mut refs = BTreeSet::new();
            collect_refs(schema, &mut refs);
            for r in refs {
                referrers.entry(r).or_default().insert(name.clone());
            }
        }
        let mut schemas = BTreeMap::new();
        for name in components.keys() {
            let mut tags = BTreeSet::new();
            owners(name, &direct, &referrers, &mut BTreeSet::new(), &mut tags);
            let bucket = match tags.len() {
                1 => tags.into_iter().next().unwrap_or_default(),
                _ => COMMON.to_owned(),
            };
            schemas.insert(name.clone(), bucket);
        }
        Self {
            ops,
            traits,
            schemas,
        }
    }

    /// The section of a type: an operation's parameter type goes with its
    /// operation's tag, a component schema with its owner.
    fn for_type(&self, name: &str) -> String {
        if let Some(bucket) = self.schemas.get(name) {
            return bucket.clone();
        }
        // Longest component or operation name that prefixes this one
        // (`VideoClipStartTimecode` belongs with `VideoClip`).
        let from_schema = self
            .schemas
            .iter()
            .filter(|(s, _)| is_prefix(s, name))
            .max_by_key(|(s, _)| s.len());
        let from_op = self
            .ops
            .iter()
            .filter(|(o, _)| is_prefix(o, name))
            .max_by_key(|(o, _)| o.len());
        match (from_schema, from_op) {
            (Some((s, b)), Some((o, ob))) => if s.len() >= o.len() { b } else { ob }.clone(),
            (Some((_, b)), None) | (None, Some((_, b))) => b.clone(),
            (None, None) => COMMON.to_owned(),
        }
    }
}

fn is_prefix(prefix: &str, name: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase()))
}

fn owners(
    name: &str,
    direct: &BTreeMap<String, BTreeSet<String>>,
    referrers: &BTreeMap<String, BTreeSet<String>>,
    seen: &mut BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    if !seen.insert(name.to_owned()) {
        return;
    }
    if let Some(tags) = direct.get(name) {
        out.extend(tags.iter().cloned());
    }
    for parent in referrers.get(name).into_iter().flatten() {
        owners(parent, direct, referrers, seen, out);
    }
}

fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = crate::spec::schema_ref_name(value) {
                out.insert(name);
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The name an item declares, if it declares a type or trait.
fn declared_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Trait(t) => Some(t.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

/// Groups items by the section of the type each declares; an `impl` follows
/// the type declared before it, which is how progenitor and typify emit them.
fn group(
    items: &[Item],
    section_of: impl Fn(&str) -> String,
    out: &mut BTreeMap<String, Vec<Item>>,
) {
    let mut current = COMMON.to_owned();
    for item in items {
        if let Some(name) = declared_name(item) {
            current = section_of(&name);
        }
        out.entry(current.clone()).or_default().push(item.clone());
    }
}

fn module_items(item: &ItemMod) -> &[Item] {
    item.content
        .as_ref()
        .map(|(_, items)| items.as_slice())
        .unwrap_or(&[])
}

fn wrap_mod(template: &ItemMod, items: Vec<Item>) -> Item {
    let mut m = template.clone();
    if let Some((_, content)) = m.content.as_mut() {
        *content = items;
    }
    Item::Mod(m)
}

pub(crate) fn split(file: &syn::File, spec: &Spec) -> Vec<Section> {
    let buckets = Buckets::new(spec);
    let mut sections: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for item in &file.items {
        match item {
            Item::Mod(m) if m.ident == "types" => {
                let mut direct = Vec::new();
                let mut by_bucket: BTreeMap<String, Vec<Item>> = BTreeMap::new();
                let mut builders: BTreeMap<String, Vec<Item>> = BTreeMap::new();
                for inner in module_items(m) {
                    match inner {
                        Item::Mod(b) if b.ident == "builder" => {
                            group(module_items(b), |n| buckets.for_type(n), &mut builders)
                        }
                        Item::Mod(_) => by_bucket
                            .entry(COMMON.to_owned())
                            .or_default()
                            .push(inner.clone()),
                        _ => direct.push(inner.clone()),
                    }
                }
                group(&direct, |n| buckets.for_type(n), &mut by_bucket);
                let builder_mod = module_items(m).iter().find_map(|i| match i {
                    Item::Mod(b) if b.ident == "builder" => Some(b),
                    _ => None,
                });
                let names: BTreeSet<String> =
                    by_bucket.keys().chain(builders.keys()).cloned().collect();
                for name in names {
                    let mut items = by_bucket.remove(&name).unwrap_or_default();
                    if let (Some(b), Some(bs)) = (builder_mod, builders.remove(&name)) {
                        items.push(wrap_mod(b, bs));
                    }
                    sections
                        .entry(format!("types_{name}"))
                        .or_default()
                        .push(wrap_mod(m, items));
                }
            }
            Item::Mod(m) if m.ident == "builder" => {
                let mut by_tag = BTreeMap::new();
                group(
                    module_items(m),
                    |n| {
                        buckets
                            .ops
                            .get(n)
                            .cloned()
                            .unwrap_or_else(|| COMMON.to_owned())
                    },
                    &mut by_tag,
                );
                for (tag, items) in by_tag {
                    // The builder module's own `use` lines come before any
                    // builder and belong with the client.
                    let section = if tag == COMMON {
                        "client".to_owned()
                    } else {
                        format!("ops_{tag}")
                    };
                    sections
                        .entry(section)
                        .or_default()
                        .push(wrap_mod(m, items));
                }
            }
            Item::Trait(t) if buckets.traits.contains_key(&t.ident.to_string()) => {
                let tag = &buckets.traits[&t.ident.to_string()];
                sections
                    .entry(format!("ops_{tag}"))
                    .or_default()
                    .push(item.clone());
            }
            Item::Impl(i) => {
                let tag = i.trait_.as_ref().and_then(|(path, _)| {
                    let name = path.segments.last()?.ident.to_string();
                    buckets.traits.get(&name).cloned()
                });
                let section = tag.map_or_else(|| "client".to_owned(), |t| format!("ops_{t}"));
                sections.entry(section).or_default().push(item.clone());
            }
            _ => sections
                .entry("client".to_owned())
                .or_default()
                .push(item.clone()),
        }
    }
    sections
        .into_iter()
        .map(|(name, items)| Section {
            name,
            code: prettyplease::unparse(&syn::File {
                shebang: None,
                frontmatter: None,
                attrs: Vec::new(),
                items,
            }),
        })
        .collect()
}
