//! Accounts of the inspectie and OCW (*toezicht*): they read the quarterly data-quality photos of
//! every instelling on the dashboard, never the live record-level view or survey results.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::models::ToezichthouderRow;
use crate::schema::toezichthouders::dsl;

/// The organisations a toezichthouder may belong to.
pub const ORGANISATIES: [&str; 2] = ["inspectie", "ocw"];

/// Add a toezichthouder; refuses an unknown organisation and an address that already has an
/// active dashboard account of any kind (login finds one account per address).
pub fn add(
    conn: &mut DbConnection,
    email: &str,
    naam: &str,
    organisatie: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> StoreResult<ToezichthouderRow> {
    crate::db::write_transaction(conn, |conn| {
        let email = email.trim().to_lowercase();
        let organisatie = organisatie.trim().to_lowercase();
        if !ORGANISATIES.contains(&organisatie.as_str()) {
            return Err(StoreError::Rule(format!(
                "organisatie {organisatie:?} is onbekend; kies inspectie of ocw (unknown organisation)"
            )));
        }
        let taken = find_active_by_email(conn, &email)?.is_some()
            || crate::repo::medewerkers::find_active_by_email(conn, &email)?.is_some()
            || crate::repo::lezers::find_active_by_email(conn, &email)?.is_some()
            || crate::repo::gemachtigden::find_active_by_email(conn, &email)?.is_some();
        if taken {
            return Err(StoreError::Rule(format!(
                "er is al een actief account met e-mailadres {email} (an active account with this email exists)"
            )));
        }
        let row = ToezichthouderRow {
            id: new_id(),
            email,
            naam: naam.to_owned(),
            organisatie,
            password_hash: password_hash.to_owned(),
            actief: true,
            created_at: now,
            removed_at: None,
        };
        diesel::insert_into(dsl::toezichthouders).values(&row).execute(conn)?;
        Ok(row)
    })
}

/// Deactivate a toezichthouder (kept for the audit trail); returns whether one was active.
pub fn remove(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(
        dsl::toezichthouders.filter(dsl::email.eq(email.trim().to_lowercase())).filter(dsl::actief.eq(true)),
    )
    .set((dsl::actief.eq(false), dsl::removed_at.eq(Some(now))))
    .execute(conn)?;
    Ok(n > 0)
}

/// The active toezichthouder with this email (login).
pub fn find_active_by_email(conn: &mut DbConnection, email: &str) -> StoreResult<Option<ToezichthouderRow>> {
    Ok(dsl::toezichthouders
        .filter(dsl::email.eq(email.trim().to_lowercase()))
        .filter(dsl::actief.eq(true))
        .select(ToezichthouderRow::as_select())
        .first(conn)
        .optional()?)
}

/// A toezichthouder by id, active or not.
pub fn find_by_id(conn: &mut DbConnection, id: &str) -> StoreResult<Option<ToezichthouderRow>> {
    Ok(dsl::toezichthouders.find(id).select(ToezichthouderRow::as_select()).first(conn).optional()?)
}

/// Everyone, active first.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<ToezichthouderRow>> {
    Ok(dsl::toezichthouders
        .order((dsl::actief.desc(), dsl::email))
        .select(ToezichthouderRow::as_select())
        .load(conn)?)
}
