//! Reference data from SBB's registers: kwalificaties (crebo) and erkenningen of leerbedrijven.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::{DuoMeldingRow, ErkenningRow, KeuzedeelErkenningRow, KwalificatieRow};
use crate::repo::CHUNK;
use crate::schema::{duo_meldingen, erkenningen, keuzedeel_erkenningen, kwalificaties, referentie_leveringen};

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

/// Insert erkenningen; one already known (same leerbedrijf, crebo and start) takes the end,
/// application and decision dates of the file (SBB's register is the source: an erkenning it
/// ended, or whose dates it now delivers, is updated). Returns how many were new.
pub fn insert_erkenningen(conn: &mut DbConnection, rows: &[ErkenningRow]) -> StoreResult<usize> {
    use diesel::upsert::excluded;
    crate::db::write_transaction(conn, |conn| {
        let before = count_erkenningen(conn)?;
        for chunk in rows.chunks(CHUNK) {
            macro_rules! upsert {
                ($c:expr) => {
                    diesel::insert_into(erkenningen::table)
                        .values(chunk)
                        .on_conflict((erkenningen::leerbedrijf_id, erkenningen::crebo, erkenningen::geldig_van))
                        .do_update()
                        .set((
                            erkenningen::geldig_tot.eq(excluded(erkenningen::geldig_tot)),
                            erkenningen::aangevraagd_op.eq(excluded(erkenningen::aangevraagd_op)),
                            erkenningen::besloten_op.eq(excluded(erkenningen::besloten_op)),
                        ))
                        .execute($c)?
                };
            }
            match conn {
                DbConnection::Postgresql(c) => upsert!(c),
                DbConnection::Sqlite(c) => upsert!(c),
            };
        }
        Ok(usize::try_from(count_erkenningen(conn)? - before).unwrap_or(0))
    })
}

/// [`insert_erkenningen`] for erkenningen of a keuzedeel.
pub fn insert_keuzedeel_erkenningen(conn: &mut DbConnection, rows: &[KeuzedeelErkenningRow]) -> StoreResult<usize> {
    use diesel::upsert::excluded;
    use keuzedeel_erkenningen as k;
    crate::db::write_transaction(conn, |conn| {
        let count = |conn: &mut DbConnection| -> StoreResult<i64> { Ok(k::table.count().get_result(conn)?) };
        let before = count(conn)?;
        for chunk in rows.chunks(CHUNK) {
            macro_rules! upsert {
                ($c:expr) => {
                    diesel::insert_into(k::table)
                        .values(chunk)
                        .on_conflict((k::leerbedrijf_id, k::keuzedeel_code, k::geldig_van))
                        .do_update()
                        .set((
                            k::geldig_tot.eq(excluded(k::geldig_tot)),
                            k::aangevraagd_op.eq(excluded(k::aangevraagd_op)),
                            k::besloten_op.eq(excluded(k::besloten_op)),
                        ))
                        .execute($c)?
                };
            }
            match conn {
                DbConnection::Postgresql(c) => upsert!(c),
                DbConnection::Sqlite(c) => upsert!(c),
            };
        }
        Ok(usize::try_from(count(conn)? - before).unwrap_or(0))
    })
}

/// Record that a reference register (`erkenningen` or `kwalificaties`) was delivered now
/// (question 4 of data quality).
pub fn record_levering(conn: &mut DbConnection, register: &str, now: chrono::NaiveDateTime) -> StoreResult<()> {
    diesel::insert_into(referentie_leveringen::table)
        .values((
            referentie_leveringen::id.eq(crate::ids::new_id()),
            referentie_leveringen::register.eq(register),
            referentie_leveringen::geleverd_op.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Store DUO's registrations, replacing the date of one already known; returns how many rows
/// were written.
pub fn upsert_duo_meldingen(conn: &mut DbConnection, rows: &[DuoMeldingRow]) -> StoreResult<usize> {
    use diesel::upsert::excluded;
    use duo_meldingen as d;
    crate::db::write_transaction(conn, |conn| {
        let mut n = 0;
        for chunk in rows.chunks(CHUNK) {
            macro_rules! upsert {
                ($c:expr) => {
                    diesel::insert_into(d::table)
                        .values(chunk)
                        .on_conflict((d::aanbiedercode, d::correlatie_id))
                        .do_update()
                        .set((
                            d::startdatum.eq(excluded(d::startdatum)),
                            d::gemeld_op.eq(excluded(d::gemeld_op)),
                            d::geimporteerd_op.eq(excluded(d::geimporteerd_op)),
                        ))
                        .execute($c)?
                };
            }
            n += match conn {
                DbConnection::Postgresql(c) => upsert!(c),
                DbConnection::Sqlite(c) => upsert!(c),
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
