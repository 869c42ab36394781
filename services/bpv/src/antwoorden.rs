//! `bpv admin import-antwoorden FILE`: answers collected by an external survey bureau, with the
//! same questionnaire codes as the web form. CSV (`;` or `,`, UTF-8): either a column
//! `uitnodiging_id`, or `aanbiedercode` + `correlatie_id` + `groep`; then one column per item code
//! (`cijfer`, `voorbereiding_1`, …, `nvt` for "niet van toepassing") and optionally
//! `verbeterpunten`. Every row is checked first (invitation found and open for an answer, values
//! valid for the questionnaire of its invitation date); with any bad row nothing is imported.

use std::collections::{BTreeMap, HashSet};

use bpv_aggregation::{Questionnaires, validate_imported};
use bpv_store::models::InvitationRow;
use bpv_store::repo::{invitations, responses};
use bpv_store::{DbConnection, StoreError, now_utc, write_transaction};

use crate::{CliError, bad};

const KEY_COLUMNS: [&str; 4] = ["uitnodiging_id", "aanbiedercode", "correlatie_id", "groep"];

/// Import; returns how many answers were stored.
pub fn import(conn: &mut DbConnection, bytes: &[u8]) -> Result<usize, CliError> {
    let (mut reader, headers) = reader_and_headers(bytes)?;
    let has = |c: &str| headers.iter().any(|h| h == c);
    let keyed_by_invitation = has("uitnodiging_id");
    let keyed_by_bpvo = has("aanbiedercode") && has("correlatie_id") && has("groep");
    if !keyed_by_invitation && !keyed_by_bpvo {
        return Err(bad("kolommen ontbreken: uitnodiging_id, of aanbiedercode + correlatie_id + groep"));
    }
    let questionnaires = Questionnaires::builtin().map_err(|e| CliError::Failure(anyhow::anyhow!(e.to_string())))?;

    let mut problems: Vec<String> = Vec::new();
    let mut ready: Vec<(InvitationRow, bpv_aggregation::Answers)> = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("regel {line}: {e}"));
                continue;
            }
        };
        if row.iter().all(str::is_empty) {
            continue;
        }
        let get = |c: &str| headers.iter().position(|h| h == c).and_then(|p| row.get(p)).filter(|v| !v.is_empty());
        let found = match get("uitnodiging_id") {
            Some(id) => invitations::by_ids(conn, &[id.to_owned()])?.into_iter().next(),
            None => match (get("aanbiedercode"), get("correlatie_id"), get("groep").and_then(bpvo::Groep::parse)) {
                (Some(a), Some(c), Some(g)) => invitations::find_by_key(conn, a, c, g.as_str())?,
                _ => {
                    problems.push(format!(
                        "regel {line}: aanbiedercode, correlatie_id en groep (praktijkopleider|student) zijn nodig"
                    ));
                    continue;
                }
            },
        };
        let Some(inv) = found else {
            problems.push(format!("regel {line}: geen uitnodiging gevonden"));
            continue;
        };
        if inv.status == bpv_scheduling::InvitationStatus::Beantwoord || !seen.insert(inv.id.clone()) {
            problems.push(format!("regel {line}: deze uitnodiging is al beantwoord"));
            continue;
        }
        if inv.status == bpv_scheduling::InvitationStatus::Geannuleerd {
            problems.push(format!("regel {line}: deze uitnodiging is geannuleerd"));
            continue;
        }
        let q = questionnaires.for_date(inv.sent_on.unwrap_or(inv.scheduled_on));
        let values: BTreeMap<String, String> = headers
            .iter()
            .zip(row.iter())
            .filter(|(h, v)| !KEY_COLUMNS.contains(&h.as_str()) && !v.is_empty())
            .map(|(h, v)| (h.clone(), v.to_owned()))
            .collect();
        match validate_imported(q, &values) {
            Ok(a) => ready.push((inv, a)),
            Err(errors) => {
                problems.extend(errors.into_iter().map(|e| format!("regel {line}: {}: {}", e.item, e.melding)))
            }
        }
    }
    if !problems.is_empty() {
        return Err(bad(crate::shared::refusal(&problems)));
    }
    let n = ready.len();
    store(conn, &ready)?;
    Ok(n)
}

/// The CSV reader (`;` or `,`, whichever the header uses more) and the lower-cased header names.
fn reader_and_headers(bytes: &[u8]) -> Result<(csv::Reader<&[u8]>, Vec<String>), CliError> {
    let text = std::str::from_utf8(bytes).map_err(|_| bad("het bestand is geen UTF-8 (file is not UTF-8)"))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = crate::shared::csv_reader(text);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("kopregel onleesbaar: {e}")))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    Ok((reader, headers))
}

/// Store every answer in one transaction; any refusal stores none.
fn store(conn: &mut DbConnection, ready: &[(InvitationRow, bpv_aggregation::Answers)]) -> Result<(), CliError> {
    write_transaction(conn, |conn| -> Result<(), CliError> {
        for (inv, a) in ready {
            let json = a.to_json();
            let stored = responses::submit(
                conn,
                &inv.id,
                &responses::NewAnswer {
                    bron: bpv_store::AntwoordBron::Import,
                    questionnaire_version: &a.version,
                    cijfer: i32::from(a.cijfer),
                    antwoorden_json: &json,
                    verbeterpunten: a.verbeterpunten.as_deref(),
                },
                None,
                now_utc(),
            )?;
            if let Err(refusal) = stored {
                return Err(CliError::from(StoreError::Rule(format!(
                    "uitnodiging {} kon niet worden beantwoord ({refusal:?}); niets geïmporteerd",
                    inv.id
                ))));
            }
        }
        Ok(())
    })
}
