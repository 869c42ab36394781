//! The one upload pipeline behind every way a school sends bpvo's (single PUT, JSON batch, CSV
//! batch, manual upload page): validate every record, apply the participation gate, refuse
//! duplicates, store all-or-nothing (or the valid ones in partial mode) in one transaction
//! together with the batch record and the audit entry.

use std::collections::{HashMap, HashSet};

use bpv_scheduling::SchedulingSettings;
use bpv_store::models::{InstellingRow, UploadBatchRow};
use bpv_store::repo::bpvos::UpsertOutcome;
use bpv_store::repo::{aanbieders, audit, bpvos, instellingen, referentie, upload_batches};
use bpv_store::{BatchStatus, DbConnection, StoreError, UploadBron, now_utc};
use bpv_web::problem::{InvalidParam, Problem, params_from_validation};
use bpvo::{Bpvo, BpvoRecord, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Hoe een batch met ongeldige records wordt verwerkt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Modus {
    /// Default: any invalid record and nothing is stored.
    #[default]
    AllesOfNiets,
    /// Store the valid records, list the rest.
    Gedeeltelijk,
}

impl Modus {
    pub fn as_str(self) -> &'static str {
        match self {
            Modus::AllesOfNiets => "allesOfNiets",
            Modus::Gedeeltelijk => "gedeeltelijk",
        }
    }
}

/// Wat er met één record is gebeurd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Resultaat {
    Created,
    Updated,
    Unchanged,
    Rejected,
}

impl From<UpsertOutcome> for Resultaat {
    fn from(o: UpsertOutcome) -> Self {
        match o {
            UpsertOutcome::Created => Resultaat::Created,
            UpsertOutcome::Updated => Resultaat::Updated,
            UpsertOutcome::Unchanged => Resultaat::Unchanged,
        }
    }
}

/// Hoe de uitnodiging van een bpvo ervoor staat, voor zover een school dat mag weten: voordat de
/// dispatcher de uitnodiging maakte: `gepland` of `wordtNietUitgenodigd`; daarna: `gepland`,
/// `uitgenodigd` (verstuurd, de vragenlijst staat open), `gesloten` (de vragenlijst is gesloten) of
/// `geannuleerd` — nooit of de respondent heeft geantwoord; en `ingetrokken` voor een ingetrokken bpvo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum UitnodigingStatus {
    Gepland,
    WordtNietUitgenodigd,
    Uitgenodigd,
    Gesloten,
    Geannuleerd,
    Ingetrokken,
}

/// Wanneer (of waarom niet) de respondenten van het record worden uitgenodigd.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Uitnodiging {
    pub status: UitnodigingStatus,
    /// Geplande dag van de uitnodiging (niet vóór vandaag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datum: Option<NaiveDate>,
    /// `direct` (de student krijgt zelf een mail) of `viaPraktijkopleider`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kanaal_student: Option<String>,
    /// Waarom het record niet wordt bevraagd, in het Nederlands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reden: Option<String>,
}

/// The planned invitation of a bpvo as the scheduling rules say today (before the dispatcher
/// made one). The praktijkopleider's registration may still arrive from SBB, so it is assumed
/// reachable; whether the student is mailed directly follows from participation and email.
pub fn plan_uitnodiging(
    settings: &SchedulingSettings,
    geplande_einddatum: NaiveDate,
    student_email: bool,
    deelname: bool,
    today: NaiveDate,
) -> Uitnodiging {
    let facts = bpv_scheduling::BpvoFacts {
        status: bpvo::BpvoStatus::Actief,
        geplande_einddatum,
        has_praktijkopleider_email: true,
        has_student_email: student_email,
        instelling_neemt_deel: deelname,
    };
    if let Some(reden) = bpv_scheduling::not_invited_reason(&facts, settings, today) {
        return Uitnodiging {
            status: UitnodigingStatus::WordtNietUitgenodigd,
            datum: None,
            kanaal_student: None,
            reden: Some(reden),
        };
    }
    let kanaal = bpv_scheduling::channel(&facts, bpvo::Groep::Student).unwrap_or(bpvo::Kanaal::ViaPraktijkopleider);
    Uitnodiging {
        status: UitnodigingStatus::Gepland,
        datum: Some(settings.invite_date(geplande_einddatum).max(today)),
        kanaal_student: Some(kanaal_naam(kanaal).into()),
        reden: None,
    }
}

