//! Data quality of the bpvo registrations, after SBB's 2018 *Dashboard datakwaliteit BPVO*:
//!
//! - **erkend** — share of bpvo's at a leerbedrijf that held an erkenning for that crebo on the
//!   start date;
//! - **tijdig geregistreerd** — share registered (first received by us) before the start date, and
//!   the median registration delay: days from start date to registration, over all bpvo's
//!   (negative: registered that many days ahead);
//! - **student email** — share of bpvo's with a student email address, only for instellingen that
//!   take part in the direct student survey (for the others the address is not asked for), and
//!   only over bpvo's whose contact data the retention purge has not yet removed.
//!
//! Pure functions over [`BpvoMeting`] rows; the store reads them, the reporting API and the
//! quarterly photo serialise the same [`Indicatoren`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

/// The sector name used for a crebo that is not in the kwalificaties list.
pub const ONBEKENDE_SECTOR: &str = "onbekend";

/// One bpvo as data quality sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BpvoMeting {
    pub brin: String,
    pub aanbiedercode: String,
    pub correlatie_id: String,
    pub leerbedrijf_id: String,
    pub crebo: String,
    /// `None` for a crebo not in the kwalificaties list.
    pub sector: Option<String>,
    pub startdatum: NaiveDate,
    /// The day the bpvo first reached us (school upload or SBB registration).
    pub geregistreerd_op: NaiveDate,
    pub heeft_student_email: bool,
    /// The retention purge removed the contact data: the email indicator leaves it out.
    pub persoonsgegevens_verwijderd: bool,
    /// An erkenning for this leerbedrijf and crebo was valid on the start date.
    pub erkend: bool,
}

impl BpvoMeting {
    /// Days from start date to registration; negative when registered ahead.
    pub fn vertraging_dagen(&self) -> i64 {
        (self.geregistreerd_op - self.startdatum).num_days()
    }

    /// Registered before the start date.
    pub fn tijdig(&self) -> bool {
        self.geregistreerd_op < self.startdatum
    }

    fn sector(&self) -> &str {
        self.sector.as_deref().unwrap_or(ONBEKENDE_SECTOR)
    }
}

/// `teller` of `noemer`, and the percentage (one decimal; null when there is nothing to count).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Aandeel {
    pub teller: u64,
    pub noemer: u64,
    pub percentage: Option<f64>,
}

impl Aandeel {
    /// `teller / noemer` as a percentage with one decimal.
    pub fn new(teller: u64, noemer: u64) -> Self {
        let percentage = (noemer > 0).then(|| crate::format::round_half_up(teller as f64 * 100.0 / noemer as f64, 1));
        Self { teller, noemer, percentage }
    }
}

/// The indicators over a set of bpvo's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Indicatoren {
    /// Bpvo's counted.
    pub aantal: u64,
    pub erkend: Aandeel,
    pub tijdig_geregistreerd: Aandeel,
    /// Median of [`BpvoMeting::vertraging_dagen`]; null without bpvo's.
    pub mediaan_vertraging_dagen: Option<f64>,
    /// Null when the instelling(en) do not take part in the direct student survey.
    pub student_email: Option<Aandeel>,
}

/// The indicators over `rows`; `email_telt(brin)` says whether an instelling takes part in the
/// direct student survey (only its bpvo's count for the email indicator).
pub fn indicatoren<'a>(
    rows: impl IntoIterator<Item = &'a BpvoMeting>,
    email_telt: &dyn Fn(&str) -> bool,
) -> Indicatoren {
    let (mut aantal, mut erkend, mut tijdig) = (0u64, 0u64, 0u64);
    let (mut email_noemer, mut email_teller, mut email_van_toepassing) = (0u64, 0u64, false);
    let mut vertragingen = Vec::new();
    for r in rows {
        aantal += 1;
        erkend += u64::from(r.erkend);
        tijdig += u64::from(r.tijdig());
        vertragingen.push(r.vertraging_dagen());
        if email_telt(&r.brin) {
            email_van_toepassing = true;
            if !r.persoonsgegevens_verwijderd {
                email_noemer += 1;
                email_teller += u64::from(r.heeft_student_email);
            }
        }
    }
    Indicatoren {
        aantal,
        erkend: Aandeel::new(erkend, aantal),
        tijdig_geregistreerd: Aandeel::new(tijdig, aantal),
        mediaan_vertraging_dagen: mediaan(&mut vertragingen),
        student_email: email_van_toepassing.then(|| Aandeel::new(email_teller, email_noemer)),
    }
}

/// The median; the mean of the middle two for an even count.
pub fn mediaan(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] as f64 } else { (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0 })
}

/// Indicators for one sector.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SectorIndicatoren {
    pub sector: String,
    #[serde(flatten)]
    pub indicatoren: Indicatoren,
}

