//! The Praktijkloket's tables: kwalificatiedossiers (`werkprocessen`), begeleidingsdocumenten,
//! beoordelingen and praktijkverklaringen. Rows convert to the `praktijkleren` domain types at
//! this edge; lists are stored as comma-separated codes.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use praktijkleren::{Beoordelaar, Beoordeling, Kerntaak, Kwalificatiedossier, Oordeel, Werkproces, WerkprocesCode};

use crate::db::DbConnection;
use crate::error::{StoreError, StoreResult};
use crate::schema::{begeleidingsdocumenten, beoordelingen, praktijkverklaringen, werkprocessen};

/// One werkproces of a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = werkprocessen)]
#[diesel(treat_none_as_default_value = false)]
pub struct WerkprocesRow {
    pub crebo: String,
    pub code: String,
    pub kerntaak_code: String,
    pub kerntaak_naam: String,
    pub naam: String,
    pub volgorde: i32,
}

/// Replace the dossiers of the crebo's in `dossiers` (others stay); returns the werkprocessen
/// written. Run it in a transaction with the audit entry.
pub fn replace_dossiers(conn: &mut DbConnection, dossiers: &[Kwalificatiedossier]) -> StoreResult<usize> {
    let mut written = 0;
    for d in dossiers {
        diesel::delete(werkprocessen::table.filter(werkprocessen::crebo.eq(d.crebo.as_str()))).execute(conn)?;
        let rows: Vec<WerkprocesRow> = d
            .werkprocessen()
            .enumerate()
            .map(|(i, (k, w))| WerkprocesRow {
                crebo: d.crebo.as_str().to_owned(),
                code: w.code.as_str().to_owned(),
                kerntaak_code: k.code.clone(),
                kerntaak_naam: k.naam.clone(),
                naam: w.naam.clone(),
                volgorde: i32::try_from(i).unwrap_or(i32::MAX),
            })
            .collect();
        written += match conn {
            DbConnection::Postgresql(c) => diesel::insert_into(werkprocessen::table).values(&rows).execute(c)?,
            DbConnection::Sqlite(c) => diesel::insert_into(werkprocessen::table).values(&rows).execute(c)?,
        };
    }
    Ok(written)
}

/// The dossier of `crebo`, if one was imported.
pub fn dossier(conn: &mut DbConnection, crebo: &str) -> StoreResult<Option<Kwalificatiedossier>> {
    let rows: Vec<WerkprocesRow> = werkprocessen::table
        .filter(werkprocessen::crebo.eq(crebo))
        .order(werkprocessen::volgorde.asc())
        .select(WerkprocesRow::as_select())
        .load(conn)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let crebo = bpvo::Crebo::parse(crebo).map_err(|e| StoreError::Corrupt(e.en))?;
    let mut kerntaken: Vec<Kerntaak> = Vec::new();
    for r in rows {
        let code = WerkprocesCode::parse(&r.code).map_err(|e| StoreError::Corrupt(e.en))?;
        if kerntaken.last().is_none_or(|k| k.code != r.kerntaak_code) {
            kerntaken.push(Kerntaak {
                code: r.kerntaak_code.clone(),
                naam: r.kerntaak_naam,
                werkprocessen: Vec::new(),
            });
        }
        if let Some(k) = kerntaken.last_mut() {
            k.werkprocessen.push(Werkproces { code, naam: r.naam });
        }
    }
    Ok(Some(Kwalificatiedossier { crebo, kerntaken }))
}

/// How many werkprocessen are known, over how many qualifications.
pub fn dossier_counts(conn: &mut DbConnection) -> StoreResult<(i64, i64)> {
    let werk = werkprocessen::table.count().get_result(conn)?;
    let crebos: Vec<String> = werkprocessen::table.select(werkprocessen::crebo).distinct().load(conn)?;
    Ok((werk, i64::try_from(crebos.len()).unwrap_or(i64::MAX)))
}

/// A begeleidingsdocument as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = begeleidingsdocumenten)]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct DocumentRow {
    pub id: String,
    pub brin: String,
    pub document_id: String,
    pub locatiecode: String,
    pub leerbedrijf_id: String,
    pub praktijkopleider_naam: Option<String>,
    pub praktijkopleider_email: Option<String>,
    pub crebo: String,
    pub werkprocessen: String,
    pub startdatum: NaiveDate,
    pub einddatum: NaiveDate,
    pub leerdoelen: Option<String>,
    pub leerling_naam: Option<String>,
    pub leerling_geboortedatum: Option<NaiveDate>,
    pub doelgroep: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A document's status.
