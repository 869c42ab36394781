//! The praktijkopleider's assessment by link (Praktijkloket): `GET /b/{token}` lists the
//! document's werkprocessen per kerntaak with `beheerst` / `nog niet`; `POST` checks the answers
//! with the domain's rules ([`praktijkleren::Beoordeling::from_parts`]) and stores the
//! beoordeling while spending the link, in one transaction: one submission per link. `…/afmelden`
//! declines (also the mail's one-click `List-Unsubscribe`). Plain HTML, no script.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use bpv_mailing::{SurveyToken, hash_token};
use bpv_store::repo::audit::{self, Actor};
use bpv_store::repo::beoordelingsverzoeken::{self as repo, VerzoekRow};
use bpv_store::repo::praktijkloket::{self as loket, BeoordelingRow, DOCUMENT_ACTIEF, DocumentRow};
use bpv_store::repo::referentie;
use bpv_store::{StoreError, VerzoekStatus, now_utc};
use chrono::NaiveDate;
use praktijkleren::{Begeleidingsdocument, Beoordelaar, Beoordeling, Kwalificatiedossier};

use crate::pages::{Failed, blocking, failure, today};
use crate::state::State;
use crate::views::{BeoordelingView, KerntaakView, Page, WerkprocesView};

/// What a token leads to.
enum Lookup {
    Open(Box<Open>),
    Unknown,
    Used(VerzoekStatus),
    Withdrawn,
    Closed(NaiveDate),
}

struct Open {
    verzoek: VerzoekRow,
    row: DocumentRow,
    document: Begeleidingsdocument,
    dossier: Kwalificatiedossier,
    opleiding: String,
}

impl Open {
    /// The document's werkprocessen with their kerntaak, in the dossier's order.
    fn werkprocessen(&self) -> impl Iterator<Item = (&praktijkleren::Kerntaak, &praktijkleren::Werkproces)> {
        self.dossier.werkprocessen().filter(|(_, w)| self.document.werkprocessen.contains(&w.code))
    }

    /// The learner's first name (all the form and the thanks show).
    fn voornaam(&self) -> &str {
        self.document.leerling.naam.as_str().split_whitespace().next().unwrap_or("de leerling")
    }
}

fn lookup(state: &State, raw: &str) -> Result<Lookup, StoreError> {
    if SurveyToken::parse(raw).is_err() {
        return Ok(Lookup::Unknown);
    }
    let mut conn = state.pool.get()?;
    let Some((verzoek, row)) = repo::find_by_token_hash(&mut conn, &hash_token(raw))? else {
        return Ok(Lookup::Unknown);
    };
    if matches!(verzoek.status, VerzoekStatus::Ingevuld | VerzoekStatus::Afgemeld) {
        return Ok(Lookup::Used(verzoek.status));
    }
    if row.status != DOCUMENT_ACTIEF || row.leerling_naam.is_none() {
        return Ok(Lookup::Withdrawn);
    }
    if today() >= verzoek.closes_on {
        return Ok(Lookup::Closed(verzoek.closes_on));
    }
    if loket::latest_beoordeling(&mut conn, &row.id)?.is_some() {
        return Ok(Lookup::Used(VerzoekStatus::Ingevuld));
    }
    let document = row.to_domain()?;
    let Some(dossier) = loket::dossier(&mut conn, &row.crebo)? else { return Ok(Lookup::Withdrawn) };
    let opleiding = referentie::find_kwalificatie(&mut conn, &row.crebo)?
        .map(|k| k.naam)
        .unwrap_or_else(|| format!("opleiding {}", row.crebo));
    Ok(Lookup::Open(Box::new(Open { verzoek, row, document, dossier, opleiding })))
}

fn page(state: &State, status: StatusCode, view: BeoordelingView) -> HttpResponse {
    state.views.page(status, &Page::Beoordeling(Box::new(view)))
}

fn melding(state: &State, status: StatusCode, titel: &str, tekst: String) -> HttpResponse {
    page(state, status, BeoordelingView { stap: "melding", titel: titel.into(), tekst, ..BeoordelingView::default() })
}