/// The indicators per sector (sorted by name; [`ONBEKENDE_SECTOR`] for unknown crebo's).
pub fn per_sector(rows: &[BpvoMeting], email_telt: &dyn Fn(&str) -> bool) -> Vec<SectorIndicatoren> {
    let mut groups: BTreeMap<&str, Vec<&BpvoMeting>> = BTreeMap::new();
    for r in rows {
        groups.entry(r.sector()).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(sector, rs)| SectorIndicatoren { sector: sector.to_owned(), indicatoren: indicatoren(rs, email_telt) })
        .collect()
}

/// An instelling as the indicators need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deelnemer {
    pub brin: String,
    pub naam: String,
    /// Takes part in the direct student survey.
    pub directe_studentbevraging: bool,
}

/// One instelling's indicators, in all and per sector: what the API shows and a photo keeps.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstellingKwaliteit {
    pub brin: String,
    pub naam: String,
    pub directe_studentbevraging: bool,
    pub totaal: Indicatoren,
    pub per_sector: Vec<SectorIndicatoren>,
}

/// The indicators of each instelling in `instellingen` (in that order; one without bpvo's gets
/// zero counts and null percentages).
pub fn per_instelling(rows: &[BpvoMeting], instellingen: &[Deelnemer]) -> Vec<InstellingKwaliteit> {
    let mut by_brin: BTreeMap<&str, Vec<BpvoMeting>> = BTreeMap::new();
    for r in rows {
        by_brin.entry(r.brin.as_str()).or_default().push(r.clone());
    }
    instellingen
        .iter()
        .map(|i| {
            let rs = by_brin.get(i.brin.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let telt = |_: &str| i.directe_studentbevraging;
            let mut totaal = indicatoren(rs, &telt);
            if i.directe_studentbevraging && totaal.student_email.is_none() {
                totaal.student_email = Some(Aandeel::new(0, 0));
            }
            InstellingKwaliteit {
                brin: i.brin.clone(),
                naam: i.naam.clone(),
                directe_studentbevraging: i.directe_studentbevraging,
                totaal,
                per_sector: per_sector(rs, &telt),
            }
        })
        .collect()
}

/// One record behind a failing indicator (for the school itself only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Afwijking {
    pub aanbiedercode: String,
    pub correlatie_id: String,
    pub leerbedrijf_id: String,
    pub crebo: String,
    pub startdatum: NaiveDate,
    pub geregistreerd_op: NaiveDate,
    pub vertraging_dagen: i64,
}

impl Afwijking {
    fn of(r: &BpvoMeting) -> Self {
        Self {
            aanbiedercode: r.aanbiedercode.clone(),
            correlatie_id: r.correlatie_id.clone(),
            leerbedrijf_id: r.leerbedrijf_id.clone(),
            crebo: r.crebo.clone(),
            startdatum: r.startdatum,
            geregistreerd_op: r.geregistreerd_op,
            vertraging_dagen: r.vertraging_dagen(),
        }
    }
}

/// The records behind each indicator that fails them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Afwijkingen {
    /// No erkenning for the crebo on the start date.
    pub niet_erkend: Vec<Afwijking>,
    /// Registered on or after the start date.
    pub niet_tijdig_geregistreerd: Vec<Afwijking>,
    /// No student email although the instelling takes part (empty when it does not).
    pub zonder_student_email: Vec<Afwijking>,
}

/// The failing records of one instelling's rows.
pub fn afwijkingen(rows: &[BpvoMeting], directe_studentbevraging: bool) -> Afwijkingen {
    let mut out = Afwijkingen::default();
    for r in rows {
        if !r.erkend {
            out.niet_erkend.push(Afwijking::of(r));
        }
        if !r.tijdig() {
            out.niet_tijdig_geregistreerd.push(Afwijking::of(r));
        }
        if directe_studentbevraging && !r.persoonsgegevens_verwijderd && !r.heeft_student_email {
            out.zonder_student_email.push(Afwijking::of(r));
        }
    }
    out
}

/// The period a data-quality view on `peildatum` covers: bpvo's that started in the year before
/// it (`peildatum` − 12 months ..= `peildatum` − 1 day).
pub fn periode(peildatum: NaiveDate) -> (NaiveDate, NaiveDate) {
    let van = peildatum.checked_sub_months(chrono::Months::new(12)).unwrap_or(peildatum);
    (van, peildatum.pred_opt().unwrap_or(peildatum))
}

