//! Serde for our string-backed state enums through their own `parse` and `as_str`, so a value read back from D1 or
//! JSON is accepted only in the exact spelling we write, and each type costs one small impl instead of a derived
//! visitor.

/// For `Copy` enums: `Serialize` as `as_str()`, `Deserialize` by `parse(&str) -> Option<Self>`.
macro_rules! serde_as_str {
    ($($name:ident),*) => {$(
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&raw).ok_or_else(|| serde::de::Error::custom($crate::serde_str::refused(stringify!($name), &raw)))
            }
        }
    )*};
}
pub(crate) use serde_as_str;

pub(crate) fn refused(what: &str, raw: &str) -> String {
    format!("not a {what}: {raw:?}")
}
