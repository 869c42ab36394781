//! What an SMTP reply means for a delivery: 2xx sent, 4xx try again later, 5xx never again.

/// The fate of one message after the server answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryClass {
    /// Accepted (2xx).
    Sent,
    /// Try again later (4xx, or the connection was lost).
    Transient,
    /// Refused for good (5xx): the address is marked and not mailed again.
    Permanent,
}

/// Classify a three-digit SMTP reply code. Codes outside 200–599 are protocol errors: transient,
/// because retrying against a healthy server is safe and dropping the mail is not.
pub fn classify_reply(code: u16) -> DeliveryClass {
    match code {
        200..=299 => DeliveryClass::Sent,
        500..=599 => DeliveryClass::Permanent,
        _ => DeliveryClass::Transient,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_codes_are_classified() {
        assert_eq!(classify_reply(250), DeliveryClass::Sent);
        assert_eq!(classify_reply(421), DeliveryClass::Transient);
        assert_eq!(classify_reply(451), DeliveryClass::Transient);
        assert_eq!(classify_reply(550), DeliveryClass::Permanent);
        assert_eq!(classify_reply(554), DeliveryClass::Permanent);
        assert_eq!(classify_reply(0), DeliveryClass::Transient);
        assert_eq!(classify_reply(354), DeliveryClass::Transient);
    }
}
