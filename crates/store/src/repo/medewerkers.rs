//! SBB staff accounts for the results dashboard (all instellingen, national figures).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::models::MedewerkerRow;
use crate::schema::medewerkers::dsl;

/// Add a staff member; refuses a second active account with the same email address.
pub fn add(
    conn: &mut DbConnection,
    email: &str,
    naam: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> StoreResult<MedewerkerRow> {
    crate::db::write_transaction(conn, |conn| {
        let email = email.trim().to_lowercase();
        if find_active_by_email(conn, &email)?.is_some() {
            return Err(StoreError::Rule(format!(
                "er is al een actieve SBB-medewerker met e-mailadres {email} (an active account with this email exists)"
            )));
        }
        if crate::repo::lezers::find_active_by_email(conn, &email)?.is_some() {
            return Err(StoreError::Rule(format!(
                "{email} is al een actieve lezer van een instelling (an active lezer has this email)"
            )));
        }
        let row = MedewerkerRow {
            id: new_id(),
            email,
            naam: naam.to_owned(),
            password_hash: password_hash.to_owned(),
            actief: true,
            created_at: now,
            removed_at: None,
        };
        diesel::insert_into(dsl::medewerkers).values(&row).execute(conn)?;
        Ok(row)
    })
}

/// Deactivate a staff member (kept for the audit trail); returns whether one was active.
pub fn remove(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(
        dsl::medewerkers.filter(dsl::email.eq(email.trim().to_lowercase())).filter(dsl::actief.eq(true)),
    )
    .set((dsl::actief.eq(false), dsl::removed_at.eq(Some(now))))
    .execute(conn)?;
    Ok(n > 0)
}

/// The active staff member with this email (login).
pub fn find_active_by_email(conn: &mut DbConnection, email: &str) -> StoreResult<Option<MedewerkerRow>> {
    Ok(dsl::medewerkers
        .filter(dsl::email.eq(email.trim().to_lowercase()))
        .filter(dsl::actief.eq(true))
        .select(MedewerkerRow::as_select())
        .first(conn)
        .optional()?)
}

/// A staff member by id, active or not.
pub fn find_by_id(conn: &mut DbConnection, id: &str) -> StoreResult<Option<MedewerkerRow>> {
    Ok(dsl::medewerkers.find(id).select(MedewerkerRow::as_select()).first(conn).optional()?)
}

/// Everyone, active first.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<MedewerkerRow>> {
    Ok(dsl::medewerkers.order((dsl::actief.desc(), dsl::email)).select(MedewerkerRow::as_select()).load(conn)?)
}
