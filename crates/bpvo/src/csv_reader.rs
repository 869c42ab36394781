//! Reads the CSV files schools actually produce (Dutch Excel, SIS exports): `;` or `,`,
//! UTF-8 or Windows-1252, Dutch dates, extra columns. Every problem is tied to its real line.

use std::borrow::Cow;

use crate::dates::{check_year_range, parse_school_date};
use crate::error::{FieldError, ValidationErrors, ValueError, codes};
use crate::model::Bpvo;
use crate::upload::{BpvoRecord, SchoolRecord, StudentRecord};

/// Row limit used by [`read_csv`]; larger files should be split (or use [`read_csv_with_limit`]).
pub const DEFAULT_MAX_ROWS: usize = 100_000;

/// The CSV columns of an upload, in the order of the record's fields, with their JSON paths; the
/// last [`OPTIONAL_BPVO_COLUMNS`] may be left out of a file.
pub const BPVO_COLUMNS: [(&str, &str); 13] = [
    ("Correlatie_id", "correlatieId"),
    ("Leerbedrijf_code", "leerbedrijfCode"),
    ("Crebo_code", "creboCode"),
    ("Startdatum", "startdatum"),
    ("Geplande_einddatum", "geplandeEinddatum"),
    ("Leerweg_naam", "leerwegNaam"),
    ("Emailadres", "student.emailadres"),
    ("Studentcode", "student.studentcode"),
    ("Naam", "student.naam"),
    ("Schoolnaam", "school.schoolnaam"),
    ("Locatiecode", "school.locatiecode"),
    ("Aanbiedercode", "school.aanbiedercode"),
    ("Keuzedeel_code", "keuzedeelCode"),
];

/// How many of [`BPVO_COLUMNS`], counted from the end, a file may leave out (files made before
/// the column existed stay valid).
pub const OPTIONAL_BPVO_COLUMNS: usize = 1;

/// One data line of the file, as an unvalidated record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CsvRow {
    /// 1-based physical line number where the row starts (the header is line 1).
    pub line: usize,
    /// The values of the row as typed (trimmed; empty cells are `None`).
    pub record: BpvoRecord,
}

/// A line that could not even be turned into a record (e.g. the wrong number of fields).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CsvLineError {
    /// 1-based physical line number.
    pub line: usize,
    /// What is wrong with it.
    pub errors: ValidationErrors,
}

/// A CSV upload, read but not yet validated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CsvFile {
    /// The separator found in the header line (`;`, `,` or tab).
    pub delimiter: u8,
    /// `"UTF-8"`, `"windows-1252"`, `"UTF-16LE"` or `"UTF-16BE"`.
    pub encoding: &'static str,
    /// The data lines that have the right shape.
    pub rows: Vec<CsvRow>,
    /// The data lines that do not.
    pub line_errors: Vec<CsvLineError>,
    /// Header names that are not upload columns and were ignored (SIS exports carry more);
    /// worth showing, since a misspelt required column ends up here.
    pub ignored_columns: Vec<String>,
}

impl CsvFile {
    /// Validates every row. Returns one entry per data line in file order, *including* the lines
    /// in [`CsvFile::line_errors`] (as `Err`), so a caller can report the whole file from this
    /// list alone. Error messages name the CSV column, and date errors describe the Dutch
    /// formats this reader accepts.
    pub fn parse(&self) -> Vec<(usize, Result<Bpvo, ValidationErrors>)> {
        let mut out: Vec<(usize, Result<Bpvo, ValidationErrors>)> = self
            .rows
            .iter()
            .map(|row| {
                let result = Bpvo::from_record(&row.record, parse_csv_date).map_err(csv_messages);
                (row.line, result)
            })
            .chain(self.line_errors.iter().map(|le| (le.line, Err(le.errors.clone()))))
            .collect();
        out.sort_by_key(|(line, _)| *line);
        out
    }
}

