//! `GET /v1/praktijkverklaringen/aantallen`: how many valid praktijkverklaringen were issued, per
//! year, sector, qualification and doelgroep — for a school over its own, for SBB nationally or
//! for one instelling. Counts of certificates, not survey answers: small numbers are shown as they
//! are (the k rule guards answers, not certificates), and no name is in them.

use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::repo::{praktijkloket, referentie};
use bpv_web::Problem;
use bpv_web::auth::ApiPrincipal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::{alleen_instelling, kijker};
use crate::report::Vraag;
use crate::state::AppState;

/// De aantallen.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Aantallen {
    /// BRIN; ontbreekt bij de landelijke aantallen (SBB).
    pub instelling: Option<String>,
    pub totaal: u64,
    pub aantallen: Vec<AantalRegel>,
}

/// Eén aantal, met de naam van de kwalificatie.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AantalRegel {
    pub jaar: i32,
    /// SBB-sectorcode (leeg als de kwalificatie niet in het register staat).
    pub sector: String,
    pub crebo: String,
    pub kwalificatie: String,
    /// `praktijkonderwijs`, `vso`, `vsv` of `llo`.
    pub doelgroep: String,
    pub aantal: u64,
}

/// Praktijkverklaringen issued (and still valid), counted.
#[utoipa::path(get, path = "/v1/praktijkverklaringen/aantallen", operation_id = "aantalPraktijkverklaringen", summary = "Het aantal afgegeven praktijkverklaringen", description = "Afgegeven en nog geldig, geteld.",
    tag = "resultaten",
    params(("instelling" = Option<String>, Query, description = "BRIN; alleen voor SBB (zonder: landelijk)", pattern = "^[0-9]{2}[A-Za-z]{2}$")),
    responses(
        (status = 200, body = Aantallen),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn aantallen(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let kijker = kijker(&principal)?;
    let vraag = alleen_instelling(&req, "/v1/praktijkverklaringen/aantallen")?;
    // The same check of `instelling` as every results endpoint (a school only its own).
    let selectie = Vraag { instelling: vraag.instelling, ..Vraag::default() }.check(&kijker, &state.data.names())?;
    let st = state.clone();
    let brin = selectie.brin.clone();
    let body = bpv_web::service::blocking(move || tellen(&st, brin)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The valid praktijkverklaringen of one instelling (or all), counted with their qualification's
/// name and sector: the API's answer and the dashboard tab's table.
pub fn tellen(st: &AppState, brin: Option<String>) -> Result<Aantallen, Problem> {
    let mut conn = st.conn()?;
    let store = |e: bpv_store::StoreError| bpv_web::problem::internal_error(&e);
    let rows = praktijkloket::geldige(&mut conn, brin.as_deref()).map_err(store)?;
    let kwalificaties: std::collections::HashMap<String, (String, String)> = referentie::list_kwalificaties(&mut conn)
        .map_err(store)?
        .into_iter()
        .map(|k| (k.crebo, (k.naam, k.sector)))
        .collect();
    let counts = praktijkleren::tel(rows.iter().map(|(d, c, g)| (*d, c.as_str(), g.as_str())), |c| {
        kwalificaties.get(c).map(|(_, s)| s.clone())
    });
    Ok(Aantallen {
        instelling: brin,
        totaal: counts.iter().map(|a| a.aantal).sum(),
        aantallen: counts
            .into_iter()
            .map(|a| AantalRegel {
                kwalificatie: kwalificaties.get(&a.crebo).map(|(n, _)| n.clone()).unwrap_or_default(),
                jaar: a.jaar,
                sector: a.sector,
                crebo: a.crebo,
                doelgroep: a.doelgroep,
                aantal: a.aantal,
            })
            .collect(),
    })
}
