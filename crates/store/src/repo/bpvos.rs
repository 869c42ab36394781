//! Bpvo's: the school upload merged by (aanbiedercode, correlatie_id), with its outcome per
//! record (created / updated / unchanged), and withdrawal.

use std::collections::{BTreeMap, HashMap, HashSet};

use bpvo::{Bpvo, BpvoStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::models::BpvoRow;
use crate::repo::CHUNK;
use crate::schema::bpvos::dsl;
use crate::sqlite_text::{SqliteDate, SqliteTimestamp};

/// What an upsert did with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpsertOutcome {
    /// The school had not sent this bpvo before.
    Created,
    /// The school's data for this bpvo changed.
    Updated,
    /// The same data was sent again; nothing was written.
    Unchanged,
}

/// The fields of a stored bpvo that come from the school's upload, as the school sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SchoolFields {
    leerbedrijf_id: String,
    crebo: String,
    leerweg: String,
    startdatum: chrono::NaiveDate,
    geplande_einddatum: chrono::NaiveDate,
    status: BpvoStatus,
    student_email: Option<String>,
    studentcode: Option<String>,
    student_naam: Option<String>,
    schoolnaam: Option<String>,
    locatiecode: Option<String>,
    keuzedeel_code: Option<String>,
}

impl SchoolFields {
    fn of_bpvo(b: &Bpvo) -> Self {
        Self {
            leerbedrijf_id: b.leerbedrijf_id.as_str().to_owned(),
            crebo: b.crebo.as_str().to_owned(),
            leerweg: b.leerweg.as_str().to_owned(),
            startdatum: b.periode.startdatum(),
            geplande_einddatum: b.periode.geplande_einddatum(),
            status: BpvoStatus::Actief,
            student_email: b.student.emailadres.as_ref().map(|e| e.as_str().to_owned()),
            studentcode: Some(b.student.studentcode.as_str().to_owned()),
            student_naam: Some(b.student.naam.as_str().to_owned()),
            schoolnaam: Some(b.school.schoolnaam.as_str().to_owned()),
            locatiecode: Some(b.school.locatiecode.as_str().to_owned()),
            keuzedeel_code: b.keuzedeel_code.as_ref().map(|k| k.as_str().to_owned()),
        }
    }

    fn of_row(r: &BpvoRow) -> Self {
        Self {
            leerbedrijf_id: r.leerbedrijf_id.clone(),
            crebo: r.crebo.clone(),
            leerweg: r.leerweg.clone(),
            startdatum: r.startdatum,
            geplande_einddatum: r.geplande_einddatum,
            status: r.status,
            student_email: r.student_email.clone(),
            studentcode: r.studentcode.clone(),
            student_naam: r.student_naam.clone(),
            schoolnaam: r.schoolnaam.clone(),
            locatiecode: r.locatiecode.clone(),
            keuzedeel_code: r.keuzedeel_code.clone(),
        }
    }

    fn apply_to(self, r: &mut BpvoRow) {
        r.leerbedrijf_id = self.leerbedrijf_id;
        r.crebo = self.crebo;
        r.leerweg = self.leerweg;
        r.startdatum = self.startdatum;
        r.geplande_einddatum = self.geplande_einddatum;
        r.status = self.status;
        r.student_email = self.student_email;
        r.studentcode = self.studentcode;
        r.student_naam = self.student_naam;
        r.schoolnaam = self.schoolnaam;
        r.locatiecode = self.locatiecode;
        r.keuzedeel_code = self.keuzedeel_code;
    }
}

type Key = (String, String);

/// A record's key, borrowed: the upsert looks keys up without copying them.
fn key_of(b: &Bpvo) -> (&str, &str) {
    (b.school.aanbiedercode.as_str(), b.correlatie_id.as_str())
}

/// Store the school's records, each whole, all in one transaction; returns each record's stored
/// id and outcome in input order. The records must have distinct (aanbiedercode, correlatieId):
/// the API rejects duplicates inside one batch before it gets here. A withdrawn bpvo stays
/// withdrawn: a record for one fails the whole call (the API refuses such records before it gets
/// here; this is the backstop against a withdrawal that lands in between). Reinstating is
/// [`reinstate_school_records`].
pub fn upsert_school_records(
    conn: &mut DbConnection,
    records: &[Bpvo],
    now: NaiveDateTime,
) -> StoreResult<Vec<(String, UpsertOutcome)>> {
    upsert(conn, records, now, false)
}

/// [`upsert_school_records`] that also brings withdrawn bpvo's back (status `actief`): only on the
/// school's explicit request (`?herstellen=true`), audited by the caller.
pub fn reinstate_school_records(
    conn: &mut DbConnection,
    records: &[Bpvo],
    now: NaiveDateTime,
) -> StoreResult<Vec<(String, UpsertOutcome)>> {
    upsert(conn, records, now, true)
}

