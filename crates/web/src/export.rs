//! Cells of the CSV files the system writes, neutralised against formula injection (OWASP "CSV
//! injection"): a value a school typed (a correlatieId like `=HYPERLINK(…)`) must never run as a
//! formula when the file is opened in Excel.

use std::borrow::Cow;

/// A cell that a spreadsheet would read as a formula — it starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return — gets a leading `'`, which spreadsheets show as text. Plain numbers
/// (`-3`, `-2,5`) are left as they are, so figures stay figures.
pub fn csv_cel(value: &str) -> Cow<'_, str> {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(value) { Cow::Owned(format!("'{value}")) } else { Cow::Borrowed(value) }
}

/// A record of [`csv_cel`]s.
pub fn csv_rij<'a>(record: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    record.into_iter().map(|v| csv_cel(v).into_owned()).collect()
}

fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    digits.bytes().any(|b| b.is_ascii_digit()) && digits.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for risky in ["=HYPERLINK(\"http://x\",\"klik\")", "+31612345678", "-1+1", "@SUM(A1)", "\tx", "\rx", "=1", "-"]
        {
            assert_eq!(csv_cel(risky), format!("'{risky}"), "{risky:?}");
        }
        for plain in ["25AB", "c-1", "7,4", "-3", "-2,5", "", "nvt", "a=b"] {
            assert_eq!(csv_cel(plain), plain, "{plain:?}");
        }
        assert_eq!(csv_rij(["=1", "2"]), ["'=1", "2"]);
    }
}