/// A channel as the API names it: `direct` or `viaPraktijkopleider`.
pub fn kanaal_naam(kanaal: bpvo::Kanaal) -> &'static str {
    match kanaal {
        bpvo::Kanaal::Direct => "direct",
        bpvo::Kanaal::ViaPraktijkopleider => "viaPraktijkopleider",
    }
}

/// De uitkomst van één record, zoals in het antwoord.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordResultaat {
    /// Positie in de batch (vanaf 0).
    pub index: usize,
    /// Regel in het CSV-bestand (vanaf 1, kopregel = 1), bij CSV-uploads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regel: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlatie_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aanbiedercode: Option<String>,
    pub resultaat: Resultaat,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub fouten: Vec<InvalidParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uitnodiging: Option<Uitnodiging>,
}

/// Het antwoord op een batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchAntwoord {
    pub id: String,
    pub modus: Modus,
    pub ontvangen: usize,
    pub aangemaakt: usize,
    pub bijgewerkt: usize,
    pub ongewijzigd: usize,
    pub afgewezen: usize,
    /// Ingetrokken bpvo's die op uitdrukkelijk verzoek zijn hersteld (`?herstellen=true`).
    #[serde(default)]
    pub hersteld: usize,
    pub resultaten: Vec<RecordResultaat>,
}

/// Who sends, from where.
#[derive(Debug, Clone)]
pub struct Uploader {
    pub brin: String,
    /// `client` or `gemachtigde`.
    pub actor_kind: &'static str,
    pub actor_id: String,
    pub bron: UploadBron,
}

/// One incoming record: where it came from (index, CSV line) and its parse.
#[derive(Debug)]
pub struct Incoming {
    pub regel: Option<usize>,
    pub parsed: Result<Bpvo, ValidationErrors>,
    /// Keys as sent, for the answer even when the record is invalid.
    pub correlatie_id: Option<String>,
    pub aanbiedercode: Option<String>,
}

impl Incoming {
    /// From a JSON record.
    pub fn from_record(record: &BpvoRecord) -> Self {
        Self {
            regel: None,
            parsed: Bpvo::try_from(record),
            correlatie_id: record.correlatie_id.as_ref().map(|s| s.trim().to_owned()),
            aanbiedercode: record.school.as_ref().and_then(|s| s.aanbiedercode.as_ref()).map(|s| s.trim().to_owned()),
        }
    }
}

/// A CSV upload file read into incoming records, with what the reader found out about the file
/// (the upload page shows it so a school can see how its file was understood).
#[derive(Debug)]
pub struct CsvUpload {
    /// The separator found in the header line.
    pub delimiter: u8,
    /// The character encoding detected.
    pub encoding: &'static str,
    /// Header names that are not upload columns (a misspelt required column ends up here).
    pub ignored_columns: Vec<String>,
    /// One entry per data line, readable or not, in line order.
    pub incoming: Vec<Incoming>,
    /// For an Excel workbook: the sheet read (its row numbers are the line numbers).
    pub werkblad: Option<String>,
}