/// The (aanbiedercode, correlatieId) keys of these records whose stored bpvo is withdrawn.
///
/// One query per aanbieder and chunk ([`per_aanbieder`]), with the status written into the SQL as
/// a literal: the partial index `bpvos_ingetrokken` holds only withdrawn bpvo's, and the query
/// names the index's condition itself, so that no plan depends on the value bound (PostgreSQL's
/// generic plan of a prepared statement cannot prove a partial index's condition from a
/// parameter). Every key is then looked up among the few withdrawn bpvo's, not among all of them.
pub fn withdrawn_among(conn: &mut DbConnection, records: &[Bpvo]) -> StoreResult<HashSet<(String, String)>> {
    // Only the keys of withdrawn rows: the upload reads whole rows once more when it writes.
    const WITHDRAWN: &str = "status = 'ingetrokken'";
    debug_assert_eq!(WITHDRAWN, format!("status = '{}'", BpvoStatus::Ingetrokken.as_str()));
    let mut out = HashSet::new();
    for chunk in records.chunks(CHUNK) {
        for (code, ids) in per_aanbieder(chunk.iter().map(key_of)) {
            let keys: Vec<Key> = dsl::bpvos
                .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(WITHDRAWN))
                .filter(dsl::aanbiedercode.eq(code))
                .filter(dsl::correlatie_id.eq_any(&ids))
                .select((dsl::aanbiedercode, dsl::correlatie_id))
                .load(conn)?;
            out.extend(keys);
        }
    }
    Ok(out)
}

fn upsert(
    conn: &mut DbConnection,
    records: &[Bpvo],
    now: NaiveDateTime,
    reinstate: bool,
) -> StoreResult<Vec<(String, UpsertOutcome)>> {
    let mut seen = std::collections::HashSet::with_capacity(records.len());
    for b in records {
        if !seen.insert(key_of(b)) {
            return Err(StoreError::Rule(format!(
                "correlatieId {} komt meer dan eens voor voor aanbieder {}",
                b.correlatie_id, b.school.aanbiedercode
            )));
        }
    }
    let attempt =
        |conn: &mut DbConnection| crate::db::write_transaction(conn, |c| upsert_once(c, records, now, reinstate));
    match attempt(conn) {
        // PostgreSQL: another transaction stored one of the new keys after this one looked them
        // up (its INSERT waited for that transaction and then failed). The attempt ran in a
        // transaction or savepoint of its own and was rolled back whole; once more, the lookup
        // finds that row, and the record is reported with the id that is stored.
        Err(e) if e.is_unique_violation() && matches!(conn, DbConnection::Postgresql(_)) => {
            tracing::info!("an upload's new bpvo was stored by another upload meanwhile; trying once more");
            attempt(conn)
        }
        result => result,
    }
}

/// One attempt of [`upsert`]: look the stored rows up, compare, write what changed.
fn upsert_once(
    conn: &mut DbConnection,
    records: &[Bpvo],
    now: NaiveDateTime,
    reinstate: bool,
) -> StoreResult<Vec<(String, UpsertOutcome)>> {
    let mut out = Vec::with_capacity(records.len());
    let mut all_writes: Vec<BpvoRow> = Vec::new();
    let mut all_new: Vec<BpvoRow> = Vec::new();
    for chunk in records.chunks(CHUNK) {
        let stored = load_existing(conn, chunk)?;
        let existing: HashMap<(&str, &str), &BpvoRow> =
            stored.iter().map(|r| ((r.aanbiedercode.as_str(), r.correlatie_id.as_str()), r)).collect();
        // Stored rows that change (rows new to the store go to `all_new`).
        let mut writes: Vec<BpvoRow> = Vec::new();
        for b in chunk {
            let fields = SchoolFields::of_bpvo(b);
            match existing.get(&key_of(b)).copied() {
                Some(row) if row.status == BpvoStatus::Ingetrokken && !reinstate => {
                    return Err(StoreError::Rule(format!(
                        "bpvo {} van aanbieder {} is ingetrokken en wordt niet hersteld",
                        b.correlatie_id, b.school.aanbiedercode
                    )));
                }
                Some(row) if row.school_received_at.is_some() && SchoolFields::of_row(row) == fields => {
                    out.push((row.id.clone(), UpsertOutcome::Unchanged));
                }
                Some(row) => {
                    let outcome = if row.school_received_at.is_some() {
                        UpsertOutcome::Updated
                    } else {
                        // Known from SBB's registration only: new to the school.
                        UpsertOutcome::Created
                    };
                    let mut merged = row.clone();
                    fields.apply_to(&mut merged);
                    merged.school_received_at = row.school_received_at.or(Some(now));
                    merged.updated_at = now;
                    out.push((merged.id.clone(), outcome));
                    writes.push(merged);
                }
                None => {
                    let row = new_school_row(b, fields, now);
                    out.push((row.id.clone(), UpsertOutcome::Created));
                    all_new.push(row);
                }
            }
        }
        match conn {
            // PostgreSQL: everything that changed goes in at once, below.
            DbConnection::Postgresql(_) => all_writes.append(&mut writes),
            DbConnection::Sqlite(_) => write_school_rows(conn, &writes)?,
        }
    }
    match conn {
        DbConnection::Postgresql(pg) => copy_and_merge(pg, &all_writes, &all_new)?,
        // All new rows at once, so that only the last few go in one at a time.
        DbConnection::Sqlite(c) => insert_new_rows_sqlite(c, all_new)?,
    }
    Ok(out)
}

