//! Lezers: people who read an instelling's results on the dashboard and nothing else, any number
//! per instelling, optionally limited to some of its aanbieders and/or locaties. Added by SBB
//! (`bpv admin lezer`) or by the instelling's gemachtigde on the dashboard; the store checks that
//! every limit is the instelling's own and that no other active account has the address (one
//! address logs in as one account).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::ids::new_id;
use crate::models::LezerRow;
use crate::repo::{aanbieders, gemachtigden, instellingen, medewerkers};
use crate::schema::lezers::dsl;

/// At most this many aanbieders or locaties in one lezer's limit.
pub const MAX_BEPERKING: usize = 50;

/// What is needed to add a lezer.
#[derive(Debug, Clone)]
pub struct NewLezer<'a> {
    pub brin: &'a str,
    pub email: &'a str,
    pub naam: &'a str,
    pub password_hash: &'a str,
    /// Aanbiedercodes the lezer may read (empty: all of the instelling's).
    pub aanbieders: &'a [String],
    /// Locatiecodes the lezer may read (empty: all).
    pub locaties: &'a [String],
}

/// Why a lezer cannot be added as asked: the field (`email`, `aanbieder`, `locatie`) and what is
/// wrong with it, in Dutch with the English in brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bezwaar {
    pub veld: &'static str,
    pub melding: String,
}

/// Add a lezer, or say every reason it cannot be: an address that already has an active account
/// of any kind, an aanbieder that is not the instelling's, a locatie that is not one of its
/// aanbieders' (of the chosen aanbieders, when the lezer is limited to some), too long a limit.
pub fn add(
    conn: &mut DbConnection,
    new: &NewLezer<'_>,
    now: NaiveDateTime,
) -> StoreResult<Result<LezerRow, Vec<Bezwaar>>> {
    crate::db::write_transaction(conn, |conn| {
        instellingen::lock(conn, new.brin)?;
        let email = new.email.trim().to_lowercase();
        let mut bezwaren = Vec::new();
        if address_taken(conn, &email)? {
            bezwaren.push(Bezwaar {
                veld: "email",
                melding: format!(
                    "er is al een actief account met e-mailadres {email} (an active account has this email)"
                ),
            });
        }
        let (aanbieder_codes, locatie_codes) = beperking(conn, new, &mut bezwaren)?;
        if !bezwaren.is_empty() {
            return Ok(Err(bezwaren));
        }
        let row = LezerRow {
            id: new_id(),
            brin: new.brin.to_owned(),
            email,
            naam: new.naam.to_owned(),
            password_hash: new.password_hash.to_owned(),
            aanbieders: aanbieder_codes.join(" "),
            locaties: locatie_codes.join(" "),
            actief: true,
            created_at: now,
            removed_at: None,
        };
        diesel::insert_into(dsl::lezers).values(&row).execute(conn)?;
        Ok(Ok(row))
    })
}

/// Whether an active gemachtigde, lezer or SBB medewerker has this (normalised) address.
pub fn address_taken(conn: &mut DbConnection, email: &str) -> StoreResult<bool> {
    Ok(find_active_by_email(conn, email)?.is_some()
        || gemachtigden::find_active_by_email(conn, email)?.is_some()
        || medewerkers::find_active_by_email(conn, email)?.is_some())
}

/// The limit of a new lezer, checked against the instelling's aanbieders and locaties:
/// upper-cased aanbiedercodes and the stored locatiecodes, each once, in the order given.
fn beperking(
    conn: &mut DbConnection,
    new: &NewLezer<'_>,
    bezwaren: &mut Vec<Bezwaar>,
) -> StoreResult<(Vec<String>, Vec<String>)> {
    for (veld, lijst) in [("aanbieder", new.aanbieders), ("locatie", new.locaties)] {
        if lijst.len() > MAX_BEPERKING {
            bezwaren.push(Bezwaar {
                veld,
                melding: format!("ten hoogste {MAX_BEPERKING} per lezer (at most {MAX_BEPERKING})"),
            });
        }
    }
    let eigen: Vec<String> = aanbieders::list_for_brin(conn, new.brin)?.into_iter().map(|a| a.aanbiedercode).collect();
    let mut gekozen: Vec<String> = Vec::new();
    for a in new.aanbieders {
        let a = a.trim().to_uppercase();
        if !eigen.contains(&a) {
            bezwaren.push(Bezwaar {
                veld: "aanbieder",
                melding: format!(
                    "{a} is geen onderwijsaanbieder van {} (not an aanbieder of this instelling)",
                    new.brin
                ),
            });
        } else if !gekozen.contains(&a) {
            gekozen.push(a);
        }
    }
    let binnen = if new.aanbieders.is_empty() { &eigen } else { &gekozen };
    let locaties = aanbieders::locaties_for(conn, binnen)?;
    let mut locatie_codes: Vec<String> = Vec::new();
    for l in new.locaties {
        let l = l.trim();
        match locaties.iter().find(|r| r.locatiecode.eq_ignore_ascii_case(l)) {
            Some(r) if !locatie_codes.contains(&r.locatiecode) => locatie_codes.push(r.locatiecode.clone()),
            Some(_) => {}
            None => {
                let van = if new.aanbieders.is_empty() { new.brin.to_owned() } else { gekozen.join(", ") };
                bezwaren.push(Bezwaar {
                    veld: "locatie",
                    melding: format!(
                        "{l} is geen onderwijslocatie van {van} (not a locatie of the lezer's aanbieders)"
                    ),
                });
            }
        }
    }
    Ok((gekozen, locatie_codes))
}

/// Deactivate a lezer of `brin` (kept for the audit trail); returns its id when one was active.
pub fn remove(conn: &mut DbConnection, brin: &str, email: &str, now: NaiveDateTime) -> StoreResult<Option<String>> {
    crate::db::write_transaction(conn, |conn| {
        let email = email.trim().to_lowercase();
        let Some(row) = find_active_by_email(conn, &email)?.filter(|l| l.brin == brin) else {
            return Ok(None);
        };
        diesel::update(dsl::lezers.find(&row.id))
            .set((dsl::actief.eq(false), dsl::removed_at.eq(Some(now))))
            .execute(conn)?;
        Ok(Some(row.id))
    })
}

/// The active lezer with this email (login).
pub fn find_active_by_email(conn: &mut DbConnection, email: &str) -> StoreResult<Option<LezerRow>> {
    Ok(dsl::lezers
        .filter(dsl::email.eq(email.trim().to_lowercase()))
        .filter(dsl::actief.eq(true))
        .select(LezerRow::as_select())
        .first(conn)
        .optional()?)
}

/// A lezer by id, active or not (the dashboard re-reads it on every request, so a removed lezer
/// is locked out at once).
pub fn find_by_id(conn: &mut DbConnection, id: &str) -> StoreResult<Option<LezerRow>> {
    Ok(dsl::lezers.find(id).select(LezerRow::as_select()).first(conn).optional()?)
}

/// All lezers of an instelling, active first, then by address.
pub fn list(conn: &mut DbConnection, brin: &str) -> StoreResult<Vec<LezerRow>> {
    Ok(dsl::lezers
        .filter(dsl::brin.eq(brin))
        .order((dsl::actief.desc(), dsl::email, dsl::created_at))
        .select(LezerRow::as_select())
        .load(conn)?)
}
