//! `POST /upload/controleren`: read the chosen file with the same CSV reader as the API, without
//! storing anything, and show how it was understood: every line with errors, and the first valid
//! lines. A file without errors is kept aside (as an upload preview) for the Opslaan button.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bpv_store::models::UploadPreviewRow;
use bpv_store::repo::{instellingen, referentie, upload_previews};
use bpv_web::Problem;
use minijinja::Value;
use serde::Serialize;

use super::form::{self, FormError};
use super::session::{self, Lookup};
use super::views::{self, Gebruiker, Page};
use super::{connect, preview_ttl, store_error};
use crate::api::blocking;
use crate::state::AppState;
use crate::upload::{self, CsvUpload};

/// Lines with errors shown in full; a file that is wrong throughout needs fixing at its source,
/// not a page of 50,000 lines.
const MAX_ERROR_LINES: usize = 100;
/// Valid lines shown as a sample.
const MAX_VALID_LINES: usize = 20;

/// What the check page shows.
#[derive(Debug, Default, Serialize)]
struct Check {
    bestand: String,
    /// The file could be read as CSV (the details below are known).
    gelezen: bool,
    aantal: usize,
    scheidingsteken: String,
    codering: String,
    /// For an Excel workbook: the sheet read.
    werkblad: Option<String>,
    genegeerd: Vec<String>,
    /// Why the file as a whole cannot be used.
    bestandsfout: Option<String>,
    fouten: Vec<LineErrors>,
    aantal_fout: usize,
    fouten_niet_getoond: usize,
    /// Why this instelling may not upload (participation gate).
    geblokkeerd: Option<String>,
    geldig: Vec<ValidLine>,
    geldig_niet_getoond: usize,
    csrf: String,
    /// Id of the kept file, for the Opslaan form.
    voorbeeld: String,
}

#[derive(Debug, Serialize)]
struct LineErrors {
    regel: usize,
    correlatie_id: Option<String>,
    fouten: Vec<FieldError>,
}

#[derive(Debug, Serialize)]
struct FieldError {
    veld: String,
    melding: String,
}

#[derive(Debug, Serialize)]
struct ValidLine {
    regel: usize,
    correlatie_id: String,
    naam: String,
    crebo: String,
    geplande_einddatum: String,
}

impl Check {
    /// The check of a file that could be read; a record whose codes SBB's registers do not know
    /// counts as a line with errors, as the upload itself would refuse it.
    fn of(bestand: String, csv: &CsvUpload, registers: &bpvo::Registers) -> Self {
        let mut check = Check {
            bestand,
            gelezen: true,
            aantal: csv.incoming.len(),
            scheidingsteken: views::scheidingsteken(csv.delimiter),
            codering: csv.encoding.to_owned(),
            werkblad: csv.werkblad.clone(),
            genegeerd: csv.ignored_columns.clone(),
            ..Check::default()
        };
        for inc in &csv.incoming {
            let regel = inc.regel.unwrap_or_default();
            let onbekend = inc.parsed.as_ref().map(|b| registers.check(b)).unwrap_or_default();
            let parsed = match &inc.parsed {
                Ok(_) if !onbekend.is_empty() => Err(&onbekend),
                Ok(b) => Ok(b),
                Err(errors) => Err(errors),
            };
            match parsed {
                Err(errors) => {
                    check.aantal_fout += 1;
                    if check.fouten.len() < MAX_ERROR_LINES {
                        let fouten = errors
                            .0
                            .iter()
                            .map(|fe| {
                                let (veld, melding) = views::veldfout(&fe.field, &fe.message_nl);
                                FieldError { veld, melding }
                            })
                            .collect();
                        check.fouten.push(LineErrors { regel, correlatie_id: inc.correlatie_id.clone(), fouten });
                    }
                }
                Ok(b) if check.geldig.len() < MAX_VALID_LINES => check.geldig.push(ValidLine {
                    regel,
                    correlatie_id: b.correlatie_id.as_str().to_owned(),
                    naam: b.student.naam.as_str().to_owned(),
                    crebo: b.crebo.as_str().to_owned(),
                    geplande_einddatum: views::datum(b.periode.geplande_einddatum()),
                }),
                Ok(_) => check.geldig_niet_getoond += 1,
            }
        }
        check.fouten_niet_getoond = check.aantal_fout - check.fouten.len();
        check
    }
}

