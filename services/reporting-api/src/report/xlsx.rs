//! The reports as Excel workbooks (rust_xlsxwriter), beside the CSV: the results with a sheet
//! per group, the response table with a sheet per group, and the trend with a sheet per series.
//!
//! Every sheet states on top what it holds — the selection, the period, when the figures were
//! published and the threshold k — and then the figures exactly as the API gives them: values
//! as real numbers (a Dutch Excel shows `7,4`), counts as whole numbers, and where the engine
//! withholds a figure its reason as text (results, response) or an empty cell (trend: a gap in a
//! chart, never a zero). Names and codes are written as text cells, so nothing a school typed
//! can become a formula.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::instellingen::InstellingenOverzicht;
use super::{Cijfer, Rapport, Respons, ResponsCel, ResponsGroep, ResponsOverzicht, ResponsRij, SelectieDto, Trend};
use super::{TrendPunt, gepubliceerd_nl};

/// The media type of a workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The rows above every sheet's figures.
pub const KOP_RIJEN: u32 = 6;
/// The row of the top block that explains withheld figures.
const RIJ_UITLEG: u32 = 4;

struct Opmaak {
    titel: Format,
    kop: Format,
    vet: Format,
    gemiddelde: Format,
    vet_gemiddelde: Format,
    procent: Format,
    aantal: Format,
    grijs: Format,
}

impl Opmaak {
    fn new() -> Self {
        let grijs = Format::new().set_font_color("#595959").set_italic();
        Opmaak {
            titel: Format::new().set_bold().set_font_size(14),
            kop: Format::new().set_bold().set_text_wrap().set_border_bottom(FormatBorder::Thin),
            vet: Format::new().set_bold(),
            gemiddelde: Format::new().set_num_format("0.0"),
            vet_gemiddelde: Format::new().set_num_format("0.0").set_bold(),
            procent: Format::new().set_num_format("0.0"),
            aantal: Format::new().set_num_format("#,##0"),
            grijs,
        }
    }
}

/// A new sheet: A4, landscape, the top block written; returns the sheet.
fn blad<'w>(
    wb: &'w mut Workbook,
    naam: &str,
    titel: &str,
    s: &SelectieDto,
    gepubliceerd: Option<chrono::DateTime<chrono::Utc>>,
    k: u64,
    o: &Opmaak,
) -> Result<&'w mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(naam)?;
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.write_string_with_format(0, 0, titel, &o.titel)?;
    ws.write_string(1, 0, format!("Selectie: {} ({})", s.wie(), s.filters_tekst()))?;
    ws.write_string(2, 0, format!("Periode: {}", s.periode_tekst()))?;
    ws.write_string(3, 0, format!("Cijfers gepubliceerd op {}", gepubliceerd_nl(gepubliceerd)))?;
    ws.write_string_with_format(
        RIJ_UITLEG,
        0,
        format!("Een cijfer op minder dan {k} antwoorden wordt niet getoond (onvoldoende respons)."),
        &o.grijs,
    )?;
    Ok(ws)
}

/// Headers in row `rij` from column 0.
fn koppen(ws: &mut Worksheet, rij: u32, koppen: &[&str], o: &Opmaak) -> Result<(), XlsxError> {
    for (c, k) in koppen.iter().enumerate() {
        ws.write_string_with_format(rij, c as u16, *k, &o.kop)?;
    }
    Ok(())
}

/// A figure: its value as a number, or why it is withheld as text; nothing for an absent side.
fn cijfer(ws: &mut Worksheet, rij: u32, col: u16, c: Option<&Cijfer>, f: &Format, o: &Opmaak) -> Result<(), XlsxError> {
    match c {
        Some(Cijfer { waarde: Some(v), .. }) => ws.write_number_with_format(rij, col, *v, f).map(|_| ()),
        Some(c) => ws.write_string_with_format(rij, col, c.reden.as_deref().unwrap_or(&c.tekst), &o.grijs).map(|_| ()),
        None => Ok(()),
    }
}

