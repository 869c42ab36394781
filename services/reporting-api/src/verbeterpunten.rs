//! Verbeterpunten that someone reads: the free-text improvement points of a selection, for SBB
//! staff, and for a school over its own selections when the instelling opted in
//! (`bpv admin instelling set-participation BRIN --verbeterpunten-delen true`). Only when the
//! selection counts at least `k` answers, and only the texts of exactly the answers its figures
//! count (whole atoms: `ReportData::verbeterpunt_ids`), scrubbed of e-mail addresses, phone
//! numbers and long digit strings (`bpv_aggregation::verbeterpunten::schoon`), shuffled, without
//! dates, keys or any other answer. Every read is audited.

use actix_web::{HttpRequest, HttpResponse, web};
use bpv_aggregation::Selectie;
use bpv_store::repo::{audit, instellingen, responses};
use bpv_web::Problem;
use bpv_web::auth::ApiPrincipal;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::report::{Kijker, Vraag};
use crate::state::AppState;

/// De verbeterpunten van een selectie.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Verbeterpunten {
    /// Aantal antwoorden dat de cijfers van de selectie meetellen (hetzelfde aantal als de respons bij de resultaten).
    pub antwoorden: u64,
    /// De teksten van de antwoorden die een verbeterpunt hebben, opgeschoond, in willekeurige volgorde.
    pub verbeterpunten: Vec<String>,
    /// Waarom er geen worden getoond, als `antwoorden` onder `k` ligt.
    pub reden: Option<String>,
}

/// Who reads: for the audit log.
#[derive(Debug)]
pub struct Inzage<'a> {
    pub actor: audit::Actor<'a>,
    pub bron: &'static str,
}

/// The verbeterpunten of `selectie` for `kijker`, audited. A school reads only when its
/// instelling opted in (403 otherwise); a lezer never (open answers are not for them).
pub fn lees(
    st: &AppState,
    kijker: &Kijker,
    selectie: &Selectie,
    inzage: &Inzage<'_>,
) -> Result<Verbeterpunten, Problem> {
    let mut conn = st.conn()?;
    let store = |e: bpv_store::StoreError| bpv_web::problem::internal_error(&e);
    kijker.geen_lezer("de verbeterpunten")?;
    if let Kijker::School { brin } = kijker {
        let instelling = instellingen::get(&mut conn, brin).map_err(store)?;
        if !instelling.verbeterpunten_delen {
            return Err(Problem::forbidden(
                "uw instelling deelt de verbeterpunten niet; SBB zet dit aan op verzoek van de instelling \
                 (bpv admin instelling set-participation --verbeterpunten-delen true)",
            ));
        }
    }
    let k = st.data.k();
    let (antwoorden, ids) = st.data.verbeterpunt_ids(selectie);
    let (verbeterpunten, reden) = if antwoorden < k {
        (Vec::new(), Some(format!("Minder dan {k} antwoorden in deze selectie: kies een bredere selectie.")))
    } else {
        let mut teksten: Vec<String> = responses::verbeterpunten_of(&mut conn, &ids)
            .map_err(store)?
            .iter()
            .map(|t| bpv_aggregation::verbeterpunten::schoon(t))
            .collect();
        schud(&mut teksten);
        (teksten, None)
    };
    let detail = serde_json::json!({
        "bron": inzage.bron,
        "selectie": crate::report::SelectieDto::of(selectie, &st.data.names()),
        "antwoorden": antwoorden,
    });
    let n = i64::try_from(verbeterpunten.len()).unwrap_or(i64::MAX);
    audit::append(
        &mut conn,
        bpv_store::now_utc(),
        inzage.actor,
        selectie.brin.as_deref(),
        "verbeterpunten.gelezen",
        &detail,
        Some(n),
    )
    .map_err(store)?;
    Ok(Verbeterpunten { antwoorden, verbeterpunten, reden })
}

