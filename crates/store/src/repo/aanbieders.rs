//! Onderwijsaanbieders and their locaties.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::{AanbiederRow, LocatieRow};
use crate::schema::{aanbieders, locaties};

/// Add an aanbieder to an instelling.
pub fn insert(conn: &mut DbConnection, row: &AanbiederRow) -> StoreResult<()> {
    diesel::insert_into(aanbieders::table).values(row).execute(conn)?;
    Ok(())
}

/// The aanbieder with this code.
pub fn find(conn: &mut DbConnection, code: &str) -> StoreResult<Option<AanbiederRow>> {
    Ok(aanbieders::table.find(code).select(AanbiederRow::as_select()).first(conn).optional()?)
}

/// The aanbieders of one instelling.
pub fn list_for_brin(conn: &mut DbConnection, brin: &str) -> StoreResult<Vec<AanbiederRow>> {
    Ok(aanbieders::table
        .filter(aanbieders::brin.eq(brin))
        .order(aanbieders::aanbiedercode)
        .select(AanbiederRow::as_select())
        .load(conn)?)
}

/// Every aanbieder.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<AanbiederRow>> {
    Ok(aanbieders::table.order(aanbieders::aanbiedercode).select(AanbiederRow::as_select()).load(conn)?)
}

/// Add or rename a locatie.
pub fn upsert_locatie(conn: &mut DbConnection, row: &LocatieRow) -> StoreResult<()> {
    match conn {
        DbConnection::Postgresql(c) => diesel::insert_into(locaties::table)
            .values(row)
            .on_conflict(locaties::locatiecode)
            .do_update()
            .set(row)
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(locaties::table)
            .values(row)
            .on_conflict(locaties::locatiecode)
            .do_update()
            .set(row)
            .execute(c)?,
    };
    Ok(())
}

/// The locaties of the given aanbieders.
pub fn locaties_for(conn: &mut DbConnection, aanbiedercodes: &[String]) -> StoreResult<Vec<LocatieRow>> {
    Ok(locaties::table
        .filter(locaties::aanbiedercode.eq_any(aanbiedercodes))
        .order(locaties::locatiecode)
        .select(LocatieRow::as_select())
        .load(conn)?)
}
