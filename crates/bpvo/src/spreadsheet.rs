//! Uploads that are not CSV text: an Excel workbook (`.xlsx`) is read with calamine and turned
//! into the CSV the upload reader already understands (first sheet, the same column names;
//! dates as Excel dates become `dd-mm-jjjj`, whole numbers lose their `.0`), so every rule and
//! every message stays the same and a line number is the sheet's row number. Any other binary
//! file is named, with what to send instead.
//!
//! ```
//! use bpvo::spreadsheet::{Soort, herken};
//!
//! assert_eq!(herken(b"%PDF-1.7 ..."), Soort::Anders("een PDF-document"));
//! assert_eq!(herken("Correlatie_id;Naam\r\n".as_bytes()), Soort::Tekst);
//! ```

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

/// What an uploaded file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Soort {
    /// Text: read as CSV.
    Tekst,
    /// An Excel workbook (`.xlsx`).
    Xlsx,
    /// Another binary file, named in Dutch (`een PDF-document`).
    Anders(&'static str),
}

/// Recognise a file by its first bytes.
pub fn herken(bytes: &[u8]) -> Soort {
    let begint = |magic: &[u8]| bytes.starts_with(magic);
    if begint(b"PK\x03\x04") {
        // A zip: a workbook holds `xl/…` entries; anything else zipped is not.
        return if bytes.windows(3).any(|w| w == b"xl/") { Soort::Xlsx } else { Soort::Anders("een zip-bestand") };
    }
    if begint(b"%PDF") {
        return Soort::Anders("een PDF-document");
    }
    if begint(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Soort::Anders("een oud Excel- of Word-bestand (.xls/.doc)");
    }
    if begint(&[0x89, b'P', b'N', b'G']) || begint(&[0xFF, 0xD8, 0xFF]) || begint(b"GIF8") {
        return Soort::Anders("een afbeelding");
    }
    // Text has no NUL bytes (UTF-16 text starts with a byte-order mark the CSV reader handles).
    let utf16 = begint(&[0xFF, 0xFE]) || begint(&[0xFE, 0xFF]);
    if !utf16 && bytes.iter().take(4096).any(|b| *b == 0) {
        return Soort::Anders("een binair bestand");
    }
    Soort::Tekst
}

/// What to send instead of an unreadable file.
pub const STUUR: &str = "Stuur een CSV-bestand (in Excel: Opslaan als → CSV UTF-8) of een Excel-werkmap (.xlsx) \
                         met dezelfde kolomnamen in de eerste regel.";

/// A workbook that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WerkmapFout(pub String);

/// At most this many columns are read (the upload has 12; SIS exports carry some more).
pub const MAX_KOLOMMEN: u32 = 200;

/// The first sheet of a workbook as `;`-separated CSV text (one line per sheet row, from row 1,
/// so line numbers are row numbers), and the sheet's name. At most `max_rijen` rows and
/// [`MAX_KOLOMMEN`] columns: the cells are streamed and placed by hand, so a workbook that names
/// one far-away cell (`XFD1048576`) cannot make a reader allocate the whole grid. A parser panic on
/// a malformed file (calamine has one on an overflowing cell reference) is a refusal, not a crash.
pub fn xlsx_naar_csv(bytes: &[u8], max_rijen: u32) -> Result<(String, String), WerkmapFout> {
    std::panic::catch_unwind(|| lees_blad(bytes, max_rijen))
        .unwrap_or_else(|_| Err(WerkmapFout("deze Excel-werkmap is beschadigd".into())))
}

