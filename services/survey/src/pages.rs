//! The survey pages. Every refusal is a plain page that says what is the matter (unknown link,
//! already answered, closed, withdrawn); errors are logged with an id, never shown as a trace.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use bpv_aggregation::{ItemKind, Questionnaire, validate_answers};
use bpv_mailing::{SurveyToken, hash_token};
use bpv_store::models::{BpvoRow, InvitationRow};
use bpv_store::repo::{aanbieders, instellingen, invitations, referentie, responses};
use bpv_store::{StoreError, now_utc};
use bpvo::Groep;
use chrono::NaiveDate;

use crate::state::State;
use crate::views::{Form, Hulp, Melding, Page, Thanks, Vergelijk};

/// `GET /enquete.css`
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../static/enquete.css"))
}

/// What a token leads to.
enum Lookup {
    Open { inv: Box<InvitationRow>, bpvo: Box<BpvoRow>, opleiding: String },
    Unknown,
    Answered,
    Cancelled,
    Closed(NaiveDate),
}

pub(crate) fn today() -> NaiveDate {
    bpvo::vandaag()
}

/// Find the invitation of a link token. Only the token's SHA-256 is stored; the lookup compares
/// hashes, so the database never sees, and timing never reveals, the token itself.
fn lookup(state: &State, raw: &str) -> Result<Lookup, StoreError> {
    if SurveyToken::parse(raw).is_err() {
        return Ok(Lookup::Unknown);
    }
    let mut conn = state.pool.get()?;
    let Some(inv) = invitations::find_by_token_hash(&mut conn, &hash_token(raw))? else { return Ok(Lookup::Unknown) };
    if inv.status == bpv_store::InvitationStatus::Beantwoord {
        return Ok(Lookup::Answered);
    }
    if inv.status == bpv_store::InvitationStatus::Geannuleerd {
        return Ok(Lookup::Cancelled);
    }
    if today() >= inv.closes_on {
        return Ok(Lookup::Closed(inv.closes_on));
    }
    let Some((inv, mut bpvo)) = responses::invitation_with_bpvo(&mut conn, &inv.id)? else {
        return Ok(Lookup::Unknown);
    };
    // The form names the registered aanbieder, never the school's free text.
    bpvo.schoolnaam = aanbieders::find(&mut conn, &bpvo.aanbiedercode)?.map(|a| a.naam);
    let opleiding = referentie::find_kwalificatie(&mut conn, &bpvo.crebo)?
        .map(|k| k.naam)
        .unwrap_or_else(|| format!("opleiding {}", bpvo.crebo));
    Ok(Lookup::Open { inv: Box::new(inv), bpvo: Box::new(bpvo), opleiding })
}

/// The questionnaire version of an invitation: the one valid on the day it was sent.
fn questionnaire<'a>(state: &'a State, inv: &InvitationRow) -> &'a Questionnaire {
    state.questionnaires.for_date(inv.sent_on.unwrap_or(inv.scheduled_on))
}

fn groep(inv: &InvitationRow) -> Groep {
    inv.groep
}

/// The plain page for a link that cannot be answered (an open one here is a bug: a failure page).
fn refused(state: &State, lookup: &Lookup) -> HttpResponse {
    let (status, titel, tekst) = match lookup {
        Lookup::Open { .. } => return failure(state, &Failed::Other("refused() called for an open invitation".into())),
        Lookup::Unknown => (
            StatusCode::NOT_FOUND,
            "Deze link kennen we niet",
            "Controleer of de hele link uit de e-mail is gebruikt. Werkt het nog steeds niet, dan is de link niet \
             (meer) geldig."
                .to_owned(),
        ),
        Lookup::Answered => (
            StatusCode::OK,
            "Deze vragenlijst is al ingevuld",
            "Bedankt! De antwoorden zijn opgeslagen; ze kunnen niet nog een keer worden ingestuurd.".to_owned(),
        ),
        Lookup::Cancelled => (
            StatusCode::GONE,
            "Deze vragenlijst is niet meer beschikbaar",
            "De school heeft deze bpv ingetrokken; er hoeft niets ingevuld te worden.".to_owned(),
        ),
        Lookup::Closed(d) => (
            StatusCode::GONE,
            "Deze vragenlijst is gesloten",
            format!("Invullen kon tot {}. Bedankt voor uw interesse.", bpv_mailing::datum_nl(*d)),
        ),
    };
    state.views.page(status, &Page::Melding(Melding { titel: titel.into(), tekst }))
}

