//! The praktijkverklaring as a PDF (A4, Dutch), drawn with printpdf — not HTML printed by a
//! browser. DejaVu Sans is embedded (`assets/fonts`, free licence beside it), so every name keeps
//! its diacritics (Zoë, Çelik, Özdemir) on any reader and `pdftotext` reads the text back.

use printpdf::{Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};

const REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// What the PDF shows.
#[derive(Debug, Clone)]
pub struct VerklaringPdf {
    pub nummer: String,
    pub leerling_naam: String,
    pub kwalificatie: String,
    pub crebo: String,
    /// (kerntaak, werkproces code, werkproces naam), in the dossier's order.
    pub werkprocessen: Vec<(String, String, String)>,
    pub leerbedrijf: String,
    pub afgegeven_op: chrono::NaiveDate,
    pub verificatiecode: String,
    pub verificatie_url: String,
    /// Printed across the top when the verklaring was withdrawn.
    pub ingetrokken: bool,
}

/// One line of the page: text, size in points, bold or not, extra space before (mm).
struct Line(String, f32, bool, f32);

/// Break `text` into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().map(|l| l.chars().count()).unwrap_or(0);
        if last > 0 && last + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    lines
}

fn lines(v: &VerklaringPdf) -> Vec<Line> {
    let mut out = Vec::new();
    if v.ingetrokken {
        out.push(Line("INGETROKKEN — deze praktijkverklaring geldt niet meer".into(), 13.0, true, 0.0));
    }
    out.push(Line("Praktijkverklaring".into(), 24.0, true, 4.0));
    out.push(Line(format!("Nummer {}", v.nummer), 11.0, false, 2.0));
    out.push(Line("Hierbij verklaart het erkend leerbedrijf dat".into(), 11.0, false, 8.0));
    out.push(Line(v.leerling_naam.clone(), 16.0, true, 3.0));
    out.push(Line("in de praktijk de volgende werkprocessen beheerst van de kwalificatie".into(), 11.0, false, 3.0));
    out.push(Line(format!("{} (crebo {})", v.kwalificatie, v.crebo), 13.0, true, 2.0));
    let mut kerntaak = String::new();
    for (k, code, naam) in &v.werkprocessen {
        if *k != kerntaak {
            kerntaak.clone_from(k);
            for (i, l) in wrap(k, 70).into_iter().enumerate() {
                out.push(Line(l, 11.5, true, if i == 0 { 5.0 } else { 0.0 }));
            }
        }
        for (i, l) in wrap(&format!("{code}  {naam}"), 80).into_iter().enumerate() {
            let l = if i == 0 { format!("•  {l}") } else { format!("    {l}") };
            out.push(Line(l, 11.0, false, if i == 0 { 1.5 } else { 0.0 }));
        }
    }
    out.push(Line(format!("Leerbedrijf: {}", v.leerbedrijf), 11.0, false, 8.0));
    out.push(Line(format!("Datum van afgifte: {}", v.afgegeven_op.format("%d-%m-%Y")), 11.0, false, 1.5));
    out.push(Line(format!("Verificatiecode: {}", v.verificatiecode), 11.0, true, 8.0));
    out.push(Line(format!("Controleer deze verklaring op {}", v.verificatie_url), 9.5, false, 1.5));
    out.push(Line("Uitgegeven via het Praktijkloket van SBB.".into(), 9.5, false, 1.5));
    out
}

/// The PDF's bytes.
pub fn render(v: &VerklaringPdf) -> Result<Vec<u8>, String> {
    let mut warnings = Vec::new();
    let regular = ParsedFont::from_bytes(REGULAR, 0, &mut warnings).ok_or("font DejaVuSans")?;
    let bold = ParsedFont::from_bytes(BOLD, 0, &mut warnings).ok_or("font DejaVuSans-Bold")?;
    let mut doc = PdfDocument::new(&format!("Praktijkverklaring {}", v.nummer));
    let (regular, bold) = (doc.add_font(&regular), doc.add_font(&bold));
    let (top, bottom, left) = (272.0_f32, 20.0_f32, 22.0_f32);
    let mut pages = Vec::new();
    let mut ops = Vec::new();
    let mut y = top;
    for Line(text, size, is_bold, before) in lines(v) {
        let height = size * 0.3528 * 1.35; // points to mm, with leading
        if y - before - height < bottom {
            pages.push(PdfPage::new(Mm(210.0), Mm(297.0), std::mem::take(&mut ops)));
            y = top;
        }
        y -= before + height;
        let font = if is_bold { bold.clone() } else { regular.clone() };
        ops.extend([
            Op::StartTextSection,
            Op::SetTextCursor { pos: Point { x: Mm(left).into(), y: Mm(y).into() } },
            Op::SetFont { font: PdfFontHandle::External(font), size: Pt(size) },
            Op::ShowText { items: vec![TextItem::Text(text)] },
            Op::EndTextSection,
        ]);
    }
    pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    Ok(doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_wrap_at_spaces() {
        assert_eq!(wrap("een twee drie vier", 9), ["een twee", "drie vier"]);
        assert_eq!(wrap("", 10), [""]);
    }
}
