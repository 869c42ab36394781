//! Printing for humans: aligned key/value blocks and small tables on stdout; with `bpv admin
//! --json`, the same listings and outcomes as JSON for scripts.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

static JSON: AtomicBool = AtomicBool::new(false);

/// Print listings and outcomes as JSON from now on (`bpv admin --json`).
pub(crate) fn set_json(on: bool) {
    JSON.store(on, Ordering::Relaxed);
}

/// Whether `--json` was asked.
pub(crate) fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// One JSON value, pretty-printed (what `--json` prints).
pub(crate) fn print_json(v: &impl serde::Serialize) {
    match serde_json::to_string_pretty(v) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("fout: kon niet als JSON schrijven: {e}"),
    }
}

/// A cell of a table: text as is, ja/nee, a dash for nothing, a list joined.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => ja_nee(*b),
        Value::String(s) => s.clone(),
        Value::Array(list) => list.iter().map(cell).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// A listing: with `--json` an array of the `rows` objects; else a table of the columns
/// `(key, label)`.
pub(crate) fn lijst(kolommen: &[(&str, &str)], rows: &[Value]) {
    if json() {
        print_json(&rows);
        return;
    }
    let header: Vec<&str> = kolommen.iter().map(|(_, label)| *label).collect();
    let cells: Vec<Vec<String>> =
        rows.iter().map(|r| kolommen.iter().map(|(key, _)| cell(&r[*key])).collect()).collect();
    table(&header, &cells);
}

/// An outcome: with `--json` the object; else the sentence.
pub(crate) fn gedaan(tekst: &str, value: Value) {
    if json() {
        print_json(&value);
    } else {
        println!("{tekst}");
    }
}

/// Print `key: value` lines with the values aligned.
pub(crate) fn kv(rows: &[(&str, String)]) {
    let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("  {k:<width$}  {v}");
    }
}

/// Print a table with a header row; columns sized to their widest cell.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect();
        println!("  {}", parts.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row.clone());
    }
}

/// A date or a dash.
pub(crate) fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

/// ja/nee for a flag.
pub(crate) fn ja_nee(b: bool) -> String {
    if b { "ja".into() } else { "nee".into() }
}