pub(crate) fn failure(state: &State, e: &Failed) -> HttpResponse {
    // A busy pool or an absent database is a 503 as in the APIs; anything else a 500. Either way
    // the respondent sees an incident id, never the cause (that is logged).
    let (status, problem) = match e {
        Failed::NoConnection(e) => (StatusCode::SERVICE_UNAVAILABLE, bpv_web::problem::no_connection(e)),
        Failed::Other(e) => (StatusCode::INTERNAL_SERVER_ERROR, bpv_web::problem::internal_error(e)),
    };
    let kenmerk = problem.detail.as_deref().and_then(|d| d.rsplit(' ').next()).unwrap_or_default().to_owned();
    state.views.page(
        status,
        &Page::Melding(Melding {
            titel: "Er ging iets mis".into(),
            tekst: format!("Probeer het later nog eens. Meld dit met kenmerk {kenmerk}"),
        }),
    )
}

/// Why a request's database work failed.
#[derive(Debug)]
pub(crate) enum Failed {
    /// No connection: the pool is busy or the database away.
    NoConnection(String),
    /// Anything else.
    Other(String),
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Failed> {
    match web::block(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(StoreError::Pool(e))) => Err(Failed::NoConnection(e.to_string())),
        Ok(Err(e)) => Err(Failed::Other(e.to_string())),
        Err(e) => Err(Failed::Other(e.to_string())),
    }
}

fn form_page(state: &State, inv: &InvitationRow, bpvo: &BpvoRow, opleiding: &str, form: Form) -> Page {
    let q = questionnaire(state, inv);
    Page::Vragenlijst(crate::views::vragenlijst(q, groep(inv), bpvo, opleiding, form))
}

/// `GET /s/{token}`: the questionnaire.
pub async fn show(state: web::Data<State>, token: web::Path<String>) -> HttpResponse {
    let st = state.clone();
    match blocking(move || lookup(&st, &token)).await {
        Err(e) => failure(&state, &e),
        Ok(found) => match &found {
            Lookup::Open { inv, bpvo, opleiding } => {
                state.views.page(StatusCode::OK, &form_page(&state, inv, bpvo, opleiding, Form::default()))
            }
            other => refused(&state, other),
        },
    }
}

/// `POST /s/{token}`: validate, store once, thank.
pub async fn submit(
    state: web::Data<State>,
    token: web::Path<String>,
    form: Result<web::Form<HashMap<String, String>>, actix_web::Error>,
) -> HttpResponse {
    let token = token.into_inner();
    let st = state.clone();
    let t = token.clone();
    let found = match blocking(move || lookup(&st, &t)).await {
        Ok(f) => f,
        Err(e) => return failure(&state, &e),
    };
    let Lookup::Open { inv, bpvo, opleiding } = found else {
        return refused(&state, &found);
    };
    let fields = form.map(|f| f.into_inner()).unwrap_or_default();
    let q = questionnaire(&state, &inv);
    let answers = match validate_answers(q, &fields) {
        Ok(a) => a,
        Err(errors) => {
            let form = Form { values: fields, errors: errors.into_iter().map(|e| (e.item, e.melding)).collect() };
            return state.views.page(StatusCode::BAD_REQUEST, &form_page(&state, &inv, &bpvo, &opleiding, form));
        }
    };
    let st = state.clone();
    let inv_id = inv.id.clone();
    let g = groep(&inv);
    let onveilig = bpv_aggregation::veiligheid::onveilig(q, &answers);
    let aanbiedercode = bpvo.aanbiedercode.clone();
    let stored = blocking(move || {
        let mut conn = st.pool.get()?;
        // Read before storing, kept only for this page: which help the instelling offers.
        let contact = if onveilig { instellingen::for_aanbieder(&mut conn, &aanbiedercode)? } else { None };
        let json = answers.to_json();
        let result = responses::submit(
            &mut conn,
            &inv_id,
            &responses::NewAnswer {
                bron: bpv_store::AntwoordBron::Web,
                questionnaire_version: &answers.version,
                cijfer: i32::from(answers.cijfer),
                antwoorden_json: &json,
                verbeterpunten: answers.verbeterpunten.as_deref(),
            },
            Some(today()),
            now_utc(),
        )?;
        let national = bpv_store::repo::landelijk::voor_groep(&mut conn, g.as_str())?;
        Ok((result, answers, national, contact))
    })
    .await;
    match stored {
        Err(e) => failure(&state, &e),
        Ok((Err(responses::Refusal::AlreadyAnswered), ..)) => refused(&state, &Lookup::Answered),
        Ok((Err(responses::Refusal::Closed(d)), ..)) => refused(&state, &Lookup::Closed(d)),
        Ok((Err(responses::Refusal::Cancelled), ..)) => refused(&state, &Lookup::Cancelled),
        Ok((Ok(_), answers, national, contact)) => {
            let mut t = terugkoppeling(q, &answers, &national, g, state.k);
            t.hulp = onveilig.then(|| hulp(&state, contact.as_ref()));
            state.views.page(StatusCode::OK, &Page::Bedankt(t))
        }
    }
}

