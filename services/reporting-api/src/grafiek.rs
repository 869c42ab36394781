//! Line charts drawn on the server as inline SVG: no script, nothing the page's Content Security
//! Policy would have to allow (presentation attributes and classes from `dashboard.css`, no
//! `style`). A missing value is a gap in its line, never a zero. The chart is a picture of a table
//! shown beside it; it carries a title and a description for screen readers and a `<title>` per
//! point with the value as text.

use std::fmt::Write as _;

/// One line: its name (legend), its CSS class, and a value per label (`None`: a gap).
#[derive(Debug, Clone)]
pub struct Lijn {
    pub naam: String,
    pub klasse: &'static str,
    pub waarden: Vec<Option<f64>>,
}

const BREED: f64 = 640.0;
const HOOG: f64 = 260.0;
const LINKS: f64 = 40.0;
const RECHTS: f64 = 12.0;
const BOVEN: f64 = 14.0;
const ONDER: f64 = 44.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A number the Dutch way with one decimal.
fn nl(v: f64) -> String {
    bpv_aggregation::decimal_nl(v, 1)
}

/// The chart as SVG markup. `labels` name the points on the x axis (every one is labelled when
/// there are at most eight, else those `label_als` keeps); the y axis runs from `min` to `max` with
/// a gridline per whole unit (per two units above five, per quarter of the range above twenty).
pub fn lijngrafiek(
    id: &str,
    titel: &str,
    labels: &[String],
    lijnen: &[Lijn],
    (min, max): (f64, f64),
    label_als: impl Fn(&str) -> bool,
) -> String {
    let plot_w = BREED - LINKS - RECHTS;
    let plot_h = HOOG - BOVEN - ONDER;
    let n = labels.len().max(1);
    let x = |i: usize| {
        if n == 1 { LINKS + plot_w / 2.0 } else { LINKS + plot_w * (i as f64) / ((n - 1) as f64) }
    };
    let span = if max > min { max - min } else { 1.0 };
    let y = |v: f64| BOVEN + plot_h * (1.0 - (v.clamp(min, max) - min) / span);
    let mut svg = String::new();
    let beschrijving = lijnen.iter().map(|l| l.naam.as_str()).collect::<Vec<_>>().join(" en ");
    let _ = write!(
        svg,
        r#"<svg class="grafiek" id="{id}" viewBox="0 0 {BREED} {HOOG}" role="img" aria-labelledby="{id}-titel {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-titel">{}</title><desc id="{id}-desc">Lijnen voor {}; een onderbreking is een periode zonder cijfer. De tabel ernaast geeft dezelfde cijfers.</desc>"#,
        escape(titel),
        escape(&beschrijving),
    );
    // A 1–5 scale: a line per unit (per two above five); percentages: a line per quarter.
    let stap = if max - min > 20.0 {
        (max - min) / 4.0
    } else if max - min > 5.0 {
        2.0
    } else {
        1.0
    };
    let mut v = min;
    while v <= max + 1e-9 {
        let yy = y(v);
        let _ = write!(
            svg,
            r#"<line class="raster" x1="{LINKS}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}"/><text class="as" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            BREED - RECHTS,
            LINKS - 6.0,
            yy + 4.0,
            v
        );
        v += stap;
    }
    for (i, label) in labels.iter().enumerate() {
        if n <= 8 || label_als(label) {
            let _ = write!(
                svg,
                r#"<text class="as" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x(i),
                HOOG - ONDER + 18.0,
                escape(label)
            );
        }
    }
    for lijn in lijnen {
        let mut d = String::new();
        let mut pen_op = true;
        for (i, w) in lijn.waarden.iter().enumerate() {
            match w {
                Some(w) => {
                    let _ = write!(d, "{}{:.1} {:.1} ", if pen_op { "M" } else { "L" }, x(i), y(*w));
                    pen_op = false;
                }
                None => pen_op = true,
            }
        }
        let _ = write!(svg, r#"<g class="lijn {}"><path d="{}" fill="none"/>"#, lijn.klasse, d.trim_end());
        for (i, w) in lijn.waarden.iter().enumerate() {
            if let Some(w) = w {
                let _ = write!(
                    svg,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5"><title>{}, {}: {}</title></circle>"#,
                    x(i),
                    y(*w),
                    escape(&lijn.naam),
                    escape(labels.get(i).map_or("", String::as_str)),
                    nl(*w)
                );
            }
        }
        svg.push_str("</g>");
    }
    legenda(&mut svg, lijnen);
    svg.push_str("</svg>");
    svg
}

/// The legend under the axis labels: a stroke of each line's style and its name.
fn legenda(svg: &mut String, lijnen: &[Lijn]) {
    let mut lx = LINKS;
    for lijn in lijnen {
        let _ = write!(
            svg,
            r#"<g class="lijn {}"><line x1="{lx:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/></g><text class="legenda" x="{:.1}" y="{:.1}">{}</text>"#,
            lijn.klasse,
            lx + 18.0,
            HOOG - 8.0,
            HOOG - 8.0,
            lx + 24.0,
            HOOG - 4.0,
            escape(&lijn.naam)
        );
        lx += 30.0 + 7.0 * lijn.naam.chars().count() as f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_breaks_the_line_and_draws_no_point() {
        let labels: Vec<String> = ["2024-K1", "2024-K2", "2024-K3", "2024-K4"].map(String::from).to_vec();
        let lijn = Lijn {
            naam: "School & co".into(),
            klasse: "instelling",
            waarden: vec![Some(7.0), None, Some(8.0), Some(8.5)],
        };
        let svg = lijngrafiek("g", "Cijfer <per kwartaal>", &labels, &[lijn], (1.0, 10.0), |_| true);
        // Two pieces: one point alone, then a segment of two.
        let d = svg.split(r#"<path d=""#).nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('L').count(), 1, "{d}");
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("School &amp; co, 2024-K3: 8,0"));
        assert!(svg.contains("Cijfer &lt;per kwartaal&gt;"));
        assert!(!svg.contains("style="));
    }
}