fn lees_blad(bytes: &[u8], max_rijen: u32) -> Result<(String, String), WerkmapFout> {
    let kapot = |e: calamine::XlsxError| WerkmapFout(format!("deze Excel-werkmap is niet te lezen ({e})"));
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(kapot)?;
    let naam = wb.sheet_names().first().cloned().ok_or_else(|| WerkmapFout("de werkmap heeft geen werkblad".into()))?;
    let mut lezer = wb.worksheet_cells_reader(&naam).map_err(kapot)?;
    let mut rijen: std::collections::BTreeMap<u32, Vec<(u32, String)>> = std::collections::BTreeMap::new();
    while let Some(c) = lezer.next_cell().map_err(kapot)? {
        let (rij, kolom) = c.get_position();
        if rij >= max_rijen {
            return Err(WerkmapFout(format!(
                "het werkblad {naam:?} heeft meer dan {max_rijen} rijen; splits het bestand"
            )));
        }
        if kolom >= MAX_KOLOMMEN {
            return Err(WerkmapFout(format!("het werkblad {naam:?} heeft meer dan {MAX_KOLOMMEN} kolommen")));
        }
        let tekst = cel(c.get_value());
        if !tekst.is_empty() {
            rijen.entry(rij).or_default().push((kolom, tekst));
        }
    }
    let laatste = rijen.keys().next_back().copied().unwrap_or(0);
    // Every line as wide as the widest row (trailing empty cells are not in the file).
    let breed = rijen.values().flat_map(|c| c.iter().map(|(k, _)| *k as usize + 1)).max().unwrap_or(0);
    let mut csv = String::new();
    for rij in 0..=laatste {
        let mut cellen = rijen.remove(&rij).unwrap_or_default();
        cellen.sort_by_key(|(k, _)| *k);
        let breedte = breed;
        let mut regel = vec![String::new(); breedte];
        for (k, t) in cellen {
            regel[k as usize] = t;
        }
        csv.push_str(&regel.join(";"));
        csv.push_str("\r\n");
    }
    Ok((naam, csv))
}

/// One cell as CSV text.
fn cel(d: &DataRef<'_>) -> String {
    let tekst = match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => if *b { "ja" } else { "nee" }.to_owned(),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(t) => t.format("%d-%m-%Y").to_string(),
            None => dt.as_f64().to_string(),
        },
        DataRef::Error(e) => format!("#{e:?}"),
    };
    if tekst.contains([';', '"', '\n', '\r']) { format!("\"{}\"", tekst.replace('"', "\"\"")) } else { tekst }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn werkmap() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("Bpvo's").unwrap();
        for (c, h) in ["Correlatie_id", "Crebo_code", "Startdatum", "Naam"].iter().enumerate() {
            ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
        }
        ws.write_string(1, 0, "A-1").unwrap();
        ws.write_number(1, 1, 25604.0).unwrap();
        let datum = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 9, 1).unwrap();
        ws.write_datetime_with_format(1, 2, &datum, &rust_xlsxwriter::Format::new().set_num_format("dd-mm-yyyy"))
            .unwrap();
        ws.write_string(1, 3, "Zoë; \"Z\" Çelik").unwrap();
        ws.write_string(2, 0, "A-2").unwrap();
        ws.write_string(2, 2, "15-09-2026").unwrap();
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_workbook_becomes_the_csv_the_reader_knows() {
        let bytes = werkmap();
        assert_eq!(herken(&bytes), Soort::Xlsx);
        let (naam, csv) = xlsx_naar_csv(&bytes, 1000).unwrap();
        assert_eq!(naam, "Bpvo's");
        let regels: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(regels[0], "Correlatie_id;Crebo_code;Startdatum;Naam");
        assert_eq!(regels[1], "A-1;25604;01-09-2026;\"Zoë; \"\"Z\"\" Çelik\"", "a date cell, a number, quoting");
        assert_eq!(regels[2], "A-2;;15-09-2026;", "dates typed as text stay text");
    }

    #[test]
    fn other_binary_files_are_named() {
        assert_eq!(herken(b"PK\x03\x04 word/document.xml"), Soort::Anders("een zip-bestand"));
        assert_eq!(
            herken(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]),
            Soort::Anders("een oud Excel- of Word-bestand (.xls/.doc)")
        );
        assert_eq!(herken(&[0x89, b'P', b'N', b'G', 0]), Soort::Anders("een afbeelding"));
        assert_eq!(herken(b"abc\0def"), Soort::Anders("een binair bestand"));
        assert_eq!(herken(&[0xFF, 0xFE, b'a', 0]), Soort::Tekst, "UTF-16 text with its mark is text");
        assert!(xlsx_naar_csv(b"PK\x03\x04 xl/ not really", 10).is_err());
    }
}
