//! The invitation and reminder mails in Dutch, as plain text and HTML, from minijinja templates
//! compiled into the binary (`crates/mailing/templates/`). Which template a request gets:
//!
//! | request                                     | template                       |
//! |---------------------------------------------|--------------------------------|
//! | invitation, praktijkopleider, one student   | `uitnodiging_praktijkopleider` |
//! | invitation, praktijkopleider, several       | `digest`                       |
//! | invitation, student                         | `uitnodiging_student`          |
//! | reminder, praktijkopleider, one or several  | `herinnering_praktijkopleider` |
//! | reminder, student                           | `herinnering_student`          |
//! | assessment request (Praktijkloket)          | `beoordelingsverzoek`          |
//!
//! Each name is a pair, `{name}.txt.j2` and `{name}.html.j2` (HTML autoescaped); `_blok` holds
//! the per-student block of a praktijkopleider's mail, `_layout` the HTML frame.

use std::fmt::Write as _;

use bpvo::Groep;
use chrono::NaiveDate;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::MailError;

/// One student's survey in a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailItem {
    /// The student's first name (the only part of the student's name a mail shows).
    pub student_voornaam: String,
    /// The opleiding: the kwalificatie's name.
    pub opleiding: String,
    /// Shown for context beside the opleiding: the school's name (in both groups' mails; the
    /// system knows leerbedrijven only by their SBB number, not by name).
    pub organisatie: String,
    /// The bpvo's planned end date.
    pub geplande_einddatum: NaiveDate,
    /// The day the survey link closes.
    pub closes_on: NaiveDate,
    /// The survey link for the recipient (`…/s/{token}`).
    pub survey_url: String,
    /// The opt-out link for the recipient's reminders (`…/afmelden/{token}`).
    pub optout_url: String,
    /// Indirect channel: the student's own survey link, for the praktijkopleider to forward.
    pub student_link: Option<String>,
}

/// Invitation or reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// The first mail.
    Uitnodiging,
    /// Reminder number `nummer` (1, 2, …) to someone who has not answered yet.
    Herinnering {
        /// Which reminder this is, counting from 1.
        nummer: u32,
    },
    /// The Praktijkloket's request to a praktijkopleider to assess a learner's werkprocessen
    /// (one item: the learner; `survey_url` is the assessment link, `optout_url` the link to
    /// decline; `geplande_einddatum` the document's end date).
    Beoordelingsverzoek,
}

/// What to mail to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRequest {
    /// Recipient's address.
    pub to_email: String,
    /// Recipient's name (used in the `To` header and the greeting).
    pub to_name: Option<String>,
    /// The recipient's group.
    pub groep: Groep,
    /// Invitation or reminder.
    pub kind: MailKind,
    /// The surveys in this mail: exactly one for a student; one or more (a digest) for a
    /// praktijkopleider. The first item's opt-out link goes into `List-Unsubscribe`.
    pub items: Vec<MailItem>,
}

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line (plain text).
    pub subject: String,
    /// text/plain body.
    pub text: String,
    /// text/html body.
    pub html: String,
}

/// The compiled templates; build once, render many times (cheap to share behind an `Arc`).
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("templates", &TEMPLATES.map(|(name, _)| name)).finish()
    }
}

const TEMPLATES: [(&str, &str); 15] = [
    ("_layout.html.j2", include_str!("../templates/_layout.html.j2")),
    ("_blok.html.j2", include_str!("../templates/_blok.html.j2")),
    ("_blok.txt.j2", include_str!("../templates/_blok.txt.j2")),
    ("uitnodiging_praktijkopleider.html.j2", include_str!("../templates/uitnodiging_praktijkopleider.html.j2")),
    ("uitnodiging_praktijkopleider.txt.j2", include_str!("../templates/uitnodiging_praktijkopleider.txt.j2")),
    ("uitnodiging_student.html.j2", include_str!("../templates/uitnodiging_student.html.j2")),
    ("uitnodiging_student.txt.j2", include_str!("../templates/uitnodiging_student.txt.j2")),
    ("digest.html.j2", include_str!("../templates/digest.html.j2")),
    ("digest.txt.j2", include_str!("../templates/digest.txt.j2")),
    ("herinnering_praktijkopleider.html.j2", include_str!("../templates/herinnering_praktijkopleider.html.j2")),
    ("herinnering_praktijkopleider.txt.j2", include_str!("../templates/herinnering_praktijkopleider.txt.j2")),
    ("herinnering_student.html.j2", include_str!("../templates/herinnering_student.html.j2")),
    ("herinnering_student.txt.j2", include_str!("../templates/herinnering_student.txt.j2")),
    ("beoordelingsverzoek.html.j2", include_str!("../templates/beoordelingsverzoek.html.j2")),
    ("beoordelingsverzoek.txt.j2", include_str!("../templates/beoordelingsverzoek.txt.j2")),
];

