//! The begeleidingsdocument: the plan at the start — which werkprocessen of which qualification
//! the learner will work on, where, with whom, in which period — and the learner it is for.

use std::collections::HashSet;

use bpvo::{
    Brin, Crebo, Email, FieldError, LeerbedrijfId, Locatiecode, Naam, Periode, ValidationErrors, ValueError, codes,
    parse_iso_date,
};
use chrono::NaiveDate;

use crate::dossier::{Kwalificatiedossier, WerkprocesCode};

/// Who the praktijkverklaring is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Doelgroep {
    /// Pupils of praktijkonderwijs.
    Praktijkonderwijs,
    /// Voortgezet speciaal onderwijs.
    Vso,
    /// Early school leavers (voortijdig schoolverlaters).
    Vsv,
    /// Working or job-seeking adults (leven lang ontwikkelen).
    Llo,
}

impl Doelgroep {
    /// Every doelgroep, in order.
    pub const ALL: [Doelgroep; 4] = [Doelgroep::Praktijkonderwijs, Doelgroep::Vso, Doelgroep::Vsv, Doelgroep::Llo];

    /// As stored and sent: `praktijkonderwijs`, `vso`, `vsv`, `llo`.
    pub fn as_str(self) -> &'static str {
        match self {
            Doelgroep::Praktijkonderwijs => "praktijkonderwijs",
            Doelgroep::Vso => "vso",
            Doelgroep::Vsv => "vsv",
            Doelgroep::Llo => "llo",
        }
    }

    /// Parse the stored or sent form (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let s = s.trim().to_lowercase();
        Self::ALL.into_iter().find(|d| d.as_str() == s).ok_or_else(|| {
            ValueError::new(
                codes::PATTERN,
                "Kies praktijkonderwijs, vso, vsv of llo",
                "One of praktijkonderwijs, vso, vsv, llo",
            )
        })
    }
}

/// The learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leerling {
    pub naam: Naam,
    pub geboortedatum: NaiveDate,
    pub doelgroep: Doelgroep,
}

impl Leerling {
    /// Initials and surname part as the public verification shows them: `Z. Ç.-d. V.` for
    /// "Zoë Çelik-de Vries" — the first letter of every name part, nothing more.
    pub fn initialen(&self) -> String {
        initialen(self.naam.as_str())
    }
}

/// The first letter of every part of a name, each with a full stop: `Z. Ç.-d. V.` for "Zoë
/// Çelik-de Vries". What the public verification shows of a learner.
pub fn initialen(naam: &str) -> String {
    naam.split_whitespace()
        .map(|part| {
            part.split('-').filter_map(|p| p.chars().next()).map(|c| format!("{c}.")).collect::<Vec<_>>().join("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A begeleidingsdocument as validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Begeleidingsdocument {
    /// The SIS's own key, unique per instelling.
    pub document_id: String,
    pub brin: Brin,
    pub locatiecode: Locatiecode,
    pub leerbedrijf: LeerbedrijfId,
    pub praktijkopleider_naam: Naam,
    pub praktijkopleider_email: Email,
    pub crebo: Crebo,
    /// The chosen werkprocessen, each of the crebo's dossier, each once, in dossier order.
    pub werkprocessen: Vec<WerkprocesCode>,
    pub periode: Periode,
    pub leerdoelen: Option<String>,
    pub leerling: Leerling,
}

/// The longest SIS key.
pub const MAX_DOCUMENT_ID_LEN: usize = 64;
/// The longest leerdoelen text.
pub const MAX_LEERDOELEN_LEN: usize = 4000;

/// Een begeleidingsdocument zoals het SIS het stuurt (`PUT /v1/begeleidingsdocumenten/{documentId}`).
/// Elk veld is bij het versturen optioneel, zodat elk ontbrekend of onjuist veld wordt genoemd.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentRecord {
    /// De leerling.
    #[cfg_attr(feature = "openapi", schema(value_type = LeerlingRecord, required = true))]
    pub leerling: Option<LeerlingRecord>,
    /// Onderwijslocatie (RIO) waar de leerling is ingeschreven.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, pattern = "^[0-9]{3}X[0-9]{3}$", example = "251X111")
    )]
    pub locatiecode: Option<String>,
    /// Het erkende leerbedrijf (de negencijferige code van SBB).
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, pattern = "^[1-9][0-9]{8}$", example = "200000000")
    )]
    pub leerbedrijf_code: Option<String>,
    /// De praktijkopleider die de leerling begeleidt.
    #[cfg_attr(feature = "openapi", schema(value_type = PraktijkopleiderRecord, required = true))]
    pub praktijkopleider: Option<PraktijkopleiderRecord>,
    /// Crebo-code (5 cijfers) van een kwalificatie met een bekend kwalificatiedossier.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, pattern = "^[0-9]{5}$", example = "25159")
    )]
    pub crebo_code: Option<String>,
    /// Codes van de werkprocessen waaraan de leerling gaat werken (`B1-K1-W1`), elk één keer en
    /// elk uit het kwalificatiedossier van de crebo.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<String>, required = true, min_items = 1, example = json!(["B1-K1-W1"]))
    )]
    pub werkprocessen: Option<Vec<String>>,
    /// `jjjj-mm-dd`.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, format = Date, pattern = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", example = "2027-02-01")
    )]
    pub startdatum: Option<String>,
    /// `jjjj-mm-dd`, op of na de startdatum.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, format = Date, pattern = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", example = "2027-06-30")
    )]
    pub einddatum: Option<String>,
    /// Optionele leerdoelen, vrije tekst (hoogstens 4000 tekens).
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub leerdoelen: Option<String>,
}

