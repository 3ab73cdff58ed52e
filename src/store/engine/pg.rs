//! The PostgreSQL side of the engine: one blocking `postgres::Client` per [`PgConn`], its
//! statements prepared once (after [`super::dialect`] rewrote them) and kept, and the
//! conversions between PostgreSQL's types and the engine's five value kinds.
//!
//! Parameters adapt to the type the server inferred for them (an integer bound where the
//! server expects `int4`, `text` or `boolean` is sent as that), as SQLite's type affinity
//! would store it; results of any integer, boolean, numeric, float, text (`citext`
//! included) or bytea column read back as [`ValueRef`]s.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;

use postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Row, Statement};

use super::value::ValueRef;

type BoxError = Box<dyn StdError + Sync + Send>;

pub struct PgConn {
    client: RefCell<Client>,
    statements: RefCell<HashMap<String, Statement>>,
}

impl PgConn {
    /// Connects in clear, or through `tls` (as `config`'s `sslmode` says).
    pub fn connect(
        config: &postgres::Config,
        tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    ) -> Result<Self, postgres::Error> {
        let client = match tls {
            Some(tls) => config.connect(tls)?,
            None => config.connect(NoTls)?,
        };
        Ok(PgConn { client: RefCell::new(client), statements: RefCell::new(HashMap::new()) })
    }

    /// The prepared form of `sql` for parameters of these kinds. Reals and blobs are declared
    /// as `double precision` and `bytea`; integers, text and nulls are left for the server to
    /// infer from where they stand (an integer may stand for a boolean, as in `?2 OR …`, and
    /// a text compared with a `citext` column must stay case-insensitive). Where the server
    /// cannot tell (`?3 + ?4`), the statement says it with a `CAST`.
    fn statement(&self, sql: &str, params: &[ValueRef<'_>]) -> Result<Statement, postgres::Error> {
        let mut key = String::with_capacity(sql.len() + params.len() + 1);
        key.extend(params.iter().map(|p| match p {
            ValueRef::Real(_) => 'r',
            ValueRef::Blob(_) => 'b',
            ValueRef::Integer(_) | ValueRef::Text(_) | ValueRef::Null => 'u',
        }));
        key.push('|');
        key.push_str(sql);
        if let Some(stmt) = self.statements.borrow().get(&key) {
            return Ok(stmt.clone());
        }
        let types: Vec<Type> = params
            .iter()
            .map(|p| match p {
                ValueRef::Real(_) => Type::FLOAT8,
                ValueRef::Blob(_) => Type::BYTEA,
                ValueRef::Integer(_) | ValueRef::Text(_) | ValueRef::Null => unspecified(),
            })
            .collect();
        let stmt = self.client.borrow_mut().prepare_typed(&super::dialect::to_postgres(sql), &types)?;
        self.statements.borrow_mut().insert(key, stmt.clone());
        Ok(stmt)
    }

    pub fn query(&self, sql: &str, params: &[ValueRef<'_>]) -> Result<Vec<Row>, postgres::Error> {
        let stmt = self.statement(sql, params)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.client.borrow_mut().query(&stmt, &refs)
    }

    pub fn execute(&self, sql: &str, params: &[ValueRef<'_>]) -> Result<u64, postgres::Error> {
        let stmt = self.statement(sql, params)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.client.borrow_mut().execute(&stmt, &refs)
    }

    /// Runs several statements as written (no parameters, no rewriting).
    pub fn batch(&self, sql: &str) -> Result<(), postgres::Error> {
        self.client.borrow_mut().batch_execute(sql)
    }

    /// Forgets the prepared statements (after a migration changed the tables under them).
    pub fn forget_statements(&self) {
        self.statements.borrow_mut().clear();
    }

    /// How many notifications arrived since the last call, waiting a millisecond at most.
    ///
    /// Not `notifications().iter()`: the blocking client's runtime only learns that the
    /// socket has data when it parks, and that iterator never parks, so it sees nothing
    /// until some query reads the socket. The 1 ms timeout lets the runtime look.
    pub fn pending_notifications(&self) -> Result<usize, postgres::Error> {
        let mut client = self.client.borrow_mut();
        let mut notifications = client.notifications();
        let mut count = 0;
        let mut iter = notifications.timeout_iter(std::time::Duration::from_millis(1));
        while postgres::fallible_iterator::FallibleIterator::next(&mut iter)?.is_some() {
            count += 1;
        }
        Ok(count)
    }

    pub fn is_closed(&self) -> bool {
        self.client.borrow().is_closed()
    }
}

/// A parameter type left for the server to infer (type OID 0 in the Parse message).
fn unspecified() -> Type {
    Type::new("unspecified".to_owned(), 0, Kind::Simple, "pg_catalog".to_owned())
}

/// Reads one column of a row as a [`ValueRef`].
pub fn cell(row: &Row, idx: usize) -> Result<ValueRef<'_>, postgres::Error> {
    row.try_get::<_, Cell<'_>>(idx).map(|c| c.0)
}

struct Cell<'a>(ValueRef<'a>);

fn is_text(ty: &Type) -> bool {
    matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN)
        || ty.name() == "citext"
        || matches!(ty.kind(), Kind::Domain(inner) if is_text(inner))
}

