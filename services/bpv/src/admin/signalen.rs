//! `bpv admin signalen`: the leerbedrijven flagged by the safety signal, for SBB advisers; the
//! same computation as the dashboard's "Signalen" tab, and audited as a read.

use super::*;

pub(super) fn signalen(
    conn: &mut DbConnection,
    settings: &bpv_web::Settings,
    args: &SignalenArgs,
) -> Result<(), CliError> {
    let tot = match &args.tot {
        Some(m) => m.parse::<bpv_aggregation::YearMonth>().map_err(|e| bad(format!("--tot: {e}")))?,
        None => bpv_reporting_api::signalen::standaard_tot(),
    };
    let questionnaires = bpv_aggregation::Questionnaires::builtin().map_err(anyhow::Error::from)?;
    let instellingen = bpv_reporting_api::signalen::instellingen(settings);
    let lijst = bpv_reporting_api::signalen::bereken(conn, &questionnaires, &instellingen, tot)?;
    let who = operator();
    bpv_reporting_api::signalen::audit_read(conn, audit::Actor { kind: "admin", id: &who }, tot, lijst.len())?;
    if crate::output::json() {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "tot": tot.to_string(), "signalen": lijst }))
                .map_err(anyhow::Error::from)?
        );
        return Ok(());
    }
    let van = bpv_aggregation::veiligheid::venster_start(tot, instellingen.venster_maanden);
    println!(
        "signalen {van} t/m {tot}: minstens {} respondenten onveilig bij minstens {} antwoorden",
        instellingen.min_respondenten, instellingen.k
    );
    let rows: Vec<Vec<String>> =
        lijst.into_iter().map(|s| vec![s.leerbedrijf, s.sectoren.join(", "), s.onveilig, s.antwoorden]).collect();
    if rows.is_empty() {
        println!("geen leerbedrijven met een signaal");
    } else {
        table(&["leerbedrijf", "sector", "respondenten onveilig", "antwoorden"], &rows);
    }
    Ok(())
}