fn refused(state: &State, lookup: &Lookup) -> HttpResponse {
    match lookup {
        Lookup::Open(_) => failure(state, &Failed::Other("refused() called for an open request".into())),
        Lookup::Unknown => melding(
            state,
            StatusCode::NOT_FOUND,
            "Deze link kennen we niet",
            "Controleer of de hele link uit de e-mail is gebruikt. Werkt het nog steeds niet, dan is de link niet \
             (meer) geldig."
                .into(),
        ),
        Lookup::Used(VerzoekStatus::Afgemeld) => melding(
            state,
            StatusCode::OK,
            "U beoordeelt niet via deze link",
            "U heeft laten weten dat u niet via deze link beoordeelt. De school legt de beoordeling vast.".into(),
        ),
        Lookup::Used(_) => melding(
            state,
            StatusCode::OK,
            "Deze beoordeling is al ingevuld",
            "Bedankt! De beoordeling is opgeslagen en naar de school gegaan; ze kan niet nog een keer worden \
             ingestuurd. Klopt er iets niet? Neem contact op met de school."
                .into(),
        ),
        Lookup::Withdrawn => melding(
            state,
            StatusCode::GONE,
            "Deze beoordeling is niet meer nodig",
            "De school heeft de begeleiding ingetrokken; er hoeft niets ingevuld te worden.".into(),
        ),
        Lookup::Closed(d) => melding(
            state,
            StatusCode::GONE,
            "Deze link werkt niet meer",
            format!(
                "Beoordelen via deze link kon tot {}. De school kan de beoordeling nog met u vastleggen.",
                bpv_mailing::datum_nl(*d)
            ),
        ),
    }
}

fn veld(code: &str) -> String {
    format!("wp-{code}")
}

/// The form, filled with `values` and marked with `errors` (field → message).
fn form(open: &Open, token: &str, values: &HashMap<String, String>, errors: &[(String, String)]) -> BeoordelingView {
    let mut kerntaken: Vec<KerntaakView> = Vec::new();
    for (kt, w) in open.werkprocessen() {
        let v = veld(w.code.as_str());
        let view = WerkprocesView {
            code: w.code.to_string(),
            naam: w.naam.clone(),
            keuze: values.get(&v).cloned().unwrap_or_default(),
            fout: errors.iter().find(|(f, _)| *f == v).map(|(_, m)| m.clone()),
            veld: v,
        };
        let kop = format!("{} {}", kt.code, kt.naam);
        match kerntaken.last_mut() {
            Some(last) if last.naam == kop => last.werkprocessen.push(view),
            _ => kerntaken.push(KerntaakView { naam: kop, werkprocessen: vec![view] }),
        }
    }
    BeoordelingView {
        stap: "formulier",
        voornaam: open.voornaam().to_owned(),
        opleiding: open.opleiding.clone(),
        crebo: open.row.crebo.clone(),
        einddatum: bpv_mailing::datum_nl(open.row.einddatum),
        kerntaken,
        naam: values
            .get("beoordeeldDoor")
            .cloned()
            .unwrap_or_else(|| open.row.praktijkopleider_naam.clone().unwrap_or_default()),
        naam_fout: errors.iter().find(|(f, _)| f == "beoordeeldDoor").map(|(_, m)| m.clone()),
        fouten: errors.iter().map(|(f, m)| (f.clone(), m.clone())).collect(),
        afmelden: format!("/b/{token}/afmelden"),
        ..BeoordelingView::default()
    }
}

/// `GET /b/{token}`: the form.
pub async fn show(state: web::Data<State>, token: web::Path<String>) -> HttpResponse {
    let st = state.clone();
    let t = token.clone();
    match blocking(move || lookup(&st, &t)).await {
        Err(e) => failure(&state, &e),
        Ok(Lookup::Open(open)) => page(&state, StatusCode::OK, form(&open, &token, &HashMap::new(), &[])),
        Ok(other) => refused(&state, &other),
    }
}

