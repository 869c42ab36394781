//! Signalen: leerbedrijven where, within a rolling window, several distinct respondents answered
//! on the unsafe side of sociale veiligheid or stagediscriminatie, among at least `k` answers
//! (the rule: `bpv_aggregation::veiligheid`; docs/privacy.md, "Signalen"). For SBB advisers only:
//! the dashboard tab `/dashboard/signalen` and `bpv admin signalen`; a school never sees it, and
//! every read is audited. Counts are banded.

use bpv_aggregation::veiligheid::{self, Signaal, SignaalAntwoord, SignaalInstellingen};
use bpv_aggregation::{Answers, Questionnaires, YearMonth};
use bpv_store::repo::responses;
use bpv_store::{DbConnection, StoreResult};

/// The flagged leerbedrijven for the window ending with `tot`. Answers whose stored JSON or
/// version cannot be read are left out (and logged).
pub fn bereken(
    conn: &mut DbConnection,
    questionnaires: &Questionnaires,
    instellingen: &SignaalInstellingen,
    tot: YearMonth,
) -> StoreResult<Vec<Signaal>> {
    let van = veiligheid::venster_start(tot, instellingen.venster_maanden);
    let mut onleesbaar = 0_usize;
    let antwoorden: Vec<SignaalAntwoord> = responses::signaal_rijen(conn, &van.to_string())?
        .into_iter()
        .filter_map(|(respondent, leerbedrijf, maand, sector, versie, json)| {
            let parsed =
                (maand.parse::<YearMonth>().ok(), questionnaires.by_version(&versie), Answers::from_json(&json));
            let (Some(maand), Some(q), Ok(a)) = parsed else {
                onleesbaar += 1;
                return None;
            };
            Some(SignaalAntwoord {
                respondent,
                leerbedrijf,
                maand,
                sector,
                onveilig: veiligheid::ervaring_onveilig(q, &a),
            })
        })
        .collect();
    if onleesbaar > 0 {
        tracing::warn!(antwoorden = onleesbaar, "signalen: antwoorden niet te lezen; niet meegeteld");
    }
    Ok(veiligheid::signalen(&antwoorden, tot, instellingen))
}

/// The window's last month when none is asked for: last month (the current one is not over).
pub fn standaard_tot() -> YearMonth {
    YearMonth::of(bpvo::vandaag() - chrono::Months::new(1))
}

/// The signal's settings: `veiligheid.venster_maanden`, `veiligheid.min_respondenten`, `reporting.k`.
pub fn instellingen(settings: &bpv_web::Settings) -> SignaalInstellingen {
    SignaalInstellingen {
        venster_maanden: settings.veiligheid.venster_maanden,
        min_respondenten: settings.veiligheid.min_respondenten,
        k: settings.reporting.k,
    }
}

/// Record a read of the signals (who, which window, how many shown).
pub fn audit_read(
    conn: &mut DbConnection,
    actor: bpv_store::repo::audit::Actor<'_>,
    tot: YearMonth,
    getoond: usize,
) -> StoreResult<()> {
    let detail = serde_json::json!({ "tot": tot.to_string(), "signalen": getoond });
    let n = i64::try_from(getoond).unwrap_or(i64::MAX);
    bpv_store::repo::audit::append(conn, bpv_store::now_utc(), actor, None, "signalen.gelezen", &detail, Some(n))?;
    Ok(())
}
