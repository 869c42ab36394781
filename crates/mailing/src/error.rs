//! What can go wrong while preparing or handing over a mail. A refusal by the SMTP server is not
//! an error here but a [`SendOutcome`](crate::SendOutcome): the dispatcher records it per message.

/// Errors of the mailing crate.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A template failed to load or render (a bug in the templates, or a value they do not expect).
    #[error("mail template: {0}")]
    Template(#[from] minijinja::Error),
    /// The request itself cannot become a mail (no items, a link that is not http(s), …).
    #[error("invalid mail request: {0}")]
    Request(String),
    /// A sender or recipient address that is not a valid mailbox. The address itself is left out
    /// of the message on purpose: errors end up in logs, recipients must not.
    #[error("invalid {field} address: {source}")]
    Address {
        /// Which address: `from`, `to` or `reply-to`.
        field: &'static str,
        /// Why lettre refused it.
        source: lettre::address::AddressError,
    },
    /// lettre could not assemble the message.
    #[error("building the message: {0}")]
    Build(#[from] lettre::error::Error),
    /// Writing a message file (file transport).
    #[error("mail file: {0}")]
    Io(#[from] std::io::Error),
    /// Settings that cannot work (a pool of size 0, no Tokio runtime to run the pool in, …).
    #[error("mail configuration: {0}")]
    Config(String),
    /// The SMTP transport could not be set up or reached.
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// A survey token that is not of the shape this system issues.
    #[error("invalid survey token")]
    InvalidToken,
}
