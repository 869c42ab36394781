//! Database rows and insert forms: separate from the domain types in `bpvo`, which they are
//! converted from at the edge. Strings here were validated before they were written.

use bpv_scheduling::InvitationStatus;
use bpvo::{BpvoStatus, Groep, Kanaal};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::states::{AntwoordBron, BatchStatus, DeliveryStatus, Rol, Soort, UploadBron};

use crate::schema::{
    aanbieders, api_clients, audit_log, bpvos, duo_meldingen, erkenningen, gemachtigden, instellingen,
    keuzedeel_erkenningen, kwalificaties, lezers, locaties, medewerkers, toezichthouders, upload_batches,
};

/// A school board and how it takes part.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = instellingen)]
pub struct InstellingRow {
    pub brin: String,
    pub naam: String,
    pub oin: Option<String>,
    pub directe_studentbevraging: bool,
    pub intake_op: Option<NaiveDate>,
    pub resultaten_api: bool,
    pub verwerkersovereenkomst_getekend_op: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Where its students go for help (vertrouwenspersoon, klachtenprocedure): shown to a
    /// respondent who answered a safety item on the unsafe side. None: the national text.
    pub vertrouwenspersoon_tekst: Option<String>,
    pub vertrouwenspersoon_url: Option<String>,
    /// The instelling reads the verbeterpunten of its own selections (opt-in).
    pub verbeterpunten_delen: bool,
}

impl InstellingRow {
    /// Whether the school's students are surveyed directly: it opted in, the intake was done and
    /// the verwerkersovereenkomst (data processing agreement) is signed.
    pub fn neemt_deel_aan_directe_bevraging(&self) -> bool {
        self.directe_studentbevraging && self.intake_op.is_some() && self.verwerkersovereenkomst_getekend_op.is_some()
    }
}

/// An onderwijsaanbieder (RIO code) of an instelling.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = aanbieders)]
pub struct AanbiederRow {
    pub aanbiedercode: String,
    pub brin: String,
    pub naam: String,
    pub created_at: NaiveDateTime,
}

/// An onderwijslocatie of an aanbieder.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = locaties)]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
pub struct LocatieRow {
    pub locatiecode: String,
    pub aanbiedercode: String,
    pub naam: String,
    pub plaats: Option<String>,
}

/// A person allowed to upload for an instelling in the manual upload module.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = gemachtigden)]
pub struct GemachtigdeRow {
    pub id: String,
    pub brin: String,
    pub email: String,
    pub naam: String,
    pub password_hash: String,
    pub actief: bool,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

/// A lezer: reads an instelling's results on the dashboard, optionally only of some aanbieders
/// and/or locaties (space-separated codes; empty is the whole instelling).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = lezers)]
pub struct LezerRow {
    pub id: String,
    pub brin: String,
    pub email: String,
    pub naam: String,
    pub password_hash: String,
    pub aanbieders: String,
    pub locaties: String,
    pub actief: bool,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

impl LezerRow {
    /// The aanbiedercodes the lezer is limited to (none: every aanbieder of the instelling).
    pub fn aanbieder_codes(&self) -> Vec<String> {
        self.aanbieders.split_whitespace().map(str::to_owned).collect()
    }

    /// The locatiecodes the lezer is limited to (none: every locatie).
    pub fn locatie_codes(&self) -> Vec<String> {
        self.locaties.split_whitespace().map(str::to_owned).collect()
    }

