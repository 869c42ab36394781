//! The report as CSV for Excel (`;`, decimal commas, a UTF-8 BOM).

use super::{Cijfer, Rapport, Respons};

/// The CSV columns of the export.
pub const CSV_COLUMNS: [&str; 12] = [
    "groep",
    "thema",
    "code",
    "vraag",
    "soort",
    "instelling_gemiddelde",
    "instelling_pct_eens",
    "instelling_n",
    "landelijk_gemiddelde",
    "landelijk_pct_eens",
    "landelijk_n",
    "toelichting",
];

/// The report as CSV for Excel: `;`-separated, decimal commas, a UTF-8 BOM. One row per theme
/// score (`soort` = `thema`), per question, and one for the response (`soort` = `respons`:
/// the percentage in the `gemiddelde` columns, the number answered in `n`).
pub fn csv(r: &Rapport) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(&mut out);
        w.write_record(bpv_web::export::csv_rij(CSV_COLUMNS))?;
        let value = |c: Option<&Cijfer>| {
            c.and_then(|c| c.waarde).map(|v| bpv_aggregation::decimal_nl(v, 2)).unwrap_or_default()
        };
        let n = |c: Option<&Cijfer>| c.map(|c| c.n.to_string()).unwrap_or_default();
        let why = |a: Option<&Cijfer>, b: &Cijfer| {
            let mut parts = Vec::new();
            if let Some(reden) = a.and_then(|a| a.reden.as_deref()) {
                parts.push(format!("instelling: {reden}"));
            }
            if let Some(reden) = b.reden.as_deref() {
                parts.push(format!("landelijk: {reden}"));
            }
            parts.join("; ")
        };
        let groep = r.selectie.groep.as_str();
        let pct = |x: Option<&Respons>| {
            x.and_then(|x| x.percentage).map(|p| bpv_aggregation::decimal_nl(p, 1)).unwrap_or_default()
        };
        let own = r.respons.instelling.as_ref();
        let land = &r.respons.landelijk;
        w.write_record(bpv_web::export::csv_rij([
            groep,
            "Respons",
            "respons",
            "Respons (beantwoord van uitgenodigd)",
            "respons",
            &pct(own),
            &own.map(|x| x.beantwoord.to_string()).unwrap_or_default(),
            &own.map(|x| x.uitgenodigd.to_string()).unwrap_or_default(),
            &pct(Some(land)),
            &land.beantwoord.to_string(),
            &land.uitgenodigd.to_string(),
            &match own {
                Some(o) => format!("instelling: {}; landelijk: {}", o.tekst, land.tekst),
                None => format!("landelijk: {}", land.tekst),
            },
        ]))?;
        for t in &r.themas {
            let (a, b) = (t.score.instelling.as_ref(), &t.score.landelijk);
            w.write_record(bpv_web::export::csv_rij([
                groep,
                &t.naam,
                &t.code,
                &t.naam,
                "thema",
                &value(a),
                "",
                &n(a),
                &value(Some(b)),
                "",
                &n(Some(b)),
                &why(a, b),
            ]))?;
            for i in &t.items {
                let a = i.instelling.as_ref();
                let b = &i.landelijk;
                w.write_record(bpv_web::export::csv_rij([
                    groep,
                    &t.naam,
                    &i.code,
                    &i.tekst,
                    &i.soort,
                    &value(a.map(|x| &x.gemiddelde)),
                    &value(a.and_then(|x| x.eens.as_ref())),
                    &n(a.map(|x| &x.gemiddelde)),
                    &value(Some(&b.gemiddelde)),
                    &value(b.eens.as_ref()),
                    &n(Some(&b.gemiddelde)),
                    &why(a.map(|x| &x.gemiddelde), &b.gemiddelde),
                ]))?;
            }
        }
        w.flush()?;
    }
    Ok(out)
}