/// A count, or nothing.
fn aantal(ws: &mut Worksheet, rij: u32, col: u16, n: Option<u64>, o: &Opmaak) -> Result<(), XlsxError> {
    match n {
        Some(n) => ws.write_number_with_format(rij, col, n as f64, &o.aantal).map(|_| ()),
        None => Ok(()),
    }
}

/// The results workbook: one sheet per report (the asked group first), each with the response
/// and then every theme score and question, the selection beside the national figures.
pub fn rapporten(rapporten: &[Rapport]) -> Result<Vec<u8>, XlsxError> {
    let o = Opmaak::new();
    let mut wb = Workbook::new();
    for r in rapporten {
        let s = &r.selectie;
        let titel = format!("BPV Monitor — resultaten {} — {}", s.groep, s.wie());
        let ws = blad(&mut wb, &hoofdletter(&s.groep), &titel, s, r.gepubliceerd_op, r.k, &o)?;
        let eigen = if s.instelling.is_some() { "Selectie" } else { "Selectie (landelijk)" };
        let mut rij = KOP_RIJEN;
        koppen(
            ws,
            rij,
            &[
                "Respons",
                "",
                "",
                "",
                &format!("{eigen}: %"),
                "beantwoord",
                "uitgenodigd",
                "Landelijk: %",
                "beantwoord",
                "uitgenodigd",
                "",
                "Toelichting",
            ],
            &o,
        )?;
        rij += 1;
        respons_rij(ws, rij, r.respons.instelling.as_ref(), &r.respons.landelijk, &o)?;
        rij += 2;
        koppen(
            ws,
            rij,
            &[
                "Thema",
                "Code",
                "Vraag",
                "Soort",
                &format!("{eigen}: gemiddelde"),
                "% (zeer) eens",
                "n",
                "Landelijk: gemiddelde",
                "% (zeer) eens",
                "n",
                "",
                "Toelichting",
            ],
            &o,
        )?;
        ws.set_freeze_panes(rij + 1, 0)?;
        for t in &r.themas {
            rij = thema_rijen(ws, rij, t, &o)?;
        }
        if let Some(reden) = &r.niet_meegeteld.reden {
            rij += 2;
            ws.write_string_with_format(rij, 0, reden, &o.grijs)?;
        }
        breedtes(ws, &[24.0, 16.0, 60.0, 8.0, 14.0, 12.0, 8.0, 14.0, 12.0, 8.0, 2.0, 30.0])?;
    }
    wb.save_to_buffer()
}

/// A theme's score row and a row per question after row `rij`; returns the last row written.
fn thema_rijen(ws: &mut Worksheet, mut rij: u32, t: &super::ThemaDto, o: &Opmaak) -> Result<u32, XlsxError> {
    rij += 1;
    ws.write_string_with_format(rij, 0, &t.naam, &o.vet)?;
    ws.write_string(rij, 1, &t.code)?;
    ws.write_string_with_format(rij, 2, format!("Themascore {}", t.naam), &o.vet)?;
    ws.write_string(rij, 3, "thema")?;
    cijfer(ws, rij, 4, t.score.instelling.as_ref(), &o.vet_gemiddelde, o)?;
    aantal(ws, rij, 6, t.score.instelling.as_ref().map(|c| c.n), o)?;
    cijfer(ws, rij, 7, Some(&t.score.landelijk), &o.vet_gemiddelde, o)?;
    aantal(ws, rij, 9, Some(t.score.landelijk.n), o)?;
    for i in &t.items {
        rij += 1;
        let eigen = i.instelling.as_ref();
        ws.write_string(rij, 0, &t.naam)?;
        ws.write_string(rij, 1, &i.code)?;
        ws.write_string(rij, 2, &i.tekst)?;
        ws.write_string(rij, 3, &i.soort)?;
        cijfer(ws, rij, 4, eigen.map(|x| &x.gemiddelde), &o.gemiddelde, o)?;
        cijfer(ws, rij, 5, eigen.and_then(|x| x.eens.as_ref()), &o.procent, o)?;
        aantal(ws, rij, 6, eigen.map(|x| x.gemiddelde.n), o)?;
        cijfer(ws, rij, 7, Some(&i.landelijk.gemiddelde), &o.gemiddelde, o)?;
        cijfer(ws, rij, 8, i.landelijk.eens.as_ref(), &o.procent, o)?;
        aantal(ws, rij, 9, Some(i.landelijk.gemiddelde.n), o)?;
    }
    Ok(rij)
}