impl Templates {
    /// Compile all templates. Fails only if a template has a syntax error (a bug caught by the
    /// tests), never because of data.
    pub fn new() -> Result<Self, MailError> {
        let mut env = Environment::new();
        // `{{ x }}` on a name the context lacks is a bug in a template: fail instead of an empty hole.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.set_formatter(formatter);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Templates { env })
    }

    /// Render the subject and both bodies of one mail.
    pub fn render(&self, req: &MailRequest) -> Result<Rendered, MailError> {
        check_request(req)?;
        let template = template_name(req);
        let context = Context::new(req);
        let text = self.env.get_template(&format!("{template}.txt.j2"))?.render(&context)?;
        let html = self.env.get_template(&format!("{template}.html.j2"))?.render(&context)?;
        Ok(Rendered { subject: context.onderwerp, text, html })
    }
}

/// HTML escaping of `& < > " '` only. minijinja's own escaper also writes `/` as `&#x2f;`, which
/// is valid but turns every link in the mail into an unreadable string for people who look at
/// the source and for link checkers; the five characters here are all HTML needs.
fn formatter(out: &mut minijinja::Output, state: &minijinja::State, value: &Value) -> Result<(), minijinja::Error> {
    let plain = match value.as_str() {
        Some(text) if state.auto_escape() == AutoEscape::Html && !value.is_safe() => text,
        _ => return minijinja::escape_formatter(out, state, value),
    };
    for ch in plain.chars() {
        match ch {
            '&' => out.write_str("&amp;")?,
            '<' => out.write_str("&lt;")?,
            '>' => out.write_str("&gt;")?,
            '"' => out.write_str("&quot;")?,
            '\'' => out.write_str("&#x27;")?,
            _ => out.write_char(ch)?,
        }
    }
    Ok(())
}

fn check_request(req: &MailRequest) -> Result<(), MailError> {
    if req.items.is_empty() {
        return Err(MailError::Request("a mail needs at least one survey".into()));
    }
    if req.groep == Groep::Student && req.items.len() > 1 {
        return Err(MailError::Request("a student's mail carries exactly one survey".into()));
    }
    if req.kind == MailKind::Beoordelingsverzoek && (req.groep != Groep::Praktijkopleider || req.items.len() != 1) {
        return Err(MailError::Request("an assessment request goes to one praktijkopleider about one learner".into()));
    }
    if let MailKind::Herinnering { nummer: 0 } = req.kind {
        return Err(MailError::Request("reminders are numbered from 1".into()));
    }
    for item in &req.items {
        check_url("survey_url", &item.survey_url)?;
        check_url("optout_url", &item.optout_url)?;
        if let Some(link) = &item.student_link {
            check_url("student_link", link)?;
        }
    }
    Ok(())
}

/// A link in a mail must be a plain http(s) URL: no `javascript:` in an `href`, no whitespace or
/// control characters that could break a header (`List-Unsubscribe`) or the text body.
pub(crate) fn check_url(field: &str, url: &str) -> Result<(), MailError> {
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    let chars_ok = url.chars().all(|c| c.is_ascii_graphic());
    if scheme_ok && chars_ok && url.len() < 900 {
        Ok(())
    } else {
        Err(MailError::Request(format!("{field} is not a plain http(s) URL")))
    }
}

fn template_name(req: &MailRequest) -> &'static str {
    match (req.kind, req.groep) {
        (MailKind::Beoordelingsverzoek, _) => "beoordelingsverzoek",
        (MailKind::Herinnering { .. }, Groep::Praktijkopleider) => "herinnering_praktijkopleider",
        (MailKind::Herinnering { .. }, Groep::Student) => "herinnering_student",
        (MailKind::Uitnodiging, Groep::Student) => "uitnodiging_student",
        (MailKind::Uitnodiging, Groep::Praktijkopleider) if req.items.len() > 1 => "digest",
        (MailKind::Uitnodiging, Groep::Praktijkopleider) => "uitnodiging_praktijkopleider",
    }
}

