//! Invitation mailing: templates, message building, transports and what an SMTP reply means for
//! the delivery (docs/architecture.md, "The rules"), plus the survey tokens the links carry.
//!
//! The path of one mail: a [`MailRequest`] is rendered by [`Templates`] into a [`Rendered`]
//! subject and bodies, [`build_message`] turns that into a lettre `Message` with its own
//! Message-ID and `List-Unsubscribe`, and a [`Mailer`] ([`SmtpMailer`], [`FileMailer`],
//! [`MemoryMailer`]) hands it over and answers a [`SendOutcome`].
//!
//! ```
//! use bpv_mailing::*;
//! use chrono::NaiveDate;
//!
//! let token = SurveyToken::generate(); // store only token.hash()
//! let req = MailRequest {
//!     to_email: "jan@example.nl".into(),
//!     to_name: Some("Jan de Vries".into()),
//!     groep: bpvo::Groep::Praktijkopleider,
//!     kind: MailKind::Uitnodiging,
//!     items: vec![MailItem {
//!         student_voornaam: "Zoë".into(),
//!         opleiding: "Kok".into(),
//!         organisatie: "ROC Voorbeeld".into(),
//!         geplande_einddatum: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
//!         closes_on: NaiveDate::from_ymd_opt(2027, 8, 11).unwrap(),
//!         survey_url: format!("https://bpv.example/s/{}", token.as_str()),
//!         optout_url: format!("https://bpv.example/afmelden/{}", token.as_str()),
//!         student_link: None,
//!     }],
//! };
//! let rendered = Templates::new()?.render(&req)?;
//! assert!(rendered.text.contains("30 juni 2027"));
//! let sender = Sender {
//!     from_name: "SBB BPV Monitor".into(),
//!     from_email: "bpvmonitor@sbb.example".into(),
//!     reply_to: None,
//!     message_id_domain: "bpv.example".into(),
//! };
//! let message_id = new_message_id(); // record it with the delivery first
//! let msg = build_message(&sender, &req, &rendered, &message_id)?;
//!
//! let mailer = MemoryMailer::new();
//! let outcome = tokio::runtime::Builder::new_current_thread().build()?.block_on(mailer.send(&msg));
//! assert_eq!(outcome.class(), DeliveryClass::Sent);
//! assert_eq!(mailer.sent().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod message;
pub mod reply;
pub mod templates;
pub mod token;
pub mod transport;

pub use error::MailError;
pub use message::{Sender, build_message, new_message_id};
pub use reply::{DeliveryClass, classify_reply};
pub use templates::{MailItem, MailKind, MailRequest, Rendered, Templates, datum_nl};
pub use token::{SurveyToken, hash_token};
pub use transport::{
    CheckFuture, FileMailer, Mailer, MemoryMailer, SendFuture, SendOutcome, SentMail, SmtpMailer, SmtpSecurity,
    SmtpSettings,
};

/// lettre's message type, so that users of [`Mailer`] need not depend on lettre themselves.
pub use lettre::Message;