/// The rows to write as PostgreSQL receives them through `COPY`: a temporary table of the
/// connection, emptied at every commit.
mod ingest {
    diesel::table! {
        bpvo_ingest (id) {
            id -> Text,
            aanbiedercode -> Text,
            correlatie_id -> Text,
            leerbedrijf_id -> Text,
            crebo -> Text,
            leerweg -> Text,
            startdatum -> Date,
            geplande_einddatum -> Date,
            status -> Text,
            student_email -> Nullable<Text>,
            studentcode -> Nullable<Text>,
            student_naam -> Nullable<Text>,
            schoolnaam -> Nullable<Text>,
            locatiecode -> Nullable<Text>,
            keuzedeel_code -> Nullable<Text>,
            school_received_at -> Nullable<Timestamp>,
            received_at -> Timestamp,
            updated_at -> Timestamp,
            nieuw -> Bool,
        }
    }

    pub(super) const CREATE: &str = "CREATE TEMP TABLE IF NOT EXISTS bpvo_ingest (
        id text NOT NULL, aanbiedercode text NOT NULL, correlatie_id text NOT NULL,
        leerbedrijf_id text NOT NULL, crebo text NOT NULL, leerweg text NOT NULL, startdatum date NOT NULL,
        geplande_einddatum date NOT NULL, status text NOT NULL, student_email text, studentcode text,
        student_naam text, schoolnaam text, locatiecode text, keuzedeel_code text,
        school_received_at timestamp, received_at timestamp NOT NULL, updated_at timestamp NOT NULL,
        nieuw boolean NOT NULL)
        ON COMMIT DELETE ROWS";

    /// `INSERT INTO bpvos … SELECT … FROM bpvo_ingest WHERE <condition>`: the one column list the
    /// insert of new rows and the merge of changed rows share.
    macro_rules! from_ingest_where {
        ($condition:literal) => {
            concat!(
                "INSERT INTO bpvos (id, aanbiedercode, correlatie_id, leerbedrijf_id, crebo, leerweg, startdatum,
                geplande_einddatum, status, student_email, studentcode, student_naam, schoolnaam, locatiecode,
                keuzedeel_code, school_received_at, received_at, updated_at)
                SELECT id, aanbiedercode, correlatie_id, leerbedrijf_id, crebo, leerweg, startdatum, geplande_einddatum,
                status, student_email, studentcode, student_naam, schoolnaam, locatiecode, keuzedeel_code,
                school_received_at, received_at, updated_at FROM bpvo_ingest WHERE ",
                $condition
            )
        };
    }

    /// The bpvo's the lookup did not find, as plain inserts: no `ON CONFLICT` check per row, and
    /// a key that another upload stored meanwhile fails the statement (the upsert then tries
    /// once more) instead of being taken for a new bpvo under an id that is not stored.
    pub(super) const INSERT_NEW: &str = from_ingest_where!("nieuw");

    /// The stored bpvo's that change, merged by key: the school-owned columns and the times;
    /// SBB-owned columns (the praktijkopleider, the registration time) and the first arrival stay
    /// as they are.
    pub(super) const MERGE: &str = concat!(
        from_ingest_where!("NOT nieuw"),
        " ON CONFLICT (aanbiedercode, correlatie_id) DO UPDATE SET leerbedrijf_id = excluded.leerbedrijf_id,
        crebo = excluded.crebo, leerweg = excluded.leerweg, startdatum = excluded.startdatum,
        geplande_einddatum = excluded.geplande_einddatum, status = excluded.status,
        student_email = excluded.student_email, studentcode = excluded.studentcode,
        student_naam = excluded.student_naam, schoolnaam = excluded.schoolnaam, locatiecode = excluded.locatiecode,
        keuzedeel_code = excluded.keuzedeel_code, school_received_at = excluded.school_received_at,
        updated_at = excluded.updated_at"
    );
}

#[derive(Insertable)]
#[diesel(table_name = ingest::bpvo_ingest, treat_none_as_default_value = false)]
struct IngestRow<'a> {
    id: &'a str,
    aanbiedercode: &'a str,
    correlatie_id: &'a str,
    leerbedrijf_id: &'a str,
    crebo: &'a str,
    leerweg: &'a str,
    startdatum: chrono::NaiveDate,
    geplande_einddatum: chrono::NaiveDate,
    status: &'static str,
    student_email: Option<&'a str>,
    studentcode: Option<&'a str>,
    student_naam: Option<&'a str>,
    schoolnaam: Option<&'a str>,
    locatiecode: Option<&'a str>,
    keuzedeel_code: Option<&'a str>,
    school_received_at: Option<NaiveDateTime>,
    received_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    nieuw: bool,
}