fn subject(req: &MailRequest) -> String {
    let first = req.items.first().map(|item| one_line(&item.student_voornaam)).unwrap_or_default();
    let several = req.items.len() > 1;
    match (req.kind, req.groep) {
        (MailKind::Beoordelingsverzoek, _) => {
            format!("Wat kan {first} in de praktijk? Uw beoordeling voor de praktijkverklaring")
        }
        (MailKind::Uitnodiging, Groep::Student) => "Hoe was je bpv? Vul de BPV Monitor in".to_owned(),
        (MailKind::Uitnodiging, Groep::Praktijkopleider) if several => {
            format!("Hoe verliep de bpv van uw {} studenten? Vul de BPV Monitor in", req.items.len())
        }
        (MailKind::Uitnodiging, Groep::Praktijkopleider) => {
            format!("Hoe verliep de bpv van {first}? Vul de BPV Monitor in")
        }
        (MailKind::Herinnering { .. }, Groep::Student) => "Herinnering: hoe was je bpv? BPV Monitor".to_owned(),
        (MailKind::Herinnering { .. }, Groep::Praktijkopleider) if several => {
            "Herinnering: hoe verliep de bpv van uw studenten? BPV Monitor".to_owned()
        }
        (MailKind::Herinnering { .. }, Groep::Praktijkopleider) => {
            format!("Herinnering: hoe verliep de bpv van {first}? BPV Monitor")
        }
    }
}

/// Names go into one line (the subject, a greeting, a heading): control characters become spaces.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

pub use bpvo::datum_nl;

#[derive(Serialize)]
struct Context<'a> {
    /// The subject, also the HTML page's `<title>`.
    onderwerp: String,
    /// `praktijkopleider` or `student`.
    groep: &'static str,
    /// The name after "Beste".
    aanhef: String,
    /// Reminder number, 0 for an invitation.
    nummer: u32,
    /// The earliest closing date of the surveys in the mail.
    sluit_op: String,
    /// More than one survey in this mail (a digest): each block then carries its own opt-out link.
    meer: bool,
    items: Vec<ItemContext<'a>>,
}

#[derive(Serialize)]
struct ItemContext<'a> {
    voornaam: String,
    opleiding: String,
    organisatie: String,
    einddatum: String,
    sluit_op: String,
    survey_url: &'a str,
    optout_url: &'a str,
    student_link: Option<&'a str>,
}

