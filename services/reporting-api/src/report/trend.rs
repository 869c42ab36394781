//! The trend of a selection: the grade, each theme score and the response per quarter and per
//! school year, the selection beside the national figures, over at most five years. Every
//! point is one evaluation of the results engine for that period (the same figure
//! `/v1/resultaten` gives for it), so a period the k rule withholds is a gap with its reason,
//! never a zero.

use bpv_aggregation::{CIJFER_CODE, Resultaat, Selectie, YearMonth};
use bpv_web::Problem;
use serde::Serialize;
use utoipa::ToSchema;

use super::vraag::param;
use super::{Cijfer, Respons, ResponsPaar, ScorePaar, SelectieDto, landelijk};
use crate::data::ReportData;

/// At most this many quarters (five years).
pub const MAX_KWARTALEN: usize = 20;

/// Eén periode van het verloop.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrendPunt {
    /// `2024-K3` voor een kwartaal, `2023/2024` voor een schooljaar (augustus–juli).
    #[schema(example = "2024-K3")]
    pub periode: String,
    /// Eerste maand, `jjjj-mm`.
    pub van: String,
    /// Laatste maand, inclusief.
    pub tot_en_met: String,
    /// Het gemiddelde van de vraag naar het rapportcijfer (1–10).
    pub cijfer: ScorePaar,
    /// De score van elk thema, in de volgorde van het rapport.
    pub themas: Vec<TrendThema>,
    pub respons: ResponsPaar,
}

/// De score van een thema in één periode.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendThema {
    pub code: String,
    pub naam: String,
    pub score: ScorePaar,
}

/// Het antwoord van `GET /v1/resultaten/trend`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Trend {
    /// De selectie; `van` en `totEnMet` zijn de hele kwartalen die het verloop beslaat.
    pub selectie: SelectieDto,
    /// Wanneer deze cijfers zijn gepubliceerd (RFC 3339): ze veranderen pas op het volgende
    /// publicatiemoment. Null voordat de cijfers voor het eerst zijn geladen.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub gepubliceerd_op: Option<chrono::DateTime<chrono::Utc>>,
    /// Geen cijfer berust op minder antwoorden dan dit.
    pub k: u64,
    /// Kwartaal voor kwartaal, oudste eerst.
    pub kwartalen: Vec<TrendPunt>,
    /// De kalenderjaren die binnen de kwartalen eindigen, oudste eerst, elk in zijn geheel geteld. Elk
    /// antwoord telt in zijn kalenderjaar (kleine groepen worden nooit over een jaargrens samengevoegd),
    /// dus deze reeks heeft een cijfer waar het jaar k antwoorden heeft, ook waar kwartalen worden
    /// achtergehouden.
    pub jaren: Vec<TrendPunt>,
    /// De schooljaren (augustus–juli) die binnen de kwartalen eindigen, oudste eerst, elk in zijn
    /// geheel geteld.
    pub schooljaren: Vec<TrendPunt>,
}

/// The first month of a month's quarter.
fn kwartaal_start(m: YearMonth) -> YearMonth {
    YearMonth { year: m.year, month: (m.quarter() - 1) * 3 + 1 }
}

/// `m` plus `n` months.
fn plus(m: YearMonth, n: i32) -> YearMonth {
    let i = m.year * 12 + i32::from(m.month) - 1 + n;
    YearMonth { year: i.div_euclid(12), month: u8::try_from(i.rem_euclid(12) + 1).unwrap_or(1) }
}

/// The quarters from the one holding `van` to the one holding `tot`.
pub fn kwartalen(van: YearMonth, tot: YearMonth) -> Vec<(YearMonth, YearMonth)> {
    let mut out = Vec::new();
    let mut q = kwartaal_start(van);
    while q <= tot {
        out.push((q, plus(q, 2)));
        q = plus(q, 3);
    }
    out
}

/// The school years (August–July) whose July lies between `van` and `tot`.
pub fn schooljaren(van: YearMonth, tot: YearMonth) -> Vec<(YearMonth, YearMonth)> {
    (van.year..=tot.year)
        .map(|y| (YearMonth { year: y - 1, month: 8 }, YearMonth { year: y, month: 7 }))
        .filter(|&(_, juli)| van <= juli && juli <= tot)
        .collect()
}

/// The calendar years whose December lies between `van` and `tot`.
pub fn jaren(van: YearMonth, tot: YearMonth) -> Vec<(YearMonth, YearMonth)> {
    (van.year..=tot.year)
        .map(|y| (YearMonth { year: y, month: 1 }, YearMonth { year: y, month: 12 }))
        .filter(|&(_, dec)| van <= dec && dec <= tot)
        .collect()
}

/// The trend's span when none is asked: the twenty quarters up to the last complete one before
/// `today`.
pub fn standaard_periode(today: chrono::NaiveDate) -> (YearMonth, YearMonth) {
    let tot = plus(kwartaal_start(YearMonth::of(today)), -1);
    (plus(tot, -(3 * MAX_KWARTALEN as i32) + 1), tot)
}