    /// What the lezer reads, in words: `hele instelling`, or e.g. `aanbieder 123A456; locatie L1`.
    pub fn leest(&self) -> String {
        let mut delen = Vec::new();
        if !self.aanbieders.is_empty() {
            delen.push(format!("aanbieder {}", self.aanbieder_codes().join(", ")));
        }
        if !self.locaties.is_empty() {
            delen.push(format!("locatie {}", self.locatie_codes().join(", ")));
        }
        if delen.is_empty() { "hele instelling".into() } else { delen.join("; ") }
    }
}

/// An SBB staff member who may read every instelling's results on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = medewerkers)]
pub struct MedewerkerRow {
    pub id: String,
    pub email: String,
    pub naam: String,
    pub password_hash: String,
    pub actief: bool,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

/// An inspector (inspectie) or ministry official (OCW) who may read the quarterly data-quality
/// photos of every instelling, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = toezichthouders)]
pub struct ToezichthouderRow {
    pub id: String,
    pub email: String,
    pub naam: String,
    /// `inspectie` or `ocw`.
    pub organisatie: String,
    pub password_hash: String,
    pub actief: bool,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

/// An API client (client credentials) of an instelling, or of SBB itself (`brin` empty, rol `sbb`).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_clients)]
pub struct ApiClientRow {
    pub client_id: String,
    pub brin: Option<String>,
    pub naam: String,
    pub rol: Rol,
    /// Space-separated OAuth2 scopes.
    pub scopes: String,
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl ApiClientRow {
    /// The scopes as a list.
    pub fn scope_list(&self) -> Vec<&str> {
        self.scopes.split_whitespace().collect()
    }
}

/// A qualification from the crebo register.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = kwalificaties)]
pub struct KwalificatieRow {
    pub crebo: String,
    pub naam: String,
    pub niveau: i32,
    pub sector: String,
    /// `None` when the register file did not name it (an import without the column keeps it).
    pub domein: Option<String>,
}

impl From<&bpvo::Kwalificatie> for KwalificatieRow {
    /// The row of a qualification of SBB's register (the sector as its code).
    fn from(k: &bpvo::Kwalificatie) -> Self {
        Self {
            crebo: k.crebo.as_str().into(),
            naam: k.naam.clone(),
            niveau: i32::from(k.niveau),
            sector: k.sector.code().into(),
            domein: k.domein.clone(),
        }
    }
}

/// SBB's recognition of a leerbedrijf for one qualification during a period.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = erkenningen)]
#[diesel(treat_none_as_default_value = false)]
pub struct ErkenningRow {
    pub id: String,
    pub leerbedrijf_id: String,
    pub crebo: String,
    pub geldig_van: NaiveDate,
    pub geldig_tot: Option<NaiveDate>,
    pub aangevraagd_op: Option<NaiveDate>,
    pub besloten_op: Option<NaiveDate>,
}

/// SBB's recognition of a leerbedrijf for the bpv part of one keuzedeel during a period.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = keuzedeel_erkenningen)]
#[diesel(treat_none_as_default_value = false)]
pub struct KeuzedeelErkenningRow {
    pub id: String,
    pub leerbedrijf_id: String,
    pub keuzedeel_code: String,
    pub geldig_van: NaiveDate,
    pub geldig_tot: Option<NaiveDate>,
    pub aangevraagd_op: Option<NaiveDate>,
    pub besloten_op: Option<NaiveDate>,
}

/// DUO's registration of one bpvo.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = duo_meldingen)]
#[diesel(treat_none_as_default_value = false)]
pub struct DuoMeldingRow {
    pub aanbiedercode: String,
    pub correlatie_id: String,
    pub startdatum: NaiveDate,
    pub gemeld_op: NaiveDate,
    pub geimporteerd_op: NaiveDateTime,
}

/// A bpvo as stored: the school's upload and SBB's own registration, merged on
/// (aanbiedercode, correlatie_id).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = bpvos)]
#[diesel(treat_none_as_default_value = false)]
pub struct BpvoRow {
    pub id: String,
    pub aanbiedercode: String,
    pub correlatie_id: String,
    pub leerbedrijf_id: String,
    pub crebo: String,
    pub leerweg: String,
    pub startdatum: NaiveDate,
    pub geplande_einddatum: NaiveDate,
    pub werkelijke_einddatum: Option<NaiveDate>,
    pub status: BpvoStatus,
    pub student_email: Option<String>,
    pub studentcode: Option<String>,
    pub student_naam: Option<String>,
    pub schoolnaam: Option<String>,
    pub locatiecode: Option<String>,
    pub praktijkopleider_naam: Option<String>,
    pub praktijkopleider_email: Option<String>,
    pub school_received_at: Option<NaiveDateTime>,
    pub registratie_received_at: Option<NaiveDateTime>,
    pub received_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The keuzedeel whose bpv part it serves, when the school names one.
    pub keuzedeel_code: Option<String>,
}

/// One upload (API batch, single PUT or manual CSV upload) and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = upload_batches)]
#[diesel(treat_none_as_default_value = false)]
pub struct UploadBatchRow {
    pub id: String,
    pub brin: String,
    pub actor_kind: String,
    pub actor_id: String,
    pub bron: UploadBron,
    pub modus: String,
    pub idempotency_key: Option<String>,
    pub request_hash: Option<String>,
    pub status: BatchStatus,
    pub ontvangen: i64,
    pub aangemaakt: i64,
    pub bijgewerkt: i64,
    pub ongewijzigd: i64,
    pub afgewezen: i64,
    /// JSON: the per-record results as answered to the client.
    pub resultaat: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
#[diesel(treat_none_as_default_value = false)]
pub struct AuditEntryRow {
    pub id: String,
    pub at: NaiveDateTime,
    /// `client`, `gemachtigde`, `admin`, `certificaat`, `systeem`.
    pub actor_kind: String,
    pub actor_id: String,
    pub brin: Option<String>,
    /// What was done, e.g. `bpvo.upload`, `gemachtigde.add`, `login`.
    pub action: String,
    /// JSON with the specifics (endpoint, filters, counts); never personal data.
    pub detail: String,
    pub row_count: Option<i64>,
}

/// A CSV file waiting for its uploader's confirmation in the manual upload module.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::upload_previews)]
pub struct UploadPreviewRow {
    pub id: String,
    pub brin: String,
    pub gemachtigde_id: String,
    pub bestandsnaam: String,
    pub inhoud: Vec<u8>,
    pub created_at: NaiveDateTime,
}

/// One survey invitation: a bpvo and a respondent group.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::invitations)]
#[diesel(treat_none_as_default_value = false)]
pub struct InvitationRow {
    pub id: String,
    pub bpvo_id: String,
    pub groep: Groep,
    pub kanaal: Kanaal,
    pub status: InvitationStatus,
    pub scheduled_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub sent_on: Option<NaiveDate>,
    pub reminders_sent: i32,
    pub opted_out: bool,
    pub answered_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl InvitationRow {
    /// A new invitation of `bpvo_id`'s `groep`, planned for `scheduled_on` and open until
    /// `closes_on`, created at `now`: nothing sent, no reminder, no answer.
    pub fn planned(
        bpvo_id: String,
        groep: Groep,
        kanaal: Kanaal,
        scheduled_on: NaiveDate,
        closes_on: NaiveDate,
        now: NaiveDateTime,
    ) -> Self {
        InvitationRow {
            id: crate::ids::new_id(),
            bpvo_id,
            groep,
            kanaal,
            status: InvitationStatus::Gepland,
            scheduled_on,
            closes_on,
            sent_on: None,
            reminders_sent: 0,
            opted_out: false,
            answered_at: None,
            cancel_reason: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// One mail to send (the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = crate::schema::deliveries)]
#[diesel(treat_none_as_default_value = false)]
pub struct DeliveryRow {
    pub id: String,
    /// The survey invitation this mail belongs to (or else `verzoek_id`).
    pub invitation_id: Option<String>,
    /// The assessment request this mail belongs to (or else `invitation_id`).
    pub verzoek_id: Option<String>,
    pub soort: Soort,
    /// 0 for the invitation, 1.. for reminders.
    pub nummer: i32,
    pub recipient: Option<String>,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub lease_owner: Option<String>,
    pub message_id: Option<String>,
    pub last_reply: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a planned mail belongs to: a survey invitation or an assessment request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Onderwerp {
    Uitnodiging(String),
    Beoordelingsverzoek(String),
}

impl DeliveryRow {
    /// A mail put in the outbox at `now`, due from the start of `today`: waiting, or skipped at
    /// once when there is no address (`to` is `None`) or the address refused mail before
    /// (`suppressed`).
    pub fn planned(
        onderwerp: Onderwerp,
        soort: Soort,
        nummer: i32,
        to: Option<String>,
        suppressed: bool,
        today: chrono::NaiveDate,
        now: NaiveDateTime,
    ) -> Self {
        let blocked = to.is_none() || suppressed;
        let (invitation_id, verzoek_id) = match onderwerp {
            Onderwerp::Uitnodiging(id) => (Some(id), None),
            Onderwerp::Beoordelingsverzoek(id) => (None, Some(id)),
        };
        DeliveryRow {
            id: crate::ids::new_id(),
            invitation_id,
            verzoek_id,
            soort,
            nummer,
            recipient: to,
            status: if blocked { DeliveryStatus::Overgeslagen } else { DeliveryStatus::Wachtend },
            attempts: 0,
            next_attempt_at: today.and_time(chrono::NaiveTime::MIN).min(now),
            lease_until: None,
            lease_owner: None,
            message_id: None,
            last_reply: blocked.then(|| "adres eerder geweigerd door de mailserver".to_owned()),
            sent_at: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// One answer to an invitation, with its analysis keys (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::responses)]
#[diesel(treat_none_as_default_value = false)]
pub struct ResponseRow {
    pub id: String,
    pub invitation_id: String,
    pub submitted_at: NaiveDateTime,
    /// `web` (the survey form) or `import` (an external survey bureau).
    pub bron: AntwoordBron,
    pub questionnaire_version: String,
    pub groep: Groep,
    /// Month of the planned end date, `jjjj-mm`.
    pub maand: String,
    pub aanbiedercode: String,
    pub locatiecode: Option<String>,
    pub leerweg: String,
    pub crebo: String,
    pub sector: Option<String>,
    pub cijfer: i32,
    /// The item answers as JSON (`bpv_aggregation::Answers`).
    pub antwoorden: String,
    pub verbeterpunten: Option<String>,
    /// The link it came through: `direct` (the student's own mail) or `via_praktijkopleider`
    /// (the link in the praktijkopleider's mail), copied from the invitation.
    pub kanaal: Kanaal,
}