impl<'a> Context<'a> {
    fn new(req: &'a MailRequest) -> Self {
        let aanhef = match (&req.to_name, req.groep) {
            (Some(name), _) if !one_line(name).is_empty() => one_line(name),
            (_, Groep::Praktijkopleider) => "praktijkopleider".to_owned(),
            (_, Groep::Student) => "student".to_owned(),
        };
        let sluit_op = req.items.iter().map(|item| item.closes_on).min().map(datum_nl).unwrap_or_default();
        Context {
            onderwerp: subject(req),
            groep: req.groep.as_str(),
            aanhef,
            nummer: match req.kind {
                MailKind::Uitnodiging | MailKind::Beoordelingsverzoek => 0,
                MailKind::Herinnering { nummer } => nummer,
            },
            sluit_op,
            meer: req.items.len() > 1,
            items: req
                .items
                .iter()
                .map(|item| ItemContext {
                    voornaam: one_line(&item.student_voornaam),
                    opleiding: one_line(&item.opleiding),
                    organisatie: one_line(&item.organisatie),
                    einddatum: datum_nl(item.geplande_einddatum),
                    sluit_op: datum_nl(item.closes_on),
                    survey_url: &item.survey_url,
                    optout_url: &item.optout_url,
                    student_link: item.student_link.as_deref(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn item(n: u32) -> MailItem {
        MailItem {
            student_voornaam: format!("Student{n}"),
            opleiding: "Kok".into(),
            organisatie: "ROC Voorbeeld".into(),
            geplande_einddatum: date(2027, 6, 30),
            closes_on: date(2027, 8, 11),
            survey_url: format!("https://bpv.example/s/survey{n}"),
            optout_url: format!("https://bpv.example/afmelden/survey{n}"),
            student_link: None,
        }
    }

    fn request(groep: Groep, kind: MailKind, items: Vec<MailItem>) -> MailRequest {
        MailRequest { to_email: "jan@example.nl".into(), to_name: Some("Jan de Vries".into()), groep, kind, items }
    }

    fn render(req: &MailRequest) -> Rendered {
        Templates::new().unwrap().render(req).unwrap()
    }

    /// What every mail must carry, in both bodies.
    fn assert_common(rendered: &Rendered) {
        for body in [&rendered.text, &rendered.html] {
            assert!(
                !body.contains("{{") && !body.contains("{%") && !body.contains("}}"),
                "template syntax left: {body}"
            );
            assert!(body.contains("SBB"), "who asks");
            assert!(body.contains("BPV Monitor"));
            assert!(body.contains("ongeveer 5 minuten"), "how long");
            assert!(body.contains("anoniem"), "anonymous in the results");
            assert!(body.contains("Beste Jan de Vries,"));
        }
        assert!(rendered.html.starts_with("<!DOCTYPE html>"));
        assert!(rendered.html.contains("<html lang=\"nl\">"));
        assert!(rendered.html.contains(&format!("<title>{}</title>", rendered.subject)));
        assert!(!rendered.subject.contains('\n'));
    }

    /// Every kind of mail as it goes out (subject, text and HTML), so a change to any template
    /// shows up in review as a change to `src/snapshots/` (`cargo insta review` after an
    /// intended change).
    #[test]
    fn every_mail_is_the_reviewed_one() {
        let mut indirect = item(1);
        indirect.student_link = Some("https://bpv.example/s/student1".into());
        let cases = [
            ("uitnodiging_praktijkopleider", request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![item(1)])),
            (
                "uitnodiging_praktijkopleider_met_studentlink",
                request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![indirect]),
            ),
            ("uitnodiging_student", request(Groep::Student, MailKind::Uitnodiging, vec![item(1)])),
            (
                "uitnodiging_bundel",
                request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![item(1), item(2), item(3)]),
            ),
            (
                "herinnering_praktijkopleider",
                request(Groep::Praktijkopleider, MailKind::Herinnering { nummer: 2 }, vec![item(1)]),
            ),
            ("herinnering_student", request(Groep::Student, MailKind::Herinnering { nummer: 1 }, vec![item(1)])),
            (
                "herinnering_bundel",
                request(Groep::Praktijkopleider, MailKind::Herinnering { nummer: 1 }, vec![item(1), item(2)]),
            ),
            ("beoordelingsverzoek", request(Groep::Praktijkopleider, MailKind::Beoordelingsverzoek, vec![item(1)])),
        ];
        for (name, req) in cases {
            let r = render(&req);
            insta::assert_snapshot!(format!("{name}.txt"), format!("Onderwerp: {}\n\n{}", r.subject, r.text));
            insta::assert_snapshot!(format!("{name}.html"), r.html);
        }
    }

    #[test]
    fn dates_are_written_in_dutch() {
        assert_eq!(datum_nl(date(2027, 6, 30)), "30 juni 2027");
        assert_eq!(datum_nl(date(2025, 1, 1)), "1 januari 2025");
        assert_eq!(datum_nl(date(2026, 12, 31)), "31 december 2026");
        assert_eq!(datum_nl(date(2026, 3, 9)), "9 maart 2026");
    }

    #[test]
    fn all_templates_compile() {
        Templates::new().unwrap();
    }

    #[test]
    fn invitation_to_praktijkopleider_has_link_deadline_and_optout() {
        let req = request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![item(1)]);
        let r = render(&req);
        assert_common(&r);
        assert_eq!(r.subject, "Hoe verliep de bpv van Student1? Vul de BPV Monitor in");
        for body in [&r.text, &r.html] {
            assert!(body.contains("https://bpv.example/s/survey1"));
            assert!(body.contains("https://bpv.example/afmelden/survey1"));
            assert!(body.contains("30 juni 2027"), "planned end date");
            assert!(body.contains("11 augustus 2027"), "until when");
            assert!(body.contains("Kok"));
            assert!(body.contains("ROC Voorbeeld"));
            assert!(body.contains("praktijkopleider"));
            assert!(!body.contains("doorsturen"), "no student link, so nothing to forward");
            assert!(!body.contains("herinnering "), "an invitation is no reminder");
        }
        assert!(r.html.contains(r#"<a href="https://bpv.example/s/survey1""#));
    }

    #[test]
    fn indirect_invitation_carries_the_student_link_to_forward() {
        let mut it = item(1);
        it.student_link = Some("https://bpv.example/s/forStudent1".into());
        let r = render(&request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![it]));
        assert_common(&r);
        for body in [&r.text, &r.html] {
            assert!(body.contains("https://bpv.example/s/survey1"));
            assert!(body.contains("https://bpv.example/s/forStudent1"));
            assert!(body.contains("doorsturen naar Student1"));
        }
        assert!(r.html.contains(r#"<a href="https://bpv.example/s/forStudent1">"#));
    }

    #[test]
    fn invitation_to_student_addresses_the_student() {
        let mut it = item(1);
        it.organisatie = "ROC Amstelvliet".into();
        let r = render(&request(Groep::Student, MailKind::Uitnodiging, vec![it]));
        assert_common(&r);
        assert_eq!(r.subject, "Hoe was je bpv? Vul de BPV Monitor in");
        for body in [&r.text, &r.html] {
            // The organisation is the student's school (the bpv itself is at the leerbedrijf).
            assert!(body.contains("Je bpv-periode voor") && body.contains("ROC Amstelvliet"), "{body}");
            assert!(body.contains("https://bpv.example/s/survey1"));
            assert!(body.contains("https://bpv.example/afmelden/survey1"));
            assert!(body.contains("Meld je af"));
            assert!(body.contains("11 augustus 2027"));
            assert!(!body.contains("Student1"), "a student is not told their own first name");
            assert!(!body.contains(" u "), "students are addressed with je");
        }
    }

    #[test]
    fn digest_has_one_block_and_link_per_student() {
        let mut items = vec![item(1), item(2), item(3)];
        items[1].student_link = Some("https://bpv.example/s/forStudent2".into());
        let r = render(&request(Groep::Praktijkopleider, MailKind::Uitnodiging, items));
        assert_common(&r);
        assert_eq!(r.subject, "Hoe verliep de bpv van uw 3 studenten? Vul de BPV Monitor in");
        for n in 1..=3 {
            let survey = format!("https://bpv.example/s/survey{n}");
            let optout = format!("https://bpv.example/afmelden/survey{n}");
            assert_eq!(r.text.matches(&survey).count(), 1, "text: one link for student {n}");
            assert_eq!(r.text.matches(&optout).count(), 1, "text: one opt-out for student {n}");
            assert!(r.html.contains(&format!(r#"<a href="{survey}""#)), "html: link for student {n}");
            assert!(r.html.contains(&format!(r#"<a href="{optout}">"#)), "html: opt-out for student {n}");
            assert!(r.text.contains(&format!("{n}. Student{n}, Kok (ROC Voorbeeld)")));
        }
        assert_eq!(r.html.matches(r#"<a href="https://bpv.example/s/survey"#).count(), 6, "button + plain link each");
        assert_eq!(r.text.matches("https://bpv.example/s/forStudent2").count(), 1);
        assert_eq!(r.text.matches("doorsturen").count(), 1, "only student 2 has a link to forward");
        assert!(r.text.contains("3 studenten"));
    }

    #[test]
    fn reminder_to_praktijkopleider_says_which_reminder_and_when_it_closes() {
        let r = render(&request(Groep::Praktijkopleider, MailKind::Herinnering { nummer: 2 }, vec![item(1)]));
        assert_common(&r);
        assert_eq!(r.subject, "Herinnering: hoe verliep de bpv van Student1? BPV Monitor");
        for body in [&r.text, &r.html] {
            assert!(body.contains("Dit is herinnering 2. De vragenlijst sluit op 11 augustus 2027."));
            assert!(body.contains("https://bpv.example/s/survey1"));
            assert!(body.contains("https://bpv.example/afmelden/survey1"));
            assert!(body.contains("intussen ingevuld"));
        }
    }

    #[test]
    fn reminder_to_student_says_which_reminder_and_when_it_closes() {
        let r = render(&request(Groep::Student, MailKind::Herinnering { nummer: 1 }, vec![item(1)]));
        assert_common(&r);
        assert_eq!(r.subject, "Herinnering: hoe was je bpv? BPV Monitor");
        for body in [&r.text, &r.html] {
            assert!(body.contains("Dit is herinnering 1. De vragenlijst sluit op 11 augustus 2027."));
            assert!(body.contains("https://bpv.example/s/survey1"));
            assert!(body.contains("Meld je af"));
        }
    }

    #[test]
    fn digest_reminder_lists_every_student_and_the_earliest_closing_date() {
        let mut items = vec![item(1), item(2)];
        items[1].closes_on = date(2027, 8, 4);
        let r = render(&request(Groep::Praktijkopleider, MailKind::Herinnering { nummer: 1 }, items));
        assert_common(&r);
        assert!(r.text.contains("Dit is herinnering 1. De vragenlijst sluit op 4 augustus 2027."));
        for n in 1..=2 {
            assert_eq!(r.text.matches(&format!("https://bpv.example/s/survey{n}")).count(), 1);
            assert_eq!(r.text.matches(&format!("https://bpv.example/afmelden/survey{n}")).count(), 1);
        }
    }

    #[test]
    fn html_escapes_what_it_is_given_and_text_keeps_it() {
        let mut it = item(1);
        it.student_voornaam = "<script>alert('x')</script>".into();
        it.organisatie = "Bakkerij \"Brood & Banket\"".into();
        let mut req = request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![it]);
        req.to_name = Some("<b>Jan</b>".into());
        let r = render(&req);
        assert!(!r.html.contains("<script>"));
        assert!(!r.html.contains("<b>Jan"));
        assert!(r.html.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"));
        assert!(r.html.contains("Bakkerij &quot;Brood &amp; Banket&quot;"));
        assert!(r.html.contains("Beste &lt;b&gt;Jan&lt;/b&gt;,"));
        assert!(r.text.contains("<script>alert('x')</script>"), "plain text is not escaped");
        assert!(r.text.contains("Bakkerij \"Brood & Banket\""));
    }

    #[test]
    fn links_stay_readable_in_html() {
        let mut it = item(1);
        it.survey_url = "https://bpv.example/s/abc_-09?x=1&y=2".into();
        let r = render(&request(Groep::Student, MailKind::Uitnodiging, vec![it]));
        assert!(r.html.contains(r#"href="https://bpv.example/s/abc_-09?x=1&amp;y=2""#));
        assert!(r.text.contains("https://bpv.example/s/abc_-09?x=1&y=2"));
    }

    #[test]
    fn greeting_falls_back_to_the_group() {
        let mut req = request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![item(1)]);
        req.to_name = None;
        assert!(render(&req).text.starts_with("Beste praktijkopleider,\n"));
        req.groep = Groep::Student;
        req.to_name = Some("  ".into());
        assert!(render(&req).text.starts_with("Beste student,\n"));
    }

    #[test]
    fn subject_stays_on_one_line() {
        let mut it = item(1);
        it.student_voornaam = "Ann\r\nBcc: x@example.org".into();
        let r = render(&request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![it]));
        assert!(!r.subject.contains('\n') && !r.subject.contains('\r'));
    }

    #[test]
    fn bad_requests_are_refused() {
        let templates = Templates::new().unwrap();
        let cases = [
            request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![]),
            request(Groep::Student, MailKind::Uitnodiging, vec![item(1), item(2)]),
            request(Groep::Student, MailKind::Herinnering { nummer: 0 }, vec![item(1)]),
            request(
                Groep::Student,
                MailKind::Uitnodiging,
                vec![MailItem { survey_url: "javascript:alert(1)".into(), ..item(1) }],
            ),
            request(
                Groep::Student,
                MailKind::Uitnodiging,
                vec![MailItem { optout_url: "https://x.example/a\r\nBcc: y".into(), ..item(1) }],
            ),
            request(
                Groep::Praktijkopleider,
                MailKind::Uitnodiging,
                vec![MailItem { student_link: Some("ftp://x.example/".into()), ..item(1) }],
            ),
        ];
        for req in cases {
            assert!(matches!(templates.render(&req), Err(MailError::Request(_))), "{req:?}");
        }
    }

    #[test]
    #[ignore = "prints the rendered mails, for looking at them: cargo test -p bpv-mailing -- --ignored --nocapture"]
    fn print_samples() {
        let mut indirect = item(1);
        indirect.student_link = Some("https://bpv.example/s/forStudent1".into());
        for req in [
            request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![indirect.clone()]),
            request(Groep::Student, MailKind::Uitnodiging, vec![item(1)]),
            request(Groep::Praktijkopleider, MailKind::Uitnodiging, vec![indirect, item(2), item(3)]),
            request(Groep::Praktijkopleider, MailKind::Herinnering { nummer: 1 }, vec![item(1), item(2)]),
            request(Groep::Praktijkopleider, MailKind::Herinnering { nummer: 2 }, vec![item(1)]),
            request(Groep::Student, MailKind::Herinnering { nummer: 1 }, vec![item(1)]),
        ] {
            let r = render(&req);
            println!("===== {}\n{}\n----- html\n{}", r.subject, r.text, r.html);
        }
    }
}