/// The reader's refusal of a whole file, in the page's words.
fn file_error(p: &Problem, max_records: usize) -> String {
    if p.status == StatusCode::PAYLOAD_TOO_LARGE.as_u16() {
        return format!(
            "Het bestand heeft meer dan {} regels met gegevens; splits het in kleinere bestanden.",
            views::getal(max_records)
        );
    }
    if p.invalid_params.iter().any(|ip| ip.code == "empty") {
        return "Het bestand bevat een kopregel maar geen regels met gegevens.".to_owned();
    }
    p.detail.clone().unwrap_or_else(|| p.title.clone())
}

/// The page for a form that could not be read: too large, no file, or garbled.
fn form_refusal(e: FormError, max_bytes: usize) -> HttpResponse {
    let (status, titel, tekst) = match e {
        FormError::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "Bestand te groot",
            format!(
                "Het bestand is groter dan {} MB. Splits het in kleinere bestanden en upload die één voor één.",
                max_bytes / (1024 * 1024)
            ),
        ),
        FormError::NoFile => {
            (StatusCode::BAD_REQUEST, "Geen bestand gekozen", "Kies een CSV-bestand en probeer het opnieuw.".into())
        }
        FormError::Unreadable => (
            StatusCode::BAD_REQUEST,
            "Formulier niet leesbaar",
            "Het formulier kwam niet goed aan. Ga naar de uploadpagina en probeer het opnieuw.".into(),
        ),
    };
    views::message(status, None, titel, &tekst, &[]).into_response()
}

