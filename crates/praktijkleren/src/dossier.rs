//! Kwalificatiedossiers: per qualification (crebo) its kerntaken and their werkprocessen, the
//! units a praktijkverklaring is made of.

use std::collections::{BTreeMap, HashSet};

use bpvo::{Crebo, FieldError, ReferenceError, ValueError, cell, check_text, codes, duplicate, read_reference};

/// Code of a werkproces as the qualification structure writes it: `B1-K1-W2` (basisdeel,
/// kerntaak 1, werkproces 2) or `P2-K1-W3` (profieldeel).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct WerkprocesCode(String);

impl WerkprocesCode {
    /// Parse `B1-K1-W2` (upper-cased; surrounding space ignored).
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let s = input.trim().to_uppercase();
        parts(&s, 3).filter(|p| p[2].0 == 'W').map(|_| Self(s.clone())).ok_or_else(|| {
            ValueError::new(
                codes::PATTERN,
                format!("Een werkprocescode heeft de vorm B1-K1-W1 (gekregen: {input:?})"),
                format!("A werkproces code looks like B1-K1-W1 (got: {input:?})"),
            )
        })
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kerntaak it belongs to: `B1-K1` of `B1-K1-W2`.
    pub fn kerntaak(&self) -> &str {
        self.0.rsplit_once('-').map_or(&self.0, |(k, _)| k)
    }
}

impl std::fmt::Display for WerkprocesCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `B1`, `K1`, `W2` … : `n` dash-separated parts, a letter and a number each, the first `B` or `P`
/// and the second `K`.
fn parts(s: &str, n: usize) -> Option<Vec<(char, u32)>> {
    let parts: Vec<(char, u32)> = s
        .split('-')
        .map(|p| {
            let mut chars = p.chars();
            let letter = chars.next()?;
            let digits = chars.as_str();
            (!digits.is_empty() && digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse().ok().map(|d| (letter, d)))?
        })
        .collect::<Option<_>>()?;
    (parts.len() == n && matches!(parts[0].0, 'B' | 'P') && parts[1].0 == 'K').then_some(parts)
}

/// One werkproces of a kerntaak.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Werkproces {
    pub code: WerkprocesCode,
    pub naam: String,
}

/// One kerntaak with its werkprocessen, in order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Kerntaak {
    /// `B1-K1`.
    pub code: String,
    pub naam: String,
    pub werkprocessen: Vec<Werkproces>,
}

/// The kerntaken and werkprocessen of one qualification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Kwalificatiedossier {
    pub crebo: Crebo,
    pub kerntaken: Vec<Kerntaak>,
}

impl Kwalificatiedossier {
    /// The werkproces with this code, with its kerntaak.
    pub fn werkproces(&self, code: &WerkprocesCode) -> Option<(&Kerntaak, &Werkproces)> {
        self.kerntaken.iter().find_map(|k| k.werkprocessen.iter().find(|w| &w.code == code).map(|w| (k, w)))
    }

    /// Every werkproces, kerntaak by kerntaak.
    pub fn werkprocessen(&self) -> impl Iterator<Item = (&Kerntaak, &Werkproces)> {
        self.kerntaken.iter().flat_map(|k| k.werkprocessen.iter().map(move |w| (k, w)))
    }
}

/// One line of a dossier file: a werkproces with its kerntaak and qualification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DossierRegel {
    pub crebo: String,
    pub kerntaak_code: String,
    pub kerntaak_naam: String,
    pub werkproces_code: String,
    pub werkproces_naam: String,
}

/// The CSV columns of a dossier file (one line per werkproces).
pub const DOSSIER_COLUMNS: [&str; 5] =
    ["crebo", "kerntaak_code", "kerntaak_naam", "werkproces_code", "werkproces_naam"];

/// Read dossiers from CSV ([`DOSSIER_COLUMNS`], any separator and encoding the upload reader
/// takes). All or nothing: every bad line is named.
pub fn read_dossiers_csv(bytes: &[u8]) -> Result<Vec<Kwalificatiedossier>, ReferenceError> {
    let mut seen = HashSet::new();
    let lines = read_reference(bytes, &DOSSIER_COLUMNS, |cells, errors| {
        let text = |i: usize, column: &str, errors: &mut Vec<FieldError>| {
            cell(cells, i, column, errors, |s| check_text(s, "Naam", "Name"))
        };
        let crebo = cell(cells, 0, "crebo", errors, Crebo::parse);
        let kerntaak = cell(cells, 1, "kerntaak_code", errors, parse_kerntaak);
        let kerntaak_naam = text(2, "kerntaak_naam", errors);
        let werkproces = cell(cells, 3, "werkproces_code", errors, WerkprocesCode::parse);
        let werkproces_naam = text(4, "werkproces_naam", errors);
        check_line(crebo.as_ref(), kerntaak.as_deref(), werkproces.as_ref(), &mut seen, errors);
        Some((crebo?, kerntaak?, kerntaak_naam?, werkproces?, werkproces_naam?))
    })?;
    Ok(assemble(lines))
}

