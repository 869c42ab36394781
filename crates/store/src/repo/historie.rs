//! Results of past years (`bpv admin import-historie`): answers with their analysis keys and
//! invitation counts per cell from the earlier research bureaus — no invitations, no personal
//! data, no free text. A file is stored whole or not at all, under its SHA-256, so the same file
//! twice changes nothing. The reporting index reads them beside the live answers
//! ([`crate::repo::reporting`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::repo::CHUNK;
use crate::schema::{historie_antwoorden, historie_bestanden, historie_uitnodigingen};

/// An imported file.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = historie_bestanden)]
pub struct HistorieBestand {
    /// SHA-256 of the file's bytes, hex.
    pub id: String,
    pub naam: String,
    pub geimporteerd_op: NaiveDateTime,
    pub antwoorden: i64,
    pub uitnodigingen: i64,
}

/// The analysis keys of a history row (as the live answers store them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HistorieSleutel {
    /// `student` or `praktijkopleider`.
    pub groep: String,
    /// `jjjj-mm`.
    pub maand: String,
    pub aanbiedercode: String,
    pub locatiecode: Option<String>,
    pub leerweg: String,
    pub crebo: String,
}

/// One answer of the past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistorieAntwoord {
    pub sleutel: HistorieSleutel,
    pub sector: Option<String>,
    pub questionnaire_version: String,
    pub cijfer: i32,
    /// `bpv_aggregation::Answers` as JSON.
    pub antwoorden: String,
}

#[derive(Insertable)]
#[diesel(table_name = historie_antwoorden, treat_none_as_default_value = false)]
struct AntwoordRij<'a> {
    id: String,
    bestand_id: &'a str,
    questionnaire_version: &'a str,
    groep: &'a str,
    maand: &'a str,
    aanbiedercode: &'a str,
    locatiecode: Option<&'a str>,
    leerweg: &'a str,
    crebo: &'a str,
    sector: Option<&'a str>,
    cijfer: i32,
    antwoorden: &'a str,
}

#[derive(Insertable)]
#[diesel(table_name = historie_uitnodigingen, treat_none_as_default_value = false)]
struct UitnodigingRij<'a> {
    bestand_id: &'a str,
    groep: &'a str,
    maand: &'a str,
    aanbiedercode: &'a str,
    locatiecode: Option<&'a str>,
    leerweg: &'a str,
    crebo: &'a str,
    aantal: i64,
}

/// The file with this checksum, when it was imported before.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<HistorieBestand>> {
    Ok(historie_bestanden::table.find(id).select(HistorieBestand::as_select()).first(conn).optional()?)
}

/// Every imported file, oldest first.
pub fn bestanden(conn: &mut DbConnection) -> StoreResult<Vec<HistorieBestand>> {
    Ok(historie_bestanden::table
        .order((historie_bestanden::geimporteerd_op, historie_bestanden::id))
        .select(HistorieBestand::as_select())
        .load(conn)?)
}

/// Store a checked file: its row, its answers and its invitation counts, in one transaction.
/// A file with the same checksum already stored is a [`StoreError::Rule`] (two imports racing).
pub fn store(
    conn: &mut DbConnection,
    bestand: &HistorieBestand,
    antwoorden: &[HistorieAntwoord],
    uitnodigingen: &[(HistorieSleutel, i64)],
) -> StoreResult<()> {
    crate::db::write_transaction(conn, |conn| {
        if find(conn, &bestand.id)?.is_some() {
            return Err(StoreError::Rule(format!("bestand {} is al geïmporteerd", bestand.id)));
        }
        diesel::insert_into(historie_bestanden::table).values(bestand).execute(conn)?;
        for chunk in antwoorden.chunks(CHUNK) {
            let rows: Vec<AntwoordRij<'_>> = chunk
                .iter()
                .map(|a| AntwoordRij {
                    id: new_id(),
                    bestand_id: &bestand.id,
                    questionnaire_version: &a.questionnaire_version,
                    groep: &a.sleutel.groep,
                    maand: &a.sleutel.maand,
                    aanbiedercode: &a.sleutel.aanbiedercode,
                    locatiecode: a.sleutel.locatiecode.as_deref(),
                    leerweg: &a.sleutel.leerweg,
                    crebo: &a.sleutel.crebo,
                    sector: a.sector.as_deref(),
                    cijfer: a.cijfer,
                    antwoorden: &a.antwoorden,
                })
                .collect();
            // A multi-row insert is per backend (the multi-connection has no batch insert).
            match conn {
                DbConnection::Postgresql(c) => {
                    diesel::insert_into(historie_antwoorden::table).values(&rows).execute(c)?
                }
                DbConnection::Sqlite(c) => diesel::insert_into(historie_antwoorden::table).values(&rows).execute(c)?,
            };
        }
        for chunk in uitnodigingen.chunks(CHUNK) {
            let rows: Vec<UitnodigingRij<'_>> = chunk
                .iter()
                .map(|(s, aantal)| UitnodigingRij {
                    bestand_id: &bestand.id,
                    groep: &s.groep,
                    maand: &s.maand,
                    aanbiedercode: &s.aanbiedercode,
                    locatiecode: s.locatiecode.as_deref(),
                    leerweg: &s.leerweg,
                    crebo: &s.crebo,
                    aantal: *aantal,
                })
                .collect();
            // A multi-row insert is per backend (the multi-connection has no batch insert).
            match conn {
                DbConnection::Postgresql(c) => {
                    diesel::insert_into(historie_uitnodigingen::table).values(&rows).execute(c)?
                }
                DbConnection::Sqlite(c) => {
                    diesel::insert_into(historie_uitnodigingen::table).values(&rows).execute(c)?
                }
            };
        }
        Ok(())
    })
}

/// How many history answers and invitation-count rows are stored (all files).
pub fn counts(conn: &mut DbConnection) -> StoreResult<(i64, i64)> {
    let a: i64 = historie_antwoorden::table.count().get_result(conn)?;
    let u: i64 = historie_uitnodigingen::table.count().get_result(conn)?;
    Ok((a, u))
}