/// The thank-you page's feedback: the respondent's own grade and mean per theme (their own
/// answers, shown only to them) beside the national figures the results engine last published
/// for their group — no figure is computed here, so the k rule and the publication moments hold.
fn terugkoppeling(
    q: &Questionnaire,
    answers: &bpv_aggregation::Answers,
    national: &[bpv_store::repo::landelijk::LandelijkCijfer],
    groep: Groep,
    k: u64,
) -> Thanks {
    let landelijk = |code: &str| {
        national.iter().find(|c| c.code == code).and_then(|c| c.waarde).map(|v| bpv_aggregation::decimal_nl(v, 1))
    };
    let themas = q
        .themes
        .iter()
        .filter_map(|t| {
            let eigen: Vec<f64> = t
                .items
                .iter()
                .filter(|i| i.kind == ItemKind::Schaal)
                .filter_map(|i| answers.items.get(&i.code).and_then(|a| a.waarde()))
                .map(f64::from)
                .collect();
            (!eigen.is_empty()).then(|| Vergelijk {
                code: t.code.clone(),
                naam: t.naam.clone(),
                eigen: bpv_aggregation::decimal_nl(eigen.iter().sum::<f64>() / eigen.len() as f64, 1),
                landelijk: landelijk(&t.code),
            })
        })
        .collect();
    let eerste = national.first();
    Thanks {
        groep,
        cijfer: answers.cijfer,
        landelijk: landelijk(bpv_aggregation::CIJFER_CODE),
        themas,
        sinds: eerste
            .and_then(|c| c.van.parse::<bpv_aggregation::YearMonth>().ok())
            .map(|m| bpvo::maand_nl(m.year, u32::from(m.month))),
        gepubliceerd: eerste.map(|c| {
            let lokaal = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(c.gepubliceerd_op, chrono::Utc)
                .with_timezone(&bpvo::TIJDZONE);
            bpvo::datum_nl(lokaal.date_naive())
        }),
        k,
        hulp: None,
    }
}

/// The help shown after an answer on the unsafe side: the national reporting point and the
/// instelling's own contact, or the national text when it set none.
fn hulp(state: &State, instelling: Option<&bpv_store::models::InstellingRow>) -> Hulp {
    let v = &state.veiligheid;
    let eigen = instelling.filter(|i| i.vertrouwenspersoon_tekst.is_some() || i.vertrouwenspersoon_url.is_some());
    Hulp {
        meldpunt_naam: v.meldpunt_naam.clone(),
        meldpunt_url: v.meldpunt_url.clone(),
        school_tekst: eigen
            .and_then(|i| i.vertrouwenspersoon_tekst.clone())
            .unwrap_or_else(|| v.standaard_hulp.clone()),
        school_url: eigen.and_then(|i| i.vertrouwenspersoon_url.clone()),
    }
}

/// `GET /afmelden/{token}`: confirm stopping reminders (a GET never changes anything: mail
/// scanners follow links).
pub async fn optout_page(state: web::Data<State>, token: web::Path<String>) -> HttpResponse {
    let st = state.clone();
    let t = token.clone();
    match blocking(move || lookup(&st, &t)).await {
        Err(e) => failure(&state, &e),
        Ok(Lookup::Unknown) => refused(&state, &Lookup::Unknown),
        Ok(_) => state.views.page(StatusCode::OK, &Page::Afmelden { token: token.into_inner(), gedaan: false }),
    }
}

/// `POST /afmelden/{token}`: stop reminders. Also the RFC 8058 one-click target
/// (`List-Unsubscribe=One-Click`), which carries no other proof than the token itself.
pub async fn optout(state: web::Data<State>, token: web::Path<String>) -> HttpResponse {
    let raw = token.into_inner();
    let st = state.clone();
    let r = raw.clone();
    let done = blocking(move || {
        if SurveyToken::parse(&r).is_err() {
            return Ok(false);
        }
        let mut conn = st.pool.get()?;
        let Some(inv) = invitations::find_by_token_hash(&mut conn, &hash_token(&r))? else { return Ok(false) };
        responses::opt_out(&mut conn, &inv.id, now_utc())?;
        Ok(true)
    })
    .await;
    match done {
        Err(e) => failure(&state, &e),
        Ok(false) => refused(&state, &Lookup::Unknown),
        Ok(true) => state.views.page(StatusCode::OK, &Page::Afmelden { token: raw, gedaan: true }),
    }
}
