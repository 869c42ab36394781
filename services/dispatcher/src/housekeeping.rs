//! The dispatcher's housekeeping besides mail: `snapshot` (the quarterly data-quality photo);
//! `purge` is `bpv_store::repo::retentie::purge`.

use bpv_aggregation::datakwaliteit;
use bpv_store::DbConnection;
use bpv_store::repo::datakwaliteit as store_dq;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

/// What a snapshot run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotReport {
    pub kwartaal: String,
    pub peildatum: NaiveDate,
    /// Instellingen photographed now.
    pub vastgelegd: usize,
    /// Instellingen that already had a photo of this quarter (left as they were).
    pub al_aanwezig: usize,
}

/// Photograph every instelling's indicators for the last quarter that ended before `dag` (as of
/// the first day after it), with SBB's own national figures (questions 4 and 5) beside them; an
/// instelling that already has that quarter's photo keeps it unchanged.
pub fn snapshot(
    conn: &mut DbConnection,
    dag: NaiveDate,
    now: NaiveDateTime,
    normen: &datakwaliteit::Normen,
) -> anyhow::Result<SnapshotReport> {
    let (kwartaal, peildatum) = datakwaliteit::kwartaal(dag);
    let (van, tot_en_met) = datakwaliteit::periode(peildatum);
    let meetset = store_dq::meetset(conn, van, tot_en_met, None)?;
    let list = datakwaliteit::per_instelling(&meetset.rijen, &meetset.alleen_bij_duo, &store_dq::deelnemers(conn)?);
    let sbb = datakwaliteit::sbb(&meetset, van, tot_en_met, normen);
    let mut report = SnapshotReport { kwartaal: kwartaal.clone(), peildatum, vastgelegd: 0, al_aanwezig: 0 };
    bpv_store::write_transaction(conn, |conn| -> anyhow::Result<()> {
        for i in &list {
            let json = serde_json::to_string(&serde_json::json!({
                "kwartaal": kwartaal,
                "peildatum": peildatum,
                "periode": { "van": van, "totEnMet": tot_en_met },
                "instelling": i,
                "vragen": datakwaliteit::scores(&i.totaal, &sbb),
                "sbb": sbb,
            }))?;
            if store_dq::bewaar_foto(conn, &kwartaal, peildatum, &i.brin, &json, now)? {
                report.vastgelegd += 1;
            } else {
                report.al_aanwezig += 1;
            }
        }
        Ok(())
    })?;
    Ok(report)
}
