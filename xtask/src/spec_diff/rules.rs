//! The classification rules: one function per row of the table in the
//! [`spec_diff`](super) module doc. Each answers a [`Verdict`]: breaking or
//! compatible for a Rust caller of the SDK, and for an HTTP client.
//!
//! Two principles decide every row:
//!
//! - HTTP follows variance. In a request the API must keep accepting what
//!   clients send, so narrowing what it accepts is breaking and widening it
//!   is compatible; in a response clients must handle what the API sends, so
//!   widening what it sends is breaking and narrowing it is compatible.
//! - Rust is breaking when the generated Rust items change shape (a field,
//!   method, variant or type appears in a different form or disappears), and
//!   otherwise inherits the HTTP verdict, except where the SDK absorbs the
//!   difference: `null` and a missing optional field both read as `None`, a
//!   missing optional array reads as an empty `Vec`.

use super::model::Class::{Breaking as B, Compatible as C};
use super::model::Direction::{self, Request, Response};
use super::model::{Class, Verdict};

/// Whether the generated enums are exhaustive. typify generates them so,
/// but the codegen pipeline makes every string enum `#[non_exhaustive]`
/// with an `Unknown` variant that keeps unlisted values, so a value added
/// to an enum in a response is not breaking for Rust callers.
pub(crate) const GENERATED_ENUMS_ARE_EXHAUSTIVE: bool = false;

/// Formats that make typify pick a dedicated Rust type (`DateTime<Utc>`,
/// `NaiveDate`, `Uuid`, `IpAddr`, sized integers and floats). Other formats
/// (`uri`, `binary`, ...) stay `String`.
const TYPED_FORMATS: [&str; 17] = [
    "date-time",
    "date",
    "uuid",
    "ip",
    "ipv4",
    "ipv6",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float",
    "double",
    "byte",
];

const fn v(rust: Class, http: Class) -> Verdict {
    Verdict::new(rust, http)
}

const fn breaking_if(condition: bool) -> Class {
    if condition { B } else { C }
}

// Operations.

pub(crate) fn operation_added() -> Verdict {
    v(C, C)
}

pub(crate) fn operation_removed() -> Verdict {
    v(B, B)
}

/// Same method and path, new operationId: the Rust method is renamed.
pub(crate) fn operation_renamed() -> Verdict {
    v(B, C)
}

/// The Rust method keeps its name and calls the new route; old HTTP
/// clients call a route that is gone.
pub(crate) fn route_changed() -> Verdict {
    v(C, B)
}

/// Methods live in one extension trait per tag (`ClientVideosExt`).
pub(crate) fn tag_changed() -> Verdict {
    v(B, C)
}

pub(crate) fn deprecated_changed() -> Verdict {
    v(C, C)
}

/// The SDK gains a paging helper, or loses it; nothing changes on the wire.
pub(crate) fn paginated_changed(now_paginated: bool) -> Verdict {
    v(breaking_if(!now_paginated), C)
}

/// The method moves between the generated client and the handwritten layer.
pub(crate) fn handwritten_changed() -> Verdict {
    v(B, C)
}

/// Parameters and request bodies: a required one must now be sent.
pub(crate) fn input_added(required: bool) -> Verdict {
    v(breaking_if(required), breaking_if(required))
}

/// The builder method disappears; the API ignores what it no longer reads.
pub(crate) fn input_removed() -> Verdict {
    v(B, C)
}

pub(crate) fn input_required(now_required: bool) -> Verdict {
    v(breaking_if(now_required), breaking_if(now_required))
}

pub(crate) fn media_type_changed() -> Verdict {
    v(B, B)
}

/// The method's return type changes from `()`; clients may ignore a body.
pub(crate) fn response_body_added() -> Verdict {
    v(B, C)
}

pub(crate) fn response_body_removed() -> Verdict {
    v(B, B)
}

/// progenitor types no response header: only HTTP clients read them.
pub(crate) fn response_header_added() -> Verdict {
    v(C, C)
}

pub(crate) fn response_header_removed() -> Verdict {
    v(C, B)
}

/// A new event receivers may subscribe to.
pub(crate) fn webhook_added() -> Verdict {
    v(C, C)
}

/// Subscriptions to it are refused and its body type leaves the crate.
pub(crate) fn webhook_removed() -> Verdict {
    v(B, B)
}

/// The Rust return type is the same; clients checking the status are not.
pub(crate) fn success_status_changed() -> Verdict {
    v(C, B)
}

/// Error statuses share the `Problem` schema: a new or removed one does not
/// change any type.
pub(crate) fn response_status_changed() -> Verdict {
    v(C, C)
}

// Security.

pub(crate) fn security_alternative(added: bool) -> Verdict {
    v(breaking_if(!added), breaking_if(!added))
}

pub(crate) fn security_scheme(added: bool) -> Verdict {
    v(breaking_if(!added), breaking_if(!added))
}

pub(crate) fn security_scheme_changed() -> Verdict {
    v(B, B)
}

// Component schemas.

/// A new type in the crate; nothing on the wire.
pub(crate) fn schema_added() -> Verdict {
    v(C, C)
}

