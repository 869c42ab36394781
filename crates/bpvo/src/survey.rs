//! Who is surveyed and how the invitation reaches them: shared by scheduling, mailing, the
//! survey and the results.

use std::fmt;

/// The two groups of respondents; both answer the same questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "diesel", derive(diesel::AsExpression, diesel::FromSqlRow))]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum Groep {
    /// The workplace trainer at the leerbedrijf.
    Praktijkopleider,
    /// The student.
    Student,
}

impl Groep {
    /// Both groups.
    pub const ALL: [Groep; 2] = [Groep::Praktijkopleider, Groep::Student];

    /// `praktijkopleider` or `student` (as stored).
    pub fn as_str(self) -> &'static str {
        match self {
            Groep::Praktijkopleider => "praktijkopleider",
            Groep::Student => "student",
        }
    }

    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "praktijkopleider" | "praktijkopleiders" => Some(Groep::Praktijkopleider),
            "student" | "studenten" => Some(Groep::Student),
            _ => None,
        }
    }
}

impl fmt::Display for Groep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an invitation reaches its respondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "diesel", derive(diesel::AsExpression, diesel::FromSqlRow))]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum Kanaal {
    /// A mail of its own to the respondent.
    Direct,
    /// A second link inside the praktijkopleider's mail, to forward to the student.
    ViaPraktijkopleider,
}

impl Kanaal {
    /// `direct` or `via_praktijkopleider` (as stored).
    pub fn as_str(self) -> &'static str {
        match self {
            Kanaal::Direct => "direct",
            Kanaal::ViaPraktijkopleider => "via_praktijkopleider",
        }
    }

    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "direct" => Some(Kanaal::Direct),
            "via_praktijkopleider" => Some(Kanaal::ViaPraktijkopleider),
            _ => None,
        }
    }
}

impl fmt::Display for Kanaal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_round_trip() {
        for g in Groep::ALL {
            assert_eq!(Groep::parse(g.as_str()), Some(g));
        }
        assert_eq!(Groep::parse("Studenten"), Some(Groep::Student));
        assert_eq!(Groep::parse("ouder"), None);
        for k in [Kanaal::Direct, Kanaal::ViaPraktijkopleider] {
            assert_eq!(Kanaal::parse(k.as_str()), Some(k));
        }
    }
}