fn respons_rij(
    ws: &mut Worksheet,
    rij: u32,
    eigen: Option<&Respons>,
    land: &Respons,
    o: &Opmaak,
) -> Result<(), XlsxError> {
    ws.write_string(rij, 0, "Respons (beantwoord van uitgenodigd)")?;
    let zijde = |ws: &mut Worksheet, col: u16, r: &Respons| -> Result<(), XlsxError> {
        match r.percentage {
            Some(p) => ws.write_number_with_format(rij, col, p, &o.procent)?,
            None => ws.write_string_with_format(rij, col, &r.tekst, &o.grijs)?,
        };
        ws.write_number_with_format(rij, col + 1, r.beantwoord as f64, &o.aantal)?;
        ws.write_number_with_format(rij, col + 2, r.uitgenodigd as f64, &o.aantal)?;
        Ok(())
    };
    if let Some(e) = eigen {
        zijde(ws, 4, e)?;
    }
    zijde(ws, 7, land)?;
    let toelichting = match eigen {
        Some(e) => format!("selectie: {}; landelijk: {}", e.tekst, land.tekst),
        None => format!("landelijk: {}", land.tekst),
    };
    ws.write_string(rij, 11, toelichting)?;
    Ok(())
}

fn breedtes(ws: &mut Worksheet, w: &[f64]) -> Result<(), XlsxError> {
    for (c, w) in w.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    Ok(())
}