/// De leerling zoals verstuurd.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeerlingRecord {
    /// De naam van de leerling.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, min_length = 1, max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$")
    )]
    pub naam: Option<String>,
    /// `jjjj-mm-dd`, vanaf 1900 en vóór de startdatum.
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = String,
            required = true,
            format = Date,
            pattern = "^(19[0-9]{2}|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            example = "2009-03-14"
        )
    )]
    pub geboortedatum: Option<String>,
    /// `praktijkonderwijs`, `vso`, `vsv` of `llo`.
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = String,
            required = true,
            pattern = "^(praktijkonderwijs|vso|vsv|llo)$",
            example = "praktijkonderwijs"
        )
    )]
    pub doelgroep: Option<String>,
}

/// De praktijkopleider zoals verstuurd.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PraktijkopleiderRecord {
    /// De naam van de praktijkopleider.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, min_length = 1, max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$")
    )]
    pub naam: Option<String>,
    /// Het e-mailadres waarop de praktijkopleider het beoordelingsverzoek krijgt.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, required = true, format = Email, max_length = 254, example = "j.bakker@leerbedrijf.nl")
    )]
    pub emailadres: Option<String>,
}

/// Collects every field error of a record.
#[derive(Default)]
struct Fields(Vec<FieldError>);

impl Fields {
    fn required<T>(
        &mut self,
        path: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        crate::beoordeling::required(&mut self.0, path, raw, parse)
    }

    fn refuse(&mut self, path: &str, code: &'static str, nl: String, en: String) {
        self.0.push(FieldError::new(path, &ValueError::new(code, nl, en)));
    }
}

/// A SIS key: 1–64 visible characters without `/` (it goes into a URL path).
pub fn parse_document_id(s: &str) -> Result<String, ValueError> {
    let ok = !s.is_empty()
        && s.chars().count() <= MAX_DOCUMENT_ID_LEN
        && s.chars().all(|c| c.is_ascii_graphic() && c != '/' && c != '?' && c != '#');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(ValueError::new(
            codes::PATTERN,
            format!("Een documentId heeft 1 tot {MAX_DOCUMENT_ID_LEN} zichtbare tekens zonder / ? #"),
            format!("A documentId has 1 to {MAX_DOCUMENT_ID_LEN} visible characters without / ? #"),
        ))
    }
}

/// A date the SIS sends, within the accepted years.
fn date(s: &str) -> Result<NaiveDate, ValueError> {
    parse_iso_date(s).and_then(bpvo::check_year_range)
}

/// A date of birth: ISO, from 1900 on (the placement-date range would refuse every adult).
fn birth_date(s: &str) -> Result<NaiveDate, ValueError> {
    let d = parse_iso_date(s)?;
    if chrono::Datelike::year(&d) < 1900 {
        return Err(ValueError::new(
            codes::RANGE,
            format!("Een geboortedatum ligt na 1900 (gekregen: {d})"),
            format!("A date of birth lies after 1900 (got: {d})"),
        ));
    }
    Ok(d)
}