/// Read dossiers from JSON: an array of [`DossierRegel`]. All or nothing, every bad entry named
/// by its 1-based position (as a line number).
pub fn read_dossiers_json(bytes: &[u8]) -> Result<Vec<Kwalificatiedossier>, DossierJsonError> {
    let regels: Vec<DossierRegel> =
        serde_json::from_slice(bytes).map_err(|e| DossierJsonError::Syntax(e.to_string()))?;
    let mut seen = HashSet::new();
    let mut lines = Vec::with_capacity(regels.len());
    let mut bad = Vec::new();
    for (i, r) in regels.iter().enumerate() {
        let mut errors = Vec::new();
        let mut field =
            |name: &str, v: Result<String, ValueError>| v.map_err(|e| errors.push(FieldError::new(name, &e))).ok();
        let kerntaak_naam = field("kerntaakNaam", check_text(r.kerntaak_naam.trim(), "Naam", "Name"));
        let werkproces_naam = field("werkprocesNaam", check_text(r.werkproces_naam.trim(), "Naam", "Name"));
        let crebo = Crebo::parse(&r.crebo).map_err(|e| errors.push(FieldError::new("crebo", &e))).ok();
        let kerntaak =
            parse_kerntaak(&r.kerntaak_code).map_err(|e| errors.push(FieldError::new("kerntaakCode", &e))).ok();
        let werkproces = WerkprocesCode::parse(&r.werkproces_code)
            .map_err(|e| errors.push(FieldError::new("werkprocesCode", &e)))
            .ok();
        check_line(crebo.as_ref(), kerntaak.as_deref(), werkproces.as_ref(), &mut seen, &mut errors);
        match (crebo, kerntaak, kerntaak_naam, werkproces, werkproces_naam) {
            (Some(c), Some(k), Some(kn), Some(w), Some(wn)) if errors.is_empty() => lines.push((c, k, kn, w, wn)),
            _ => bad.push(bpvo::CsvLineError { line: i + 1, errors: bpvo::ValidationErrors(errors) }),
        }
    }
    if bad.is_empty() { Ok(assemble(lines)) } else { Err(DossierJsonError::Entries(bad)) }
}

/// Why a JSON dossier file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierJsonError {
    /// Not a JSON array of dossier lines.
    #[error("not a JSON array of dossier lines: {0}")]
    Syntax(String),
    /// These entries (1-based) are invalid.
    #[error("{} invalid entr(y/ies), first at {}", .0.len(), .0.first().map_or(0, |e| e.line))]
    Entries(Vec<bpvo::CsvLineError>),
}

/// The dossiers shipped with this crate (`data/kwalificatiedossiers.csv`: level 1 and 2
/// qualifications in logistiek, retail, facilitair/schoonmaak, horeca and zorg en welzijn), for
/// the demo and tests. The real set comes from SBB through `bpv admin import-kwalificatiedossiers`.
pub fn builtin_dossiers() -> Vec<Kwalificatiedossier> {
    read_dossiers_csv(include_bytes!("../data/kwalificatiedossiers.csv")).unwrap_or_default()
}

/// `B1-K1`.
fn parse_kerntaak(input: &str) -> Result<String, ValueError> {
    let s = input.trim().to_uppercase();
    parts(&s, 2).map(|_| s.clone()).ok_or_else(|| {
        ValueError::new(
            codes::PATTERN,
            format!("Een kerntaakcode heeft de vorm B1-K1 (gekregen: {input:?})"),
            format!("A kerntaak code looks like B1-K1 (got: {input:?})"),
        )
    })
}

/// A werkproces belongs to the kerntaak its code names, and occurs once per qualification.
fn check_line(
    crebo: Option<&Crebo>,
    kerntaak: Option<&str>,
    werkproces: Option<&WerkprocesCode>,
    seen: &mut HashSet<(String, String)>,
    errors: &mut Vec<FieldError>,
) {
    let (Some(crebo), Some(kerntaak), Some(w)) = (crebo, kerntaak, werkproces) else { return };
    if w.kerntaak() != kerntaak {
        errors.push(FieldError::new(
            "werkproces_code",
            &ValueError::new(
                codes::PATTERN,
                format!("Werkproces {w} hoort niet bij kerntaak {kerntaak}"),
                format!("Werkproces {w} is not part of kerntaak {kerntaak}"),
            ),
        ));
    }
    if !seen.insert((crebo.as_str().to_owned(), w.as_str().to_owned())) {
        errors.push(FieldError::new("werkproces_code", &duplicate("Werkproces", "Werkproces", w.as_str())));
    }
}

type Line = (Crebo, String, String, WerkprocesCode, String);