/// PostgreSQL: the stored rows that changed and the new ones go in through `COPY` into a
/// temporary table (binary, one round trip); the new ones are inserted from there and the changed
/// ones merged, one statement each — at most four statements for a batch of any size, where a
/// multi-row `INSERT` binds eighteen parameters per row, a parse of tens of thousands of
/// parameters per thousand rows. An upload with nothing changed writes nothing.
fn copy_and_merge(pg: &mut diesel::PgConnection, changed: &[BpvoRow], new: &[BpvoRow]) -> StoreResult<()> {
    use diesel::connection::SimpleConnection;
    if changed.is_empty() && new.is_empty() {
        return Ok(());
    }
    pg.batch_execute(ingest::CREATE)?;
    let flagged = changed.iter().map(|r| (r, false)).chain(new.iter().map(|r| (r, true)));
    let ingest: Vec<IngestRow<'_>> = flagged
        .map(|(r, nieuw)| IngestRow {
            id: &r.id,
            aanbiedercode: &r.aanbiedercode,
            correlatie_id: &r.correlatie_id,
            leerbedrijf_id: &r.leerbedrijf_id,
            crebo: &r.crebo,
            leerweg: &r.leerweg,
            startdatum: r.startdatum,
            geplande_einddatum: r.geplande_einddatum,
            status: r.status.as_str(),
            student_email: r.student_email.as_deref(),
            studentcode: r.studentcode.as_deref(),
            student_naam: r.student_naam.as_deref(),
            schoolnaam: r.schoolnaam.as_deref(),
            locatiecode: r.locatiecode.as_deref(),
            keuzedeel_code: r.keuzedeel_code.as_deref(),
            school_received_at: r.school_received_at,
            received_at: r.received_at,
            updated_at: r.updated_at,
            nieuw,
        })
        .collect();
    diesel::copy_from(ingest::bpvo_ingest::table).from_insertable(&ingest).execute(pg)?;
    if !new.is_empty() {
        diesel::sql_query(ingest::INSERT_NEW).execute(pg)?;
    }
    if !changed.is_empty() {
        diesel::sql_query(ingest::MERGE).execute(pg)?;
    }
    Ok(())
}

/// New bpvo's from which on [`refresh_statistics_if_behind`] looks at the statistics.
const STATISTICS_AFTER: usize = 1_000;

/// `ANALYZE bpvos` on PostgreSQL when its statistics know fewer rows than were just `added` (at
/// least 1,000): on a fresh database, or one whose first uploads were small, or while SBB's
/// registration feed fills it. Until then a connection may keep the plan it chose for the lookup of
/// stored rows while the table was nearly empty: a scan of the whole table that compares every
/// row with every key looked up, for every lookup as the table grows. After 200 records in
/// uploads of 10, a first upload of 100,000 records ran at 6,911 records/s instead of about
/// 95,000, and its re-upload at 3,413; a first feed of 100,000 registrations took 60–63 s, where
/// 20,000 took 2.4 s. Autovacuum analyses the table too, but a minute or more later. `ANALYZE`
/// makes every connection plan its statements on `bpvos` anew, and counts the rows that its own
/// transaction wrote. Returns whether the statistics lagged and `ANALYZE` was asked for.
///
/// `ANALYZE` skips the table while another transaction analyses it (`SKIP_LOCKED`), which brings
/// the statistics up to date as well: `ANALYZE` holds its lock until its transaction ends (the
/// feed's runs inside the feed's transaction), and no upload should wait for that. An upload calls this after its commit, so that it never holds that lock
/// while it waits for another upload's new key. Nothing to do on SQLite, whose plans do not
/// depend on statistics here.
pub fn refresh_statistics_if_behind(conn: &mut DbConnection, added: usize) -> StoreResult<bool> {
    let DbConnection::Postgresql(pg) = conn else { return Ok(false) };
    if added < STATISTICS_AFTER {
        return Ok(false);
    }
    #[derive(QueryableByName)]
    struct Behind {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        behind: bool,
    }
    let added = i64::try_from(added).unwrap_or(i64::MAX);
    let behind = diesel::sql_query("SELECT reltuples < $1 AS behind FROM pg_class WHERE oid = 'bpvos'::regclass")
        .bind::<diesel::sql_types::BigInt, _>(added)
        .get_result::<Behind>(pg)?
        .behind;
    if behind {
        diesel::sql_query("ANALYZE (SKIP_LOCKED) bpvos").execute(pg)?;
    }
    Ok(behind)
}

/// A bpvo the school sends for the first time, as stored.
fn new_school_row(b: &Bpvo, fields: SchoolFields, now: NaiveDateTime) -> BpvoRow {
    let mut row = BpvoRow {
        id: new_id(),
        aanbiedercode: b.school.aanbiedercode.as_str().to_owned(),
        correlatie_id: b.correlatie_id.as_str().to_owned(),
        leerbedrijf_id: String::new(),
        crebo: String::new(),
        leerweg: String::new(),
        startdatum: b.periode.startdatum(),
        geplande_einddatum: b.periode.geplande_einddatum(),
        werkelijke_einddatum: None,
        status: BpvoStatus::Actief,
        student_email: None,
        studentcode: None,
        student_naam: None,
        schoolnaam: None,
        locatiecode: None,
        praktijkopleider_naam: None,
        praktijkopleider_email: None,
        school_received_at: Some(now),
        registratie_received_at: None,
        received_at: now,
        updated_at: now,
        keuzedeel_code: None,
    };
    fields.apply_to(&mut row);
    row
}

/// The correlatieIds of `keys` grouped per aanbiedercode, for looking stored bpvo's up by key with
/// one query per aanbieder. `aanbiedercode IN (…) AND correlatie_id IN (…)` over several
/// aanbieders makes the database probe the key index for every aanbieder × every correlatieId
/// (8,000 probes for 1,000 records over 8 aanbieders); per aanbieder each key is probed once.
fn per_aanbieder<'a>(keys: impl IntoIterator<Item = (&'a str, &'a str)>) -> BTreeMap<&'a str, Vec<&'a str>> {
    let mut by_code: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (code, id) in keys {
        by_code.entry(code).or_default().push(id);
    }
    by_code
}