/// `POST /upload/controleren`.
pub async fn check(req: HttpRequest, state: web::Data<AppState>, multipart: Multipart) -> HttpResponse {
    let secure = state.secure_cookies;
    if !session::same_origin(&req, secure) {
        return views::form_refused().into_response();
    }
    let Lookup::Valid(session) = session::from_request(&req, &state.keys) else {
        return views::session_ended(StatusCode::UNAUTHORIZED, secure).into_response();
    };
    let max_bytes = state.limits.max_batch_bytes;
    let form = match form::read(&req, multipart, max_bytes).await {
        Ok(f) => f,
        Err(e) => return form_refusal(e, max_bytes),
    };
    if !session::csrf_matches(&session.csrf, &form.csrf) {
        return views::form_refused().into_response();
    }
    let st = state.clone();
    views::respond(
        blocking(move || {
            let mut conn = connect(&st)?;
            let Some(g) = session::active_gemachtigde(&mut conn, &session).map_err(store_error)? else {
                return Ok(views::session_ended(StatusCode::UNAUTHORIZED, st.secure_cookies));
            };
            let gebruiker = Gebruiker::from(&g);
            let max_records = st.limits.max_batch_records;
            let mut check = match upload::read_upload(&form.inhoud, max_records) {
                Ok(csv) => {
                    let parsed: Vec<&bpvo::Bpvo> = csv.incoming.iter().filter_map(|i| i.parsed.as_ref().ok()).collect();
                    let registers = referentie::registers_for(&mut conn, &parsed).map_err(store_error)?;
                    Check::of(form.bestandsnaam.clone(), &csv, &registers)
                }
                Err(p) => {
                    let check = Check {
                        bestand: form.bestandsnaam,
                        bestandsfout: Some(file_error(&p, max_records)),
                        ..Check::default()
                    };
                    return Ok(Page::render(
                        "controle.html",
                        p.status_code(),
                        Some(&gebruiker),
                        Value::from_serialize(&check),
                    ));
                }
            };
            let instelling = instellingen::get(&mut conn, &g.brin).map_err(store_error)?;
            check.geblokkeerd =
                upload::check_participation(&instelling).err().and_then(|p| p.detail).map(|d| views::zin(&d));
            let status = if check.aantal_fout > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            if check.aantal_fout == 0 && check.geblokkeerd.is_none() {
                let now = bpv_store::now_utc();
                // Files checked but never confirmed hold personal data for nothing: clear them out
                // as soon as they can no longer be confirmed.
                upload_previews::purge_older_than(&mut conn, now - preview_ttl()).map_err(store_error)?;
                let id = bpv_store::ids::new_id();
                upload_previews::insert(
                    &mut conn,
                    &UploadPreviewRow {
                        id: id.clone(),
                        brin: g.brin.clone(),
                        gemachtigde_id: g.id.clone(),
                        bestandsnaam: form.bestandsnaam,
                        inhoud: form.inhoud,
                        created_at: now,
                    },
                )
                .map_err(store_error)?;
                check.voorbeeld = id;
                check.csrf = session.csrf;
            }
            Ok(Page::render("controle.html", status, Some(&gebruiker), Value::from_serialize(&check)))
        })
        .await,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HEADER: &str = "Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;Startdatum;\
                          Geplande_einddatum;Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode\r\n";

    fn line(id: &str, crebo: &str) -> String {
        format!("{id};100200300;{crebo};;S1;Zoë Çelik;01-09-2025;30-06-2026;BOL;ROC Amstelvliet;251X111;251A100\r\n")
    }

    #[test]
    fn check_lists_errors_per_line_and_a_sample_of_valid_lines() {
        let file = format!("\u{feff}{HEADER}{}{}{}", line("A-1", "25604"), line("A-2", "2560"), line("A-3", "25604"));
        let csv = upload::read_csv_upload(file.as_bytes(), 100).unwrap();
        let check = Check::of("bpvo.csv".into(), &csv, &bpvo::Registers::default());
        assert_eq!((check.aantal, check.aantal_fout, check.geldig.len()), (3, 1, 2));
        assert_eq!(check.scheidingsteken, "puntkomma (;)");
        assert_eq!(check.fouten[0].regel, 3);
        assert_eq!(check.fouten[0].correlatie_id.as_deref(), Some("A-2"));
        assert_eq!(check.fouten[0].fouten[0].veld, "Crebo_code");
        assert_eq!(check.geldig[1].naam, "Zoë Çelik");
        assert_eq!(check.geldig[1].geplande_einddatum, "30-06-2026");
        let page = Page::render("controle.html", StatusCode::OK, None, Value::from_serialize(&check));
        assert!(page.html().contains("Regel 3 <span class=\"bijzaak\">(Correlatie_id A-2)</span>"));
        assert!(!page.html().contains("Opslaan"), "no confirm button while there are errors");
    }

    #[test]
    fn codes_unknown_to_the_registers_are_errors_of_their_line() {
        let file = format!("{HEADER}{}{}", line("A-1", "25604"), line("A-2", "25605"));
        let csv = upload::read_csv_upload(file.as_bytes(), 100).unwrap();
        let registers = bpvo::Registers::new(["25604".to_owned()], [("251X111".to_owned(), "251A999".to_owned())]);
        let check = Check::of("bpvo.csv".into(), &csv, &registers);
        assert_eq!((check.aantal, check.aantal_fout, check.geldig.len()), (2, 2, 0));
        let velden: Vec<&str> = check.fouten[1].fouten.iter().map(|f| f.veld.as_str()).collect();
        assert_eq!(velden, ["Crebo_code", "Locatiecode"]);
        assert!(check.fouten[1].fouten[1].melding.contains("hoort bij aanbieder 251A999"), "{:?}", check.fouten[1]);
    }

    #[test]
    fn whole_file_refusals_are_worded_for_the_page() {
        let too_many =
            upload::read_csv_upload(format!("{HEADER}{}{}", line("A", "25604"), line("B", "25604")).as_bytes(), 1)
                .unwrap_err();
        assert_eq!(
            file_error(&too_many, 1),
            "Het bestand heeft meer dan 1 regels met gegevens; splits het in kleinere bestanden."
        );
        let empty = upload::read_csv_upload(HEADER.as_bytes(), 10).unwrap_err();
        assert!(file_error(&empty, 10).contains("geen regels met gegevens"));
        let missing = upload::read_csv_upload(b"Correlatie_id;Naam\r\nA;B\r\n", 10).unwrap_err();
        assert!(file_error(&missing, 10).starts_with("Deze kolom(men) ontbreken"));
    }

    #[test]
    fn the_page_reads_a_workbook_and_names_other_binary_files() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("Stages 2026").unwrap();
        for (r, regel) in HEADER.lines().chain(line("A", "25604").lines()).enumerate() {
            for (c, v) in regel.split(';').enumerate() {
                ws.write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), v).unwrap();
            }
        }
        let csv = upload::read_upload(&wb.save_to_buffer().unwrap(), 10).unwrap();
        assert_eq!(csv.werkblad.as_deref(), Some("Stages 2026"));
        assert_eq!(csv.incoming.len(), 1);
        assert_eq!(csv.incoming[0].regel, Some(2));
        assert!(csv.incoming[0].parsed.is_ok(), "{:?}", csv.incoming[0].parsed);
        let pdf = upload::read_upload(b"%PDF-1.4 binary", 10).unwrap_err();
        assert!(file_error(&pdf, 10).starts_with("Dit bestand is een PDF-document"), "{}", file_error(&pdf, 10));
        let xls = upload::read_upload(&[0xD0, 0xCF, 0x11, 0xE0, 0, 1], 10).unwrap_err();
        assert!(file_error(&xls, 10).contains(".xls"));
    }
}