/// The span of a checked selection: its own months widened to whole quarters (missing ends from
/// the default span), at most [`MAX_KWARTALEN`] quarters.
pub fn periode(selectie: &Selectie, today: chrono::NaiveDate) -> Result<(YearMonth, YearMonth), Problem> {
    // Without `van`: the twenty quarters up to `tot` (the default span when neither is given).
    let tot = selectie.tot_en_met.unwrap_or_else(|| standaard_periode(today).1);
    let van = selectie.van.unwrap_or_else(|| plus(kwartaal_start(tot), -(3 * MAX_KWARTALEN as i32) + 3));
    let qs = kwartalen(van, tot);
    if qs.len() > MAX_KWARTALEN {
        return Err(Problem::invalid_input(
            "de periode is te lang voor een trend",
            vec![param(
                "van",
                "range",
                format!(
                    "een trend beslaat ten hoogste vijf jaar ({MAX_KWARTALEN} kwartalen); deze periode telt er {}",
                    qs.len()
                ),
                format!("a trend spans at most five years ({MAX_KWARTALEN} quarters); this one spans {}", qs.len()),
            )],
        ));
    }
    let first = qs.first().map_or(van, |q| q.0);
    let last = qs.last().map_or(tot, |q| q.1);
    Ok((first, last))
}

fn score(own: Option<&Resultaat>, land: &Resultaat, of: impl Fn(&Resultaat) -> Option<Cijfer>) -> ScorePaar {
    let geen = bpv_aggregation::REDEN_GEEN_ANTWOORDEN;
    let leeg = || Cijfer { waarde: None, n: 0, tekst: geen.into(), reden: Some(geen.into()) };
    ScorePaar { instelling: own.map(|o| of(o).unwrap_or_else(leeg)), landelijk: of(land).unwrap_or_else(leeg) }
}

fn punt(periode: String, (van, tot): (YearMonth, YearMonth), own: Option<&Resultaat>, land: &Resultaat) -> TrendPunt {
    TrendPunt {
        periode,
        van: van.to_string(),
        tot_en_met: tot.to_string(),
        cijfer: score(own, land, |r| r.item(CIJFER_CODE).map(|i| Cijfer::of(&i.mean, false))),
        themas: land
            .themes
            .iter()
            .map(|t| TrendThema {
                code: t.code.clone(),
                naam: t.naam.clone(),
                score: score(own, land, |r| r.theme(&t.code).map(|x| Cijfer::of(&x.score, false))),
            })
            .collect(),
        respons: ResponsPaar { instelling: own.map(Respons::of), landelijk: Respons::of(land) },
    }
}

/// The points of one series of periods.
fn reeks(
    data: &ReportData,
    selectie: &Selectie,
    periods: &[(YearMonth, YearMonth)],
    naam: impl Fn((YearMonth, YearMonth)) -> String,
) -> Vec<TrendPunt> {
    let land = data.evaluate_periods(&landelijk(selectie), periods);
    let own = selectie.brin.is_some().then(|| data.evaluate_periods(selectie, periods));
    periods
        .iter()
        .enumerate()
        .filter_map(|(i, &p)| {
            let l = land.get(i)?;
            let o = own.as_ref().and_then(|o| o.get(i)).map(AsRef::as_ref);
            Some(punt(naam(p), p, o, l))
        })
        .collect()
}

/// The trend of a checked selection over `span` (see [`periode`]).
pub fn trend(data: &ReportData, selectie: &Selectie, span: (YearMonth, YearMonth)) -> Trend {
    let names = data.names();
    let selectie = Selectie { van: Some(span.0), tot_en_met: Some(span.1), ..selectie.clone() };
    let kwartalen =
        reeks(data, &selectie, &kwartalen(span.0, span.1), |(van, _)| format!("{}-K{}", van.year, van.quarter()));
    let jaren = reeks(data, &selectie, &jaren(span.0, span.1), |(van, _)| van.year.to_string());
    let schooljaren =
        reeks(data, &selectie, &schooljaren(span.0, span.1), |(van, tot)| format!("{}/{}", van.year, tot.year));
    Trend {
        selectie: SelectieDto::of(&selectie, &names),
        gepubliceerd_op: data.gepubliceerd(),
        k: data.k(),
        kwartalen,
        jaren,
        schooljaren,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn quarters_and_school_years_of_a_span() {
        assert_eq!(
            kwartalen(ym("2024-02"), ym("2024-07")),
            [(ym("2024-01"), ym("2024-03")), (ym("2024-04"), ym("2024-06")), (ym("2024-07"), ym("2024-09"))]
        );
        assert_eq!(
            schooljaren(ym("2022-10"), ym("2024-09")),
            [(ym("2022-08"), ym("2023-07")), (ym("2023-08"), ym("2024-07"))]
        );
        assert_eq!(schooljaren(ym("2024-01"), ym("2024-06")), []);
        assert_eq!(
            jaren(ym("2022-10"), ym("2024-09")),
            [(ym("2022-01"), ym("2022-12")), (ym("2023-01"), ym("2023-12"))]
        );
    }

    #[test]
    fn the_default_span_is_twenty_whole_quarters_up_to_the_last_complete_one() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(standaard_periode(today), (ym("2021-10"), ym("2026-09")));
        assert_eq!(kwartalen(ym("2021-10"), ym("2026-09")).len(), MAX_KWARTALEN);
        assert_eq!(schooljaren(ym("2021-10"), ym("2026-09")).len(), 5);
        // On the first day of a quarter the quarter just ended is complete.
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(standaard_periode(today).1, ym("2025-12"));
    }

    #[test]
    fn an_asked_span_widens_to_quarters_and_is_bounded() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let mut s = Selectie::national(bpvo::Groep::Student);
        s.van = Some(ym("2024-02"));
        s.tot_en_met = Some(ym("2024-11"));
        assert_eq!(periode(&s, today).unwrap(), (ym("2024-01"), ym("2024-12")));
        s.van = Some(ym("2019-12"));
        let p = periode(&s, today).unwrap_err();
        assert_eq!(p.invalid_params[0].name, "van");
        // Only an end: the twenty quarters up to it.
        s.van = None;
        assert_eq!(periode(&s, today).unwrap(), (ym("2020-01"), ym("2024-12")));
    }
}