/// The stored rows of the chunk's keys, one query per aanbieder ([`per_aanbieder`]).
fn load_existing(conn: &mut DbConnection, chunk: &[Bpvo]) -> StoreResult<Vec<BpvoRow>> {
    let by_code = per_aanbieder(chunk.iter().map(key_of));
    let mut existing = Vec::with_capacity(chunk.len());
    for (code, ids) in by_code {
        let rows: Vec<BpvoRow> = dsl::bpvos
            .filter(dsl::aanbiedercode.eq(code))
            .filter(dsl::correlatie_id.eq_any(&ids))
            .select(BpvoRow::as_select())
            .load(conn)?;
        existing.extend(rows);
    }
    Ok(existing)
}

/// SQLite: bpvo's that are not stored yet, as plain inserts that the connection keeps prepared
/// ([`crate::repo::sqlite_kept_insert!`]). diesel parses an `INSERT … ON CONFLICT DO UPDATE`
/// anew for every statement, and at a thousand rows of 22 columns that parse was a large part of
/// a first upload. The rows were looked up inside the same `BEGIN IMMEDIATE` transaction
/// ([`load_existing`]), so no other writer can have stored one of their keys since; if one were
/// there after all, the insert fails and the whole upload is rolled back.
///
/// Their dates are bound through [`crate::sqlite_text`] instead of chrono's formatter.
fn insert_new_rows_sqlite(c: &mut diesel::SqliteConnection, rows: Vec<BpvoRow>) -> StoreResult<()> {
    let rows: Vec<SqliteBpvo> = rows.into_iter().map(SqliteBpvo::of).collect();
    crate::repo::sqlite_kept_insert!(c, rows, |chunk| diesel::insert_into(dsl::bpvos).values(chunk));
    Ok(())
}

/// A [`BpvoRow`] as [`insert_new_rows_sqlite`] binds it. It owns its text (moved from the row):
/// diesel keeps a statement prepared only for a query type without borrowed values.
#[derive(Insertable)]
#[diesel(table_name = crate::schema::bpvos, treat_none_as_default_value = false)]
struct SqliteBpvo {
    id: String,
    aanbiedercode: String,
    correlatie_id: String,
    leerbedrijf_id: String,
    crebo: String,
    leerweg: String,
    startdatum: SqliteDate,
    geplande_einddatum: SqliteDate,
    werkelijke_einddatum: Option<SqliteDate>,
    status: BpvoStatus,
    student_email: Option<String>,
    studentcode: Option<String>,
    student_naam: Option<String>,
    schoolnaam: Option<String>,
    locatiecode: Option<String>,
    praktijkopleider_naam: Option<String>,
    praktijkopleider_email: Option<String>,
    school_received_at: Option<SqliteTimestamp>,
    registratie_received_at: Option<SqliteTimestamp>,
    received_at: SqliteTimestamp,
    updated_at: SqliteTimestamp,
    keuzedeel_code: Option<String>,
}

impl SqliteBpvo {
    fn of(r: BpvoRow) -> Self {
        // Every field named: a column added to the row does not compile until it is added here.
        let BpvoRow {
            id,
            aanbiedercode,
            correlatie_id,
            leerbedrijf_id,
            crebo,
            leerweg,
            startdatum,
            geplande_einddatum,
            werkelijke_einddatum,
            status,
            student_email,
            studentcode,
            student_naam,
            schoolnaam,
            locatiecode,
            praktijkopleider_naam,
            praktijkopleider_email,
            school_received_at,
            registratie_received_at,
            received_at,
            updated_at,
            keuzedeel_code,
        } = r;
        Self {
            id,
            aanbiedercode,
            correlatie_id,
            leerbedrijf_id,
            crebo,
            leerweg,
            startdatum: SqliteDate(startdatum),
            geplande_einddatum: SqliteDate(geplande_einddatum),
            werkelijke_einddatum: werkelijke_einddatum.map(SqliteDate),
            status,
            student_email,
            studentcode,
            student_naam,
            schoolnaam,
            locatiecode,
            praktijkopleider_naam,
            praktijkopleider_email,
            school_received_at: school_received_at.map(SqliteTimestamp),
            registratie_received_at: registratie_received_at.map(SqliteTimestamp),
            received_at: SqliteTimestamp(received_at),
            updated_at: SqliteTimestamp(updated_at),
            keuzedeel_code,
        }
    }
}

/// One multi-row INSERT … ON CONFLICT DO UPDATE of the school-owned columns; the SBB-owned
/// columns (praktijkopleider, registration time) are left as they are.
fn write_school_rows(conn: &mut DbConnection, rows: &[BpvoRow]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    macro_rules! upsert {
        ($c:expr) => {
            diesel::insert_into(dsl::bpvos)
                .values(rows)
                .on_conflict((dsl::aanbiedercode, dsl::correlatie_id))
                .do_update()
                .set((
                    dsl::leerbedrijf_id.eq(excluded(dsl::leerbedrijf_id)),
                    dsl::crebo.eq(excluded(dsl::crebo)),
                    dsl::leerweg.eq(excluded(dsl::leerweg)),
                    dsl::startdatum.eq(excluded(dsl::startdatum)),
                    dsl::geplande_einddatum.eq(excluded(dsl::geplande_einddatum)),
                    dsl::status.eq(excluded(dsl::status)),
                    dsl::student_email.eq(excluded(dsl::student_email)),
                    dsl::studentcode.eq(excluded(dsl::studentcode)),
                    dsl::student_naam.eq(excluded(dsl::student_naam)),
                    dsl::schoolnaam.eq(excluded(dsl::schoolnaam)),
                    dsl::locatiecode.eq(excluded(dsl::locatiecode)),
                    dsl::keuzedeel_code.eq(excluded(dsl::keuzedeel_code)),
                    dsl::school_received_at.eq(excluded(dsl::school_received_at)),
                    dsl::updated_at.eq(excluded(dsl::updated_at)),
                ))
                .execute($c)?
        };
    }
    match conn {
        DbConnection::Postgresql(c) => upsert!(c),
        DbConnection::Sqlite(c) => upsert!(c),
    };
    Ok(())
}

