//! Identifiers and names as validated newtypes: once a value has one of these types it is known
//! to be well-formed, so no later layer (store, mailing, reporting) has to check it again.

use crate::error::{ValueError, codes, echo};

/// Defines a string newtype with a private field and the common trait set.
///
/// The type's constructor `parse` trims the input and hands it to `$check`, which returns the
/// normalised value or a [`ValueError`]. Deserialisation goes through `parse` too, so an invalid
/// JSON value can never produce an instance.
macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident, $check:path) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Validates and normalises `input` (surrounding whitespace is ignored).
            pub fn parse(input: &str) -> Result<Self, $crate::error::ValueError> {
                $check(input.trim()).map(Self)
            }

            /// The normalised value.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The normalised value, owned.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::error::ValueError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::error::ValueError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Self::parse(&raw).map_err(|e| <D::Error as ::serde::de::Error>::custom(e.en))
            }
        }
    };
}
pub(crate) use string_newtype;

string_newtype!(
    /// BRIN code of a school board (*instelling*): 2 digits and 2 capital letters, e.g. `25AB`.
    ///
    /// Lower-case letters are accepted and upper-cased, because schools type these by hand.
    ///
    /// ```
    /// use bpvo::Brin;
    ///
    /// let brin = Brin::parse(" 25ab ").unwrap();
    /// assert_eq!(brin.as_str(), "25AB");
    ///
    /// let err = Brin::parse("2AB").unwrap_err();
    /// assert_eq!(err.code, "pattern");
    /// assert!(err.nl.contains("2 cijfers en 2 hoofdletters"));
    /// ```
    Brin,
    check_brin
);

string_newtype!(
    /// Onderwijsaanbiedercode from RIO: 3 digits, `A`, 3 digits, e.g. `123A456`.
    Aanbiedercode,
    check_aanbiedercode
);

string_newtype!(
    /// Onderwijslocatiecode from RIO: 3 digits, `X`, 3 digits, e.g. `123X456`.
    Locatiecode,
    check_locatiecode
);

string_newtype!(
    /// Crebo code of a qualification: exactly 5 digits, kept as text so `01234` keeps its zero.
    Crebo,
    check_crebo
);

string_newtype!(
    /// Code of a keuzedeel (an elective unit with its own bpv part): `K` and 4 digits, e.g.
    /// `K0125`; a lower-case `k` is accepted and upper-cased.
    KeuzedeelCode,
    check_keuzedeel_code
);

string_newtype!(
    /// SBB's number of a training company (*leerbedrijf*): 9 digits, 100000000–999999999.
    LeerbedrijfId,
    check_leerbedrijf_id
);

string_newtype!(
    /// The school's own key for a bpvo: 1–64 visible ASCII characters, case kept as given.
    ///
    /// Together with the [`Aanbiedercode`] it identifies a bpvo, so a re-upload updates it.
    CorrelatieId,
    check_correlatie_id
);

string_newtype!(
    /// Organisatie-identificatienummer (OIN) of a Dutch public organisation: exactly 20 digits.
    Oin,
    check_oin
);

string_newtype!(
    /// The school's own student number: 1–32 characters, letters, digits, `-`, `_` and `.`.
    Studentcode,
    check_studentcode
);

string_newtype!(
    /// A person's name: 1–200 characters, any script (`Zoë Çelik-de Vries`), no control
    /// characters.
    Naam,
    check_naam
);

string_newtype!(
    /// Name of a school as shown to respondents: 1–200 characters, no control characters.
    Schoolnaam,
    check_schoolnaam
);

/// Maximum length of a [`Naam`] or [`Schoolnaam`], in characters.
pub const MAX_NAAM_LEN: usize = 200;
/// Maximum length of a [`CorrelatieId`].
pub const MAX_CORRELATIE_ID_LEN: usize = 64;
/// Maximum length of a [`Studentcode`].
pub const MAX_STUDENTCODE_LEN: usize = 32;

fn pattern_error(nl_expected: &str, en_expected: &str, input: &str) -> ValueError {
    let got = echo(input);
    ValueError::new(codes::PATTERN, format!("{nl_expected} (gekregen: {got})"), format!("{en_expected} (got: {got})"))
}

fn empty_error(nl_what: &str, en_what: &str) -> ValueError {
    ValueError::new(codes::REQUIRED, format!("{nl_what} mag niet leeg zijn"), format!("{en_what} must not be empty"))
}

/// True when `s` matches a shape given per byte: `'9'` = ASCII digit, any other byte = itself.
fn matches_shape(s: &str, shape: &str) -> bool {
    s.len() == shape.len()
        && s.bytes().zip(shape.bytes()).all(|(c, p)| match p {
            b'9' => c.is_ascii_digit(),
            _ => c == p,
        })
}

