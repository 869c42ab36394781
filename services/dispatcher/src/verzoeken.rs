//! Planning the Praktijkloket's assessment requests: when a begeleidingsdocument's end date is
//! `scheduling.beoordeling_lead_days` away (default 14), its praktijkopleider gets one mail with a
//! personal link, through the same outbox as the survey's. Not for a withdrawn document, one
//! without an address (purged), or one the school already assessed. Idempotent: one request per
//! document (a unique key), so a second run or a second dispatcher adds nothing. A planned
//! request follows its document's end date until the mail goes out.

use std::collections::HashSet;

use bpv_scheduling::SchedulingSettings;
use bpv_store::models::{DeliveryRow, Onderwerp};
use bpv_store::repo::beoordelingsverzoeken::{self as repo, VerzoekRow};
use bpv_store::repo::deliveries;
use bpv_store::{DbConnection, Soort, StoreResult, VerzoekStatus, ids::new_id, write_transaction};
use chrono::{Days, NaiveDate, NaiveDateTime};

/// What planning the requests did (or, dry, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerzoekOutcome {
    /// New requests, each with its mail in the outbox.
    pub planned: usize,
    /// Planned requests moved with their document's end date.
    pub rescheduled: usize,
}

/// Plan the requests due on `today` and move planned ones whose document's end date changed.
pub fn plan(
    conn: &mut DbConnection,
    settings: &SchedulingSettings,
    today: NaiveDate,
    now: NaiveDateTime,
    dry_run: bool,
) -> StoreResult<VerzoekOutcome> {
    let mut out = VerzoekOutcome::default();
    for (verzoek, document) in repo::planned_with_documents(conn)? {
        let scheduled_on = settings.beoordeling_date(document.einddatum);
        if scheduled_on != verzoek.scheduled_on
            && (dry_run
                || repo::reschedule(
                    conn,
                    &verzoek.id,
                    scheduled_on,
                    settings.beoordeling_close_date(document.einddatum),
                    now,
                )?)
        {
            out.rescheduled += 1;
        }
    }
    // Due: the request's day has come and the link would still be open.
    let from = today.checked_sub_days(Days::new(u64::from(settings.beoordeling_close_after_days))).unwrap_or(today);
    let to = today.checked_add_days(Days::new(u64::from(settings.beoordeling_lead_days))).unwrap_or(today);
    let candidates: Vec<_> = repo::candidates(conn, from, to)?
        .into_iter()
        .filter(|d| settings.beoordeling_close_date(d.einddatum) > today)
        .collect();
    let ids: Vec<String> = candidates.iter().map(|d| d.id.clone()).collect();
    let assessed: HashSet<String> = repo::assessed_among(conn, &ids)?.into_iter().collect();
    let due: Vec<_> = candidates.into_iter().filter(|d| !assessed.contains(&d.id)).collect();
    if dry_run {
        out.planned = due.len();
        return Ok(out);
    }
    let recipients: Vec<String> = due.iter().filter_map(|d| d.praktijkopleider_email.clone()).collect();
    let suppressed = deliveries::suppressed_among(conn, &recipients)?;
    write_transaction(conn, |conn| -> StoreResult<()> {
        for document in &due {
            let verzoek = VerzoekRow {
                id: new_id(),
                document_id: document.id.clone(),
                status: VerzoekStatus::Gepland,
                scheduled_on: settings.beoordeling_date(document.einddatum),
                closes_on: settings.beoordeling_close_date(document.einddatum),
                sent_on: None,
                ingevuld_at: None,
                created_at: now,
                updated_at: now,
            };
            let to = document.praktijkopleider_email.as_ref().map(|e| e.trim().to_lowercase());
            let refused = to.as_ref().is_some_and(|t| suppressed.contains(t));
            let onderwerp = Onderwerp::Beoordelingsverzoek(verzoek.id.clone());
            let mail = DeliveryRow::planned(onderwerp, Soort::Beoordelingsverzoek, 0, to, refused, today, now);
            if repo::insert(conn, &verzoek, &mail)? {
                out.planned += 1;
            }
        }
        Ok(())
    })?;
    Ok(out)
}