/// The bpvo with this key.
pub fn find(conn: &mut DbConnection, aanbiedercode: &str, correlatie_id: &str) -> StoreResult<Option<BpvoRow>> {
    Ok(dsl::bpvos
        .filter(dsl::aanbiedercode.eq(aanbiedercode))
        .filter(dsl::correlatie_id.eq(correlatie_id))
        .select(BpvoRow::as_select())
        .first(conn)
        .optional()?)
}

/// The bpvo's with this correlatieId under any of the given aanbieders (an instelling's own).
pub fn find_by_correlatie_id(
    conn: &mut DbConnection,
    aanbiedercodes: &[String],
    correlatie_id: &str,
) -> StoreResult<Vec<BpvoRow>> {
    Ok(dsl::bpvos
        .filter(dsl::aanbiedercode.eq_any(aanbiedercodes))
        .filter(dsl::correlatie_id.eq(correlatie_id))
        .order(dsl::aanbiedercode)
        .select(BpvoRow::as_select())
        .load(conn)?)
}

/// What a school's list of its bpvo's may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this status.
    pub status: Option<BpvoStatus>,
    /// Only bpvo's changed at or after this moment (UTC).
    pub changed_since: Option<NaiveDateTime>,
    /// Only bpvo's whose planned end date is on or after this day.
    pub ending_from: Option<chrono::NaiveDate>,
    /// Only bpvo's whose planned end date is on or before this day.
    pub ending_until: Option<chrono::NaiveDate>,
}