/// Read an upload that may be CSV text or an Excel workbook (`.xlsx`, first sheet, the same
/// columns: `bpvo::spreadsheet`); any other binary file is refused, naming what it is and what to
/// send instead.
pub fn read_upload(bytes: &[u8], max: usize) -> Result<CsvUpload, Problem> {
    use bpvo::spreadsheet::{STUUR, Soort, herken, xlsx_naar_csv};
    let refuse = |code: &str, nl: String, en: String| {
        Problem::invalid_input(
            nl.clone(),
            vec![InvalidParam { name: "body".into(), code: code.into(), reason: nl, reason_en: en }],
        )
    };
    match herken(bytes) {
        Soort::Tekst => read_csv_upload(bytes, max),
        Soort::Xlsx => {
            let rijen = u32::try_from(max).unwrap_or(u32::MAX).saturating_add(1);
            let (blad, csv) = xlsx_naar_csv(bytes, rijen).map_err(|e| {
                refuse("xlsx", format!("{e}. {STUUR}"), "this Excel workbook cannot be read; send CSV or .xlsx".into())
            })?;
            let mut upload = read_csv_upload(csv.as_bytes(), max)?;
            upload.encoding = "Excel-werkmap (.xlsx)";
            upload.werkblad = Some(blad);
            Ok(upload)
        }
        Soort::Anders(wat) => Err(refuse(
            "binary",
            format!("Dit bestand is {wat}, geen CSV-bestand of Excel-werkmap. {STUUR}"),
            format!("This file is not CSV or an Excel workbook ({wat}); send CSV or .xlsx with the same column names"),
        )),
    }
}

/// Read a CSV upload (the file a school exports, for the API and the upload page alike) with at
/// most `max` data lines. Errors of single lines stay with their line; only a file that cannot be
/// read at all, is empty or too long is refused here.
pub fn read_csv_upload(bytes: &[u8], max: usize) -> Result<CsvUpload, Problem> {
    let file = bpvo::read_csv_with_limit(bytes, max).map_err(|e| match e {
        bpvo::CsvError::TooManyRows { .. } => too_many_records(max + 1, max),
        other => Problem::invalid_input(
            other.message_nl(),
            vec![InvalidParam {
                name: "body".into(),
                code: other.code().into(),
                reason: other.message_nl(),
                reason_en: other.message_en(),
            }],
        ),
    })?;
    let parsed = file.parse();
    if parsed.is_empty() {
        return Err(no_records());
    }
    // parse() covers every line (readable or not) in line order; the raw record, where the line
    // could be read, gives the keys to echo in the answer.
    let raw: HashMap<usize, &BpvoRecord> = file.rows.iter().map(|row| (row.line, &row.record)).collect();
    let incoming = parsed
        .into_iter()
        .map(|(line, result)| {
            let rec = raw.get(&line);
            Incoming {
                regel: Some(line),
                parsed: result,
                correlatie_id: rec.and_then(|r| r.correlatie_id.clone()),
                aanbiedercode: rec.and_then(|r| r.school.as_ref()?.aanbiedercode.clone()),
            }
        })
        .collect();
    Ok(CsvUpload {
        werkblad: None,
        delimiter: file.delimiter,
        encoding: file.encoding,
        ignored_columns: file.ignored_columns,
        incoming,
    })
}

/// Een JSON-batch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// De records (hoogstens 50.000).
    #[schema(value_type = Vec<bpvo::BpvoRecord>, min_items = 1, max_items = 50000)]
    pub records: Vec<Box<serde_json::value::RawValue>>,
}

/// Read a JSON batch (`{"records": [...]}`) with at most `max` records. A record that is not even
/// the right JSON shape becomes a rejected record of its own; only a body that is not a batch at
/// all, is empty or too long is refused here.
pub fn read_json_batch(bytes: &[u8], max: usize) -> Result<Vec<Incoming>, Problem> {
    let body: BatchBody = serde_json::from_slice(bytes).map_err(|e| bpv_web::problem::invalid_json(&e))?;
    if body.records.len() > max {
        return Err(too_many_records(body.records.len(), max));
    }
    if body.records.is_empty() {
        return Err(no_records());
    }
    Ok(body
        .records
        .iter()
        .enumerate()
        .map(|(i, raw)| match serde_json::from_str::<BpvoRecord>(raw.get()) {
            Ok(record) => Incoming::from_record(&record),
            Err(e) => Incoming {
                regel: None,
                parsed: Err(bpvo::ValidationErrors(vec![bpvo::FieldError {
                    field: String::new(),
                    code: "json".into(),
                    message_nl: format!("record {i} heeft niet de verwachte vorm: {e}"),
                    message_en: format!("record {i} does not have the expected shape: {e}"),
                }])),
                correlatie_id: None,
                aanbiedercode: None,
            },
        })
        .collect())
}