/// Check the submitted form: a choice for every werkproces (named in the message), then the
/// domain's rules. Errors per field, in the form's order.
fn check(open: &Open, fields: &HashMap<String, String>) -> Result<Beoordeling, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut oordelen = Vec::new();
    for (_, w) in open.werkprocessen() {
        let v = veld(w.code.as_str());
        match fields.get(&v).map(String::as_str) {
            Some(o @ ("beheerst" | "nogNiet")) => oordelen.push((Some(w.code.as_str()), Some(o))),
            _ => errors.push((v, format!("{} {}: kies beheerst of nog niet", w.code, w.naam))),
        }
    }
    let door = fields.get("beoordeeldDoor").map(|s| s.trim()).filter(|s| !s.is_empty());
    if door.is_none() {
        errors.push(("beoordeeldDoor".into(), "Vul uw naam in".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let datum = today().to_string();
    Beoordeling::from_parts(&open.document, Beoordelaar::Praktijkopleider, door, Some(&datum), &oordelen, today())
        .map_err(|e| {
            e.0.into_iter()
                .map(|f| {
                    let field = if f.field == "beoordeeldDoor" { f.field.clone() } else { "fouten".into() };
                    (field, f.message_nl)
                })
                .collect()
        })
}

/// `POST /b/{token}`: check, store once with the link spent, thank.
pub async fn submit(
    state: web::Data<State>,
    token: web::Path<String>,
    fields: Result<web::Form<HashMap<String, String>>, actix_web::Error>,
) -> HttpResponse {
    let token = token.into_inner();
    let st = state.clone();
    let t = token.clone();
    let open = match blocking(move || lookup(&st, &t)).await {
        Ok(Lookup::Open(open)) => open,
        Ok(other) => return refused(&state, &other),
        Err(e) => return failure(&state, &e),
    };
    let fields = fields.map(|f| f.into_inner()).unwrap_or_default();
    let beoordeling = match check(&open, &fields) {
        Ok(b) => b,
        Err(errors) => return page(&state, StatusCode::BAD_REQUEST, form(&open, &token, &fields, &errors)),
    };
    let st = state.clone();
    let (verzoek_id, row) = (open.verzoek.id.clone(), open.row.clone());
    let beheerst = beoordeling.beheerst().len();
    let stored = blocking(move || {
        let mut conn = st.pool.get()?;
        let now = now_utc();
        let stored = repo::submit(&mut conn, &verzoek_id, &BeoordelingRow::new(&row.id, &beoordeling, now), now)?;
        if stored {
            let detail = serde_json::json!({ "documentId": row.document_id, "beheerst": beheerst, "via": "link" });
            let actor = Actor { kind: "praktijkopleider", id: &verzoek_id };
            audit::append(&mut conn, now, actor, Some(&row.brin), "beoordeling.vastgelegd", &detail, None)?;
        }
        Ok(stored)
    })
    .await;
    match stored {
        Err(e) => failure(&state, &e),
        Ok(false) => refused(&state, &Lookup::Used(VerzoekStatus::Ingevuld)),
        Ok(true) => {
            let totaal = open.document.werkprocessen.len();
            page(
                &state,
                StatusCode::OK,
                BeoordelingView {
                    stap: "bedankt",
                    titel: "Bedankt voor uw beoordeling".into(),
                    tekst: format!(
                        "De school van {} heeft uw beoordeling ontvangen: {beheerst} van de {totaal} werkprocessen \
                         beheerst. De school kan nu de praktijkverklaring aanvragen.",
                        open.voornaam()
                    ),
                    ..BeoordelingView::default()
                },
            )
        }
    }
}

fn afmelden_view(gedaan: bool) -> BeoordelingView {
    BeoordelingView {
        stap: "afmelden",
        titel: if gedaan { "U beoordeelt niet via deze link" } else { "Liever niet via deze link beoordelen?" }.into(),
        tekst: if gedaan {
            "Dank u. De school hoort dat u niet via deze link beoordeelt en legt de beoordeling vast.".into()
        } else {
            "Dan legt de school de beoordeling vast, bijvoorbeeld in een gesprek met u. U krijgt over deze leerling \
             geen mail meer van ons."
                .into()
        },
        gedaan,
        ..BeoordelingView::default()
    }
}

/// `GET /b/{token}/afmelden`: confirm declining (a GET never changes anything: mail scanners
/// follow links).
pub async fn decline_page(state: web::Data<State>, token: web::Path<String>) -> HttpResponse {
    let st = state.clone();
    match blocking(move || lookup(&st, &token)).await {
        Err(e) => failure(&state, &e),
        Ok(Lookup::Open(_)) => page(&state, StatusCode::OK, afmelden_view(false)),
        Ok(other) => refused(&state, &other),
    }
}

/// `POST /b/{token}/afmelden`: decline. Also the RFC 8058 one-click target.
pub async fn decline(state: web::Data<State>, token: web::Path<String>) -> HttpResponse {
    let st = state.clone();
    let raw = token.into_inner();
    let done = blocking(move || {
        let found = lookup(&st, &raw)?;
        let Lookup::Open(open) = found else { return Ok(Err(found)) };
        let mut conn = st.pool.get()?;
        let now = now_utc();
        if repo::decline(&mut conn, &open.verzoek.id, now)? {
            let detail = serde_json::json!({ "documentId": open.row.document_id });
            let actor = Actor { kind: "praktijkopleider", id: &open.verzoek.id };
            audit::append(&mut conn, now, actor, Some(&open.row.brin), "beoordelingsverzoek.afgemeld", &detail, None)?;
        }
        Ok(Ok(()))
    })
    .await;
    match done {
        Err(e) => failure(&state, &e),
        Ok(Err(other)) => refused(&state, &other),
        Ok(Ok(())) => page(&state, StatusCode::OK, afmelden_view(true)),
    }
}