/// A date as schools type it (`1-9-2024`, `01/09/2024`, `2024-09-01`), within the accepted years.
fn parse_csv_date(s: &str) -> Result<chrono::NaiveDate, ValueError> {
    parse_school_date(s).and_then(check_year_range)
}

/// Rewrites record errors for a CSV audience: the column name is added.
fn csv_messages(errors: ValidationErrors) -> ValidationErrors {
    errors
        .into_iter()
        .map(|mut fe| {
            if let Some((column, _)) = BPVO_COLUMNS.iter().find(|(_, p)| *p == fe.field) {
                fe.message_nl = format!("{} (kolom {column})", fe.message_nl);
                fe.message_en = format!("{} (column {column})", fe.message_en);
            }
            fe
        })
        .collect()
}

/// Why a CSV file could not be read at all. Problems with single lines are not errors here:
/// they are reported per line in [`CsvFile`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// No header line: the file is empty or blank.
    #[error("the file is empty; expected a header line followed by data lines")]
    Empty,
    /// Required columns are missing from the header line.
    #[error("missing column(s) in the header line: {}", .missing.join(", "))]
    MissingColumns {
        /// The expected column names that were not found, in the documented order.
        missing: Vec<String>,
    },
    /// A column occurs twice in the header line, so it is unclear which one to use.
    #[error("column {0} occurs more than once in the header line")]
    DuplicateColumn(String),
    /// The CSV structure could not be read.
    #[error("line {line}: {message}")]
    Malformed {
        /// Line where reading stopped.
        line: usize,
        /// What went wrong.
        message: String,
    },
    /// More data lines than allowed in one upload.
    #[error("the file has more than {max} data lines; split it into smaller files")]
    TooManyRows {
        /// The limit.
        max: usize,
    },
}

impl CsvError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CsvError::Empty => "empty_file",
            CsvError::MissingColumns { .. } => "missing_columns",
            CsvError::DuplicateColumn(_) => "duplicate_column",
            CsvError::Malformed { .. } => "malformed",
            CsvError::TooManyRows { .. } => "too_many_rows",
        }
    }

    /// The message in Dutch, for the school.
    pub fn message_nl(&self) -> String {
        match self {
            CsvError::Empty => {
                "Het bestand is leeg; verwacht een kopregel met kolomnamen en daarna de gegevens".to_owned()
            }
            CsvError::MissingColumns { missing } => {
                format!("Deze kolom(men) ontbreken in de kopregel: {}", missing.join(", "))
            }
            CsvError::DuplicateColumn(c) => {
                format!("De kolom {c} staat meer dan eens in de kopregel")
            }
            CsvError::Malformed { line, message } => {
                format!("Regel {line} kan niet worden gelezen: {message}")
            }
            CsvError::TooManyRows { max } => {
                format!("Het bestand heeft meer dan {max} regels met gegevens; splits het in kleinere bestanden")
            }
        }
    }

    /// The message in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Reads a bpvo upload file with at most [`DEFAULT_MAX_ROWS`] data lines.
///
/// ```
/// let file = "\u{feff}Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;\
///             Startdatum;Geplande_einddatum;Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode\r\n\
///             BPV-1;100012345;25604;zoe@voorbeeld.nl;S123;Zoë Çelik;01-09-2024;31-01-2025;BOL;\
///             ROC Voorbeeld;123X456;123A456\r\n\
///             BPV-2;100012345;2560;;S124;Jan;01-09-2024;31-01-2025;BBL;ROC Voorbeeld;123X456;123A456\r\n";
/// let csv = bpvo::read_csv(file.as_bytes()).unwrap();
/// assert_eq!(csv.delimiter, b';');
/// let results = csv.parse();
/// assert_eq!(results[0].0, 2);
/// assert!(results[0].1.is_ok());
/// let (line, errors) = (&results[1].0, results[1].1.as_ref().unwrap_err());
/// assert_eq!(*line, 3);
/// assert_eq!(errors.fields(), ["creboCode"]);
/// ```
pub fn read_csv(bytes: &[u8]) -> Result<CsvFile, CsvError> {
    read_csv_with_limit(bytes, DEFAULT_MAX_ROWS)
}

