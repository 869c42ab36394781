//! The Praktijkloket's assessment-request mails: skip those that must not go out any more, mint
//! the link token (its hash committed before the mail leaves), and build the message. One mail
//! per request; no digest, no reminders.

use std::collections::{HashMap, HashSet};

use bpv_mailing::{MailItem, MailKind, MailRequest, SurveyToken};
use bpv_store::models::DeliveryRow;
use bpv_store::repo::beoordelingsverzoeken as repo;
use bpv_store::repo::deliveries;
use bpv_store::repo::praktijkloket::DOCUMENT_ACTIEF;
use bpv_store::{DbConnection, StoreError, VerzoekStatus, write_transaction};
use bpvo::Groep;
use chrono::{NaiveDate, NaiveDateTime};

use super::prepare::{Job, Namen, voornaam};

/// Turn claimed request mails into jobs; record the ones that must not go out as skipped.
pub(super) fn prepare(
    conn: &mut DbConnection,
    owner: &str,
    claimed: Vec<DeliveryRow>,
    today: NaiveDate,
    now: NaiveDateTime,
    namen: &Namen,
    survey_base: &str,
) -> Result<(Vec<Job>, usize), StoreError> {
    let ids: Vec<String> = claimed.iter().filter_map(|d| d.verzoek_id.clone()).collect();
    let found: HashMap<String, _> =
        repo::with_documents(conn, &ids)?.into_iter().map(|(v, d)| (v.id.clone(), (v, d))).collect();
    let document_ids: Vec<String> = found.values().map(|(_, d)| d.id.clone()).collect();
    let assessed: HashSet<String> = repo::assessed_among(conn, &document_ids)?.into_iter().collect();
    let recipients: Vec<String> = claimed.iter().filter_map(|d| d.recipient.clone()).collect();
    let suppressed = deliveries::suppressed_among(conn, &recipients)?;
    let mut skipped = 0;
    let mut ready = Vec::new();
    for d in claimed {
        let pair = d.verzoek_id.as_ref().and_then(|id| found.get(id));
        let reason = match (pair, &d.recipient) {
            (None, _) => Some("beoordelingsverzoek niet gevonden"),
            (_, None) => Some("geen e-mailadres (meer)"),
            (Some((_, doc)), _) if doc.status != DOCUMENT_ACTIEF => Some("document ingetrokken"),
            (Some((v, _)), _) if v.status != VerzoekStatus::Gepland => Some("al beoordeeld of afgemeld"),
            (Some((_, doc)), _) if assessed.contains(&doc.id) => Some("al beoordeeld door de school"),
            (Some((v, _)), _) if v.closes_on <= today => Some("beoordeling gesloten"),
            (_, Some(r)) if suppressed.contains(r) => Some("adres eerder geweigerd door de mailserver"),
            _ => None,
        };
        match (reason, pair) {
            (None, Some(pair)) => ready.push((d, pair.clone())),
            (reason, _) => {
                deliveries::record_skipped(conn, &d.id, owner, reason.unwrap_or("overgeslagen"), now)?;
                skipped += 1;
            }
        }
    }
    // Tokens first, committed before any mail leaves: a link in a sent mail always works.
    let mut tokens = Vec::with_capacity(ready.len());
    write_transaction(conn, |conn| -> Result<(), StoreError> {
        for (_, (verzoek, _)) in &ready {
            let token = SurveyToken::generate();
            repo::add_token(conn, &verzoek.id, &token.hash(), now)?;
            tokens.push(token);
        }
        Ok(())
    })?;
    let jobs = ready
        .into_iter()
        .zip(tokens)
        .map(|((d, (verzoek, doc)), token)| {
            let link = format!("{survey_base}/b/{}", token.as_str());
            let recipient = d.recipient.clone().unwrap_or_default();
            let item = MailItem {
                student_voornaam: voornaam(doc.leerling_naam.as_deref()),
                opleiding: namen
                    .kwalificaties
                    .get(&doc.crebo)
                    .cloned()
                    .unwrap_or_else(|| format!("crebo {}", doc.crebo)),
                organisatie: namen.instellingen.get(&doc.brin).cloned().unwrap_or_else(|| "de school".into()),
                geplande_einddatum: doc.einddatum,
                closes_on: verzoek.closes_on,
                optout_url: format!("{link}/afmelden"),
                survey_url: link,
                student_link: None,
            };
            Job {
                request: MailRequest {
                    to_email: recipient.clone(),
                    to_name: doc.praktijkopleider_naam.clone(),
                    groep: Groep::Praktijkopleider,
                    kind: MailKind::Beoordelingsverzoek,
                    items: vec![item],
                },
                deliveries: vec![d],
                invitations: Vec::new(),
                verzoek_id: Some(verzoek.id),
                recipient,
            }
        })
        .collect();
    Ok((jobs, skipped))
}
