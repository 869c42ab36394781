//! Instellingen (school boards) and their participation settings.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::models::InstellingRow;
use crate::schema::instellingen::dsl;

/// Add a new instelling; fails with a unique violation if the BRIN exists.
pub fn insert(conn: &mut DbConnection, row: &InstellingRow) -> StoreResult<()> {
    diesel::insert_into(dsl::instellingen).values(row).execute(conn)?;
    Ok(())
}

/// The instelling with this BRIN, if any.
pub fn find(conn: &mut DbConnection, brin: &str) -> StoreResult<Option<InstellingRow>> {
    Ok(dsl::instellingen.find(brin).select(InstellingRow::as_select()).first(conn).optional()?)
}

/// The instelling with this BRIN, or a NotFound error that names it.
pub fn get(conn: &mut DbConnection, brin: &str) -> StoreResult<InstellingRow> {
    find(conn, brin)?.ok_or_else(|| StoreError::NotFound(format!("instelling {brin} bestaat niet")))
}

/// All instellingen by BRIN.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<InstellingRow>> {
    Ok(dsl::instellingen.order(dsl::brin).select(InstellingRow::as_select()).load(conn)?)
}

/// The instelling registered with this OIN.
pub fn find_by_oin(conn: &mut DbConnection, oin: &str) -> StoreResult<Option<InstellingRow>> {
    Ok(dsl::instellingen.filter(dsl::oin.eq(oin)).select(InstellingRow::as_select()).first(conn).optional()?)
}

/// A change of participation settings; `None` leaves a field as it is, `Some(None)` clears a date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipationChange {
    pub directe_studentbevraging: Option<bool>,
    pub intake_op: Option<Option<NaiveDate>>,
    pub resultaten_api: Option<bool>,
    pub verwerkersovereenkomst_getekend_op: Option<Option<NaiveDate>>,
    pub oin: Option<Option<String>>,
    pub naam: Option<String>,
    pub verbeterpunten_delen: Option<bool>,
}

/// Apply a participation change and return the instelling as it now is.
pub fn set_participation(
    conn: &mut DbConnection,
    brin: &str,
    change: &ParticipationChange,
    now: NaiveDateTime,
) -> StoreResult<InstellingRow> {
    let mut row = get(conn, brin)?;
    if let Some(v) = change.directe_studentbevraging {
        row.directe_studentbevraging = v;
    }
    if let Some(v) = change.intake_op {
        row.intake_op = v;
    }
    if let Some(v) = change.resultaten_api {
        row.resultaten_api = v;
    }
    if let Some(v) = change.verbeterpunten_delen {
        row.verbeterpunten_delen = v;
    }
    if let Some(v) = change.verwerkersovereenkomst_getekend_op {
        row.verwerkersovereenkomst_getekend_op = v;
    }
    if let Some(v) = &change.oin {
        row.oin = v.clone();
    }
    if let Some(v) = &change.naam {
        row.naam = v.clone();
    }
    row.updated_at = now;
    diesel::update(dsl::instellingen.find(brin))
        .set((
            dsl::naam.eq(&row.naam),
            dsl::oin.eq(&row.oin),
            dsl::directe_studentbevraging.eq(row.directe_studentbevraging),
            dsl::intake_op.eq(row.intake_op),
            dsl::resultaten_api.eq(row.resultaten_api),
            dsl::verwerkersovereenkomst_getekend_op.eq(row.verwerkersovereenkomst_getekend_op),
            dsl::verbeterpunten_delen.eq(row.verbeterpunten_delen),
            dsl::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(row)
}

/// Take the write lock on one instelling for the rest of the transaction: a row lock on
/// PostgreSQL, the database write lock on SQLite (the first statement is a write, so SQLite waits
/// for other writers instead of failing on a lock upgrade). Used before check-then-insert rules.
pub(crate) fn lock(conn: &mut DbConnection, brin: &str) -> StoreResult<()> {
    let n = diesel::update(dsl::instellingen.find(brin)).set(dsl::brin.eq(brin)).execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("instelling {brin} bestaat niet")));
    }
    Ok(())
}

/// Set (or, with `None`, clear) where the instelling's students go for help with an unsafe
/// situation: a short text and an address. Returns the instelling as it now is.
pub fn set_contact(
    conn: &mut DbConnection,
    brin: &str,
    tekst: Option<&str>,
    url: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<InstellingRow> {
    diesel::update(dsl::instellingen.find(brin))
        .set((dsl::vertrouwenspersoon_tekst.eq(tekst), dsl::vertrouwenspersoon_url.eq(url), dsl::updated_at.eq(now)))
        .execute(conn)?;
    get(conn, brin)
}

/// The instelling an aanbieder belongs to.
pub fn for_aanbieder(conn: &mut DbConnection, aanbiedercode: &str) -> StoreResult<Option<InstellingRow>> {
    use crate::schema::aanbieders;
    Ok(dsl::instellingen
        .inner_join(aanbieders::table)
        .filter(aanbieders::aanbiedercode.eq(aanbiedercode))
        .select(InstellingRow::as_select())
        .first(conn)
        .optional()?)
}