pub const DOCUMENT_ACTIEF: &str = "actief";
/// A withdrawn document (no assessment, no verklaring).
pub const DOCUMENT_INGETROKKEN: &str = "ingetrokken";

impl DocumentRow {
    /// The row for a validated document (new id, both timestamps `now`).
    pub fn new(d: &praktijkleren::Begeleidingsdocument, now: NaiveDateTime) -> Self {
        Self {
            id: crate::ids::new_id(),
            brin: d.brin.as_str().to_owned(),
            document_id: d.document_id.clone(),
            locatiecode: d.locatiecode.as_str().to_owned(),
            leerbedrijf_id: d.leerbedrijf.as_str().to_owned(),
            praktijkopleider_naam: Some(d.praktijkopleider_naam.as_str().to_owned()),
            praktijkopleider_email: Some(d.praktijkopleider_email.as_str().to_owned()),
            crebo: d.crebo.as_str().to_owned(),
            werkprocessen: join(&d.werkprocessen),
            startdatum: d.periode.startdatum(),
            einddatum: d.periode.geplande_einddatum(),
            leerdoelen: d.leerdoelen.clone(),
            leerling_naam: Some(d.leerling.naam.as_str().to_owned()),
            leerling_geboortedatum: Some(d.leerling.geboortedatum),
            doelgroep: d.leerling.doelgroep.as_str().to_owned(),
            status: DOCUMENT_ACTIEF.to_owned(),
            created_at: now,
            updated_at: now,
        }
    }

    /// The same content (what the SIS sent), ignoring ids and timestamps.
    pub fn same_content(&self, other: &DocumentRow) -> bool {
        let key = |r: &DocumentRow| {
            (
                r.locatiecode.clone(),
                r.leerbedrijf_id.clone(),
                r.praktijkopleider_naam.clone(),
                r.praktijkopleider_email.clone(),
                r.crebo.clone(),
                r.werkprocessen.clone(),
                (r.startdatum, r.einddatum),
                r.leerdoelen.clone(),
                (r.leerling_naam.clone(), r.leerling_geboortedatum, r.doelgroep.clone(), r.status.clone()),
            )
        };
        key(self) == key(other)
    }

    /// Back to the domain type (fails for a document whose personal data was purged).
    pub fn to_domain(&self) -> StoreResult<praktijkleren::Begeleidingsdocument> {
        let bad = |e: bpvo::ValueError| StoreError::Corrupt(e.en);
        let gone = || StoreError::Corrupt(format!("begeleidingsdocument {}: persoonsgegevens verwijderd", self.id));
        Ok(praktijkleren::Begeleidingsdocument {
            document_id: self.document_id.clone(),
            brin: bpvo::Brin::parse(&self.brin).map_err(bad)?,
            locatiecode: bpvo::Locatiecode::parse(&self.locatiecode).map_err(bad)?,
            leerbedrijf: bpvo::LeerbedrijfId::parse(&self.leerbedrijf_id).map_err(bad)?,
            praktijkopleider_naam: bpvo::Naam::parse(self.praktijkopleider_naam.as_deref().ok_or_else(gone)?)
                .map_err(bad)?,
            praktijkopleider_email: bpvo::Email::parse(self.praktijkopleider_email.as_deref().ok_or_else(gone)?)
                .map_err(bad)?,
            crebo: bpvo::Crebo::parse(&self.crebo).map_err(bad)?,
            werkprocessen: split(&self.werkprocessen)?,
            periode: bpvo::Periode::new(self.startdatum, self.einddatum).map_err(bad)?,
            leerdoelen: self.leerdoelen.clone(),
            leerling: praktijkleren::Leerling {
                naam: bpvo::Naam::parse(self.leerling_naam.as_deref().ok_or_else(gone)?).map_err(bad)?,
                geboortedatum: self.leerling_geboortedatum.ok_or_else(gone)?,
                doelgroep: praktijkleren::Doelgroep::parse(&self.doelgroep).map_err(bad)?,
            },
        })
    }
}

/// What storing a document did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Created,
    Updated,
    Unchanged,
}

