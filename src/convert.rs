//! What the setters of optional fields accept.
//!
//! A model's optional field, such as a player theme's `name`, is set with
//! the value itself or with an `Option` of it:
//!
//! ```
//! # use apivideo_raw as apivideo;
//! use apivideo::types::PlayerThemeCreationPayload;
//!
//! let theme = PlayerThemeCreationPayload::builder().name("dark").text("#fff");
//! let cleared = PlayerThemeCreationPayload::builder().name(None);
//! # let _ = (theme, cleared);
//! ```
//!
//! A value that does not convert (a name the spec's rules refuse, a number
//! out of range) is reported when the model is built, as every setter's
//! error is.

use std::fmt::Display;

/// A value a setter of an optional field takes as it is, converting it
/// with `TryInto` to the field's type: strings, numbers, booleans,
/// date-times and every generated model.
pub trait Plain {}

/// What a setter of an optional field of type `X` takes: `Option<X>`, or
/// any [`Plain`] value that converts to `X`.
pub trait IntoOption<X> {
    /// The field's value, or why the value does not convert.
    fn into_option(self) -> Result<Option<X>, String>;
}

impl<X> IntoOption<X> for Option<X> {
    fn into_option(self) -> Result<Option<X>, String> {
        Ok(self)
    }
}

impl<X, T> IntoOption<X> for T
where
    T: Plain + TryInto<X>,
    T::Error: Display,
{
    fn into_option(self) -> Result<Option<X>, String> {
        self.try_into().map(Some).map_err(|e| e.to_string())
    }
}

macro_rules! plain {
    ($($t:ty),* $(,)?) => { $(impl Plain for $t {})* };
}

plain!(
    &str, String, &String, bool, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize,
    f32, f64,
);

impl<Tz: chrono::TimeZone> Plain for chrono::DateTime<Tz> {}