/// A type disappears from the crate.
pub(crate) fn schema_removed() -> Verdict {
    v(B, C)
}

/// A position that used component `A` now uses `B`: the Rust type name
/// changes; HTTP clients see the structural differences, judged on their own.
pub(crate) fn type_renamed(structural_http: Class) -> Verdict {
    v(B, structural_http)
}

/// `x-rust-replace` added, removed or pointed elsewhere.
pub(crate) fn rust_replacement_changed() -> Verdict {
    v(B, C)
}

// Schemas at a position travelling in `dir`.

pub(crate) fn property_added(dir: Direction, required: bool) -> Verdict {
    match dir {
        Request => input_added(required),
        Response => v(C, C),
    }
}

/// The field disappears from the Rust struct either way.
pub(crate) fn property_removed(dir: Direction) -> Verdict {
    match dir {
        Request => v(B, C),
        Response => v(B, B),
    }
}

/// `option_changes`: the Rust field switches between `T` and `Option<T>`
/// (optional arrays stay `Vec<T>` and defaulted fields stay `T`).
pub(crate) fn property_required(
    dir: Direction,
    now_required: bool,
    option_changes: bool,
) -> Verdict {
    let rust = breaking_if(option_changes);
    match (dir, now_required) {
        // The builder refuses to build without it.
        (Request, true) => v(B, B),
        (Request, false) => v(rust, C),
        (Response, true) => v(rust, C),
        (Response, false) => v(rust, B),
    }
}

pub(crate) fn type_changed(dir: Direction, old: &str, new: &str) -> Verdict {
    let http = match (dir, old, new) {
        (Request, "integer", "number") | (Response, "number", "integer") => C,
        _ => B,
    };
    v(B, http)
}

pub(crate) fn format_changed(dir: Direction, old: Option<&str>, new: Option<&str>) -> Verdict {
    let http = match (dir, old, new) {
        (Request, Some(_), None) | (Response, None, Some(_)) => C,
        _ => B,
    };
    let typed = |f: Option<&str>| f.is_some_and(|f| TYPED_FORMATS.contains(&f));
    v(breaking_if(typed(old) || typed(new)).max(http), http)
}

pub(crate) fn enum_values_added(dir: Direction) -> Verdict {
    match dir {
        Request => v(C, C),
        // With exhaustive enums, matches would stop compiling and older
        // builds could not decode the new value. HTTP clients must
        // tolerate it.
        Response => v(breaking_if(GENERATED_ENUMS_ARE_EXHAUSTIVE), C),
    }
}

pub(crate) fn enum_values_removed(dir: Direction) -> Verdict {
    match dir {
        Request => v(B, B),
        Response => v(B, C),
    }
}

/// A free string became an enum (`added`), or the reverse: the Rust type
/// changes between `String` and a generated enum.
pub(crate) fn enum_constraint(dir: Direction, added: bool) -> Verdict {
    let narrows_request = dir == Request && added;
    let widens_response = dir == Response && !added;
    v(B, breaking_if(narrows_request || widens_response))
}

pub(crate) fn nullable_changed(
    dir: Direction,
    now_nullable: bool,
    option_changes: bool,
) -> Verdict {
    let http = match dir {
        Request => breaking_if(!now_nullable),
        Response => breaking_if(now_nullable),
    };
    v(breaking_if(option_changes), http)
}

/// How a `default` changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefaultChange {
    Added,
    Removed,
    Value,
}

pub(crate) fn default_changed(
    dir: Direction,
    change: DefaultChange,
    option_changes: bool,
) -> Verdict {
    match (dir, change) {
        // Omitting the field now means something else, and the builder
        // fills in the new value silently.
        (Request, DefaultChange::Value) => v(B, B),
        _ => v(breaking_if(option_changes), C),
    }
}

/// `minimum`, `maxLength`, `pattern`... `tighter`: `Some(true)` when fewer
/// values are allowed, `Some(false)` when more are, `None` when neither
/// (e.g. a different pattern). `type_changes`: typify picks another Rust
/// type (a constrained-string newtype, or another integer type).
pub(crate) fn constraint_changed(
    dir: Direction,
    tighter: Option<bool>,
    type_changes: bool,
) -> Verdict {
    let http = match (dir, tighter) {
        (Request, Some(false)) | (Response, Some(true)) => C,
        _ => B,
    };
    v(breaking_if(type_changes).max(http), http)
}

/// `additionalProperties` switched between forbidden, allowed and typed.
pub(crate) fn additional_properties_changed(
    dir: Direction,
    now_allowed: bool,
    map_changes: bool,
) -> Verdict {
    let http = match dir {
        Request => breaking_if(!now_allowed),
        Response => breaking_if(now_allowed),
    };
    v(breaking_if(map_changes).max(http), http)
}

/// `oneOf`, `anyOf` or `not` changed: judged conservatively.
pub(crate) fn composition_changed() -> Verdict {
    v(B, B)
}

/// Any other keyword (`readOnly`, `x-...`): listed for review, not judged.
pub(crate) fn other_keyword_changed() -> Verdict {
    v(C, C)
}