/// Reads a bpvo upload file with at most `max_rows` data lines (blank lines not counted).
pub fn read_csv_with_limit(bytes: &[u8], max_rows: usize) -> Result<CsvFile, CsvError> {
    let headers: Vec<&'static str> = BPVO_COLUMNS.iter().map(|(h, _)| *h).collect();
    let table = read_table_optional(bytes, &headers, headers.len() - OPTIONAL_BPVO_COLUMNS, max_rows)?;
    let rows =
        table.rows.into_iter().map(|row| CsvRow { line: row.line, record: record_from_cells(row.cells) }).collect();
    Ok(CsvFile {
        delimiter: table.delimiter,
        encoding: table.encoding,
        rows,
        line_errors: table.line_errors,
        ignored_columns: table.ignored_columns,
    })
}

/// Builds a record from cells in [`BPVO_COLUMNS`] order.
fn record_from_cells(cells: Vec<Option<String>>) -> BpvoRecord {
    let mut it = cells.into_iter();
    let mut next = || it.next().flatten();
    let correlatie_id = next();
    let leerbedrijf_code = next();
    let crebo_code = next();
    // Dates stay as typed: `CsvFile::parse` reads them once, with the school-date parser.
    let startdatum = next();
    let geplande_einddatum = next();
    let leerweg_naam = next();
    let emailadres = next();
    let studentcode = next();
    let naam = next();
    let schoolnaam = next();
    let locatiecode = next();
    let aanbiedercode = next();
    let keuzedeel_code = next();
    BpvoRecord {
        correlatie_id,
        leerbedrijf_code,
        crebo_code,
        startdatum,
        geplande_einddatum,
        leerweg_naam,
        keuzedeel_code,
        student: Some(StudentRecord { emailadres, studentcode, naam }),
        school: Some(SchoolRecord { schoolnaam, locatiecode, aanbiedercode }),
    }
}

// ---- Reader internals, shared with the reference-data readers. ----

/// A CSV file reduced to the wanted columns.
#[derive(Debug)]
pub(crate) struct Table {
    pub delimiter: u8,
    pub encoding: &'static str,
    pub rows: Vec<TableRow>,
    pub line_errors: Vec<CsvLineError>,
    pub ignored_columns: Vec<String>,
}

/// One data line: the wanted columns' trimmed values (`None` when empty), in the order asked.
#[derive(Debug)]
pub(crate) struct TableRow {
    pub line: usize,
    pub cells: Vec<Option<String>>,
}

/// Decodes the file: UTF-16 when it has a UTF-16 byte-order mark, UTF-8 (BOM stripped) when
/// valid, otherwise Windows-1252, which is what Dutch Excel writes for "CSV (gescheiden door
/// lijstscheidingsteken)".
fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
    if bytes.starts_with(&[0xFF, 0xFE]) {
        let (text, _) = encoding_rs::UTF_16LE.decode_with_bom_removal(bytes);
        return (text, "UTF-16LE");
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _) = encoding_rs::UTF_16BE.decode_with_bom_removal(bytes);
        return (text, "UTF-16BE");
    }
    let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(without_bom) {
        Ok(s) => (Cow::Borrowed(s), "UTF-8"),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, "windows-1252")
        }
    }
}

