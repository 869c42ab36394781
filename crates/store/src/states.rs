//! The states the store keeps in TEXT columns, as types: a row's `status`, `soort` or `rol` is an
//! enum, so comparing it with a misspelt literal cannot compile. Domain states come from their
//! own crates ([`bpvo::Groep`], [`bpvo::Kanaal`], [`bpvo::BpvoStatus`],
//! [`bpv_scheduling::InvitationStatus`]); the outbox and the API clients' states live here. The
//! columns stay TEXT on both backends (and keep their CHECK constraints); an unknown stored
//! value fails the load rather than turning into a default.

use std::fmt;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parse the stored text (exactly as [`as_str`](Self::as_str) writes it).
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        bpvo::text_column!($name, $name::parse);
    };
}

text_enum! {
    /// Which mail of an invitation a delivery is.
    Soort {
        /// The first mail.
        Uitnodiging => "uitnodiging",
        /// A reminder (`nummer` 1, 2, …).
        Herinnering => "herinnering",
        /// The praktijkopleider's assessment request of a begeleidingsdocument (no reminders).
        Beoordelingsverzoek => "beoordelingsverzoek",
    }
}

text_enum! {
    /// Where a praktijkopleider's assessment request stands.
    VerzoekStatus {
        /// Waiting for its day in the outbox.
        Gepland => "gepland",
        /// The mail with the link went out.
        Verstuurd => "verstuurd",
        /// The praktijkopleider assessed through the link (once; the link is spent).
        Ingevuld => "ingevuld",
        /// The praktijkopleider declined through the link (or its List-Unsubscribe): the school
        /// records the beoordeling itself.
        Afgemeld => "afgemeld",
    }
}

text_enum! {
    /// Where a mail in the outbox stands.
    DeliveryStatus {
        /// Waiting for its time (or its retry).
        Wachtend => "wachtend",
        /// Claimed by a dispatcher (lease).
        Bezig => "bezig",
        /// Accepted by the SMTP server.
        Verstuurd => "verstuurd",
        /// Refused for good (5xx); the address is suppressed.
        Mislukt => "mislukt",
        /// Gave up after the maximum number of attempts (visible, retryable with `retry --dead`).
        Dood => "dood",
        /// Not sent on purpose (cancelled invitation, suppressed address).
        Overgeslagen => "overgeslagen",
    }
}

text_enum! {
    /// Whose API client: an instelling's (bounded to its BRIN) or SBB's (every instelling).
    Rol {
        /// A school's client.
        School => "school",
        /// SBB's own client.
        Sbb => "sbb",
    }
}

text_enum! {
    /// Where an upload batch stands: reserved and running, or done.
    BatchStatus {
        /// Reserved (with an Idempotency-Key) or being processed.
        Bezig => "bezig",
        /// Finished: the answer is stored and replayed for the same key.
        Verwerkt => "verwerkt",
    }
}

text_enum! {
    /// Which way an upload came in.
    UploadBron {
        /// A JSON batch over the API.
        Api => "api",
        /// A CSV batch over the API.
        ApiCsv => "api-csv",
        /// A single `PUT` over the API.
        ApiEnkel => "api-enkel",
        /// The manual upload page.
        Uploadmodule => "uploadmodule",
    }
}

text_enum! {
    /// Where an answer came from.
    AntwoordBron {
        /// The survey form.
        Web => "web",
        /// A file of an external survey bureau (`bpv import-antwoorden`).
        Import => "import",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_texts_parse_back_and_nothing_else_does() {
        for s in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(s.as_str()), Some(*s));
        }
        for s in Soort::ALL {
            assert_eq!(Soort::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Rol::parse("sbb"), Some(Rol::Sbb));
        assert_eq!(Rol::parse("SBB"), None, "stored text is exact");
        assert_eq!(DeliveryStatus::parse("verzonden"), None);
    }
}
