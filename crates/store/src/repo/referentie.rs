//! Reference data from SBB's registers: kwalificaties (crebo) and erkenningen of leerbedrijven.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::{ErkenningRow, KwalificatieRow};
use crate::repo::CHUNK;
use crate::schema::{erkenningen, kwalificaties};

/// Insert or update kwalificaties by crebo; returns how many rows were written.
pub fn upsert_kwalificaties(conn: &mut DbConnection, rows: &[KwalificatieRow]) -> StoreResult<usize> {
    crate::db::write_transaction(conn, |conn| {
        let mut n = 0;
        for row in rows {
            n += match conn {
                DbConnection::Postgresql(c) => diesel::insert_into(kwalificaties::table)
                    .values(row)
                    .on_conflict(kwalificaties::crebo)
                    .do_update()
                    .set(row)
                    .execute(c)?,
                DbConnection::Sqlite(c) => diesel::insert_into(kwalificaties::table)
                    .values(row)
                    .on_conflict(kwalificaties::crebo)
                    .do_update()
                    .set(row)
                    .execute(c)?,
            };
        }
        Ok(n)
    })
}

/// All kwalificaties by crebo.
pub fn list_kwalificaties(conn: &mut DbConnection) -> StoreResult<Vec<KwalificatieRow>> {
    Ok(kwalificaties::table.order(kwalificaties::crebo).select(KwalificatieRow::as_select()).load(conn)?)
}

/// One kwalificatie.
pub fn find_kwalificatie(conn: &mut DbConnection, crebo: &str) -> StoreResult<Option<KwalificatieRow>> {
    Ok(kwalificaties::table.find(crebo).select(KwalificatieRow::as_select()).first(conn).optional()?)
}

/// Insert erkenningen, skipping ones already known (same leerbedrijf, crebo and start);
/// returns how many were new.
pub fn insert_erkenningen(conn: &mut DbConnection, rows: &[ErkenningRow]) -> StoreResult<usize> {
    crate::db::write_transaction(conn, |conn| {
        let mut n = 0;
        for chunk in rows.chunks(CHUNK) {
            n += match conn {
                DbConnection::Postgresql(c) => diesel::insert_into(erkenningen::table)
                    .values(chunk)
                    .on_conflict((erkenningen::leerbedrijf_id, erkenningen::crebo, erkenningen::geldig_van))
                    .do_nothing()
                    .execute(c)?,
                DbConnection::Sqlite(c) => diesel::insert_into(erkenningen::table)
                    .values(chunk)
                    .on_conflict((erkenningen::leerbedrijf_id, erkenningen::crebo, erkenningen::geldig_van))
                    .do_nothing()
                    .execute(c)?,
            };
        }
        Ok(n)
    })
}

/// The erkenningen of one leerbedrijf.
pub fn erkenningen_for(conn: &mut DbConnection, leerbedrijf_id: &str) -> StoreResult<Vec<ErkenningRow>> {
    Ok(erkenningen::table
        .filter(erkenningen::leerbedrijf_id.eq(leerbedrijf_id))
        .order((erkenningen::crebo, erkenningen::geldig_van))
        .select(ErkenningRow::as_select())
        .load(conn)?)
}

/// How many erkenningen are stored.
pub fn count_erkenningen(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(erkenningen::table.count().get_result(conn)?)
}

/// The part of SBB's registers that `records` are checked against (`bpvo::Registers::excerpt`):
/// whether the qualification register holds anything, which of their crebo's it holds, and the
/// locaties under their locatiecodes or aanbieders. Reads only those rows, so a single `PUT`
/// does not load the whole registers.
pub fn registers_for(conn: &mut DbConnection, records: &[&bpvo::Bpvo]) -> StoreResult<bpvo::Registers> {
    use std::collections::BTreeSet;

    use crate::schema::locaties;
    let distinct = |f: fn(&bpvo::Bpvo) -> &str| -> Vec<&str> {
        records.iter().map(|b| f(b)).collect::<BTreeSet<_>>().into_iter().collect()
    };
    let crebos = distinct(|b| b.crebo.as_str());
    let codes = distinct(|b| b.school.locatiecode.as_str());
    let eigenaren = distinct(|b| b.school.aanbiedercode.as_str());
    let loaded = kwalificaties::table.select(kwalificaties::crebo).first::<String>(conn).optional()?.is_some();
    let mut known: Vec<String> = Vec::new();
    for chunk in crebos.chunks(CHUNK) {
        known.extend(
            kwalificaties::table
                .filter(kwalificaties::crebo.eq_any(chunk))
                .select(kwalificaties::crebo)
                .load::<String>(conn)?,
        );
    }
    let pair = (locaties::locatiecode, locaties::aanbiedercode);
    let mut found: Vec<(String, String)> = Vec::new();
    for chunk in codes.chunks(CHUNK) {
        found.extend(
            locaties::table.filter(locaties::locatiecode.eq_any(chunk)).select(pair).load::<(String, String)>(conn)?,
        );
    }
    for chunk in eigenaren.chunks(CHUNK) {
        found.extend(
            locaties::table
                .filter(locaties::aanbiedercode.eq_any(chunk))
                .select(pair)
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(bpvo::Registers::excerpt(loaded, known, found))
}