/// 413: more records than one batch may hold.
pub fn too_many_records(n: usize, max: usize) -> Problem {
    Problem::too_large(format!("de batch bevat {n} records; het maximum is {max} per batch (split the batch)"))
}

/// 400: a batch without records.
pub fn no_records() -> Problem {
    Problem::invalid_input(
        "de batch bevat geen records",
        vec![InvalidParam {
            name: "records".into(),
            code: "empty".into(),
            reason: "minstens één record is nodig".into(),
            reason_en: "at least one record is required".into(),
        }],
    )
}

/// The batch an upload is recorded as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: String,
    pub modus: Modus,
    /// The row already exists (reserved under an Idempotency-Key) and is only finished.
    pub reserved: bool,
    /// Bring withdrawn bpvo's back (`?herstellen=true`); otherwise a record for a withdrawn bpvo
    /// is refused (`ingetrokken`), so a nightly full sync cannot undo a withdrawal.
    pub herstellen: bool,
}

impl Batch {
    /// A new, unreserved batch that leaves withdrawn bpvo's withdrawn.
    pub fn new(modus: Modus) -> Self {
        Self { id: bpv_store::ids::new_id(), modus, reserved: false, herstellen: false }
    }
}

/// Why an upload was refused as a whole.
#[derive(Debug)]
pub enum UploadError {
    /// Answer with this problem (403 gate, 400 invalid in all-or-nothing mode, …).
    Problem(Box<Problem>),
    /// All-or-nothing batch with invalid records: nothing stored, the refusal recorded.
    Refused(Box<BatchAntwoord>),
    /// Database failure.
    Store(StoreError),
}

impl From<StoreError> for UploadError {
    fn from(e: StoreError) -> Self {
        UploadError::Store(e)
    }
}

impl From<diesel::result::Error> for UploadError {
    fn from(e: diesel::result::Error) -> Self {
        UploadError::Store(StoreError::Query(e))
    }
}

impl From<Problem> for UploadError {
    fn from(p: Problem) -> Self {
        UploadError::Problem(Box::new(p))
    }
}

/// 403 unless the instelling may upload student data at all.
pub fn check_participation(instelling: &InstellingRow) -> Result<(), Problem> {
    if instelling.verwerkersovereenkomst_getekend_op.is_none() {
        return Err(Problem::forbidden(format!(
            "instelling {} heeft geen getekende verwerkersovereenkomst; zonder die worden geen studentgegevens \
             aangenomen (no data processing agreement signed)",
            instelling.brin
        )));
    }
    if !instelling.directe_studentbevraging || instelling.intake_op.is_none() {
        return Err(Problem::forbidden(format!(
            "instelling {} neemt (nog) niet deel aan directe studentbevraging; meld u aan bij SBB \
             (not taking part in direct student surveying)",
            instelling.brin
        )));
    }
    Ok(())
}

/// 403 when a record names an aanbieder of another instelling: refused as a whole, never a
/// partial write for someone else.
fn refuse_foreign_aanbieders(incoming: &[Incoming], eigen: &HashSet<String>, brin: &str) -> Result<(), Problem> {
    let vreemd: Vec<InvalidParam> = incoming
        .iter()
        .enumerate()
        .filter_map(|(i, inc)| {
            let code = inc.parsed.as_ref().ok()?.school.aanbiedercode.as_str();
            (!eigen.contains(code)).then(|| InvalidParam {
                name: format!("{}school.aanbiedercode", prefix(i, inc.regel)),
                code: "aanbieder_not_owned".into(),
                reason: format!("aanbieder {code} hoort niet bij instelling {}", brin),
                reason_en: format!("aanbieder {code} does not belong to instelling {}", brin),
            })
        })
        .collect();
    if !vreemd.is_empty() {
        let mut eigen_sorted: Vec<&String> = eigen.iter().collect();
        eigen_sorted.sort();
        return Err(Problem::forbidden(format!(
            "{} record(s) noemen een aanbieder die niet bij {} hoort (eigen aanbieders: {})",
            vreemd.len(),
            brin,
            eigen_sorted.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ))
        .with_params(vreemd));
    }
    Ok(())
}

