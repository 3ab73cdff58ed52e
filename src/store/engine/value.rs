//! The values that cross the engine boundary: what a statement binds ([`ToParam`]) and what
//! a row yields ([`ValueRef`], read through [`FromValue`]). Both engines map onto the same
//! five kinds SQLite has (null, integer, real, text, blob), so the store's Rust code reads
//! a row the same way whichever engine produced it.

use std::fmt;

/// One value borrowed from a row or a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    fn kind(&self) -> &'static str {
        match self {
            ValueRef::Null => "null",
            ValueRef::Integer(_) => "integer",
            ValueRef::Real(_) => "real",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "blob",
        }
    }
}

/// An owned value, for parameters built at run time (a filter's list of conditions).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A value read from a column did not fit the Rust type asked for.
#[derive(Debug)]
pub struct ConversionError {
    pub message: String,
}

impl fmt::Display for ConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConversionError {}

fn mismatch<T>(v: ValueRef<'_>) -> Result<T, ConversionError> {
    Err(ConversionError { message: format!("a {} value where {} was expected", v.kind(), std::any::type_name::<T>()) })
}

/// A Rust type a column can be read into.
pub trait FromValue: Sized {
    fn from_value(v: ValueRef<'_>) -> Result<Self, ConversionError>;
}

impl FromValue for i64 {
    fn from_value(v: ValueRef<'_>) -> Result<Self, ConversionError> {
        match v {
            ValueRef::Integer(i) => Ok(i),
            // PostgreSQL's SUM of integers and integer-valued arithmetic come back NUMERIC.
            ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
            other => mismatch(other),
        }
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: ValueRef<'_>) -> Result<Self, ConversionError> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| ConversionError {
                    message: format!("{i} does not fit {}", stringify!($t)),
                })
            }
        }
    )*};
}
from_integer!(i32, u32, u16, u8, usize, u64);

impl FromValue for bool {
    fn from_value(v: ValueRef<'_>) -> Result<Self, ConversionError> {
        Ok(i64::from_value(v)? != 0)
    }
}

impl FromValue for f64 {
    fn from_value(v: ValueRef<'_>) -> Result<Self, ConversionError> {
        match v {
            ValueRef::Real(f) => Ok(f),
            ValueRef::Integer(i) => Ok(i as f64),
            other => mismatch(other),
        }
    }
}

impl FromValue for String {
    fn from_value(v: ValueRef<'_>) -> Result<Self, ConversionError> {
        match v {
            ValueRef::Text(t) => Ok(t.to_owned()),
            other => mismatch(other),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: ValueRef<'_>) -> Result<Self, ConversionError> {
        match v {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            ValueRef::Text(t) => Ok(t.as_bytes().to_vec()),
            other => mismatch(other),
        }
    }
}

impl FromValue for Value {
    fn from_value(v: ValueRef<'_>) -> Result<Self, ConversionError> {
        Ok(match v {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => Value::Text(t.to_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        })
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: ValueRef<'_>) -> Result<Self, ConversionError> {
        match v {
            ValueRef::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// A Rust value a statement can bind.
pub trait ToParam {
    fn to_param(&self) -> ValueRef<'_>;
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> ValueRef<'_> {
        (**self).to_param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> ValueRef<'_> {
        self.as_ref().map_or(ValueRef::Null, ToParam::to_param)
    }
}

macro_rules! to_integer {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> ValueRef<'_> {
                ValueRef::Integer(i64::from(*self))
            }
        }
    )*};
}
to_integer!(i64, i32, u32, u16, u8, bool);

impl ToParam for usize {
    fn to_param(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToParam for u64 {
    fn to_param(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToParam for f64 {
    fn to_param(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}

impl ToParam for str {
    fn to_param(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

impl ToParam for String {
    fn to_param(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

impl ToParam for [u8] {
    fn to_param(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl ToParam for Vec<u8> {
    fn to_param(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl ToParam for Value {
    fn to_param(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(t) => ValueRef::Text(t),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl ToParam for ValueRef<'_> {
    fn to_param(&self) -> ValueRef<'_> {
        *self
    }
}

/// A statement's parameters, in order (`?1` is the first).
pub trait Params {
    fn values(&self) -> Vec<ValueRef<'_>>;
}

impl Params for () {
    fn values(&self) -> Vec<ValueRef<'_>> {
        Vec::new()
    }
}

impl<T: ToParam, const N: usize> Params for [T; N] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(ToParam::to_param).collect()
    }
}

impl<T: ToParam> Params for [T] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(ToParam::to_param).collect()
    }
}

impl<T: ToParam> Params for Vec<T> {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(ToParam::to_param).collect()
    }
}

impl<P: Params + ?Sized> Params for &P {
    fn values(&self) -> Vec<ValueRef<'_>> {
        (**self).values()
    }
}
