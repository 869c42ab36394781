//! From claimed deliveries to messages: skip what must not go out any more, mint the link tokens
//! (their hashes committed before any mail leaves), and group praktijkopleider invitations into
//! digests by the scheduling crate's rule.

use std::collections::HashMap;

use bpv_mailing::{MailItem, MailKind, MailRequest, SurveyToken};
use bpv_store::models::{BpvoRow, DeliveryRow, InvitationRow};
use bpv_store::repo::{bpvos, deliveries, invitations};
use bpv_store::{DbConnection, Soort, StoreError, now_utc, write_transaction};
use bpvo::Groep;
use chrono::NaiveDate;

/// One message to send: a single mail, or a digest of several invitation mails to one praktijkopleider.
pub(super) struct Job {
    pub(super) deliveries: Vec<DeliveryRow>,
    /// For each delivery: its invitation, and the student's invitation whose link rides along.
    pub(super) invitations: Vec<(InvitationRow, Option<InvitationRow>)>,
    /// An assessment request's mail (then `invitations` is empty).
    pub(super) verzoek_id: Option<String>,
    pub(super) request: MailRequest,
    pub(super) recipient: String,
}

/// Names the mails show beside codes, read once per run: kwalificaties (crebo → naam), the
/// registered aanbieders (aanbiedercode → naam) and instellingen (brin → naam).
#[derive(Debug, Default)]
pub(crate) struct Namen {
    pub(super) kwalificaties: HashMap<String, String>,
    pub(super) aanbieders: HashMap<String, String>,
    pub(super) instellingen: HashMap<String, String>,
}

pub(super) fn voornaam(naam: Option<&str>) -> String {
    naam.and_then(|n| n.split_whitespace().next()).map(str::to_owned).unwrap_or_else(|| "uw student".into())
}

/// Turn claimed deliveries into jobs; skip those that must not go out any more.
pub(super) fn prepare(
    conn: &mut DbConnection,
    owner: &str,
    claimed: Vec<DeliveryRow>,
    today: NaiveDate,
    namen: &Namen,
    survey_base: &str,
    digest: bool,
) -> Result<(Vec<Job>, usize), StoreError> {
    let now = now_utc();
    let (verzoeken, claimed): (Vec<_>, Vec<_>) = claimed.into_iter().partition(|d| d.verzoek_id.is_some());
    let (verzoek_jobs, verzoek_skipped) =
        super::verzoek::prepare(conn, owner, verzoeken, today, now, namen, survey_base)?;
    let (ready, skipped) = ready_or_skipped(conn, owner, claimed, today, now)?;
    let links = mint_links(conn, &ready, now)?;
    let url = |inv: &InvitationRow, path: &str| -> String {
        links.get(&inv.id).map(|t| format!("{survey_base}/{path}/{}", t.as_str())).unwrap_or_default()
    };

    // One job per mail; praktijkopleider invitation mails to the same address become one digest
    // (grouped by the scheduling crate's rule).
    let mut single: Vec<Option<Job>> = Vec::with_capacity(ready.len());
    let mut digestible: Vec<(String, usize)> = Vec::new();
    for (d, inv, bpvo, along) in ready {
        let groep = inv.groep;
        let item = MailItem {
            student_voornaam: voornaam(bpvo.student_naam.as_deref()),
            opleiding: namen.kwalificaties.get(&bpvo.crebo).cloned().unwrap_or_else(|| format!("crebo {}", bpvo.crebo)),
            // The registered aanbieder's name, never the school's free text: mails go out in SBB's
            // name, and a school must not be able to write into them.
            organisatie: namen.aanbieders.get(&bpvo.aanbiedercode).cloned().unwrap_or_else(|| "de school".into()),
            geplande_einddatum: bpvo.geplande_einddatum,
            closes_on: inv.closes_on,
            survey_url: url(&inv, "s"),
            optout_url: url(&inv, "afmelden"),
            student_link: along.as_ref().map(|s| url(s, "s")),
        };
        let recipient = d.recipient.clone().unwrap_or_default();
        let kind = match d.soort {
            Soort::Herinnering => MailKind::Herinnering { nummer: u32::try_from(d.nummer).unwrap_or(1) },
            Soort::Uitnodiging | Soort::Beoordelingsverzoek => MailKind::Uitnodiging,
        };
        if digest && groep == Groep::Praktijkopleider && d.soort == Soort::Uitnodiging {
            digestible.push((recipient.clone(), single.len()));
        }
        let to_name = match groep {
            Groep::Praktijkopleider => bpvo.praktijkopleider_naam.clone(),
            Groep::Student => bpvo.student_naam.clone(),
        };
        single.push(Some(Job {
            request: MailRequest { to_email: recipient.clone(), to_name, groep, kind, items: vec![item] },
            deliveries: vec![d],
            invitations: vec![(inv, along)],
            verzoek_id: None,
            recipient,
        }));
    }
    // Each digest takes the place of its first mail; the others join it.
    let mut joins: HashMap<usize, Vec<usize>> = HashMap::new();
    for group in bpv_scheduling::group_digests(&digestible) {
        if let Some((&first, rest)) = group.split_first() {
            joins.insert(first, rest.to_vec());
        }
    }
    let mut jobs: Vec<Job> = verzoek_jobs;
    for i in 0..single.len() {
        let Some(mut job) = single[i].take() else { continue };
        for j in joins.remove(&i).unwrap_or_default() {
            if let Some(other) = single.get_mut(j).and_then(Option::take) {
                job.request.items.extend(other.request.items);
                job.deliveries.extend(other.deliveries);
                job.invitations.extend(other.invitations);
            }
        }
        jobs.push(job);
    }
    Ok((jobs, skipped + verzoek_skipped))
}