fn check_brin(s: &str) -> Result<String, ValueError> {
    let up = s.to_ascii_uppercase();
    let b = up.as_bytes();
    let ok = b.len() == 4 && b[..2].iter().all(u8::is_ascii_digit) && b[2..].iter().all(u8::is_ascii_uppercase);
    if ok {
        Ok(up)
    } else {
        Err(pattern_error(
            "BRIN moet bestaan uit 2 cijfers en 2 hoofdletters, bijvoorbeeld 25AB",
            "BRIN must be 2 digits followed by 2 capital letters, e.g. 25AB",
            s,
        ))
    }
}

fn check_aanbiedercode(s: &str) -> Result<String, ValueError> {
    let up = s.to_ascii_uppercase();
    if matches_shape(&up, "999A999") {
        Ok(up)
    } else {
        Err(pattern_error(
            "Aanbiedercode moet bestaan uit 3 cijfers, de letter A en 3 cijfers, bijvoorbeeld 123A456",
            "Aanbiedercode must be 3 digits, the letter A and 3 digits, e.g. 123A456",
            s,
        ))
    }
}

fn check_locatiecode(s: &str) -> Result<String, ValueError> {
    let up = s.to_ascii_uppercase();
    if matches_shape(&up, "999X999") {
        Ok(up)
    } else {
        Err(pattern_error(
            "Locatiecode moet bestaan uit 3 cijfers, de letter X en 3 cijfers, bijvoorbeeld 123X456",
            "Locatiecode must be 3 digits, the letter X and 3 digits, e.g. 123X456",
            s,
        ))
    }
}

fn check_crebo(s: &str) -> Result<String, ValueError> {
    if matches_shape(s, "99999") {
        Ok(s.to_owned())
    } else {
        Err(pattern_error(
            "Crebo-code moet bestaan uit precies 5 cijfers, bijvoorbeeld 25604",
            "Crebo code must be exactly 5 digits, e.g. 25604",
            s,
        ))
    }
}

fn check_keuzedeel_code(s: &str) -> Result<String, ValueError> {
    let up = s.to_ascii_uppercase();
    if matches_shape(&up, "K9999") {
        Ok(up)
    } else {
        Err(pattern_error(
            "Keuzedeelcode moet bestaan uit de letter K en 4 cijfers, bijvoorbeeld K0125",
            "Keuzedeel code must be the letter K and 4 digits, e.g. K0125",
            s,
        ))
    }
}

fn check_leerbedrijf_id(s: &str) -> Result<String, ValueError> {
    if !matches_shape(s, "999999999") {
        return Err(pattern_error(
            "Leerbedrijf-code moet bestaan uit 9 cijfers, bijvoorbeeld 100012345",
            "Leerbedrijf code must be 9 digits, e.g. 100012345",
            s,
        ));
    }
    if s.starts_with('0') {
        return Err(ValueError::new(
            codes::RANGE,
            format!("Leerbedrijf-code moet tussen 100000000 en 999999999 liggen (gekregen: {})", echo(s)),
            format!("Leerbedrijf code must be between 100000000 and 999999999 (got: {})", echo(s)),
        ));
    }
    Ok(s.to_owned())
}

fn check_correlatie_id(s: &str) -> Result<String, ValueError> {
    if s.is_empty() {
        return Err(empty_error("Correlatie-id", "Correlatie id"));
    }
    let len = s.chars().count();
    if len > MAX_CORRELATIE_ID_LEN {
        return Err(ValueError::too_long(MAX_CORRELATIE_ID_LEN, len));
    }
    if s.bytes().all(|b| (0x21..=0x7E).contains(&b)) {
        Ok(s.to_owned())
    } else {
        Err(pattern_error(
            "Correlatie-id mag alleen zichtbare ASCII-tekens bevatten, zonder spaties of letters met accenten",
            "Correlatie id may only contain visible ASCII characters, without spaces or accented letters",
            s,
        ))
    }
}

fn check_oin(s: &str) -> Result<String, ValueError> {
    if s.len() == 20 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(pattern_error(
            "OIN moet bestaan uit precies 20 cijfers, bijvoorbeeld 00000001234567890000",
            "OIN must be exactly 20 digits, e.g. 00000001234567890000",
            s,
        ))
    }
}

