//! Verbeterpunten as readers see them: free text scrubbed of what points at a person — e-mail
//! addresses, phone numbers and other long digit strings (student numbers, dates) — and shown
//! only for a selection that counts at least `k` answers, drawn from exactly the answers its
//! figures count ([`crate::Index::counted_keys`]), without dates, keys or other answers.
//!
//! ```
//! use bpv_aggregation::verbeterpunten::schoon;
//!
//! assert_eq!(
//!     schoon("Bel Jan (06-12345678) of mail jan.devries@bedrijf.nl, studentnr 2034567."),
//!     "Bel Jan ([nummer]) of mail [e-mailadres], studentnr [nummer]."
//! );
//! ```

/// What replaces an e-mail address.
pub const EMAIL: &str = "[e-mailadres]";
/// What replaces a phone number or another digit string of six digits or more.
pub const NUMMER: &str = "[nummer]";
/// Digits in a run from which it is removed.
pub const MIN_CIJFERS: usize = 6;

/// The text without e-mail addresses, phone numbers and long digit strings.
pub fn schoon(tekst: &str) -> String {
    let zonder_email: Vec<String> = tekst.split(' ').map(email_weg).collect();
    nummers_weg(&zonder_email.join(" "))
}

/// A whitespace-separated word that is an e-mail address (keeping punctuation around it).
fn email_weg(woord: &str) -> String {
    let kern = woord
        .trim_matches(|c: char| matches!(c, ',' | '.' | ';' | ':' | '(' | ')' | '<' | '>' | '"' | '\'' | '!' | '?'));
    match kern.split_once('@') {
        Some((lokaal, domein)) if !lokaal.is_empty() && domein.contains('.') && !domein.ends_with('.') => {
            woord.replacen(kern, EMAIL, 1)
        }
        _ => woord.to_owned(),
    }
}

/// Replace every run of digits and the separators phone numbers and dates use (`+ - / ( )` and single
/// spaces; not `.`, so `8.30-17.00` stays) that holds at least [`MIN_CIJFERS`] digits.
fn nummers_weg(tekst: &str) -> String {
    let chars: Vec<char> = tekst.chars().collect();
    let mut out = String::with_capacity(tekst.len());
    let mut i = 0;
    while i < chars.len() {
        let starts =
            chars[i].is_ascii_digit() || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if !starts {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Extend over digits and separators; the run ends at its last digit.
        let (mut j, mut last_digit, mut digits) = (i, i, 0);
        while j < chars.len() {
            let c = chars[j];
            if c.is_ascii_digit() {
                digits += 1;
                last_digit = j;
            } else if !(matches!(c, '+' | '-' | '/' | '(' | ')')
                || (c == ' ' && chars.get(j + 1).is_some_and(|n| n.is_ascii_digit() || *n == '(')))
            {
                break;
            }
            j += 1;
        }
        if digits >= MIN_CIJFERS {
            out.push_str(NUMMER);
        } else {
            out.extend(&chars[i..=last_digit]);
        }
        i = last_digit + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_phone_numbers_and_long_numbers_go() {
        assert_eq!(schoon("mail me: a.b-c@x.example."), "mail me: [e-mailadres].");
        assert_eq!(schoon("<piet@bedrijf.nl>"), "<[e-mailadres]>");
        assert_eq!(schoon("bel 06-12345678"), "bel [nummer]");
        assert_eq!(schoon("bel 020 123 4567 na 5 uur"), "bel [nummer] na 5 uur");
        assert_eq!(schoon("of +31 6 1234 5678!"), "of [nummer]!");
        assert_eq!(schoon("(030) 2345678"), "([nummer]");
        assert_eq!(schoon("studentnummer 2034567"), "studentnummer [nummer]");
        assert_eq!(schoon("op 12-03-2025 gebeurd"), "op [nummer] gebeurd");
    }

    #[test]
    fn ordinary_text_and_short_numbers_stay() {
        for t in [
            "Meer begeleiding, 2 keer per week.",
            "Een @ in een zin is geen adres.",
            "Werktijden 8.30-17.00 waren lang.",
            "Na 3 weken pas een gesprek; cijfer 7,5.",
            "Zoë vond 2024 een goed jaar.",
            "",
        ] {
            assert_eq!(schoon(t), t, "{t}");
        }
    }
}