impl<'a> FromSql<'a> for Cell<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let value = match *ty {
            Type::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => ValueRef::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => ValueRef::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::OID => ValueRef::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::BOOL => ValueRef::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => ValueRef::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => ValueRef::Blob(<&[u8]>::from_sql(ty, raw)?),
            ref t if is_text(t) => ValueRef::Text(<&str>::from_sql(&Type::TEXT, raw)?),
            ref t => return Err(format!("cannot read a PostgreSQL {} column", t.name()).into()),
        };
        Ok(Cell(value))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Cell(ValueRef::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// NUMERIC's binary form (base-10000 digits): what `SUM` of integers and arithmetic with
/// a decimal literal return. Integral values come back as integers, the rest as floats.
fn numeric(raw: &[u8]) -> Result<ValueRef<'static>, BoxError> {
    let word = |i: usize| -> Result<i16, BoxError> {
        raw.get(i * 2..i * 2 + 2).map(|b| i16::from_be_bytes([b[0], b[1]])).ok_or_else(|| "short NUMERIC value".into())
    };
    let digits = word(0)?;
    let weight = i32::from(word(1)?);
    let sign = word(2)? as u16;
    if sign == 0xC000 {
        return Err("NaN where a number was expected".into());
    }
    let mut integral = true;
    let mut whole: i128 = 0;
    let mut float = 0.0_f64;
    for i in 0..digits.max(0) as usize {
        let d = i32::from(word(4 + i)?);
        let power = weight - i as i32;
        float += f64::from(d) * 10_000_f64.powi(power);
        if power >= 0 {
            whole = whole.saturating_add(i128::from(d).saturating_mul(10_000_i128.saturating_pow(power as u32)));
        } else if d != 0 {
            integral = false;
        }
    }
    let negative = sign == 0x4000;
    if integral && let Ok(i) = i64::try_from(whole) {
        return Ok(ValueRef::Integer(if negative { -i } else { i }));
    }
    Ok(ValueRef::Real(if negative { -float } else { float }))
}

impl ToSql for ValueRef<'_> {
    fn to_sql(&self, ty: &Type, out: &mut postgres::types::private::BytesMut) -> Result<IsNull, BoxError> {
        match *self {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::NUMERIC => Err("bind a NUMERIC parameter through a CAST to BIGINT".into()),
                ref t if is_text(t) => i.to_string().as_str().to_sql(&Type::TEXT, out),
                ref t => Err(format!("cannot bind an integer to a PostgreSQL {} parameter", t.name()).into()),
            },
            ValueRef::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                Type::INT8 if f.fract() == 0.0 => (f as i64).to_sql(ty, out),
                ref t if is_text(t) => f.to_string().as_str().to_sql(&Type::TEXT, out),
                ref t => Err(format!("cannot bind a real to a PostgreSQL {} parameter", t.name()).into()),
            },
            ValueRef::Text(s) => match *ty {
                Type::INT8 => s.trim().parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => s.trim().parse::<i32>()?.to_sql(ty, out),
                Type::BYTEA => s.as_bytes().to_sql(ty, out),
                ref t if is_text(t) => s.to_sql(&Type::TEXT, out),
                ref t => Err(format!("cannot bind text to a PostgreSQL {} parameter", t.name()).into()),
            },
            ValueRef::Blob(b) => match *ty {
                Type::BYTEA => b.to_sql(ty, out),
                ref t if is_text(t) => std::str::from_utf8(b)?.to_sql(&Type::TEXT, out),
                ref t => Err(format!("cannot bind a blob to a PostgreSQL {} parameter", t.name()).into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::{ValueRef, numeric};

    fn encode(weight: i16, sign: u16, digits: &[i16]) -> Vec<u8> {
        let mut raw = Vec::new();
        for w in [digits.len() as i16, weight, sign as i16, 0] {
            raw.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            raw.extend_from_slice(&d.to_be_bytes());
        }
        raw
    }

    #[test]
    fn numeric_values_read_as_integers_or_reals() {
        let cases: [(Vec<u8>, ValueRef<'static>); 5] = [
            (encode(0, 0, &[]), ValueRef::Integer(0)),
            (encode(0, 0, &[42]), ValueRef::Integer(42)),
            (encode(1, 0x4000, &[12, 3456]), ValueRef::Integer(-123_456)),
            (encode(2, 0, &[1]), ValueRef::Integer(100_000_000)),
            (encode(0, 0, &[3, 5000]), ValueRef::Real(3.5)),
        ];
        for (raw, expected) in cases {
            assert_eq!(numeric(&raw).expect("decodes"), expected);
        }
    }
}