/// Store `row` under its (brin, document_id): insert, update (keeping id and created_at) or
/// leave an identical one alone. Returns the stored row.
pub fn upsert_document(conn: &mut DbConnection, mut row: DocumentRow) -> StoreResult<(Stored, DocumentRow)> {
    match find_document(conn, &row.brin, &row.document_id)? {
        None => {
            diesel::insert_into(begeleidingsdocumenten::table).values(&row).execute(conn)?;
            Ok((Stored::Created, row))
        }
        Some(old) if old.same_content(&row) => Ok((Stored::Unchanged, old)),
        Some(old) => {
            row.id = old.id;
            row.created_at = old.created_at;
            diesel::update(begeleidingsdocumenten::table.find(&row.id)).set(&row).execute(conn)?;
            Ok((Stored::Updated, row))
        }
    }
}

/// The document of instelling `brin` under the SIS's key.
pub fn find_document(conn: &mut DbConnection, brin: &str, document_id: &str) -> StoreResult<Option<DocumentRow>> {
    Ok(begeleidingsdocumenten::table
        .filter(begeleidingsdocumenten::brin.eq(brin).and(begeleidingsdocumenten::document_id.eq(document_id)))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Any instelling's document under this key (to tell "another school's" (403) from "none" (404)).
pub fn document_exists_elsewhere(conn: &mut DbConnection, brin: &str, document_id: &str) -> StoreResult<bool> {
    let n: i64 = begeleidingsdocumenten::table
        .filter(begeleidingsdocumenten::document_id.eq(document_id).and(begeleidingsdocumenten::brin.ne(brin)))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A page of an instelling's documents, newest first.
pub fn list_documents(
    conn: &mut DbConnection,
    brin: &str,
    limit: i64,
    offset: i64,
) -> StoreResult<(i64, Vec<DocumentRow>)> {
    let total = begeleidingsdocumenten::table.filter(begeleidingsdocumenten::brin.eq(brin)).count().get_result(conn)?;
    let rows = begeleidingsdocumenten::table
        .filter(begeleidingsdocumenten::brin.eq(brin))
        .order((begeleidingsdocumenten::created_at.desc(), begeleidingsdocumenten::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(DocumentRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// Set a document's status.
pub fn set_document_status(conn: &mut DbConnection, id: &str, status: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(begeleidingsdocumenten::table.find(id))
        .set((begeleidingsdocumenten::status.eq(status), begeleidingsdocumenten::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// A beoordeling as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = beoordelingen)]
#[diesel(treat_none_as_default_value = false)]
pub struct BeoordelingRow {
    pub id: String,
    pub document_id: String,
    pub rol: String,
    pub beoordeeld_door: Option<String>,
    pub datum: NaiveDate,
    pub oordelen: String,
    pub created_at: NaiveDateTime,
}

impl BeoordelingRow {
    /// The row for a validated beoordeling of the stored document `document_id`.
    pub fn new(document_id: &str, b: &Beoordeling, now: NaiveDateTime) -> Self {
        Self {
            id: crate::ids::new_id(),
            document_id: document_id.to_owned(),
            rol: b.rol.as_str().to_owned(),
            beoordeeld_door: Some(b.door.as_str().to_owned()),
            datum: b.datum,
            oordelen: b.oordelen.iter().map(|(w, o)| format!("{w}={}", o.as_str())).collect::<Vec<_>>().join(","),
            created_at: now,
        }
    }

    /// Back to the domain type (a purged name reads as "onbekend").
    pub fn to_domain(&self) -> StoreResult<Beoordeling> {
        let bad = |what: &str| StoreError::Corrupt(format!("beoordeling {}: {what}", self.id));
        let oordelen = self
            .oordelen
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|pair| {
                let (w, o) = pair.split_once('=').ok_or_else(|| bad("oordelen"))?;
                Ok((
                    WerkprocesCode::parse(w).map_err(|_| bad("werkproces"))?,
                    Oordeel::parse(o).map_err(|_| bad("oordeel"))?,
                ))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Beoordeling {
            door: bpvo::Naam::parse(self.beoordeeld_door.as_deref().unwrap_or("onbekend")).map_err(|_| bad("naam"))?,
            rol: Beoordelaar::parse(&self.rol).ok_or_else(|| bad("rol"))?,
            datum: self.datum,
            oordelen,
        })
    }
}

/// Record a beoordeling.
pub fn insert_beoordeling(conn: &mut DbConnection, row: &BeoordelingRow) -> StoreResult<()> {
    diesel::insert_into(beoordelingen::table).values(row).execute(conn)?;
    Ok(())
}

/// The newest beoordeling of a document.
pub fn latest_beoordeling(conn: &mut DbConnection, document_id: &str) -> StoreResult<Option<BeoordelingRow>> {
    Ok(beoordelingen::table
        .filter(beoordelingen::document_id.eq(document_id))
        .order((beoordelingen::created_at.desc(), beoordelingen::id.desc()))
        .select(BeoordelingRow::as_select())
        .first(conn)
        .optional()?)
}

/// A praktijkverklaring as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = praktijkverklaringen)]
#[diesel(treat_none_as_default_value = false)]
pub struct VerklaringRow {
    pub id: String,
    pub nummer: String,
    pub verificatiecode: String,
    pub document_id: String,
    pub brin: String,
    pub crebo: String,
    pub leerbedrijf_id: String,
    pub werkprocessen: String,
    pub leerling_naam: String,
    pub doelgroep: String,
    pub afgegeven_op: NaiveDate,
    pub status: String,
    pub ingetrokken_op: Option<NaiveDate>,
    pub reden_intrekking: Option<String>,
    pub created_at: NaiveDateTime,
}

impl VerklaringRow {
    /// The row for a verklaring just issued from `document` (a stored row).
    pub fn new(
        v: &praktijkleren::Praktijkverklaring,
        document: &DocumentRow,
        leerling_naam: &str,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            id: crate::ids::new_id(),
            nummer: v.nummer.clone(),
            verificatiecode: v.verificatiecode.clone(),
            document_id: document.id.clone(),
            brin: document.brin.clone(),
            crebo: document.crebo.clone(),
            leerbedrijf_id: v.leerbedrijf.as_str().to_owned(),
            werkprocessen: join(&v.werkprocessen),
            leerling_naam: leerling_naam.to_owned(),
            doelgroep: document.doelgroep.clone(),
            afgegeven_op: v.afgegeven_op,
            status: v.status.as_str().to_owned(),
            ingetrokken_op: v.intrekking.as_ref().map(|(d, _)| *d),
            reden_intrekking: v.intrekking.as_ref().map(|(_, r)| r.clone()),
            created_at: now,
        }
    }

    /// Back to the domain type.
    pub fn to_domain(&self) -> StoreResult<praktijkleren::Praktijkverklaring> {
        let bad = |what: &str| StoreError::Corrupt(format!("praktijkverklaring {}: {what}", self.nummer));
        Ok(praktijkleren::Praktijkverklaring {
            nummer: self.nummer.clone(),
            verificatiecode: self.verificatiecode.clone(),
            werkprocessen: split(&self.werkprocessen)?,
            leerbedrijf: bpvo::LeerbedrijfId::parse(&self.leerbedrijf_id).map_err(|_| bad("leerbedrijf"))?,
            afgegeven_op: self.afgegeven_op,
            status: praktijkleren::VerklaringStatus::parse(&self.status).ok_or_else(|| bad("status"))?,
            intrekking: self.ingetrokken_op.map(|d| (d, self.reden_intrekking.clone().unwrap_or_default())),
        })
    }
}

/// Record an issued verklaring.
pub fn insert_verklaring(conn: &mut DbConnection, row: &VerklaringRow) -> StoreResult<()> {
    diesel::insert_into(praktijkverklaringen::table).values(row).execute(conn)?;
    Ok(())
}

/// The verklaringen of a stored document, oldest first.
pub fn verklaringen_of_document(conn: &mut DbConnection, document_id: &str) -> StoreResult<Vec<VerklaringRow>> {
    Ok(praktijkverklaringen::table
        .filter(praktijkverklaringen::document_id.eq(document_id))
        .order(praktijkverklaringen::created_at.asc())
        .select(VerklaringRow::as_select())
        .load(conn)?)
}

/// An instelling's verklaring by its number.
pub fn find_verklaring(conn: &mut DbConnection, brin: &str, nummer: &str) -> StoreResult<Option<VerklaringRow>> {
    Ok(praktijkverklaringen::table
        .filter(praktijkverklaringen::brin.eq(brin).and(praktijkverklaringen::nummer.eq(nummer)))
        .select(VerklaringRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether another instelling holds a verklaring with this number.
pub fn verklaring_exists_elsewhere(conn: &mut DbConnection, brin: &str, nummer: &str) -> StoreResult<bool> {
    let n: i64 = praktijkverklaringen::table
        .filter(praktijkverklaringen::nummer.eq(nummer).and(praktijkverklaringen::brin.ne(brin)))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A verklaring by its verification code (the public check).
pub fn find_by_code(conn: &mut DbConnection, code: &str) -> StoreResult<Option<VerklaringRow>> {
    Ok(praktijkverklaringen::table
        .filter(praktijkverklaringen::verificatiecode.eq(code))
        .select(VerklaringRow::as_select())
        .first(conn)
        .optional()?)
}

/// A page of an instelling's verklaringen, newest first, and how many there are.
pub fn list_verklaringen(
    conn: &mut DbConnection,
    brin: &str,
    limit: i64,
    offset: i64,
) -> StoreResult<(i64, Vec<VerklaringRow>)> {
    let total = praktijkverklaringen::table.filter(praktijkverklaringen::brin.eq(brin)).count().get_result(conn)?;
    let rows = praktijkverklaringen::table
        .filter(praktijkverklaringen::brin.eq(brin))
        .order((praktijkverklaringen::created_at.desc(), praktijkverklaringen::nummer.desc()))
        .limit(limit)
        .offset(offset)
        .select(VerklaringRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// Withdraw a verklaring (the only change it ever sees). `false` when it was not valid.
pub fn withdraw_verklaring(conn: &mut DbConnection, id: &str, datum: NaiveDate, reden: &str) -> StoreResult<bool> {
    let n = diesel::update(
        praktijkverklaringen::table
            .find(id)
            .filter(praktijkverklaringen::status.eq(praktijkleren::VerklaringStatus::Geldig.as_str())),
    )
    .set((
        praktijkverklaringen::status.eq(praktijkleren::VerklaringStatus::Ingetrokken.as_str()),
        praktijkverklaringen::ingetrokken_op.eq(Some(datum)),
        praktijkverklaringen::reden_intrekking.eq(Some(reden)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The next number of `year`: `PV-2027-000001`, `PV-2027-000002`, … (call inside the write
/// transaction that inserts it; the unique index guards a race).
pub fn next_nummer(conn: &mut DbConnection, year: i32) -> StoreResult<String> {
    let prefix = format!("PV-{year}-");
    let last: Option<String> = praktijkverklaringen::table
        .filter(praktijkverklaringen::nummer.like(format!("{prefix}%")))
        .select(diesel::dsl::max(praktijkverklaringen::nummer))
        .first(conn)?;
    let n = last.and_then(|s| s.strip_prefix(&prefix).and_then(|d| d.parse::<u32>().ok())).unwrap_or(0);
    Ok(format!("{prefix}{:06}", n + 1))
}

/// A verklaring's qualification and werkprocessen in words, as the PDF and the public
/// verification show them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Beschrijving {
    /// The qualification's name (empty when the register does not know the crebo).
    pub kwalificatie: String,
    /// (kerntaak as `B1-K1 name`, werkproces code, werkproces name), in the verklaring's order;
    /// names empty when the dossier does not know the code.
    pub werkprocessen: Vec<(String, String, String)>,
}

/// The words for `v`: its qualification's name and each werkproces with its kerntaak.
pub fn beschrijving(conn: &mut DbConnection, v: &VerklaringRow) -> StoreResult<Beschrijving> {
    let dossier = dossier(conn, &v.crebo)?;
    let kwalificatie = crate::repo::referentie::find_kwalificatie(conn, &v.crebo)?.map(|k| k.naam).unwrap_or_default();
    let werkprocessen = codes(&v.werkprocessen)
        .map(|c| {
            let found = WerkprocesCode::parse(c).ok().and_then(|w| {
                let (k, w) = dossier.as_ref()?.werkproces(&w)?;
                Some((format!("{} {}", k.code, k.naam), w.naam.clone()))
            });
            let (kerntaak, naam) = found.unwrap_or_default();
            (kerntaak, c.to_owned(), naam)
        })
        .collect();
    Ok(Beschrijving { kwalificatie, werkprocessen })
}

/// The codes of a stored comma-separated werkproces list.
pub fn codes(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').filter(|c| !c.is_empty())
}

fn join(codes: &[WerkprocesCode]) -> String {
    codes.iter().map(WerkprocesCode::as_str).collect::<Vec<_>>().join(",")
}

fn split(s: &str) -> StoreResult<Vec<WerkprocesCode>> {
    codes(s).map(|c| WerkprocesCode::parse(c).map_err(|e| StoreError::Corrupt(e.en))).collect()
}

/// How long after its end date a begeleidingsdocument keeps the personal data in it (the
/// learner, the praktijkopleider, the leerdoelen, the assessor's name): a year, time enough to
/// assess and issue. A withdrawn document loses it at once. docs/privacy.md states this.
pub const DOCUMENT_BEWAARDAGEN: u64 = 365;
/// How long after its withdrawal a praktijkverklaring keeps the learner's full name; after that
/// only the initials (all the public verification ever shows). A valid verklaring keeps the name:
/// it is the certificate, verified and reprinted for as long as it counts.
pub const INGETROKKEN_BEWAARDAGEN: u64 = 365;

/// What [`purge`] removed (or, dry, would remove), per instelling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PraktijkloketPurge {
    pub documenten: BTreeMap<String, u64>,
    pub verklaringen: BTreeMap<String, u64>,
}

/// Remove the Praktijkloket's personal data that is due on `today` (see the two periods above).
/// Run inside the purge's transaction.
pub fn purge(
    conn: &mut DbConnection,
    today: NaiveDate,
    now: NaiveDateTime,
    dry_run: bool,
) -> StoreResult<PraktijkloketPurge> {
    use begeleidingsdocumenten as d;
    let mut out = PraktijkloketPurge::default();
    let document_cutoff = today - chrono::Days::new(DOCUMENT_BEWAARDAGEN);
    let due: Vec<(String, String)> = d::table
        .filter(d::leerling_naam.is_not_null().or(d::praktijkopleider_email.is_not_null()))
        .filter(d::einddatum.lt(document_cutoff).or(d::status.eq(DOCUMENT_INGETROKKEN)))
        .select((d::id, d::brin))
        .load(conn)?;
    for (_, brin) in &due {
        *out.documenten.entry(brin.clone()).or_default() += 1;
    }
    let cutoff = today - chrono::Days::new(INGETROKKEN_BEWAARDAGEN);
    let withdrawn: Vec<(String, String, String)> = praktijkverklaringen::table
        .filter(praktijkverklaringen::status.eq(praktijkleren::VerklaringStatus::Ingetrokken.as_str()))
        .filter(praktijkverklaringen::ingetrokken_op.lt(cutoff))
        .select((praktijkverklaringen::id, praktijkverklaringen::brin, praktijkverklaringen::leerling_naam))
        .load(conn)?;
    let withdrawn: Vec<_> =
        withdrawn.into_iter().filter(|(_, _, naam)| praktijkleren::initialen(naam) != *naam).collect();
    for (_, brin, _) in &withdrawn {
        *out.verklaringen.entry(brin.clone()).or_default() += 1;
    }
    if dry_run {
        return Ok(out);
    }
    for chunk in due.chunks(crate::repo::CHUNK) {
        let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
        diesel::update(d::table.filter(d::id.eq_any(&ids)))
            .set((
                d::leerling_naam.eq(None::<String>),
                d::leerling_geboortedatum.eq(None::<NaiveDate>),
                d::praktijkopleider_naam.eq(None::<String>),
                d::praktijkopleider_email.eq(None::<String>),
                d::leerdoelen.eq(None::<String>),
                d::updated_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(beoordelingen::table.filter(beoordelingen::document_id.eq_any(&ids)))
            .set(beoordelingen::beoordeeld_door.eq(None::<String>))
            .execute(conn)?;
        // The praktijkopleider's address also sits in the outbox row of the assessment request.
        let verzoeken = crate::schema::beoordelingsverzoeken::table
            .filter(crate::schema::beoordelingsverzoeken::document_id.eq_any(&ids))
            .select(crate::schema::beoordelingsverzoeken::id.nullable());
        diesel::update(
            crate::schema::deliveries::table.filter(crate::schema::deliveries::verzoek_id.eq_any(verzoeken)),
        )
        .set(crate::schema::deliveries::recipient.eq(None::<String>))
        .execute(conn)?;
    }
    for (id, _, naam) in &withdrawn {
        diesel::update(praktijkverklaringen::table.find(id))
            .set(praktijkverklaringen::leerling_naam.eq(praktijkleren::initialen(naam)))
            .execute(conn)?;
    }
    Ok(out)
}

/// The valid praktijkverklaringen as (date of issue, crebo, doelgroep), of one instelling or all.
pub fn geldige(conn: &mut DbConnection, brin: Option<&str>) -> StoreResult<Vec<(NaiveDate, String, String)>> {
    let mut q = praktijkverklaringen::table
        .filter(praktijkverklaringen::status.eq(praktijkleren::VerklaringStatus::Geldig.as_str()))
        .select((praktijkverklaringen::afgegeven_op, praktijkverklaringen::crebo, praktijkverklaringen::doelgroep))
        .into_boxed();
    if let Some(b) = brin {
        q = q.filter(praktijkverklaringen::brin.eq(b));
    }
    Ok(q.load(conn)?)
}