impl Begeleidingsdocument {
    /// Validate a record for instelling `brin` under key `document_id` against the dossier of
    /// its crebo (`dossier` looks one up; `None`: no such qualification is known). Every bad
    /// field is named; werkprocessen must be the crebo's, each once.
    pub fn from_record(
        brin: &Brin,
        document_id: &str,
        r: &DocumentRecord,
        dossier: impl FnOnce(&Crebo) -> Option<Kwalificatiedossier>,
    ) -> Result<Self, ValidationErrors> {
        let mut f = Fields::default();
        let document_id = f.required("documentId", Some(document_id), parse_document_id);
        let l = r.leerling.clone().unwrap_or_default();
        let naam = f.required("leerling.naam", l.naam.as_deref(), Naam::parse);
        let geboortedatum = f.required("leerling.geboortedatum", l.geboortedatum.as_deref(), birth_date);
        let doelgroep = f.required("leerling.doelgroep", l.doelgroep.as_deref(), Doelgroep::parse);
        let locatiecode = f.required("locatiecode", r.locatiecode.as_deref(), Locatiecode::parse);
        let leerbedrijf = f.required("leerbedrijfCode", r.leerbedrijf_code.as_deref(), LeerbedrijfId::parse);
        let p = r.praktijkopleider.clone().unwrap_or_default();
        let po_naam = f.required("praktijkopleider.naam", p.naam.as_deref(), Naam::parse);
        let po_email = f.required("praktijkopleider.emailadres", p.emailadres.as_deref(), Email::parse);
        let crebo = f.required("creboCode", r.crebo_code.as_deref(), Crebo::parse);
        let start = f.required("startdatum", r.startdatum.as_deref(), date);
        let eind = f.required("einddatum", r.einddatum.as_deref(), date);
        let periode = match (start, eind) {
            (Some(s), Some(e)) => Periode::new(s, e).map_err(|err| f.0.push(FieldError::new("einddatum", &err))).ok(),
            _ => None,
        };
        let leerdoelen = leerdoelen(&mut f, r.leerdoelen.as_deref());
        let dossier = crebo.as_ref().and_then(|c| known_dossier(&mut f, c, dossier));
        let werkprocessen = werkprocessen(&mut f, r.werkprocessen.as_deref(), dossier.as_ref());
        born_before(&mut f, geboortedatum, periode.as_ref());
        let built = (|| {
            Some(Self {
                document_id: document_id?,
                brin: brin.clone(),
                locatiecode: locatiecode?,
                leerbedrijf: leerbedrijf?,
                praktijkopleider_naam: po_naam?,
                praktijkopleider_email: po_email?,
                crebo: crebo?,
                werkprocessen: werkprocessen?,
                periode: periode?,
                leerdoelen,
                leerling: Leerling { naam: naam?, geboortedatum: geboortedatum?, doelgroep: doelgroep? },
            })
        })();
        match built {
            Some(document) if f.0.is_empty() => Ok(document),
            _ => Err(ValidationErrors(f.0)),
        }
    }
}

/// The dossier of `crebo`, or an error on `creboCode` when none is known.
fn known_dossier(
    f: &mut Fields,
    crebo: &Crebo,
    dossier: impl FnOnce(&Crebo) -> Option<Kwalificatiedossier>,
) -> Option<Kwalificatiedossier> {
    let found = dossier(crebo);
    if found.is_none() {
        f.refuse(
            "creboCode",
            codes::UNKNOWN_CREBO,
            format!("Van kwalificatie {crebo} is geen kwalificatiedossier bekend"),
            format!("No kwalificatiedossier is known for qualification {crebo}"),
        );
    }
    found
}

/// The learner was born before the period starts.
fn born_before(f: &mut Fields, geboortedatum: Option<NaiveDate>, periode: Option<&Periode>) {
    if let (Some(g), Some(p)) = (geboortedatum, periode)
        && g >= p.startdatum()
    {
        f.refuse(
            "leerling.geboortedatum",
            codes::DATE_ORDER,
            "De geboortedatum ligt niet vóór de startdatum".into(),
            "The date of birth is not before the start date".into(),
        );
    }
}