/// One page of the bpvo's under these aanbieders, in a stable order (aanbieder, correlatieId),
/// with the number that match: what a SIS needs to compare its own records with ours.
pub fn list_page(
    conn: &mut DbConnection,
    aanbiedercodes: &[String],
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<(i64, Vec<BpvoRow>)> {
    let narrowed = || {
        let mut q = dsl::bpvos.filter(dsl::aanbiedercode.eq_any(aanbiedercodes)).into_boxed();
        if let Some(status) = filter.status {
            q = q.filter(dsl::status.eq(status.as_str()));
        }
        if let Some(since) = filter.changed_since {
            q = q.filter(dsl::updated_at.ge(since));
        }
        if let Some(from) = filter.ending_from {
            q = q.filter(dsl::geplande_einddatum.ge(from));
        }
        if let Some(until) = filter.ending_until {
            q = q.filter(dsl::geplande_einddatum.le(until));
        }
        q
    };
    let total: i64 = narrowed().count().get_result(conn)?;
    let rows = narrowed()
        .order((dsl::aanbiedercode, dsl::correlatie_id))
        .limit(limit)
        .offset(offset)
        .select(BpvoRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// Withdraw a bpvo: status `ingetrokken` and every personal field removed at once.
/// Returns false when it was already withdrawn.
pub fn withdraw(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> StoreResult<bool> {
    crate::db::write_transaction(conn, |conn| {
        let Some(row) = dsl::bpvos
            .find(id)
            .filter(dsl::status.ne(BpvoStatus::Ingetrokken.as_str()))
            .select(BpvoRow::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(false);
        };
        diesel::update(dsl::bpvos.find(id))
            .set((dsl::status.eq(BpvoStatus::Ingetrokken.as_str()), dsl::updated_at.eq(now)))
            .execute(conn)?;
        // The personal data goes at once (docs/privacy.md), also the addresses in the mail log.
        let values = [
            row.student_naam,
            row.student_email,
            row.studentcode,
            row.praktijkopleider_naam,
            row.praktijkopleider_email,
        ];
        crate::repo::retentie::verwijder(conn, &[(id, &values, crate::repo::retentie::REDEN_INGETROKKEN)], now)?;
        Ok(true)
    })
}

/// How many bpvo's are stored, per status.
pub fn count_by_status(conn: &mut DbConnection) -> StoreResult<Vec<(String, i64)>> {
    Ok(dsl::bpvos
        .group_by(dsl::status)
        .select((dsl::status, diesel::dsl::count_star()))
        .order(dsl::status)
        .load(conn)?)
}

/// How many bpvo's are stored.
pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(dsl::bpvos.count().get_result(conn)?)
}

/// One record of SBB's own bpvo registration feed: the leerbedrijf and the praktijkopleider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registratie {
    pub aanbiedercode: String,
    pub correlatie_id: String,
    pub leerbedrijf_id: String,
    pub crebo: String,
    pub leerweg: String,
    pub startdatum: chrono::NaiveDate,
    pub geplande_einddatum: chrono::NaiveDate,
    pub werkelijke_einddatum: Option<chrono::NaiveDate>,
    pub praktijkopleider_naam: Option<String>,
    pub praktijkopleider_email: Option<String>,
}

/// Merge registrations by (aanbiedercode, correlatieId), in one transaction: a known bpvo gets the
/// praktijkopleider and the actual end date (the school's own fields stay as the school sent
/// them); an unknown one is added with the registration's data and no student. Returns
/// (added, updated).
pub fn merge_registraties(
    conn: &mut DbConnection,
    regs: &[Registratie],
    now: NaiveDateTime,
) -> StoreResult<(usize, usize)> {
    crate::db::write_transaction(conn, |conn| {
        let (mut added, mut updated) = (0, 0);
        // New bpvo's since the statistics were last brought up to date: they are refreshed when
        // they know fewer rows than were added since, so about each time the table doubled.
        let mut unanalysed = 0;
        for chunk in regs.chunks(CHUNK) {
            // Only what the merge needs (id and first registration time): reading whole rows
            // parsed every date of every known bpvo. One query per aanbieder ([`per_aanbieder`]):
            // SBB's nightly feed names many aanbieders in every chunk.
            let mut existing: HashMap<Key, (String, Option<NaiveDateTime>)> = HashMap::with_capacity(chunk.len());
            for (code, ids) in per_aanbieder(chunk.iter().map(|r| (r.aanbiedercode.as_str(), r.correlatie_id.as_str())))
            {
                existing.extend(
                    dsl::bpvos
                        .filter(dsl::aanbiedercode.eq(code))
                        .filter(dsl::correlatie_id.eq_any(&ids))
                        .select((dsl::aanbiedercode, dsl::correlatie_id, dsl::id, dsl::registratie_received_at))
                        .load::<(String, String, String, Option<NaiveDateTime>)>(conn)?
                        .into_iter()
                        .map(|(a, c, id, eerst)| ((a, c), (id, eerst))),
                );
            }
            let mut new_rows = Vec::new();
            // Known bpvo's in file order, with their first registration time; a key named twice
            // takes its last registration, as it did row by row.
            let mut known: Vec<Known<'_>> = Vec::new();
            let mut at: HashMap<&str, usize> = HashMap::new();
            for r in chunk {
                match existing.get(&(r.aanbiedercode.clone(), r.correlatie_id.clone())) {
                    Some((id, eerst)) => {
                        let k = (id.as_str(), r, eerst.unwrap_or(now));
                        match at.get(id.as_str()) {
                            Some(&i) => known[i] = k,
                            None => {
                                at.insert(id.as_str(), known.len());
                                known.push(k);
                            }
                        }
                        updated += 1;
                    }
                    None => new_rows.push(BpvoRow {
                        id: new_id(),
                        aanbiedercode: r.aanbiedercode.clone(),
                        correlatie_id: r.correlatie_id.clone(),
                        leerbedrijf_id: r.leerbedrijf_id.clone(),
                        crebo: r.crebo.clone(),
                        leerweg: r.leerweg.clone(),
                        startdatum: r.startdatum,
                        geplande_einddatum: r.geplande_einddatum,
                        werkelijke_einddatum: r.werkelijke_einddatum,
                        status: BpvoStatus::Actief,
                        student_email: None,
                        studentcode: None,
                        student_naam: None,
                        schoolnaam: None,
                        locatiecode: None,
                        praktijkopleider_naam: r.praktijkopleider_naam.clone(),
                        praktijkopleider_email: r.praktijkopleider_email.clone(),
                        school_received_at: None,
                        registratie_received_at: Some(now),
                        received_at: now,
                        updated_at: now,
                        keuzedeel_code: None,
                    }),
                }
            }
            update_registered(conn, &known, now)?;
            added += new_rows.len();
            unanalysed += new_rows.len();
            if !new_rows.is_empty() {
                match conn {
                    DbConnection::Postgresql(c) => {
                        diesel::insert_into(dsl::bpvos).values(&new_rows).on_conflict_do_nothing().execute(c)?
                    }
                    DbConnection::Sqlite(c) => {
                        diesel::insert_into(dsl::bpvos).values(&new_rows).on_conflict_do_nothing().execute(c)?
                    }
                };
            }
            if refresh_statistics_if_behind(conn, unanalysed)? {
                unanalysed = 0;
            }
        }
        Ok((added, updated))
    })
}

/// A known bpvo's id, its registration and its first registration time.
type Known<'a> = (&'a str, &'a Registratie, NaiveDateTime);

/// SBB's fields of known bpvo's: the praktijkopleider and the actual end date; the first
/// registration time stays. One statement per chunk instead of one per bpvo (the nightly feed
/// names every running bpvo): on PostgreSQL over arrays, on SQLite over the rows as one JSON
/// array, each looked up by primary key.
fn update_registered(conn: &mut DbConnection, known: &[Known<'_>], now: NaiveDateTime) -> StoreResult<()> {
    use diesel::sql_types::{Text, Timestamp};
    if known.is_empty() {
        return Ok(());
    }
    match conn {
        DbConnection::Postgresql(c) => {
            use diesel::sql_types::{Array, Date, Nullable};
            let ids: Vec<&str> = known.iter().map(|k| k.0).collect();
            let namen: Vec<Option<&str>> = known.iter().map(|k| k.1.praktijkopleider_naam.as_deref()).collect();
            let emails: Vec<Option<&str>> = known.iter().map(|k| k.1.praktijkopleider_email.as_deref()).collect();
            let einden: Vec<Option<chrono::NaiveDate>> = known.iter().map(|k| k.1.werkelijke_einddatum).collect();
            let eerst: Vec<NaiveDateTime> = known.iter().map(|k| k.2).collect();
            diesel::sql_query(
                "UPDATE bpvos b SET praktijkopleider_naam = v.naam, praktijkopleider_email = v.email, \
                 werkelijke_einddatum = v.eind, registratie_received_at = v.eerst, updated_at = $6 \
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::timestamp[]) \
                 AS v(id, naam, email, eind, eerst) WHERE b.id = v.id",
            )
            .bind::<Array<Text>, _>(&ids)
            .bind::<Array<Nullable<Text>>, _>(&namen)
            .bind::<Array<Nullable<Text>>, _>(&emails)
            .bind::<Array<Nullable<Date>>, _>(&einden)
            .bind::<Array<Timestamp>, _>(&eerst)
            .bind::<Timestamp, _>(now)
            .execute(c)?;
        }
        DbConnection::Sqlite(c) => {
            let rows: Vec<_> = known
                .iter()
                .map(|(id, r, eerst)| {
                    (
                        *id,
                        r.praktijkopleider_naam.as_deref(),
                        r.praktijkopleider_email.as_deref(),
                        r.werkelijke_einddatum.map(crate::sqlite_text::date),
                        crate::sqlite_text::timestamp(*eerst),
                    )
                })
                .collect();
            diesel::sql_query(
                "UPDATE bpvos SET praktijkopleider_naam = v.value ->> 1, praktijkopleider_email = v.value ->> 2, \
                 werkelijke_einddatum = v.value ->> 3, registratie_received_at = v.value ->> 4, updated_at = ? \
                 FROM json_each(?) AS v WHERE bpvos.id = v.value ->> 0",
            )
            .bind::<Timestamp, _>(now)
            .bind::<Text, _>(super::sqlite_json_rows(&rows)?)
            .execute(c)?;
        }
    }
    Ok(())
}

/// When each bpvo reached SBB and the school (the demo's data, which it makes up after the
/// upload), by id; one statement per 10,000 bpvo's.
pub fn set_received_at(conn: &mut DbConnection, rows: &[(String, NaiveDateTime)]) -> StoreResult<()> {
    use diesel::sql_types::{Array, Text, Timestamp};
    for chunk in rows.chunks(10_000) {
        match conn {
            DbConnection::Postgresql(c) => {
                let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
                let at: Vec<NaiveDateTime> = chunk.iter().map(|(_, at)| *at).collect();
                diesel::sql_query(
                    "UPDATE bpvos b SET received_at = v.at, school_received_at = v.at \
                     FROM unnest($1::text[], $2::timestamp[]) AS v(id, at) WHERE b.id = v.id",
                )
                .bind::<Array<Text>, _>(&ids)
                .bind::<Array<Timestamp>, _>(&at)
                .execute(c)?;
            }
            DbConnection::Sqlite(c) => {
                let rows: Vec<_> =
                    chunk.iter().map(|(id, at)| (id.as_str(), crate::sqlite_text::timestamp(*at))).collect();
                diesel::sql_query(
                    "UPDATE bpvos SET received_at = v.value ->> 1, school_received_at = v.value ->> 1 \
                     FROM json_each(?) AS v WHERE bpvos.id = v.value ->> 0",
                )
                .bind::<Text, _>(super::sqlite_json_rows(&rows)?)
                .execute(c)?;
            }
        }
    }
    Ok(())
}

/// Bpvo's by id.
pub fn by_ids(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<BpvoRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(dsl::bpvos.filter(dsl::id.eq_any(chunk)).select(BpvoRow::as_select()).load(conn)?);
    }
    Ok(out)
}

/// The bpvo's scheduling must look at today: planned end date inside `[from, to]`, or with an
/// invitation still planned, or sent and not yet closed on `today` (its reminders). A sent
/// invitation whose survey closed gets nothing more (no reminder, never moved or resent), so the
/// bpvo's of earlier years are not read again every day.
pub fn scheduling_candidates(
    conn: &mut DbConnection,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> StoreResult<Vec<BpvoRow>> {
    use crate::schema::invitations;
    use bpv_scheduling::InvitationStatus;
    let open = invitations::table
        .filter(
            invitations::status
                .eq(InvitationStatus::Gepland)
                .or(invitations::status.eq(InvitationStatus::Verstuurd).and(invitations::closes_on.gt(today))),
        )
        .select(invitations::bpvo_id);
    Ok(dsl::bpvos
        .filter(dsl::geplande_einddatum.between(from, to).or(dsl::id.eq_any(open)))
        .order(dsl::id)
        .select(BpvoRow::as_select())
        .load(conn)?)
}

/// Every bpvo (demo and tests; production code works in windows).
pub fn list_all(conn: &mut DbConnection) -> StoreResult<Vec<BpvoRow>> {
    Ok(dsl::bpvos.order(dsl::id).select(BpvoRow::as_select()).load(conn)?)
}