/// Per record: rejected (field errors, codes unknown to SBB's registers, a key repeated in the
/// batch) or to store. Returns every record's result, the bpvo's to store and their indexes.
fn classify(incoming: Vec<Incoming>, registers: &bpvo::Registers) -> (Vec<RecordResultaat>, Vec<Bpvo>, Vec<usize>) {
    let mut resultaten: Vec<RecordResultaat> = Vec::with_capacity(incoming.len());
    let mut te_bewaren: Vec<Bpvo> = Vec::new();
    let mut bewaar_index: Vec<usize> = Vec::new();
    let mut gezien: HashMap<(String, String), usize> = HashMap::new();
    for (i, inc) in incoming.into_iter().enumerate() {
        let mut res = RecordResultaat {
            index: i,
            regel: inc.regel,
            correlatie_id: inc.correlatie_id.clone(),
            aanbiedercode: inc.aanbiedercode.clone(),
            resultaat: Resultaat::Rejected,
            fouten: Vec::new(),
            uitnodiging: None,
        };
        match inc.parsed {
            Err(errors) => res.fouten = params_from_validation(&prefix(i, inc.regel), &errors),
            Ok(b) => {
                let key = (b.school.aanbiedercode.as_str().to_owned(), b.correlatie_id.as_str().to_owned());
                let onbekend = registers.check(&b);
                if !onbekend.is_empty() {
                    res.fouten = params_from_validation(&prefix(i, inc.regel), &onbekend);
                } else if let Some(first) = gezien.get(&key) {
                    res.fouten.push(InvalidParam {
                        name: format!("{}correlatieId", prefix(i, inc.regel)),
                        code: "duplicate".into(),
                        reason: format!(
                            "correlatieId {} komt al eerder in deze batch voor (record {first}) voor aanbieder {}",
                            key.1, key.0
                        ),
                        reason_en: format!("correlatieId {} occurs earlier in this batch (record {first})", key.1),
                    });
                } else {
                    gezien.insert(key, i);
                    bewaar_index.push(i);
                    te_bewaren.push(b);
                }
            }
        }
        resultaten.push(res);
    }
    (resultaten, te_bewaren, bewaar_index)
}

/// Take the withdrawn bpvo's (`ingetrokken`: aanbieder, correlatieId) out of what is stored, and
/// reject each with `ingetrokken` in its result.
fn keep_withdrawn_out(
    te_bewaren: Vec<Bpvo>,
    bewaar_index: Vec<usize>,
    ingetrokken: &HashSet<(String, String)>,
    resultaten: &mut [RecordResultaat],
) -> (Vec<Bpvo>, Vec<usize>) {
    let (mut kept, mut kept_index) = (Vec::new(), Vec::new());
    for (b, i) in te_bewaren.into_iter().zip(bewaar_index) {
        let key = (b.school.aanbiedercode.as_str().to_owned(), b.correlatie_id.as_str().to_owned());
        if !ingetrokken.contains(&key) {
            kept.push(b);
            kept_index.push(i);
        } else if let Some(r) = resultaten.get_mut(i) {
            r.fouten.push(InvalidParam {
                name: format!("{}correlatieId", prefix(i, r.regel)),
                code: "ingetrokken".into(),
                reason: format!(
                    "bpvo {} van aanbieder {} is ingetrokken en blijft dat; stuur het alleen opnieuw met \
                     ?herstellen=true als u het bewust wilt herstellen",
                    key.1, key.0
                ),
                reason_en: format!(
                    "bpvo {} was withdrawn and stays withdrawn; send it with ?herstellen=true to reinstate it",
                    key.1
                ),
            });
        }
    }
    (kept, kept_index)
}