fn check_studentcode(s: &str) -> Result<String, ValueError> {
    if s.is_empty() {
        return Err(empty_error("Studentcode", "Studentcode"));
    }
    let len = s.chars().count();
    if len > MAX_STUDENTCODE_LEN {
        return Err(ValueError::too_long(MAX_STUDENTCODE_LEN, len));
    }
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
        Ok(s.to_owned())
    } else {
        Err(pattern_error(
            "Studentcode mag alleen letters, cijfers, '-', '_' en '.' bevatten, zonder spaties",
            "Studentcode may only contain letters, digits, '-', '_' and '.', without spaces",
            s,
        ))
    }
}

/// Shared rule for free-text names: non-empty, bounded, and without control characters (a tab
/// or line break in a name breaks mails and CSV exports further down the line).
pub fn check_text(s: &str, nl_what: &str, en_what: &str) -> Result<String, ValueError> {
    if s.is_empty() {
        return Err(empty_error(nl_what, en_what));
    }
    let len = s.chars().count();
    if len > MAX_NAAM_LEN {
        return Err(ValueError::too_long(MAX_NAAM_LEN, len));
    }
    if s.chars().any(char::is_control) {
        return Err(ValueError::new(
            codes::CONTROL_CHARACTER,
            format!("{nl_what} mag geen tabs, regeleinden of andere stuurtekens bevatten (gekregen: {})", echo(s)),
            format!("{en_what} must not contain tabs, line breaks or other control characters (got: {})", echo(s)),
        ));
    }
    Ok(s.to_owned())
}

fn check_naam(s: &str) -> Result<String, ValueError> {
    check_text(s, "Naam", "Name")
}

