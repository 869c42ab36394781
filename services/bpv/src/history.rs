//! Survey history for `bpv demo`: for bpvo's whose survey already closed, the invitations that
//! went out and a realistic share of answers (about 14 % of praktijkopleiders, 30 % of students
//! mailed directly, fewer reached through the praktijkopleider; grades around 7.5 and 8.1), each
//! validated against the questionnaire of its date, so the results pages have data.

use std::collections::HashMap;

use bpv_aggregation::{Answers, ItemKind, Questionnaire, Questionnaires, validate_answers};
use bpv_scheduling::SchedulingSettings;
use bpv_store::models::{InvitationRow, ResponseRow};
use bpv_store::repo::{aanbieders, instellingen, invitations, referentie, responses};
use bpv_store::{DbConnection, StoreError, ids::new_id, now_utc};
use bpvo::{Groep, Kanaal};
use chrono::{Days, NaiveDate, NaiveTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What was made.
#[derive(Debug, Default, Clone, Copy)]
pub struct History {
    pub invitations: usize,
    pub answers_praktijkopleider: usize,
    pub answers_student: usize,
}

/// The columns of a stored bpvo the history is made from. Reading only these, rather than whole
/// rows with every date and time parsed, cut the cost of reading the bpvo's back to about a third
/// (300 to 95 million instructions in the demo at 10,000 bpvo's).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bpv_store::schema::bpvos)]
pub struct HistoryBpvo {
    id: String,
    aanbiedercode: String,
    leerbedrijf_id: String,
    crebo: String,
    leerweg: String,
    geplande_einddatum: NaiveDate,
    locatiecode: Option<String>,
    student_email: Option<String>,
    praktijkopleider_email: Option<String>,
}

/// Every stored bpvo, in id order, as the history needs it.
pub fn bpvos(conn: &mut DbConnection) -> Result<Vec<HistoryBpvo>, StoreError> {
    use bpv_store::schema::bpvos::dsl;
    Ok(dsl::bpvos.order(dsl::id).select(HistoryBpvo::as_select()).load(conn)?)
}

/// The demo leerbedrijf whose students more often answer on the unsafe side of sociale
/// veiligheid, so that SBB's "Signalen" tab has something to show: the one with the most bpvo's.
pub fn signaal_leerbedrijf(rows: &[HistoryBpvo]) -> Option<String> {
    let mut count: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for b in rows {
        *count.entry(b.leerbedrijf_id.as_str()).or_default() += 1;
    }
    count.into_iter().max_by_key(|(lb, n)| (*n, std::cmp::Reverse(*lb))).map(|(lb, _)| lb.to_owned())
}

/// A grade around `mean` (roughly normal, 1–10).
fn grade(rng: &mut StdRng, mean: f64) -> u8 {
    let noise: f64 = (0..4).map(|_| rng.random_range(-1.0..1.0)).sum::<f64>() * 0.8;
    (mean + noise).round().clamp(1.0, 10.0) as u8
}

/// Per aanbieder: whether its instelling takes part in directe studentbevraging.
fn deelname_per_aanbieder(conn: &mut DbConnection) -> Result<HashMap<String, bool>, StoreError> {
    let by_brin: HashMap<String, bool> =
        instellingen::list(conn)?.into_iter().map(|i| (i.brin.clone(), i.neemt_deel_aan_directe_bevraging())).collect();
    Ok(aanbieders::list(conn)?
        .into_iter()
        .map(|a| (a.aanbiedercode, by_brin.get(&a.brin).copied().unwrap_or(false)))
        .collect())
}

/// A demo respondent's answers to `q`: a grade around `mean`, and items that lean the way the
/// grade does (now and then n.v.t.), validated as the survey form would be. The safety items are
/// mostly on the safe side (4 or 5); `onveilig` puts one of them on the unsafe side (2).
fn demo_answers(rng: &mut StdRng, q: &Questionnaire, mean: f64, onveilig: bool) -> Result<Answers, StoreError> {
    let mut form = HashMap::new();
    let g = grade(rng, mean);
    for (_, item) in q.items() {
        let value = match item.kind {
            ItemKind::Cijfer => g.to_string(),
            _ if item.code == "sociale_veiligheid_2" && onveilig => "2".into(),
            _ if item.veiligheid.is_some() => if rng.random_bool(0.6) { "5" } else { "4" }.into(),
            ItemKind::Schaal if rng.random_bool(0.05) => "nvt".into(),
            ItemKind::Schaal => (f64::from(g) / 2.2 + rng.random_range(-1.2..1.2)).round().clamp(1.0, 5.0).to_string(),
        };
        form.insert(item.code.clone(), value);
    }
    validate_answers(q, &form).map_err(|e| StoreError::Corrupt(format!("demo answer invalid: {e:?}")))
}

/// The stored answer of one demo respondent, with the bpvo's analysis keys.
fn response_row(
    b: &HistoryBpvo,
    invitation_id: String,
    groep: Groep,
    kanaal: Kanaal,
    answered_at: chrono::NaiveDateTime,
    a: &Answers,
    sector: Option<String>,
) -> ResponseRow {
    ResponseRow {
        id: new_id(),
        invitation_id,
        submitted_at: answered_at,
        bron: bpv_store::AntwoordBron::Web,
        questionnaire_version: a.version.clone(),
        groep,
        maand: b.geplande_einddatum.format("%Y-%m").to_string(),
        aanbiedercode: b.aanbiedercode.clone(),
        locatiecode: b.locatiecode.clone(),
        leerweg: b.leerweg.clone(),
        crebo: b.crebo.clone(),
        sector,
        cijfer: i32::from(a.cijfer),
        antwoorden: a.to_json(),
        verbeterpunten: None,
        kanaal,
    }
}

/// Fill in the history for every bpvo in `rows` whose survey closed before `today`.
pub fn seed_history(
    conn: &mut DbConnection,
    rows: &[HistoryBpvo],
    seed: u64,
    today: NaiveDate,
    settings: &SchedulingSettings,
) -> Result<History, StoreError> {
    let questionnaires = Questionnaires::builtin().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let sectors: HashMap<String, String> =
        referentie::list_kwalificaties(conn)?.into_iter().map(|k| (k.crebo, k.sector)).collect();
    let deelname = deelname_per_aanbieder(conn)?;
    let signaal = signaal_leerbedrijf(rows);
    let mut signaal_studenten = 0_u32;
    let mut invs = Vec::new();
    let mut answers = Vec::new();
    let mut h = History::default();
    for b in rows.iter().filter(|b| settings.close_date(b.geplande_einddatum) < today) {
        let sent = settings.invite_date(b.geplande_einddatum);
        let closes = settings.close_date(b.geplande_einddatum);
        let direct = deelname.get(&b.aanbiedercode).copied().unwrap_or(false) && b.student_email.is_some();
        let mut groups = Vec::new();
        if b.praktijkopleider_email.is_some() {
            groups.push((Groep::Praktijkopleider, Kanaal::Direct, 0.14, 7.5));
        }
        if direct {
            groups.push((Groep::Student, Kanaal::Direct, 0.30, 8.1));
        } else if b.praktijkopleider_email.is_some() {
            groups.push((Groep::Student, Kanaal::ViaPraktijkopleider, 0.08, 8.1));
        }
        let bij_signaal = signaal.as_deref() == Some(b.leerbedrijf_id.as_str());
        for (groep, kanaal, share, mean) in groups {
            // The signal's leerbedrijf is asked often enough to reach k answers.
            let answered = rng.random_bool(if bij_signaal { 0.9 } else { share });
            let id = new_id();
            let answered_at = sent.checked_add_days(Days::new(rng.random_range(0..30))).unwrap_or(sent).and_time(
                NaiveTime::from_hms_opt(rng.random_range(7..22), rng.random_range(0..60), 0).unwrap_or_default(),
            );
            invs.push(InvitationRow {
                id: id.clone(),
                bpvo_id: b.id.clone(),
                groep,
                kanaal,
                status: if answered {
                    bpv_scheduling::InvitationStatus::Beantwoord
                } else {
                    bpv_scheduling::InvitationStatus::Verstuurd
                },
                scheduled_on: sent,
                closes_on: closes,
                sent_on: Some(sent),
                reminders_sent: if answered { 0 } else { 2 },
                opted_out: false,
                answered_at: answered.then_some(answered_at),
                cancel_reason: None,
                created_at: now_utc(),
                updated_at: now_utc(),
            });
            if !answered {
                continue;
            }
            // At the signal's leerbedrijf, every second student who answers is on the unsafe side.
            let onveilig = groep == Groep::Student && bij_signaal && {
                signaal_studenten += 1;
                signaal_studenten % 2 == 1
            };
            let a = demo_answers(&mut rng, questionnaires.for_date(sent), mean, onveilig)?;
            answers.push(response_row(b, id, groep, kanaal, answered_at, &a, sectors.get(&b.crebo).cloned()));
            match groep {
                Groep::Praktijkopleider => h.answers_praktijkopleider += 1,
                Groep::Student => h.answers_student += 1,
            }
        }
    }
    h.invitations = invitations::insert_new(conn, &invs)?;
    responses::insert_many(conn, &answers)?;
    Ok(h)
}