/// Lines grouped into dossiers: crebo's in order, kerntaken and werkprocessen in file order.
fn assemble(lines: Vec<Line>) -> Vec<Kwalificatiedossier> {
    let mut dossiers: BTreeMap<String, Kwalificatiedossier> = BTreeMap::new();
    for (crebo, kerntaak, kerntaak_naam, code, naam) in lines {
        let d = dossiers
            .entry(crebo.as_str().to_owned())
            .or_insert_with(|| Kwalificatiedossier { crebo, kerntaken: Vec::new() });
        let k = match d.kerntaken.iter().position(|k| k.code == kerntaak) {
            Some(i) => &mut d.kerntaken[i],
            None => {
                d.kerntaken.push(Kerntaak { code: kerntaak, naam: kerntaak_naam, werkprocessen: Vec::new() });
                let last = d.kerntaken.len() - 1;
                &mut d.kerntaken[last]
            }
        };
        k.werkprocessen.push(Werkproces { code, naam });
    }
    dossiers.into_values().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_builtin_dossiers_read() {
        let d = builtin_dossiers();
        assert_eq!(d.len(), 8);
        for dossier in &d {
            assert!(dossier.kerntaken.len() >= 2, "{}", dossier.crebo);
            assert!(dossier.kerntaken.iter().all(|k| (3..=6).contains(&k.werkprocessen.len())), "{}", dossier.crebo);
        }
    }

    #[test]
    fn werkproces_codes() {
        let w = WerkprocesCode::parse(" b1-k2-w3 ").unwrap();
        assert_eq!((w.as_str(), w.kerntaak()), ("B1-K2-W3", "B1-K2"));
        assert!(WerkprocesCode::parse("P1-K1-W12").is_ok());
        for bad in ["", "B1-K1", "X1-K1-W1", "B1-K1-X1", "B1-K1-W", "B-K1-W1", "B1-K1-W1-W2", "B1-K1-W123"] {
            assert!(WerkprocesCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn csv_dossiers_are_grouped_and_checked() {
        let text = "crebo;kerntaak_code;kerntaak_naam;werkproces_code;werkproces_naam\n\
                    25998;B1-K1;Logistiek werk;B1-K1-W1;Ontvangt goederen\n\
                    25998;B1-K1;Logistiek werk;B1-K1-W2;Slaat goederen op\n\
                    25998;B1-K2;Voorraad;B1-K2-W1;Telt de voorraad\n";
        let d = read_dossiers_csv(text.as_bytes()).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kerntaken.len(), 2);
        assert_eq!(d[0].kerntaken[0].werkprocessen.len(), 2);
        let code = WerkprocesCode::parse("B1-K2-W1").unwrap();
        assert_eq!(d[0].werkproces(&code).unwrap().0.naam, "Voorraad");

        let bad = "crebo;kerntaak_code;kerntaak_naam;werkproces_code;werkproces_naam\n\
                   25998;B1-K1;Logistiek;B1-K1-W1;Ontvangt\n\
                   25998;B1-K1;Logistiek;B1-K1-W1;Nog eens\n\
                   25998;B1-K1;Logistiek;B1-K2-W1;Verkeerde kerntaak\n\
                   2599;B1-K1;Logistiek;B1-K1-W3;\n";
        let Err(ReferenceError::Lines(lines)) = read_dossiers_csv(bad.as_bytes()) else { panic!() };
        let found: Vec<(usize, Vec<&str>)> = lines.iter().map(|l| (l.line, l.errors.fields())).collect();
        assert_eq!(
            found,
            vec![(3, vec!["werkproces_code"]), (4, vec!["werkproces_code"]), (5, vec!["crebo", "werkproces_naam"]),]
        );
    }

    #[test]
    fn json_dossiers_name_each_bad_entry() {
        let ok = r#"[{"crebo":"25998","kerntaakCode":"B1-K1","kerntaakNaam":"Werk","werkprocesCode":"B1-K1-W1","werkprocesNaam":"Doet"}]"#;
        assert_eq!(read_dossiers_json(ok.as_bytes()).unwrap()[0].werkprocessen().count(), 1);
        let bad = r#"[{"crebo":"25998","kerntaakCode":"B1-K1","kerntaakNaam":"Werk","werkprocesCode":"B1-K1-W1","werkprocesNaam":"Doet"},
                      {"crebo":"x","kerntaakCode":"B1","kerntaakNaam":"","werkprocesCode":"B1-K1-W2","werkprocesNaam":"Doet"}]"#;
        let Err(DossierJsonError::Entries(e)) = read_dossiers_json(bad.as_bytes()) else { panic!() };
        assert_eq!(e[0].line, 2);
        assert_eq!(e[0].errors.fields(), ["kerntaakNaam", "crebo", "kerntaakCode"]);
        assert!(matches!(read_dossiers_json(b"{}"), Err(DossierJsonError::Syntax(_))));
    }
}