/// Run the pipeline; `batch_id` is the id already reserved (with an Idempotency-Key) or a new one.
pub fn process(
    conn: &mut DbConnection,
    uploader: &Uploader,
    incoming: Vec<Incoming>,
    batch: &Batch,
    settings: &SchedulingSettings,
    today: NaiveDate,
) -> Result<BatchAntwoord, UploadError> {
    let (modus, batch_id, reserved) = (batch.modus, batch.id.as_str(), batch.reserved);
    let instelling = instellingen::get(conn, &uploader.brin)?;
    check_participation(&instelling)?;
    let eigen: HashSet<String> =
        aanbieders::list_for_brin(conn, &uploader.brin)?.into_iter().map(|a| a.aanbiedercode).collect();
    let deelname = instelling.neemt_deel_aan_directe_bevraging();

    refuse_foreign_aanbieders(&incoming, &eigen, &uploader.brin)?;
    let registers = {
        let parsed: Vec<&Bpvo> = incoming.iter().filter_map(|inc| inc.parsed.as_ref().ok()).collect();
        referentie::registers_for(conn, &parsed)?
    };
    let (mut resultaten, mut te_bewaren, mut bewaar_index) = classify(incoming, &registers);
    // A withdrawn bpvo stays withdrawn unless the request reinstates it explicitly.
    let ingetrokken = bpvos::withdrawn_among(conn, &te_bewaren)?;
    let hersteld = if batch.herstellen { ingetrokken.len() } else { 0 };
    if !batch.herstellen && !ingetrokken.is_empty() {
        (te_bewaren, bewaar_index) = keep_withdrawn_out(te_bewaren, bewaar_index, &ingetrokken, &mut resultaten);
    }
    let afgewezen = resultaten.iter().filter(|r| r.resultaat == Resultaat::Rejected && !r.fouten.is_empty()).count();
    let now = now_utc();
    let mut antwoord = BatchAntwoord {
        hersteld: 0,
        id: batch_id.to_owned(),
        modus,
        ontvangen: resultaten.len(),
        aangemaakt: 0,
        bijgewerkt: 0,
        ongewijzigd: 0,
        afgewezen,
        resultaten,
    };

    if afgewezen > 0 && modus == Modus::AllesOfNiets {
        // Nothing stored; the refusal itself is recorded.
        bpv_store::write_transaction(conn, |conn| record(conn, uploader, &antwoord, modus, reserved, now))?;
        return Err(UploadError::Refused(Box::new(antwoord)));
    }

    antwoord.hersteld = hersteld;
    bpv_store::write_transaction(conn, |conn| -> Result<(), UploadError> {
        let outcomes = if batch.herstellen {
            bpvos::reinstate_school_records(conn, &te_bewaren, now)?
        } else {
            bpvos::upsert_school_records(conn, &te_bewaren, now)?
        };
        for ((idx, (_, outcome)), b) in bewaar_index.iter().zip(outcomes).zip(&te_bewaren) {
            let r = &mut antwoord.resultaten[*idx];
            r.resultaat = outcome.into();
            r.uitnodiging = Some(plan_uitnodiging(
                settings,
                b.periode.geplande_einddatum(),
                b.student.emailadres.is_some(),
                deelname,
                today,
            ));
            match outcome {
                UpsertOutcome::Created => antwoord.aangemaakt += 1,
                UpsertOutcome::Updated => antwoord.bijgewerkt += 1,
                UpsertOutcome::Unchanged => antwoord.ongewijzigd += 1,
            }
        }
        record(conn, uploader, &antwoord, modus, reserved, now)?;
        Ok(())
    })?;
    // The upload is stored; statistics that lag behind it cost only speed, so a failure is logged.
    if let Err(e) = bpvos::refresh_statistics_if_behind(conn, antwoord.aangemaakt) {
        tracing::warn!(error = %e, "statistieken van bpvos niet bijgewerkt");
    }
    Ok(antwoord)
}