/// Lower-case letters and digits only, so that `Correlatie_id`, ` correlatie id ` and
/// `CorrelatieId` all name the same column.
fn normalise_header(h: &str) -> String {
    h.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Picks the separator that occurs most often outside quotes in the header line; ties go to
/// `;`, the Dutch Excel default (whose headers never contain commas).
fn sniff_delimiter(header_line: &str) -> u8 {
    let (mut semi, mut comma, mut tab) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in header_line.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > semi && tab > comma {
        b'\t'
    } else if comma > semi {
        b','
    } else {
        b';'
    }
}

/// Maps byte offsets to physical line numbers. `csv::Position::line()` cannot be used for
/// this: it counts a CRLF file's first line break late and is taken before blank lines are
/// skipped, so it points at the wrong line in exactly the files schools send.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for (i, &c) in b.iter().enumerate() {
            let is_break = c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n'));
            if is_break {
                starts.push(i + 1);
            }
        }
        Self { starts }
    }

    /// Line of the first character at or after `offset` that is not a line break (the csv
    /// reader reports a record's position before the blank lines it skips).
    fn line_of_record(&self, text: &str, offset: usize) -> usize {
        let skipped = text
            .as_bytes()
            .get(offset..)
            .map_or(0, |rest| rest.iter().take_while(|&&c| c == b'\r' || c == b'\n').count());
        let pos = offset + skipped;
        self.starts.partition_point(|&s| s <= pos).max(1)
    }
}

/// Reads `bytes` as CSV with a header line and returns the `wanted` columns of each line.
/// Header names match case-insensitively, ignoring spaces and punctuation.
pub(crate) fn read_table(bytes: &[u8], wanted: &[&'static str], max_rows: usize) -> Result<Table, CsvError> {
    read_table_optional(bytes, wanted, wanted.len(), max_rows)
}

/// [`read_table`] where the columns from index `required` on may be missing from the header
/// (their cells are then empty).
pub(crate) fn read_table_optional(
    bytes: &[u8],
    wanted: &[&'static str],
    required: usize,
    max_rows: usize,
) -> Result<Table, CsvError> {
    let (text, encoding) = decode(bytes);
    let text: &str = &text;
    // A UTF-8 BOM inside decoded text (e.g. a UTF-16 file that had one too) is not content.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let lines = LineIndex::new(text);

    // The first non-blank line gives the separator; Excel's own `sep=;` hint line overrides it.
    let mut body_start = 0;
    let mut delimiter = b';';
    let mut found_line = false;
    for (i, &start) in lines.starts.iter().enumerate() {
        let end = lines.starts.get(i + 1).copied().unwrap_or(text.len());
        let line = text.get(start..end).unwrap_or("");
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        found_line = true;
        let hint = trimmed
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("sep="))
            .and_then(|_| trimmed.get(4..))
            .filter(|rest| rest.len() == 1);
        if let Some(sep) = hint {
            delimiter = sep.as_bytes()[0];
            body_start = end;
        } else {
            delimiter = sniff_delimiter(line);
            body_start = start;
        }
        break;
    }
    if !found_line {
        return Err(CsvError::Empty);
    }

    let body = text.get(body_start..).unwrap_or("");
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(body.as_bytes());

    let mut header: Option<(Vec<Option<usize>>, usize)> = None;
    let mut ignored_columns = Vec::new();
    let mut rows = Vec::new();
    let mut line_errors = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        // The reader's position before a record is where that record (or the blank lines
        // before it) starts; `LineIndex` turns it into the real line.
        let offset = body_start + usize::try_from(reader.position().byte()).unwrap_or(0);
        let line = lines.line_of_record(text, offset);
        // The input is already valid UTF-8 and `flexible` allows any field count, so the
        // reader has little left to object to; should it, the whole file is refused.
        let more = reader.read_record(&mut record).map_err(|e| CsvError::Malformed { line, message: e.to_string() })?;
        if !more {
            break;
        }
        // Lines of only separators (`;;;;`), as Excel leaves below a table, count as blank.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match &header {
            None => {
                let (map, ignored) = map_header(&record, wanted, required)?;
                ignored_columns = ignored;
                header = Some((map, record.len()));
            }
            Some((map, width)) => {
                if rows.len() + line_errors.len() >= max_rows {
                    return Err(CsvError::TooManyRows { max: max_rows });
                }
                // A few extra empty cells at the end (a trailing `;`) are harmless; anything
                // else means values may have shifted into the wrong column.
                let extra_filled = record.iter().skip(*width).any(|c| !c.trim().is_empty());
                if record.len() < *width || extra_filled {
                    line_errors.push(field_count_error(line, record.len(), *width));
                    continue;
                }
                let cells = map
                    .iter()
                    .map(|idx| {
                        idx.and_then(|i| record.get(i)).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
                    })
                    .collect();
                rows.push(TableRow { line, cells });
            }
        }
    }
    if header.is_none() {
        return Err(CsvError::Empty);
    }
    Ok(Table { delimiter, encoding, rows, line_errors, ignored_columns })
}

