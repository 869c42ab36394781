//! Gemachtigden: the people who may use the manual upload module for an instelling.
//! SBB allows at most two active ones per BRIN; the store enforces it under a lock.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::models::GemachtigdeRow;
use crate::repo::instellingen;
use crate::schema::gemachtigden::dsl;

/// At most this many active gemachtigden per instelling.
pub const MAX_ACTIVE_PER_BRIN: i64 = 2;

/// What is needed to add a gemachtigde.
#[derive(Debug, Clone)]
pub struct NewGemachtigde<'a> {
    pub brin: &'a str,
    pub email: &'a str,
    pub naam: &'a str,
    pub password_hash: &'a str,
}

/// Add a gemachtigde; refuses a third active one for the same BRIN and a second active account
/// with the same email address.
pub fn add(conn: &mut DbConnection, new: &NewGemachtigde<'_>, now: NaiveDateTime) -> StoreResult<GemachtigdeRow> {
    crate::db::write_transaction(conn, |conn| {
        instellingen::lock(conn, new.brin)?;
        let active: Vec<GemachtigdeRow> = dsl::gemachtigden
            .filter(dsl::brin.eq(new.brin))
            .filter(dsl::actief.eq(true))
            .select(GemachtigdeRow::as_select())
            .load(conn)?;
        if active.len() as i64 >= MAX_ACTIVE_PER_BRIN {
            let names: Vec<&str> = active.iter().map(|g| g.email.as_str()).collect();
            return Err(StoreError::Rule(format!(
                "instelling {} heeft al {} actieve gemachtigden ({}); verwijder er eerst een \
                 (at most {} active gemachtigden per BRIN)",
                new.brin,
                active.len(),
                names.join(", "),
                MAX_ACTIVE_PER_BRIN
            )));
        }
        let email = new.email.trim().to_lowercase();
        if find_active_by_email(conn, &email)?.is_some() {
            return Err(StoreError::Rule(format!(
                "er is al een actieve gemachtigde met e-mailadres {email} (an active gemachtigde with this email exists)"
            )));
        }
        if crate::repo::lezers::find_active_by_email(conn, &email)?.is_some() {
            return Err(StoreError::Rule(format!(
                "{email} is al een actieve lezer; verwijder die eerst (an active lezer has this email)"
            )));
        }
        let row = GemachtigdeRow {
            id: new_id(),
            brin: new.brin.to_owned(),
            email,
            naam: new.naam.to_owned(),
            password_hash: new.password_hash.to_owned(),
            actief: true,
            created_at: now,
            removed_at: None,
        };
        diesel::insert_into(dsl::gemachtigden).values(&row).execute(conn)?;
        Ok(row)
    })
}

/// Deactivate a gemachtigde (kept for the audit trail); returns whether one was active.
pub fn remove(conn: &mut DbConnection, brin: &str, email: &str, now: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(
        dsl::gemachtigden
            .filter(dsl::brin.eq(brin))
            .filter(dsl::email.eq(email.trim().to_lowercase()))
            .filter(dsl::actief.eq(true)),
    )
    .set((dsl::actief.eq(false), dsl::removed_at.eq(Some(now))))
    .execute(conn)?;
    Ok(n > 0)
}

/// The active gemachtigde with this email (login).
pub fn find_active_by_email(conn: &mut DbConnection, email: &str) -> StoreResult<Option<GemachtigdeRow>> {
    Ok(dsl::gemachtigden
        .filter(dsl::email.eq(email.trim().to_lowercase()))
        .filter(dsl::actief.eq(true))
        .select(GemachtigdeRow::as_select())
        .first(conn)
        .optional()?)
}

/// A gemachtigde by id, active or not (the upload page checks `actief` on every request, so a
/// removed gemachtigde is locked out even while holding a valid session cookie).
pub fn find_by_id(conn: &mut DbConnection, id: &str) -> StoreResult<Option<GemachtigdeRow>> {
    Ok(dsl::gemachtigden.find(id).select(GemachtigdeRow::as_select()).first(conn).optional()?)
}

/// All gemachtigden of an instelling, active first.
pub fn list(conn: &mut DbConnection, brin: &str) -> StoreResult<Vec<GemachtigdeRow>> {
    Ok(dsl::gemachtigden
        .filter(dsl::brin.eq(brin))
        .order((dsl::actief.desc(), dsl::created_at))
        .select(GemachtigdeRow::as_select())
        .load(conn)?)
}
