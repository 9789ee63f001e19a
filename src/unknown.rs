//! Values of a string enum that the spec does not list.
//!
//! Every generated string enum ends with a variant `Unknown(UnknownValue)`,
//! so an answer from a newer API, carrying a value added after this SDK was
//! generated, still decodes and keeps the value. The pipeline adds it to
//! every string enum; no enum is written by hand.
//!
//! A server (the emulator) must instead refuse such values in what it
//! receives: it decodes inside [`strictly`], where an unlisted value is an
//! error.

use std::cell::Cell;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize};

thread_local! {
    static STRICT: Cell<bool> = const { Cell::new(false) };
}

/// A value of a string enum that this version of the SDK does not know,
/// kept as it came. Serializes as that same string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// A value to send that this version of the SDK does not list.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for UnknownValue {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for UnknownValue {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for UnknownValue {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<'de> Deserialize<'de> for UnknownValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        if STRICT.get() {
            return Err(serde::de::Error::custom(format!(
                "`{value}` is not one of the values the spec lists"
            )));
        }
        Ok(Self(value))
    }
}

/// The `Unknown` value of an enum that lists `expected`: kept, or, inside
/// [`strictly`], serde's "unknown variant" error. Called by the generated
/// `Deserialize` of every string enum.
#[doc(hidden)]
pub fn unlisted<E: serde::de::Error>(
    value: String,
    expected: &'static [&'static str],
) -> Result<UnknownValue, E> {
    if STRICT.get() {
        return Err(E::unknown_variant(&value, expected));
    }
    Ok(UnknownValue(value))
}

/// Runs `decode` (synchronous deserialization on this thread) refusing
/// enum values the spec does not list, as a server must.
pub fn strictly<T>(decode: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            STRICT.set(self.0);
        }
    }
    let _reset = Reset(STRICT.replace(true));
    decode()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_by_default_strict_inside_strictly() {
        let lenient: UnknownValue = serde_json::from_str("\"new\"").unwrap();
        assert_eq!(lenient.as_str(), "new");
        let strict = strictly(|| serde_json::from_str::<UnknownValue>("\"new\""));
        assert!(strict.is_err());
        // Leaving `strictly` restores leniency, even after a panic inside.
        let _ = std::panic::catch_unwind(|| strictly(|| panic!("inside")));
        assert!(serde_json::from_str::<UnknownValue>("\"new\"").is_ok());
    }
}