/// Finds each wanted column in the header; returns their indices and the ignored names.
fn map_header(
    record: &csv::StringRecord,
    wanted: &[&'static str],
    required: usize,
) -> Result<(Vec<Option<usize>>, Vec<String>), CsvError> {
    let wanted_norm: Vec<String> = wanted.iter().map(|w| normalise_header(w)).collect();
    let mut map: Vec<Option<usize>> = vec![None; wanted.len()];
    let mut ignored = Vec::new();
    for (i, name) in record.iter().enumerate() {
        let norm = normalise_header(name);
        if norm.is_empty() {
            continue;
        }
        match wanted_norm.iter().position(|w| *w == norm) {
            Some(k) => {
                if map[k].is_some() {
                    return Err(CsvError::DuplicateColumn(wanted[k].to_owned()));
                }
                map[k] = Some(i);
            }
            None => ignored.push(name.trim().to_owned()),
        }
    }
    let missing: Vec<String> =
        wanted.iter().zip(&map).take(required).filter(|(_, idx)| idx.is_none()).map(|(w, _)| (*w).to_owned()).collect();
    if missing.is_empty() { Ok((map, ignored)) } else { Err(CsvError::MissingColumns { missing }) }
}

fn field_count_error(line: usize, got: usize, want: usize) -> CsvLineError {
    let e = ValueError::new(
        codes::FIELD_COUNT,
        format!("Regel {line} heeft {got} velden, de kopregel {want}; controleer scheidingstekens en aanhalingstekens"),
        format!("Line {line} has {got} fields, the header line {want}; check separators and quotes"),
    );
    CsvLineError { line, errors: ValidationErrors(vec![FieldError::new("", &e)]) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const HEADER: &str = "Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;Startdatum;Geplande_einddatum;Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode";

    fn row(id: &str) -> String {
        format!(
            "{id};100012345;25604;zoe@voorbeeld.nl;S123;Zoë Çelik-de Vries;01-09-2024;31-01-2025;BOL;ROC Voorbeeld;123X456;123A456"
        )
    }

    fn ok_lines(f: &CsvFile) -> Vec<usize> {
        f.parse().into_iter().filter(|(_, r)| r.is_ok()).map(|(l, _)| l).collect()
    }

    #[test]
    fn semicolon_bom_crlf_and_dutch_dates() {
        let text = format!("\u{feff}{HEADER}\r\n{}\r\n{}\r\n", row("A1"), row("A2"));
        let f = read_csv(text.as_bytes()).unwrap();
        assert_eq!(f.delimiter, b';');
        assert_eq!(f.encoding, "UTF-8");
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[0].line, 2);
        assert_eq!(f.rows[1].line, 3);
        assert_eq!(f.rows[0].record.startdatum.as_deref(), Some("01-09-2024"), "kept as typed");
        let parsed = f.parse();
        let b = parsed[0].1.as_ref().unwrap();
        assert_eq!(b.periode.startdatum().to_string(), "2024-09-01", "read once, as a Dutch date");
        assert_eq!(b.correlatie_id.as_str(), "A1");
        assert_eq!(b.student.naam.as_str(), "Zoë Çelik-de Vries");
        assert_eq!(b.periode.geplande_einddatum().to_string(), "2025-01-31");
    }

    #[test]
    fn comma_lf_and_iso_dates() {
        let text = "correlatie_id,leerbedrijf_code,crebo_code,emailadres,studentcode,naam,startdatum,geplande_einddatum,leerweg_naam,schoolnaam,locatiecode,aanbiedercode\n\
                    X-1,100012345,25604,,S1,\"Jansen, Piet\",2024-09-01,2025-01-31,bbl,ROC Voorbeeld,123X456,123A456\n";
        let f = read_csv(text.as_bytes()).unwrap();
        assert_eq!(f.delimiter, b',');
        let parsed = f.parse();
        assert_eq!(parsed.len(), 1);
        let b = parsed[0].1.as_ref().unwrap();
        assert_eq!(b.student.naam.as_str(), "Jansen, Piet");
        assert_eq!(b.student.emailadres, None);
        assert_eq!(b.leerweg, crate::Leerweg::Bbl);
    }

    #[test]
    fn tab_separated_is_read_too() {
        let text = format!("{}\n{}\n", HEADER.replace(';', "\t"), row("T").replace(';', "\t"));
        let f = read_csv(text.as_bytes()).unwrap();
        assert_eq!(f.delimiter, b'\t');
        assert_eq!(ok_lines(&f), vec![2]);
    }

    #[test]
    fn windows_1252_names_survive() {
        let text = format!("{HEADER}\r\n{}\r\n", row("W1"));
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
        let f = read_csv(&bytes).unwrap();
        assert_eq!(f.encoding, "windows-1252");
        assert_eq!(f.rows[0].record.student.as_ref().unwrap().naam.as_deref(), Some("Zoë Çelik-de Vries"));
        assert_eq!(ok_lines(&f), vec![2]);
    }

    #[test]
    fn utf16_from_excel_unicode_text_is_read() {
        let text = format!("{}\r\n{}\r\n", HEADER.replace(';', "\t"), row("U").replace(';', "\t"));
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let f = read_csv(&bytes).unwrap();
        assert_eq!(f.encoding, "UTF-16LE");
        assert_eq!(ok_lines(&f), vec![2]);
    }

    #[test]
    fn quoted_field_with_separator_inside() {
        let r = row("Q1").replace("ROC Voorbeeld", "\"ROC Midden; locatie Utrecht\"");
        let f = read_csv(format!("{HEADER}\n{r}\n").as_bytes()).unwrap();
        let parsed = f.parse();
        let b = parsed[0].1.as_ref().unwrap();
        assert_eq!(b.school.schoolnaam.as_str(), "ROC Midden; locatie Utrecht");
    }

    #[test]
    fn header_variations_and_extra_columns() {
        let header = " correlatie_id ;LEERBEDRIJF_CODE;Crebo code;Extra;EmailAdres;Studentcode;naam;startdatum;Geplande_Einddatum;leerweg_naam;SCHOOLNAAM;Locatiecode;Aanbiedercode;Klas";
        let r = "B1;100012345;25604;x;;S1;Jan;2024-09-01;2025-01-31;BOL;ROC;123X456;123A456;4B";
        let f = read_csv(format!("{header}\n{r}\n").as_bytes()).unwrap();
        assert_eq!(f.ignored_columns, vec!["Extra", "Klas"]);
        assert_eq!(ok_lines(&f), vec![2]);
    }

    #[test]
    fn columns_in_any_order() {
        let mut cols: Vec<&str> = HEADER.split(';').collect();
        let mut vals: Vec<String> = row("R").split(';').map(str::to_owned).collect();
        cols.reverse();
        vals.reverse();
        let f = read_csv(format!("{}\n{}\n", cols.join(";"), vals.join(";")).as_bytes()).unwrap();
        assert_eq!(ok_lines(&f), vec![2]);
    }

    #[test]
    fn missing_columns_are_all_listed() {
        let header = "Correlatie_id;Crebo_code;Emailadres;Studentcode;Startdatum;Geplande_einddatum;Leerweg_naam;Schoolnaam;Locatiecode";
        let e = read_csv(format!("{header}\n").as_bytes()).unwrap_err();
        assert_eq!(
            e,
            CsvError::MissingColumns {
                missing: vec!["Leerbedrijf_code".into(), "Naam".into(), "Aanbiedercode".into()]
            }
        );
        assert!(e.message_nl().contains("Leerbedrijf_code, Naam, Aanbiedercode"));
        assert_eq!(e.code(), "missing_columns");
    }

    #[test]
    fn duplicate_column_is_refused() {
        let header = format!("{HEADER};naam");
        let e = read_csv(header.as_bytes()).unwrap_err();
        assert_eq!(e, CsvError::DuplicateColumn("Naam".into()));
    }

    #[test]
    fn bad_line_is_reported_with_its_line_number() {
        let bad = row("B2").replace("25604", "2560");
        let text = format!("{HEADER}\r\n{}\r\n\r\n{bad}\r\n{}\r\n", row("B1"), row("B3"));
        let f = read_csv(text.as_bytes()).unwrap();
        let parsed = f.parse();
        let lines: Vec<usize> = parsed.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 4, 5]);
        let errs = parsed[1].1.as_ref().unwrap_err();
        assert_eq!(errs.fields(), vec!["creboCode"]);
        assert!(errs.0[0].message_nl.ends_with("(kolom Crebo_code)"));
        assert!(errs.0[0].message_en.ends_with("(column Crebo_code)"));
    }

    #[test]
    fn line_numbers_stay_right_after_a_multi_line_quoted_field() {
        let multi = row("M1").replace("ROC Voorbeeld", "\"ROC\nVoorbeeld\nOost\"");
        let bad = row("M2").replace("BOL", "Duaal");
        let text = format!("{HEADER}\n{multi}\n{bad}\n");
        let f = read_csv(text.as_bytes()).unwrap();
        let parsed = f.parse();
        assert_eq!(parsed[0].0, 2);
        // The name has line breaks, which a school name may not contain.
        assert_eq!(parsed[0].1.as_ref().unwrap_err().fields(), vec!["school.schoolnaam"]);
        assert_eq!(parsed[1].0, 5);
        assert_eq!(parsed[1].1.as_ref().unwrap_err().fields(), vec!["leerwegNaam"]);
    }

    #[test]
    fn wrong_field_count_is_a_line_error() {
        let short = "K2;100012345;25604";
        let text = format!("{HEADER}\n{}\n{short}\n{};extra\n{};;\n", row("K1"), row("K3"), row("K4"));
        let f = read_csv(text.as_bytes()).unwrap();
        let lines: Vec<usize> = f.line_errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4]);
        assert_eq!(f.line_errors[0].errors.0[0].code, "field_count");
        assert_eq!(f.line_errors[0].errors.0[0].field, "");
        // Trailing empty cells are tolerated.
        assert_eq!(ok_lines(&f), vec![2, 5]);
        // parse() reports every data line, in order.
        let all: Vec<usize> = f.parse().into_iter().map(|(l, _)| l).collect();
        assert_eq!(all, vec![2, 3, 4, 5]);
    }

    #[test]
    fn empty_files_are_refused() {
        for empty in [&b""[..], b"\xEF\xBB\xBF", b"\r\n\r\n", b"  \n", b";;;\n;;\n"] {
            assert_eq!(read_csv(empty).unwrap_err(), CsvError::Empty, "{empty:?}");
        }
        let f = read_csv(HEADER.as_bytes()).unwrap();
        assert!(f.rows.is_empty() && f.line_errors.is_empty());
    }

    #[test]
    fn blank_and_separator_only_lines_are_skipped() {
        let text = format!("\n{HEADER}\n\n;;;;;;;;;;;\n{}\n   \n", row("S1"));
        let f = read_csv(text.as_bytes()).unwrap();
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.rows[0].line, 5);
        assert!(f.line_errors.is_empty());
    }

    #[test]
    fn values_are_trimmed_and_empty_cells_are_none() {
        let r = row("  T1 ").replace("S123", " ").replace("BOL", " bol\t");
        let f = read_csv(format!("{HEADER}\n{r}\n").as_bytes()).unwrap();
        let rec = &f.rows[0].record;
        assert_eq!(rec.correlatie_id.as_deref(), Some("T1"));
        assert_eq!(rec.leerweg_naam.as_deref(), Some("bol"));
        assert_eq!(rec.student.as_ref().unwrap().studentcode, None);
        let parsed = f.parse();
        let errs = parsed[0].1.as_ref().unwrap_err();
        assert_eq!(errs.fields(), vec!["student.studentcode"]);
        assert_eq!(errs.0[0].code, "required");
    }

    #[test]
    fn unreadable_dates_are_kept_and_reported_with_the_dutch_formats() {
        let r = row("D1").replace("01-09-2024", "1-9-24").replace("31-01-2025", "30-02-2025");
        let f = read_csv(format!("{HEADER}\n{r}\n").as_bytes()).unwrap();
        assert_eq!(f.rows[0].record.startdatum.as_deref(), Some("1-9-24"));
        let parsed = f.parse();
        let errs = parsed[0].1.as_ref().unwrap_err();
        assert_eq!(errs.fields(), vec!["startdatum", "geplandeEinddatum"]);
        assert!(errs.0[0].message_nl.contains("dd-mm-jjjj"), "{}", errs.0[0].message_nl);
        assert!(errs.0[1].message_nl.contains("bestaat niet"), "{}", errs.0[1].message_nl);
    }

    #[test]
    fn excel_sep_hint_line_sets_the_separator() {
        let text = format!("sep=,\n{}\n{}\n", HEADER.replace(';', ","), row("H").replace(';', ","));
        let f = read_csv(text.as_bytes()).unwrap();
        assert_eq!(f.delimiter, b',');
        assert_eq!(ok_lines(&f), vec![3]);
    }

    #[test]
    fn old_mac_cr_line_endings_count_lines() {
        let bad = row("C2").replace("25604", "x");
        let text = format!("{HEADER}\r{}\r{bad}\r", row("C1"));
        let f = read_csv(text.as_bytes()).unwrap();
        let lines: Vec<usize> = f.parse().into_iter().map(|(l, _)| l).collect();
        assert_eq!(lines, vec![2, 3]);
    }

    #[test]
    fn row_limit_is_enforced() {
        let text = format!("{HEADER}\n{}\n{}\n\n", row("L1"), row("L2"));
        assert!(read_csv_with_limit(text.as_bytes(), 2).is_ok());
        assert_eq!(read_csv_with_limit(text.as_bytes(), 1).unwrap_err(), CsvError::TooManyRows { max: 1 });
    }

    #[test]
    fn csv_errors_have_both_languages() {
        for e in [
            CsvError::Empty,
            CsvError::MissingColumns { missing: vec!["Naam".into()] },
            CsvError::DuplicateColumn("Naam".into()),
            CsvError::Malformed { line: 3, message: "x".into() },
            CsvError::TooManyRows { max: 10 },
        ] {
            assert!(!e.message_nl().is_empty());
            assert_eq!(e.message_en(), e.to_string());
            assert_ne!(e.message_nl(), e.message_en());
        }
    }

    #[test]
    fn line_index_handles_every_line_ending() {
        let text = "a\r\nb\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_of_record(text, 0), 1);
        assert_eq!(idx.line_of_record(text, 2), 2);
        assert_eq!(idx.line_of_record(text, 3), 2);
        assert_eq!(idx.line_of_record(text, 5), 3);
        assert_eq!(idx.line_of_record(text, 7), 4);
    }
}
