//! The learning path of a bpvo (BOL school-based or BBL work-based); results are split by it,
//! so an unknown value must be refused at the edge rather than land in an "other" bucket.

use std::fmt;
use std::str::FromStr;

use crate::error::{ValueError, codes, echo};

/// Leerweg: *beroepsopleidende leerweg* (BOL) or *beroepsbegeleidende leerweg* (BBL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Leerweg {
    /// Beroepsopleidende leerweg: mostly at school, with placements.
    Bol,
    /// Beroepsbegeleidende leerweg: mostly at work, one day a week at school.
    Bbl,
}

impl Leerweg {
    /// Both leerwegen, in display order.
    pub const ALL: [Leerweg; 2] = [Leerweg::Bol, Leerweg::Bbl];

    /// Parses `BOL` or `BBL`, ignoring case and surrounding whitespace.
    ///
    /// ```
    /// use bpvo::Leerweg;
    /// assert_eq!(Leerweg::parse(" bbl ").unwrap(), Leerweg::Bbl);
    /// assert_eq!(Leerweg::parse("BOL-VT").unwrap_err().code, "unknown_leerweg");
    /// ```
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let s = input.trim();
        if s.eq_ignore_ascii_case("BOL") {
            Ok(Leerweg::Bol)
        } else if s.eq_ignore_ascii_case("BBL") {
            Ok(Leerweg::Bbl)
        } else {
            let got = echo(s);
            Err(ValueError::new(
                codes::UNKNOWN_LEERWEG,
                format!("Leerweg moet BOL of BBL zijn (gekregen: {got})"),
                format!("Leerweg must be BOL or BBL (got: {got})"),
            ))
        }
    }

    /// `"BOL"` or `"BBL"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Leerweg::Bol => "BOL",
            Leerweg::Bbl => "BBL",
        }
    }
}

impl fmt::Display for Leerweg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Leerweg {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Leerweg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Leerweg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Self::parse(&raw).map_err(|e| serde::de::Error::custom(e.en))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn leerweg_parses_case_insensitively() {
        assert_eq!(Leerweg::parse("BOL").unwrap(), Leerweg::Bol);
        assert_eq!(Leerweg::parse("bbl").unwrap(), Leerweg::Bbl);
        assert_eq!(Leerweg::parse(" Bol\r\n").unwrap(), Leerweg::Bol);
        assert_eq!("BBL".parse::<Leerweg>().unwrap(), Leerweg::Bbl);
    }

    #[test]
    fn other_leerwegen_are_unknown() {
        for bad in ["BOL-VT", "Duaal", "", "BO L", "B0L", "BOLBBL"] {
            let e = Leerweg::parse(bad).unwrap_err();
            assert_eq!(e.code, "unknown_leerweg", "{bad:?}");
            assert!(e.nl.starts_with("Leerweg moet BOL of BBL zijn (gekregen: "));
        }
    }

    #[test]
    fn leerweg_round_trips_through_text_and_json() {
        for lw in Leerweg::ALL {
            assert_eq!(Leerweg::parse(lw.as_str()).unwrap(), lw);
            assert_eq!(lw.to_string(), lw.as_str());
            let json = serde_json::to_string(&lw).unwrap();
            assert_eq!(json, format!("\"{}\"", lw.as_str()));
            assert_eq!(serde_json::from_str::<Leerweg>(&json).unwrap(), lw);
        }
        assert!(serde_json::from_str::<Leerweg>("\"Duaal\"").is_err());
    }
}
