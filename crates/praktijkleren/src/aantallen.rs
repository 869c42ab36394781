//! "Aantal praktijkverklaringen": valid verklaringen counted per year of issue, sector,
//! qualification and doelgroep. These are counts of certificates, not survey answers, so small
//! numbers are shown as they are; no name ever enters.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

/// One count.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Aantal {
    pub jaar: i32,
    /// SBB sector code (empty when the qualification is unknown to the register).
    pub sector: String,
    pub crebo: String,
    /// `praktijkonderwijs`, `vso`, `vsv` or `llo`.
    pub doelgroep: String,
    pub aantal: u64,
}

/// Count `(date of issue, crebo, doelgroep)` of valid verklaringen; `sector_of` gives a crebo's
/// sector. Sorted by year, sector, crebo, doelgroep.
pub fn tel<'a>(
    verklaringen: impl IntoIterator<Item = (NaiveDate, &'a str, &'a str)>,
    sector_of: impl Fn(&str) -> Option<String>,
) -> Vec<Aantal> {
    let mut counts: BTreeMap<(i32, String, String, String), u64> = BTreeMap::new();
    for (datum, crebo, doelgroep) in verklaringen {
        let sector = sector_of(crebo).unwrap_or_default();
        *counts.entry((datum.year(), sector, crebo.to_owned(), doelgroep.to_owned())).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((jaar, sector, crebo, doelgroep), aantal)| Aantal { jaar, sector, crebo, doelgroep, aantal })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn counted_per_year_sector_crebo_and_doelgroep() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let rows = [
            (d("2026-12-31"), "25252", "vso"),
            (d("2027-01-01"), "25252", "vso"),
            (d("2027-03-01"), "25252", "vso"),
            (d("2027-03-01"), "25252", "llo"),
            (d("2027-03-01"), "99999", "llo"),
        ];
        let sector = |c: &str| (c == "25252").then(|| "MTL".to_owned());
        let a = |jaar, sector: &str, crebo: &str, doelgroep: &str, aantal| Aantal {
            jaar,
            sector: sector.into(),
            crebo: crebo.into(),
            doelgroep: doelgroep.into(),
            aantal,
        };
        assert_eq!(
            tel(rows, sector),
            [
                a(2026, "MTL", "25252", "vso", 1),
                a(2027, "", "99999", "llo", 1),
                a(2027, "MTL", "25252", "llo", 1),
                a(2027, "MTL", "25252", "vso", 2),
            ]
        );
    }
}
