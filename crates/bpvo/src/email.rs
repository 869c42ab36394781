//! Email addresses of students and praktijkopleiders; invitations go to them, so a typo caught
//! at upload is a survey that reaches its respondent instead of a bounce weeks later.

use validator::ValidateEmail;

use crate::error::{ValueError, codes, echo};
use crate::ids::string_newtype;

string_newtype!(
    /// A usable email address: one `@`, a local part of at most 64 characters and a domain with
    /// at least one dot. The domain is lower-cased; the local part is kept as given.
    ///
    /// ```
    /// use bpvo::Email;
    /// let e = Email::parse(" Zoe.Celik@Voorbeeld.NL ").unwrap();
    /// assert_eq!(e.as_str(), "Zoe.Celik@voorbeeld.nl");
    /// assert_eq!(Email::parse("zoe@voorbeeld").unwrap_err().code, "invalid_email");
    /// ```
    Email,
    check_email
);

/// Maximum length of an email address (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

impl Email {
    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }

    /// The (lower-cased) part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

fn invalid(nl_why: &str, en_why: &str, input: &str) -> ValueError {
    let got = echo(input);
    ValueError::new(
        codes::INVALID_EMAIL,
        format!("{nl_why}; verwacht een adres zoals naam@voorbeeld.nl (gekregen: {got})"),
        format!("{en_why}; expected an address like name@example.com (got: {got})"),
    )
}

fn check_email(s: &str) -> Result<String, ValueError> {
    if s.is_empty() {
        return Err(ValueError::new(
            codes::REQUIRED,
            "E-mailadres mag niet leeg zijn",
            "Email address must not be empty",
        ));
    }
    let len = s.chars().count();
    if len > MAX_EMAIL_LEN {
        return Err(ValueError::too_long(MAX_EMAIL_LEN, len));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(invalid("E-mailadres mag geen spaties bevatten", "Email address must not contain spaces", s));
    }
    let (local, domain) = match s.split_once('@') {
        Some((l, d)) if !d.contains('@') => (l, d),
        Some(_) => {
            return Err(invalid("E-mailadres mag maar één @ bevatten", "Email address must contain exactly one @", s));
        }
        None => {
            return Err(invalid("E-mailadres mist een @", "Email address is missing an @", s));
        }
    };
    if local.is_empty() {
        return Err(invalid(
            "E-mailadres mist het deel vóór de @",
            "Email address is missing the part before the @",
            s,
        ));
    }
    if local.chars().count() > MAX_LOCAL_LEN {
        return Err(invalid(
            "Het deel vóór de @ mag maximaal 64 tekens lang zijn",
            "The part before the @ must be at most 64 characters long",
            s,
        ));
    }
    // RFC 5322 dot-atoms may not start or end with a dot or have two in a row; mail servers
    // reject such addresses even though the HTML5 rule used by `validator` lets them through.
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(invalid(
            "Het deel vóór de @ mag niet met een punt beginnen of eindigen en geen twee punten achter elkaar bevatten",
            "The part before the @ must not start or end with a dot or contain two dots in a row",
            s,
        ));
    }
    let domain = domain.to_lowercase();
    if !domain_is_valid(&domain) {
        return Err(invalid(
            "Het domein na de @ moet een punt bevatten en mag alleen letters, cijfers, punten en koppeltekens bevatten",
            "The domain after the @ must contain a dot and only letters, digits, dots and hyphens",
            s,
        ));
    }
    let normalised = format!("{local}@{domain}");
    // The `validator` check (the HTML5 rule plus IDN handling) is the one browsers apply, so an
    // address the upload page's own form would refuse is refused here too.
    if !allowed_by_html5_rule(local, &domain, &normalised) {
        return Err(invalid(
            "E-mailadres bevat tekens die niet zijn toegestaan",
            "Email address contains characters that are not allowed",
            s,
        ));
    }
    Ok(normalised)
}

/// The characters the HTML5 rule allows before the `@`.
fn html5_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b)
}