/// A claimed mail that may go out: (delivery, invitation, bpvo, student invitation riding along).
type Ready = (DeliveryRow, InvitationRow, BpvoRow, Option<InvitationRow>);

/// Split the claimed mails into those that may go out and those that must not any more (answered,
/// cancelled, closed, opted out of reminders, suppressed address, no address), which are recorded
/// as skipped here; returns the first and how many of the second.
fn ready_or_skipped(
    conn: &mut DbConnection,
    owner: &str,
    claimed: Vec<DeliveryRow>,
    today: NaiveDate,
    now: chrono::NaiveDateTime,
) -> Result<(Vec<Ready>, usize), StoreError> {
    let inv_ids: Vec<String> = claimed.iter().filter_map(|d| d.invitation_id.clone()).collect();
    let invs: HashMap<String, InvitationRow> =
        invitations::by_ids(conn, &inv_ids)?.into_iter().map(|i| (i.id.clone(), i)).collect();
    let bpvo_ids: Vec<String> = invs.values().map(|i| i.bpvo_id.clone()).collect();
    let bpvo_map: HashMap<String, BpvoRow> =
        bpvos::by_ids(conn, &bpvo_ids)?.into_iter().map(|b| (b.id.clone(), b)).collect();
    // Student invitations that travel inside the praktijkopleider's mail (the scheduling rule).
    let indirect: HashMap<String, InvitationRow> = invitations::for_bpvos(conn, &bpvo_ids)?
        .into_iter()
        .filter(|i| bpv_scheduling::student_link_in(&[crate::planning::state(i)]))
        .map(|i| (i.bpvo_id.clone(), i))
        .collect();
    let recipients: Vec<String> = claimed.iter().filter_map(|d| d.recipient.clone()).collect();
    let suppressed = deliveries::suppressed_among(conn, &recipients)?;

    let mut skipped = 0;
    // (delivery, invitation, bpvo, student invitation riding along)
    let mut ready: Vec<Ready> = Vec::new();
    for d in claimed {
        let inv = d.invitation_id.as_ref().and_then(|id| invs.get(id));
        let bpvo = inv.and_then(|i| bpvo_map.get(&i.bpvo_id));
        let reason = match (inv, bpvo, &d.recipient) {
            (None, ..) | (_, None, _) => Some("uitnodiging niet gevonden"),
            (_, _, None) => Some("geen e-mailadres (meer)"),
            (Some(i), ..) if i.status == bpv_scheduling::InvitationStatus::Beantwoord => Some("al beantwoord"),
            (Some(i), ..) if i.status == bpv_scheduling::InvitationStatus::Geannuleerd => {
                Some("uitnodiging geannuleerd")
            }
            (Some(i), ..) if i.closes_on <= today => Some("bevraging gesloten"),
            (Some(i), ..) if d.soort == Soort::Herinnering && i.opted_out => Some("afgemeld voor herinneringen"),
            (_, _, Some(r)) if suppressed.contains(r) => Some("adres eerder geweigerd door de mailserver"),
            _ => None,
        };
        match (reason, inv, bpvo) {
            (None, Some(i), Some(b)) => {
                let along = (i.groep == Groep::Praktijkopleider).then(|| indirect.get(&b.id).cloned()).flatten();
                ready.push((d, i.clone(), b.clone(), along));
            }
            (reason, ..) => {
                deliveries::record_skipped(conn, &d.id, owner, reason.unwrap_or("overgeslagen"), now)?;
                skipped += 1;
            }
        }
    }

    Ok((ready, skipped))
}

/// Mint the link tokens and commit their hashes before any mail leaves: one per invitation,
/// including the student invitations riding along.
fn mint_links(
    conn: &mut DbConnection,
    ready: &[Ready],
    now: chrono::NaiveDateTime,
) -> Result<HashMap<String, SurveyToken>, StoreError> {
    let mut links: HashMap<String, SurveyToken> = HashMap::new();
    let mut hashes: Vec<(&str, String)> = Vec::new();
    for (_, inv, _, along) in ready {
        for i in std::iter::once(inv).chain(along.iter()) {
            if !links.contains_key(&i.id) {
                let token = SurveyToken::generate();
                hashes.push((&i.id, token.hash()));
                links.insert(i.id.clone(), token);
            }
        }
    }
    write_transaction(conn, |conn| invitations::add_tokens(conn, &hashes, now))?;
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_name_is_shown_nothing_more() {
        assert_eq!(voornaam(Some("Zoë Çelik-de Vries")), "Zoë");
        assert_eq!(voornaam(None), "uw student");
    }
}