fn check_schoolnaam(s: &str) -> Result<String, ValueError> {
    check_text(s, "Schoolnaam", "School name")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn code<T>(r: Result<T, ValueError>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.code,
        }
    }

    #[test]
    fn brin_accepts_two_digits_two_letters_and_upper_cases() {
        assert_eq!(Brin::parse("25AB").unwrap().as_str(), "25AB");
        assert_eq!(Brin::parse(" 25ab\t").unwrap().as_str(), "25AB");
        assert_eq!(Brin::parse("00ZZ").unwrap().as_str(), "00ZZ");
    }

    #[test]
    fn brin_rejects_other_shapes() {
        for bad in ["", "2AB", "25ABC", "251B", "AB25", "25A", "25 AB", "25ÄB", "٢٥AB"] {
            assert_eq!(code(Brin::parse(bad)), "pattern", "{bad:?}");
        }
    }

    #[test]
    fn brin_error_says_what_is_expected_in_both_languages() {
        let e = Brin::parse("2AB").unwrap_err();
        assert_eq!(e.nl, "BRIN moet bestaan uit 2 cijfers en 2 hoofdletters, bijvoorbeeld 25AB (gekregen: \"2AB\")");
        assert_eq!(e.en, "BRIN must be 2 digits followed by 2 capital letters, e.g. 25AB (got: \"2AB\")");
        assert_eq!(e.to_string(), e.en);
    }

    #[test]
    fn aanbiedercode_and_locatiecode_need_their_own_letter() {
        assert_eq!(Aanbiedercode::parse("123A456").unwrap().as_str(), "123A456");
        assert_eq!(Aanbiedercode::parse("123a456").unwrap().as_str(), "123A456");
        for bad in ["123X456", "12A3456", "123A45", "123A4567", "", "123-A-456"] {
            assert_eq!(code(Aanbiedercode::parse(bad)), "pattern", "{bad:?}");
        }
        assert_eq!(Locatiecode::parse("123X456").unwrap().as_str(), "123X456");
        assert_eq!(Locatiecode::parse(" 123x456 ").unwrap().as_str(), "123X456");
        for bad in ["123A456", "123X45", "1234567", ""] {
            assert_eq!(code(Locatiecode::parse(bad)), "pattern", "{bad:?}");
        }
    }

    #[test]
    fn crebo_is_exactly_five_digits_and_keeps_leading_zero() {
        assert_eq!(Crebo::parse("12345").unwrap().as_str(), "12345");
        assert_eq!(Crebo::parse("01234").unwrap().as_str(), "01234");
        assert_eq!(KeuzedeelCode::parse("k0125").unwrap().as_str(), "K0125");
        for bad in ["K125", "K01250", "X0125", "K012a", "", "Kéééé"] {
            assert_eq!(code(KeuzedeelCode::parse(bad)), "pattern", "{bad:?}");
        }
        for bad in ["1234", "012345", "0123a", "", "12 345", "１２３４５"] {
            assert_eq!(code(Crebo::parse(bad)), "pattern", "{bad:?}");
        }
    }

    #[test]
    fn leerbedrijf_id_boundaries() {
        assert_eq!(code(LeerbedrijfId::parse("099999999")), "range");
        assert_eq!(code(LeerbedrijfId::parse("000000000")), "range");
        assert_eq!(LeerbedrijfId::parse("100000000").unwrap().as_str(), "100000000");
        assert_eq!(LeerbedrijfId::parse("999999999").unwrap().as_str(), "999999999");
        assert_eq!(code(LeerbedrijfId::parse("1000000000")), "pattern");
        assert_eq!(code(LeerbedrijfId::parse("12345678")), "pattern");
        assert_eq!(code(LeerbedrijfId::parse("12345678x")), "pattern");
        assert_eq!(code(LeerbedrijfId::parse("-12345678")), "pattern");
    }

    #[test]
    fn correlatie_id_is_visible_ascii_up_to_64_and_keeps_case() {
        let max = "a".repeat(64);
        assert_eq!(CorrelatieId::parse(&max).unwrap().as_str(), max);
        assert_eq!(code(CorrelatieId::parse(&"a".repeat(65))), "too_long");
        assert_eq!(code(CorrelatieId::parse("abc def")), "pattern");
        assert_eq!(code(CorrelatieId::parse("abc\u{7}")), "pattern");
        assert_eq!(code(CorrelatieId::parse("café")), "pattern");
        assert_eq!(code(CorrelatieId::parse("   ")), "required");
        assert_eq!(CorrelatieId::parse(" Ab-1/{x}~ ").unwrap().as_str(), "Ab-1/{x}~");
    }

    #[test]
    fn oin_is_twenty_digits() {
        assert!(Oin::parse("00000001234567890000").is_ok());
        assert_eq!(code(Oin::parse("0000000123456789000")), "pattern");
        assert_eq!(code(Oin::parse("000000012345678900001")), "pattern");
        assert_eq!(code(Oin::parse("0000000123456789000a")), "pattern");
    }

    #[test]
    fn studentcode_allows_letters_digits_and_separators() {
        assert_eq!(Studentcode::parse("st-2024_01.a").unwrap().as_str(), "st-2024_01.a");
        assert!(Studentcode::parse(&"1".repeat(32)).is_ok());
        assert_eq!(code(Studentcode::parse(&"1".repeat(33))), "too_long");
        assert_eq!(code(Studentcode::parse("12 34")), "pattern");
        assert_eq!(code(Studentcode::parse("12#34")), "pattern");
        assert_eq!(code(Studentcode::parse("")), "required");
    }

    #[test]
    fn naam_accepts_any_script_and_rejects_control_characters() {
        for good in ["Zoë Çelik-de Vries", "Jan", "Ólafur Þór", "李小龙", "O'Brien", "X"] {
            assert_eq!(Naam::parse(good).unwrap().as_str(), good);
        }
        assert_eq!(Naam::parse("  Jan  ").unwrap().as_str(), "Jan");
        assert_eq!(code(Naam::parse("   ")), "required");
        assert_eq!(code(Naam::parse("Jan\tJansen")), "control_character");
        assert_eq!(code(Naam::parse("Jan\nJansen")), "control_character");
        assert!(Naam::parse(&"é".repeat(200)).is_ok());
        assert_eq!(code(Naam::parse(&"é".repeat(201))), "too_long");
    }

    #[test]
    fn schoolnaam_has_the_same_rules_as_naam() {
        assert!(Schoolnaam::parse("ROC Midden Nederland").is_ok());
        assert_eq!(code(Schoolnaam::parse("")), "required");
        assert_eq!(code(Schoolnaam::parse(&"s".repeat(201))), "too_long");
        assert_eq!(code(Schoolnaam::parse("ROC\u{0}")), "control_character");
    }

    #[test]
    fn newtypes_serialize_as_strings_and_deserialize_through_parse() {
        let brin: Brin = serde_json::from_str("\"25ab\"").unwrap();
        assert_eq!(brin.as_str(), "25AB");
        assert_eq!(serde_json::to_string(&brin).unwrap(), "\"25AB\"");
        let err = serde_json::from_str::<Brin>("\"2AB\"").unwrap_err();
        assert!(err.to_string().contains("BRIN must be"), "{err}");
        assert!(serde_json::from_str::<Crebo>("12345").is_err());
    }

    #[test]
    fn newtypes_have_from_str_display_and_as_ref() {
        let c: Crebo = "25604".parse().unwrap();
        assert_eq!(c.to_string(), "25604");
        assert_eq!(AsRef::<str>::as_ref(&c), "25604");
        assert_eq!(c.clone().into_inner(), "25604");
        assert_eq!(String::from(c), "25604");
        assert!(Crebo::try_from("2560").is_err());
    }
}