/// The quarter a photo taken on `dag` is of: the last one that ended before `dag`, as `2026-K3`,
/// with its peildatum (the first day after it). Any day of a quarter gives the previous quarter,
/// so a late or repeated run photographs the same quarter as the cron run on its first day.
pub fn kwartaal(dag: NaiveDate) -> (String, NaiveDate) {
    use chrono::Datelike;
    let eerste_maand = dag.month0() / 3 * 3 + 1;
    let peildatum = NaiveDate::from_ymd_opt(dag.year(), eerste_maand, 1).unwrap_or(dag);
    let laatste = peildatum.pred_opt().unwrap_or(peildatum);
    (format!("{}-K{}", laatste.year(), laatste.month0() / 3 + 1), peildatum)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rij(
        brin: &str,
        sector: Option<&str>,
        start: &str,
        geregistreerd: &str,
        erkend: bool,
        email: bool,
    ) -> BpvoMeting {
        BpvoMeting {
            brin: brin.into(),
            aanbiedercode: "100A100".into(),
            correlatie_id: format!("{brin}-{start}-{geregistreerd}"),
            leerbedrijf_id: "100200300".into(),
            crebo: "25180".into(),
            sector: sector.map(str::to_owned),
            startdatum: d(start),
            geregistreerd_op: d(geregistreerd),
            heeft_student_email: email,
            persoonsgegevens_verwijderd: false,
            erkend,
        }
    }

    #[test]
    fn indicators_by_hand() {
        // delays: -10, 0, +3, +20 → median (0 + 3) / 2 = 1.5; tijdig: only the first (0 is not before)
        let rows = [
            rij("11AA", Some("Zorg"), "2026-02-11", "2026-02-01", true, true),
            rij("11AA", Some("Zorg"), "2026-02-01", "2026-02-01", true, false),
            rij("11AA", Some("Techniek"), "2026-02-01", "2026-02-04", false, true),
            rij("11AA", None, "2026-01-01", "2026-01-21", false, true),
        ];
        let i = indicatoren(&rows, &|_| true);
        assert_eq!(i.aantal, 4);
        assert_eq!(i.erkend, Aandeel { teller: 2, noemer: 4, percentage: Some(50.0) });
        assert_eq!(i.tijdig_geregistreerd, Aandeel { teller: 1, noemer: 4, percentage: Some(25.0) });
        assert_eq!(i.mediaan_vertraging_dagen, Some(1.5));
        assert_eq!(i.student_email, Some(Aandeel { teller: 3, noemer: 4, percentage: Some(75.0) }));
        assert_eq!(indicatoren(&rows, &|_| false).student_email, None);

        let sectors = per_sector(&rows, &|_| true);
        let names: Vec<&str> = sectors.iter().map(|s| s.sector.as_str()).collect();
        assert_eq!(names, ["Techniek", "Zorg", "onbekend"]);
        assert_eq!(sectors[1].indicatoren.erkend.percentage, Some(100.0));
        assert_eq!(sectors[1].indicatoren.mediaan_vertraging_dagen, Some(-5.0));

        let a = afwijkingen(&rows, true);
        assert_eq!(a.niet_erkend.len(), 2);
        assert_eq!(a.niet_tijdig_geregistreerd.len(), 3);
        assert_eq!(a.zonder_student_email.len(), 1);
        assert_eq!(a.zonder_student_email[0].startdatum, d("2026-02-01"));
        assert!(afwijkingen(&rows, false).zonder_student_email.is_empty());
    }

    #[test]
    fn purged_rows_leave_the_email_indicator_and_thirds_round() {
        let mut rows = vec![
            rij("11AA", None, "2026-02-11", "2026-02-01", true, true),
            rij("11AA", None, "2026-02-11", "2026-02-01", true, false),
            rij("11AA", None, "2026-02-11", "2026-02-01", true, false),
        ];
        assert_eq!(indicatoren(&rows, &|_| true).student_email.unwrap().percentage, Some(33.3));
        rows[1].persoonsgegevens_verwijderd = true;
        let e = indicatoren(&rows, &|_| true).student_email.unwrap();
        assert_eq!((e.teller, e.noemer, e.percentage), (1, 2, Some(50.0)));
    }

    #[test]
    fn empty_instelling_has_no_percentages() {
        let list = per_instelling(
            &[],
            &[Deelnemer { brin: "11AA".into(), naam: "ROC".into(), directe_studentbevraging: true }],
        );
        assert_eq!(list[0].totaal.aantal, 0);
        assert_eq!(list[0].totaal.erkend.percentage, None);
        assert_eq!(list[0].totaal.mediaan_vertraging_dagen, None);
        assert_eq!(list[0].totaal.student_email, Some(Aandeel::new(0, 0)));
        assert!(list[0].per_sector.is_empty());
    }

    #[test]
    fn quarter_is_the_one_that_just_ended() {
        assert_eq!(kwartaal(d("2027-01-01")), ("2026-K4".into(), d("2027-01-01")));
        assert_eq!(kwartaal(d("2026-04-01")), ("2026-K1".into(), d("2026-04-01")));
        assert_eq!(kwartaal(d("2026-05-15")), ("2026-K1".into(), d("2026-04-01")));
        assert_eq!(kwartaal(d("2026-12-31")), ("2026-K3".into(), d("2026-10-01")));
        assert_eq!(periode(d("2026-07-01")), (d("2025-07-01"), d("2026-06-30")));
        assert_eq!(periode(d("2024-02-29")), (d("2023-02-28"), d("2024-02-28")));
    }
}