fn leerdoelen(f: &mut Fields, raw: Option<&str>) -> Option<String> {
    let text = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let len = text.chars().count();
    if len > MAX_LEERDOELEN_LEN {
        f.0.push(FieldError::new("leerdoelen", &ValueError::too_long(MAX_LEERDOELEN_LEN, len)));
    }
    Some(text.to_owned())
}

/// The chosen werkprocessen: at least one, each of the dossier, each once; in dossier order.
fn werkprocessen(
    f: &mut Fields,
    raw: Option<&[String]>,
    dossier: Option<&Kwalificatiedossier>,
) -> Option<Vec<WerkprocesCode>> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        f.refuse(
            "werkprocessen",
            codes::REQUIRED,
            "Kies ten minste één werkproces".into(),
            "Choose at least one werkproces".into(),
        );
        return None;
    }
    let mut chosen = HashSet::new();
    let before = f.0.len();
    for (i, s) in raw.iter().enumerate() {
        let path = format!("werkprocessen[{i}]");
        let Some(code) = WerkprocesCode::parse(s).map_err(|e| f.0.push(FieldError::new(&path, &e))).ok() else {
            continue;
        };
        if let Some(d) = dossier
            && d.werkproces(&code).is_none()
        {
            f.refuse(
                &path,
                codes::UNKNOWN_WERKPROCES,
                format!("Werkproces {code} hoort niet bij kwalificatie {}", d.crebo),
                format!("Werkproces {code} is not part of qualification {}", d.crebo),
            );
        }
        if !chosen.insert(code.clone()) {
            f.0.push(FieldError::new(&path, &bpvo::duplicate("Werkproces", "Werkproces", code.as_str())));
        }
    }
    let dossier = dossier?;
    (f.0.len() == before)
        .then(|| dossier.werkprocessen().map(|(_, w)| w.code.clone()).filter(|c| chosen.contains(c)).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testing::{dossier, record};

    fn check(r: &DocumentRecord) -> Result<Begeleidingsdocument, ValidationErrors> {
        Begeleidingsdocument::from_record(&Brin::parse("25LX").unwrap(), "SIS-1", r, |c| {
            (c.as_str() == "25998").then(dossier)
        })
    }

    #[test]
    fn a_good_document_keeps_the_werkprocessen_in_dossier_order() {
        let mut r = record();
        r.werkprocessen = Some(vec!["b1-k2-w1".into(), "B1-K1-W1".into()]);
        let d = check(&r).unwrap();
        let codes: Vec<&str> = d.werkprocessen.iter().map(WerkprocesCode::as_str).collect();
        assert_eq!(codes, ["B1-K1-W1", "B1-K2-W1"]);
        assert_eq!(d.leerling.initialen(), "Z. Ç.-d. V.");
    }

    #[test]
    fn werkprocessen_must_belong_to_the_crebo_and_occur_once() {
        let mut r = record();
        r.werkprocessen = Some(vec!["B1-K1-W1".into(), "B1-K9-W1".into(), "B1-K1-W1".into(), "W1".into()]);
        let e = check(&r).unwrap_err();
        let found: Vec<(&str, &str)> = e.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            found,
            [
                ("werkprocessen[1]", codes::UNKNOWN_WERKPROCES),
                ("werkprocessen[2]", codes::DUPLICATE),
                ("werkprocessen[3]", codes::PATTERN)
            ]
        );
        r.werkprocessen = Some(vec![]);
        assert_eq!(check(&r).unwrap_err().fields(), ["werkprocessen"]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let r = DocumentRecord {
            crebo_code: Some("11111".into()),
            startdatum: Some("2027-06-30".into()),
            einddatum: Some("2027-02-01".into()),
            werkprocessen: Some(vec!["B1-K1-W1".into()]),
            ..DocumentRecord::default()
        };
        let e = check(&r).unwrap_err();
        assert_eq!(
            e.fields(),
            [
                "leerling.naam",
                "leerling.geboortedatum",
                "leerling.doelgroep",
                "locatiecode",
                "leerbedrijfCode",
                "praktijkopleider.naam",
                "praktijkopleider.emailadres",
                "einddatum",
                "creboCode"
            ]
        );
        assert!(
            Begeleidingsdocument::from_record(&Brin::parse("25LX").unwrap(), "a/b", &record(), |_| Some(dossier()))
                .unwrap_err()
                .fields()
                .contains(&"documentId")
        );
    }
}
