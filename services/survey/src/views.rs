//! Rendering: minijinja templates (embedded, autoescaped), one layout, Dutch. Pages set their own
//! strict CSP; the form works without JavaScript and is laid out for a phone first.

use std::collections::HashMap;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use bpv_aggregation::{ItemKind, Questionnaire};
use bpv_store::models::BpvoRow;
use bpvo::Groep;
use minijinja::Environment;
use serde::Serialize;

/// The templates, loaded once.
pub struct Views {
    env: Environment<'static>,
}

/// What the respondent filled in so far and what was wrong with it.
#[derive(Debug, Default)]
pub struct Form {
    pub values: HashMap<String, String>,
    pub errors: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
pub struct Melding {
    pub titel: String,
    pub tekst: String,
}

#[derive(Debug, Serialize)]
pub struct Thanks {
    pub groep: Groep,
    pub cijfer: u8,
    /// The national grade of the group as the results engine last published it (`7,5`), or
    /// None when it rests on too few answers or nothing was published yet.
    pub landelijk: Option<String>,
    /// The respondent's own answers per theme beside the published national theme scores.
    pub themas: Vec<Vergelijk>,
    /// The first month the national figures cover (`januari 2025`); None before publication.
    pub sinds: Option<String>,
    /// When they were published (`3 december 2026`).
    pub gepubliceerd: Option<String>,
    /// `reporting.k`.
    pub k: u64,
    /// Where to go for help: only for a respondent who answered on the unsafe side of sociale
    /// veiligheid or stagediscriminatie (nothing about that is stored).
    pub hulp: Option<Hulp>,
}

/// One theme on the thank-you page: the respondent's own mean (1–5) beside the national score.
#[derive(Debug, Serialize)]
pub struct Vergelijk {
    pub code: String,
    pub naam: String,
    /// The mean of the respondent's own answers to the theme's questions (`4,0`).
    pub eigen: String,
    /// The published national theme score, or None when withheld.
    pub landelijk: Option<String>,
}

/// Where a respondent can go after an unsafe situation: the national reporting point and the
/// instelling's own contact (or the national text).
#[derive(Debug, Serialize)]
pub struct Hulp {
    pub meldpunt_naam: String,
    pub meldpunt_url: String,
    pub school_tekst: String,
    pub school_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Opt {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Debug, Serialize)]
pub struct ItemView {
    code: String,
    tekst: String,
    cijfer: bool,
    options: Vec<Opt>,
    fout: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ThemeView {
    naam: String,
    items: Vec<ItemView>,
}

#[derive(Debug, Serialize)]
pub struct VragenlijstView {
    student: bool,
    voornaam: String,
    opleiding: String,
    organisatie: String,
    themes: Vec<ThemeView>,
    open_code: String,
    open_tekst: String,
    open_waarde: String,
    open_fout: Option<String>,
    open_max: usize,
    fouten: Vec<(String, String)>,
    versie: String,
}

/// One werkproces on the form.
#[derive(Debug, Serialize)]
pub struct WerkprocesView {
    pub code: String,
    pub naam: String,
    /// The form field (and its id): `wp-B1-K1-W1`.
    pub veld: String,
    pub keuze: String,
    pub fout: Option<String>,
}

/// One kerntaak on the form.
#[derive(Debug, Serialize)]
pub struct KerntaakView {
    pub naam: String,
    pub werkprocessen: Vec<WerkprocesView>,
}

/// Every state of the assessment page: the form, a refusal, the thanks, declining.
#[derive(Debug, Default, Serialize)]
pub struct BeoordelingView {
    /// `formulier`, `melding`, `bedankt`, `afmelden`.
    pub stap: &'static str,
    pub titel: String,
    pub tekst: String,
    pub gedaan: bool,
    pub voornaam: String,
    pub opleiding: String,
    pub crebo: String,
    pub einddatum: String,
    pub kerntaken: Vec<KerntaakView>,
    pub naam: String,
    pub naam_fout: Option<String>,
    pub fouten: Vec<(String, String)>,
    pub afmelden: String,
}

/// The pages.
#[derive(Debug)]
pub enum Page {
    Vragenlijst(Box<VragenlijstView>),
    Bedankt(Thanks),
    Melding(Melding),
    Afmelden {
        token: String,
        gedaan: bool,
    },
    /// The Praktijkloket's assessment by link, in each of its states.
    Beoordeling(Box<BeoordelingView>),
}

const SCHAAL: [(&str, &str); 6] = [
    ("1", "Helemaal oneens"),
    ("2", "Oneens"),
    ("3", "Neutraal"),
    ("4", "Eens"),
    ("5", "Helemaal eens"),
    ("nvt", "Niet van toepassing"),
];

/// The questionnaire form for one respondent.
pub fn vragenlijst(
    q: &Questionnaire,
    groep: Groep,
    bpvo: &BpvoRow,
    opleiding: &str,
    form: Form,
) -> Box<VragenlijstView> {
    let fout = |code: &str| form.errors.iter().find(|(c, _)| c == code).map(|(_, m)| m.clone());
    let chosen = |code: &str| form.values.get(code).cloned().unwrap_or_default();
    let themes = q
        .themes
        .iter()
        .map(|t| ThemeView {
            naam: t.naam.clone(),
            items: t
                .items
                .iter()
                .map(|item| {
                    let current = chosen(&item.code);
                    let options = match item.kind {
                        ItemKind::Cijfer => (1..=10)
                            .map(|n| Opt {
                                value: n.to_string(),
                                label: n.to_string(),
                                checked: current == n.to_string(),
                            })
                            .collect(),
                        ItemKind::Schaal => SCHAAL
                            .iter()
                            .map(|(v, l)| Opt { value: (*v).into(), label: (*l).into(), checked: current == *v })
                            .collect(),
                    };
                    ItemView {
                        code: item.code.clone(),
                        tekst: item.tekst(groep).to_owned(),
                        cijfer: matches!(item.kind, ItemKind::Cijfer),
                        options,
                        fout: fout(&item.code),
                    }
                })
                .collect(),
        })
        .collect();
    Box::new(VragenlijstView {
        student: groep == Groep::Student,
        voornaam: bpvo
            .student_naam
            .as_deref()
            .and_then(|n| n.split_whitespace().next())
            .unwrap_or("uw student")
            .to_owned(),
        opleiding: opleiding.to_owned(),
        organisatie: bpvo.schoolnaam.clone().unwrap_or_default(),
        themes,
        open_code: q.open.code.clone(),
        open_tekst: match groep {
            Groep::Praktijkopleider => q.open.tekst_praktijkopleider.clone(),
            Groep::Student => q.open.tekst_student.clone(),
        },
        open_waarde: chosen(&q.open.code),
        open_fout: fout(&q.open.code),
        open_max: q.open.max_len,
        // The summary's links name their question, so that each is clear out of context (a
        // screen reader's list of links); the message under the question stays short.
        fouten: form
            .errors
            .iter()
            .map(|(code, melding)| {
                let vraag = q
                    .item(code)
                    .map(|i| i.tekst(groep).to_owned())
                    .or_else(|| (code == &q.open.code).then(|| q.open.tekst(groep).to_owned()))
                    .unwrap_or_else(|| code.clone());
                (code.clone(), format!("{vraag} — {melding}"))
            })
            .collect(),
        versie: q.version.clone(),
    })
}

impl Views {
    pub fn new() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.add_template("base.html", include_str!("../templates/base.html"))?;
        env.add_template("vragenlijst.html", include_str!("../templates/vragenlijst.html"))?;
        env.add_template("bedankt.html", include_str!("../templates/bedankt.html"))?;
        env.add_template("melding.html", include_str!("../templates/melding.html"))?;
        env.add_template("afmelden.html", include_str!("../templates/afmelden.html"))?;
        env.add_template("beoordeling.html", include_str!("../templates/beoordeling.html"))?;
        Ok(Self { env })
    }

    /// Render a page with the page headers.
    pub fn page(&self, status: StatusCode, page: &Page) -> HttpResponse {
        let rendered = match page {
            Page::Vragenlijst(v) => self.render("vragenlijst.html", minijinja::context! { v => v }),
            Page::Bedankt(t) => {
                self.render("bedankt.html", minijinja::context! { t => t, student => t.groep == Groep::Student })
            }
            Page::Melding(m) => self.render("melding.html", minijinja::context! { m => m }),
            Page::Beoordeling(b) => self.render("beoordeling.html", minijinja::context! { b => b }),
            Page::Afmelden { token, gedaan } => {
                self.render("afmelden.html", minijinja::context! { token => token, gedaan => gedaan })
            }
        };
        match rendered {
            Ok(html) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .insert_header(("Content-Security-Policy", bpv_web::headers::PAGE_CSP))
                .insert_header(("Referrer-Policy", "no-referrer"))
                .body(html),
            Err(e) => {
                let p = bpv_web::problem::internal_error(&e);
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body(format!("Er ging iets mis. {}", p.detail.unwrap_or_default()))
            }
        }
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }
}