/// The same as a workbook: one sheet "Verbeterpunten" with the selection and the count on top,
/// then one text per row (written as text: a text starting with `=` stays text).
pub fn xlsx(selectie: &crate::report::SelectieDto, v: &Verbeterpunten) -> Result<Vec<u8>, Problem> {
    use rust_xlsxwriter::{Format, Workbook};
    let fout = |e: rust_xlsxwriter::XlsxError| bpv_web::problem::internal_error(&e);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Verbeterpunten").map_err(fout)?;
    let vet = Format::new().set_bold();
    let omloop = Format::new().set_text_wrap();
    ws.set_column_width(0, 100).map_err(fout)?;
    ws.write_string_with_format(0, 0, format!("Verbeterpunten {}", selectie.groep), &vet).map_err(fout)?;
    ws.write_string(1, 0, selectie.omschrijving()).map_err(fout)?;
    let aantal = format!("{} antwoorden meegeteld, {} met een verbeterpunt", v.antwoorden, v.verbeterpunten.len());
    ws.write_string(2, 0, aantal).map_err(fout)?;
    let mut rij = 4;
    if let Some(reden) = &v.reden {
        ws.write_string(rij, 0, reden).map_err(fout)?;
    } else {
        ws.write_string_with_format(rij, 0, "Verbeterpunt", &vet).map_err(fout)?;
        for t in &v.verbeterpunten {
            rij += 1;
            ws.write_string_with_format(rij, 0, t, &omloop).map_err(fout)?;
        }
    }
    wb.save_to_buffer().map_err(fout)
}

/// Random order: sorted by a hash of each text under a fresh random key, so neither the order of
/// submission nor the order of the keys shows through.
fn schud(teksten: &mut [String]) {
    let sleutel = uuid::Uuid::new_v4();
    teksten.sort_by_cached_key(|t| {
        let mut h = Sha256::new();
        h.update(sleutel.as_bytes());
        h.update(t.as_bytes());
        h.finalize()
    });
}

/// The verbeterpunten of a selection (the same filters as `/v1/resultaten`). SBB: any
/// selection; a school: its own, when its instelling opted in. Empty with a `reden` below `k`
/// counted answers.
#[utoipa::path(get, path = "/v1/resultaten/verbeterpunten", operation_id = "verbeterpunten", summary = "De verbeterpunten van een selectie", description = "SBB: elke selectie; een school: de eigen, als de instelling daarvoor heeft gekozen. Leeg, met een `reden`, onder `k` getelde antwoorden.", tag = "resultaten",
    params(crate::report::SelectieParams),
    responses(
        (status = 200, body = Verbeterpunten),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json", description = "Andere instelling, of de instelling deelt de verbeterpunten niet"),
    ),
    security(("bearer" = [])))]
pub async fn api(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let (_, body) = read_api(&req, &state, &principal, "api").await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The same as an Excel workbook: one sheet with the selection and the count on top, then one
/// verbeterpunt per row. The same rules, the same audit.
#[utoipa::path(get, path = "/v1/resultaten/verbeterpunten.xlsx", operation_id = "verbeterpuntenXlsx", summary = "De verbeterpunten als Excel-werkmap", description = "Eén werkblad met de selectie en het aantal bovenaan, daarna één verbeterpunt per rij.", tag = "resultaten",
    params(crate::report::SelectieParams),
    responses(
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "Eén blad: de selectie, het aantal, en één verbeterpunt per rij"),
        (status = 400, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 401, body = bpv_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = bpv_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn api_xlsx(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: ApiPrincipal,
) -> Result<HttpResponse, Problem> {
    let (selectie, body) = read_api(&req, &state, &principal, "api-xlsx").await?;
    xlsx_response(&selectie, &body)
}

/// A workbook as a download.
pub fn xlsx_response(selectie: &crate::report::SelectieDto, v: &Verbeterpunten) -> Result<HttpResponse, Problem> {
    let bytes = xlsx(selectie, v)?;
    Ok(crate::api::bijlage(crate::report::xlsx::XLSX, "bpv-verbeterpunten.xlsx", bytes))
}

async fn read_api(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    principal: &ApiPrincipal,
    bron: &'static str,
) -> Result<(crate::report::SelectieDto, Verbeterpunten), Problem> {
    let kijker = crate::api::kijker(principal)?;
    let (vraag, _) = Vraag::parse(req.query_string(), &[])?;
    let selectie = vraag.check(&kijker, &state.data.names())?;
    let st = state.clone();
    let client = principal.client_id.clone();
    bpv_web::service::blocking(move || {
        let inzage = Inzage { actor: audit::Actor { kind: "client", id: &client }, bron };
        let v = lees(&st, &kijker, &selectie, &inzage)?;
        Ok((crate::report::SelectieDto::of(&selectie, &st.data.names()), v))
    })
    .await
}