/// True when the batch was refused whole (all-or-nothing with invalid records): nothing stored.
pub fn is_refused(antwoord: &BatchAntwoord) -> bool {
    antwoord.modus == Modus::AllesOfNiets && antwoord.afgewezen > 0
}

/// The 400 answer to a batch refused whole, listing every error; rebuilt the same way for a
/// replay under its Idempotency-Key.
pub fn refusal(antwoord: &BatchAntwoord) -> Problem {
    let params: Vec<InvalidParam> = antwoord.resultaten.iter().flat_map(|r| r.fouten.iter().cloned()).collect();
    let mut p = Problem::invalid_input(
        format!(
            "{} van de {} records zijn ongeldig; er is niets opgeslagen (gebruik ?modus=gedeeltelijk om de geldige \
             records wel op te slaan). Batch {}",
            antwoord.afgewezen, antwoord.ontvangen, antwoord.id
        ),
        params,
    );
    p.instance = Some(format!("/v1/bpvo-batches/{}", antwoord.id));
    p
}

fn prefix(i: usize, regel: Option<usize>) -> String {
    match regel {
        Some(line) => format!("regel {line}: "),
        None => format!("records[{i}]."),
    }
}

/// Write the batch row (or finish the reserved one) and the audit entry.
fn record(
    conn: &mut DbConnection,
    uploader: &Uploader,
    antwoord: &BatchAntwoord,
    modus: Modus,
    reserved: bool,
    now: chrono::NaiveDateTime,
) -> Result<(), UploadError> {
    let counts = upload_batches::Counts {
        ontvangen: antwoord.ontvangen as i64,
        aangemaakt: antwoord.aangemaakt as i64,
        bijgewerkt: antwoord.bijgewerkt as i64,
        ongewijzigd: antwoord.ongewijzigd as i64,
        afgewezen: antwoord.afgewezen as i64,
    };
    let body = serde_json::to_string(antwoord).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if !reserved {
        upload_batches::insert(conn, &new_batch_row(&antwoord.id, uploader, modus, None, None, now))?;
    }
    upload_batches::finish(conn, &antwoord.id, counts, &body, now)?;
    audit::append(
        conn,
        now,
        audit::Actor { kind: uploader.actor_kind, id: &uploader.actor_id },
        Some(&uploader.brin),
        "bpvo.upload",
        &serde_json::json!({
            "batchId": antwoord.id, "bron": uploader.bron.as_str(), "modus": modus.as_str(),
            "ontvangen": antwoord.ontvangen, "aangemaakt": antwoord.aangemaakt, "bijgewerkt": antwoord.bijgewerkt,
            "ongewijzigd": antwoord.ongewijzigd, "afgewezen": antwoord.afgewezen, "hersteld": antwoord.hersteld,
        }),
        Some(antwoord.ontvangen as i64),
    )?;
    Ok(())
}

/// A batch row in state `bezig`.
pub fn new_batch_row(
    id: &str,
    uploader: &Uploader,
    modus: Modus,
    idempotency_key: Option<&str>,
    request_hash: Option<&str>,
    now: chrono::NaiveDateTime,
) -> UploadBatchRow {
    UploadBatchRow {
        id: id.to_owned(),
        brin: uploader.brin.clone(),
        actor_kind: uploader.actor_kind.to_owned(),
        actor_id: uploader.actor_id.clone(),
        bron: uploader.bron,
        modus: modus.as_str().to_owned(),
        idempotency_key: idempotency_key.map(str::to_owned),
        request_hash: request_hash.map(str::to_owned),
        status: BatchStatus::Bezig,
        ontvangen: 0,
        aangemaakt: 0,
        bijgewerkt: 0,
        ongewijzigd: 0,
        afgewezen: 0,
        resultaat: None,
        created_at: now,
        finished_at: None,
    }
}