/// `validator`'s e-mail check of `normalised` (`local@domain`, the domain already through
/// [`domain_is_valid`]). For an ASCII domain that check comes down to the characters of the local
/// part — its domain rule is what `domain_is_valid` already made sure of — so only an
/// internationalised domain goes through `validator` (its regexes cost a tenth of an upload's CPU
/// when every address went through them). A property test checks both give the same answer.
fn allowed_by_html5_rule(local: &str, domain: &str, normalised: &str) -> bool {
    if domain.is_ascii() {
        !local.is_empty() && local.bytes().all(html5_local_char)
    } else {
        normalised.validate_email()
    }
}

fn domain_is_valid(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|l| {
        !l.is_empty()
            && l.chars().count() <= MAX_LABEL_LEN
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    // A top-level domain is never all digits; "jan@10.0.0" is a typo, not a mailbox.
    let tld_ok = labels.last().is_some_and(|t| t.chars().any(char::is_alphabetic));
    labels_ok && tld_ok
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn good_addresses_are_accepted_and_domain_lower_cased() {
        for (input, want) in [
            ("jan@voorbeeld.nl", "jan@voorbeeld.nl"),
            ("Jan.Jansen@ROC-Midden.NL", "Jan.Jansen@roc-midden.nl"),
            ("  a+tag@sub.example.com ", "a+tag@sub.example.com"),
            ("zoe@café.nl", "zoe@café.nl"),
            ("o'brien@example.ie", "o'brien@example.ie"),
        ] {
            assert_eq!(Email::parse(input).unwrap().as_str(), want, "{input:?}");
        }
    }

    #[test]
    fn bad_addresses_are_rejected_with_invalid_email() {
        for bad in [
            "jan",
            "jan@",
            "@voorbeeld.nl",
            "jan@voorbeeld",
            "jan@@voorbeeld.nl",
            "jan@a@voorbeeld.nl",
            "jan jansen@voorbeeld.nl",
            "jan@voorbeeld,nl",
            "jan@voorbeeld..nl",
            "jan@-voorbeeld.nl",
            "jan@voorbeeld-.nl",
            "jan@.voorbeeld.nl",
            "jan@voorbeeld.nl.",
            ".jan@voorbeeld.nl",
            "jan.@voorbeeld.nl",
            "ja..n@voorbeeld.nl",
            "jan@10.0.0.1",
            "jan@voor_beeld.nl",
            "ján@voorbeeld.nl",
        ] {
            let e = Email::parse(bad).unwrap_err();
            assert_eq!(e.code, "invalid_email", "{bad:?}");
        }
    }

    #[test]
    fn length_limits() {
        let local64 = "a".repeat(64);
        assert!(Email::parse(&format!("{local64}@voorbeeld.nl")).is_ok());
        let local65 = "a".repeat(65);
        assert_eq!(Email::parse(&format!("{local65}@voorbeeld.nl")).unwrap_err().code, "invalid_email");
        // 254 characters in total is allowed, 255 is not.
        let addr = |n: usize| format!("{}@{}.{}.{}.nl", "a".repeat(64), "b".repeat(63), "c".repeat(63), "e".repeat(n));
        assert_eq!(addr(58).len(), 254);
        assert!(Email::parse(&addr(58)).is_ok());
        assert_eq!(Email::parse(&addr(59)).unwrap_err().code, "too_long");
        assert_eq!(Email::parse("  ").unwrap_err().code, "required");
    }

    proptest::proptest! {
        /// The shortcut for ASCII domains answers as `validator` does.
        #[test]
        fn the_ascii_shortcut_agrees_with_validator(
            local in "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~ @\\[\\]\"(),:;<>é-]{1,12}",
            labels in proptest::collection::vec("[a-zA-Z0-9-]{1,8}", 1..4),
            tld in "[a-zA-Z]{2,4}",
        ) {
            let domain = format!("{}.{}", labels.join("."), tld).to_lowercase();
            proptest::prop_assume!(domain_is_valid(&domain));
            let normalised = format!("{local}@{domain}");
            proptest::prop_assert_eq!(allowed_by_html5_rule(&local, &domain, &normalised), normalised.validate_email());
        }
    }

    #[test]
    fn parts_are_available() {
        let e = Email::parse("Piet@Example.COM").unwrap();
        assert_eq!(e.local_part(), "Piet");
        assert_eq!(e.domain(), "example.com");
    }
}