fn hoofdletter(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The response workbook: one sheet per group, the total and then each split, the selection
/// beside the national figures. Counts below k are the band (`< 10`) as text, never a number.
pub fn respons(r: &ResponsOverzicht) -> Result<Vec<u8>, XlsxError> {
    let o = Opmaak::new();
    let mut wb = Workbook::new();
    for g in &r.groepen {
        let titel = format!("BPV Monitor — respons {} — {}", g.groep, r.selectie.wie());
        let ws = blad(&mut wb, &hoofdletter(&g.groep), &titel, &r.selectie, r.gepubliceerd_op, r.k, &o)?;
        respons_groep(ws, g, &o)?;
        breedtes(ws, &[16.0, 40.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 2.0, 36.0])?;
    }
    wb.save_to_buffer()
}

fn respons_groep(ws: &mut Worksheet, g: &ResponsGroep, o: &Opmaak) -> Result<(), XlsxError> {
    let kolommen = [
        "Code",
        "Naam",
        "Selectie: %",
        "beantwoord",
        "uitgenodigd",
        "Landelijk: %",
        "beantwoord",
        "uitgenodigd",
        "",
        "Toelichting",
    ];
    let mut rij = KOP_RIJEN;
    koppen(ws, rij, &kolommen, o)?;
    ws.set_freeze_panes(rij + 1, 0)?;
    rij += 1;
    ws.write_string_with_format(rij, 0, "totaal", &o.vet)?;
    respons_cellen(ws, rij, &g.totaal, o)?;
    for indeling in &g.per {
        rij += 2;
        ws.write_string_with_format(rij, 0, format!("Per {}", indeling.indeling), &o.vet)?;
        for r in &indeling.rijen {
            rij += 1;
            ws.write_string(rij, 0, &r.code)?;
            respons_cellen(ws, rij, r, o)?;
        }
    }
    Ok(())
}

fn respons_cellen(ws: &mut Worksheet, rij: u32, r: &ResponsRij, o: &Opmaak) -> Result<(), XlsxError> {
    if let Some(naam) = &r.naam {
        ws.write_string(rij, 1, naam)?;
    }
    let zijde = |ws: &mut Worksheet, col: u16, c: &ResponsCel| -> Result<(), XlsxError> {
        if let Some(p) = c.percentage {
            ws.write_number_with_format(rij, col, p, &o.procent)?;
        }
        for (i, n) in [c.beantwoord, c.uitgenodigd].into_iter().enumerate() {
            let col = col + 1 + i as u16;
            match n {
                Some(n) => ws.write_number_with_format(rij, col, n as f64, &o.aantal)?,
                None => ws.write_string_with_format(rij, col, band(&c.tekst, i), &o.grijs)?,
            };
        }
        Ok(())
    };
    if let Some(c) = &r.instelling {
        zijde(ws, 2, c)?;
    }
    zijde(ws, 5, &r.landelijk)?;
    let toelichting = match &r.instelling {
        Some(c) => format!("selectie: {}; landelijk: {}", c.tekst, r.landelijk.tekst),
        None => format!("landelijk: {}", r.landelijk.tekst),
    };
    ws.write_string(rij, 9, toelichting)?;
    Ok(())
}

/// The shown form of a count that is not exact: the band from the cell's text (`< 10`), or `—`.
fn band(tekst: &str, welke: usize) -> String {
    // `55% (22 van 40)`, `< 10 van 36`, `< 10 van < 10`, `—`.
    let kaal = tekst.rsplit_once('(').map_or(tekst, |(_, r)| r.trim_end_matches(')'));
    kaal.split(" van ").nth(welke).map_or_else(|| "—".to_owned(), |d| d.trim().to_owned())
}

/// The trend workbook: one sheet per series (quarters, calendar years, school years), a row per
/// period with the grade, each theme score and the response, the selection beside the national
/// figure. A withheld figure is an empty cell — a gap in a chart, never a zero.
pub fn trend(t: &Trend) -> Result<Vec<u8>, XlsxError> {
    let o = Opmaak::new();
    let mut wb = Workbook::new();
    for (naam, punten) in [("Kwartalen", &t.kwartalen), ("Jaren", &t.jaren), ("Schooljaren", &t.schooljaren)] {
        let titel =
            format!("BPV Monitor — trend {} per {} — {}", t.selectie.groep, naam.to_lowercase(), t.selectie.wie());
        let ws = blad(&mut wb, naam, &titel, &t.selectie, t.gepubliceerd_op, t.k, &o)?;
        ws.write_string_with_format(
            RIJ_UITLEG,
            0,
            format!("Een lege cel: minder dan {} antwoorden (onvoldoende respons), geen nul.", t.k),
            &o.grijs,
        )?;
        trend_blad(ws, punten, &o)?;
    }
    wb.save_to_buffer()
}

fn trend_blad(ws: &mut Worksheet, punten: &[TrendPunt], o: &Opmaak) -> Result<(), XlsxError> {
    let mut kolommen: Vec<String> =
        ["Periode", "Van", "T/m", "Cijfer selectie", "Cijfer landelijk"].map(String::from).into();
    let themas: Vec<(String, String)> =
        punten.first().map(|p| p.themas.iter().map(|t| (t.code.clone(), t.naam.clone())).collect()).unwrap_or_default();
    for (_, naam) in &themas {
        kolommen.push(format!("{naam} selectie"));
        kolommen.push(format!("{naam} landelijk"));
    }
    for k in ["Respons selectie %", "Respons landelijk %", "Beantwoord landelijk", "Uitgenodigd landelijk"] {
        kolommen.push(k.into());
    }
    let refs: Vec<&str> = kolommen.iter().map(String::as_str).collect();
    koppen(ws, KOP_RIJEN, &refs, o)?;
    ws.set_freeze_panes(KOP_RIJEN + 1, 1)?;
    let getal = |ws: &mut Worksheet, rij: u32, col: u16, c: Option<&Cijfer>| -> Result<(), XlsxError> {
        if let Some(v) = c.and_then(|c| c.waarde) {
            ws.write_number_with_format(rij, col, v, &o.gemiddelde)?;
        }
        Ok(())
    };
    for (i, p) in punten.iter().enumerate() {
        let rij = KOP_RIJEN + 1 + i as u32;
        ws.write_string_with_format(rij, 0, &p.periode, &o.vet)?;
        ws.write_string(rij, 1, &p.van)?;
        ws.write_string(rij, 2, &p.tot_en_met)?;
        getal(ws, rij, 3, p.cijfer.instelling.as_ref())?;
        getal(ws, rij, 4, Some(&p.cijfer.landelijk))?;
        let mut col = 5;
        for (code, _) in &themas {
            let score = p.themas.iter().find(|t| &t.code == code).map(|t| &t.score);
            getal(ws, rij, col, score.and_then(|s| s.instelling.as_ref()))?;
            getal(ws, rij, col + 1, score.map(|s| &s.landelijk))?;
            col += 2;
        }
        if let Some(p) = p.respons.instelling.as_ref().and_then(|r| r.percentage) {
            ws.write_number_with_format(rij, col, p, &o.procent)?;
        }
        if let Some(p) = p.respons.landelijk.percentage {
            ws.write_number_with_format(rij, col + 1, p, &o.procent)?;
        }
        ws.write_number_with_format(rij, col + 2, p.respons.landelijk.beantwoord as f64, &o.aantal)?;
        ws.write_number_with_format(rij, col + 3, p.respons.landelijk.uitgenodigd as f64, &o.aantal)?;
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_range_width(1, 2, 9)?;
    ws.set_column_range_width(3, 4 + 2 * themas.len() as u16 + 4, 13)?;
    Ok(())
}

/// SBB's overview across schools: one sheet, the national row first (bold), then a row per
/// instelling in the overview's order; a withheld figure holds its reason as text.
pub fn instellingen(ov: &InstellingenOverzicht) -> Result<Vec<u8>, XlsxError> {
    let o = Opmaak::new();
    let mut wb = Workbook::new();
    let titel = format!("BPV Monitor — resultaten {} per instelling", ov.selectie.groep);
    let ws = blad(&mut wb, "Instellingen", &titel, &ov.selectie, ov.gepubliceerd_op, ov.k, &o)?;
    let mut kop: Vec<&str> = vec!["Instelling", "Naam", "Cijfer", "n"];
    kop.extend(ov.themas.iter().map(|t| t.naam.as_str()));
    kop.extend(["Respons %", "beantwoord", "uitgenodigd"]);
    koppen(ws, KOP_RIJEN, &kop, &o)?;
    ws.set_freeze_panes(KOP_RIJEN + 1, 2)?;
    for (i, r) in std::iter::once(&ov.landelijk).chain(&ov.instellingen).enumerate() {
        let rij = KOP_RIJEN + 1 + i as u32;
        let (tekst, getal) = if i == 0 { (&o.vet, &o.vet_gemiddelde) } else { (&o.gemiddelde, &o.gemiddelde) };
        ws.write_string_with_format(rij, 0, &r.code, tekst)?;
        ws.write_string_with_format(rij, 1, &r.naam, tekst)?;
        cijfer(ws, rij, 2, Some(&r.cijfer), getal, &o)?;
        aantal(ws, rij, 3, Some(r.cijfer.n), &o)?;
        let mut col = 4;
        for t in &r.themas {
            cijfer(ws, rij, col, Some(&t.score), getal, &o)?;
            col += 1;
        }
        match r.respons.percentage {
            Some(p) => ws.write_number_with_format(rij, col, p, &o.procent)?,
            None => ws.write_string_with_format(rij, col, &r.respons.tekst, &o.grijs)?,
        };
        aantal(ws, rij, col + 1, Some(r.respons.beantwoord), &o)?;
        aantal(ws, rij, col + 2, Some(r.respons.uitgenodigd), &o)?;
    }
    ws.set_column_width(0, 11)?;
    ws.set_column_width(1, 36)?;
    ws.set_column_range_width(2, 3 + ov.themas.len() as u16 + 3, 13)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_come_from_the_shown_text() {
        assert_eq!(band("< 10 van 36", 0), "< 10");
        assert_eq!(band("< 10 van 36", 1), "36");
        assert_eq!(band("< 10 van < 10", 1), "< 10");
        assert_eq!(band("55% (22 van 40)", 0), "22");
        assert_eq!(band("—", 0), "—");
        assert_eq!(band("—", 1), "—");
    }
}
