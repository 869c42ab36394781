//! A rendered mail as an RFC 5322 message: own Message-ID (so the dispatcher can record it before
//! sending), UTF-8 headers encoded per RFC 2047, text and HTML alternatives, and the headers that
//! tell mail providers and auto-responders this is a bulk, auto-generated mail with a one-click
//! opt-out (RFC 8058).

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::MailError;
use crate::templates::{MailRequest, Rendered, check_url};

/// Who the mails come from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Sender {
    /// Display name, e.g. `SBB BPV Monitor`.
    pub from_name: String,
    /// Sender address, e.g. `bpvmonitor@s-bb.nl`.
    pub from_email: String,
    /// Where replies go, if not to `from_email`.
    pub reply_to: Option<String>,
    /// The right-hand side of every Message-ID (`<{id}@{message_id_domain}>`).
    pub message_id_domain: String,
}

const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");
const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");
const AUTO_RESPONSE_SUPPRESS: HeaderName = HeaderName::new_from_ascii_str("X-Auto-Response-Suppress");

/// A fresh id for [`build_message`]: a random UUID. The dispatcher stores it with the delivery
/// before sending, so a bounce or a complaint can be traced back to it.
pub fn new_message_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Build the message for one rendered mail. `message_id` is the left-hand side of the
/// Message-ID (letters, digits and `-._+`); the header becomes `<{message_id}@{domain}>`.
pub fn build_message(
    sender: &Sender,
    req: &MailRequest,
    rendered: &Rendered,
    message_id: &str,
) -> Result<Message, MailError> {
    let first = req.items.first().ok_or_else(|| MailError::Request("a mail needs at least one survey".into()))?;
    check_url("optout_url", &first.optout_url)?;
    if !is_id_part(message_id, b"-._+") {
        return Err(MailError::Request("message id must be letters, digits and -._+".into()));
    }
    if !is_id_part(&sender.message_id_domain, b"-.") {
        return Err(MailError::Config("message id domain must be a host name".into()));
    }

    let mut builder = Message::builder()
        .from(mailbox("from", Some(&sender.from_name), &sender.from_email)?)
        .to(mailbox("to", req.to_name.as_deref(), &req.to_email)?)
        .subject(rendered.subject.clone())
        .message_id(Some(format!("<{message_id}@{}>", sender.message_id_domain)))
        .date_now()
        .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{}>", first.optout_url)))
        .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE_POST, "List-Unsubscribe=One-Click".to_owned()))
        .raw_header(HeaderValue::new(AUTO_SUBMITTED, "auto-generated".to_owned()))
        // Out-of-office replies to an invitation only fill the sender's mailbox.
        .raw_header(HeaderValue::new(AUTO_RESPONSE_SUPPRESS, "OOF, AutoReply".to_owned()));
    if let Some(reply_to) = &sender.reply_to {
        builder = builder.reply_to(mailbox("reply-to", None, reply_to)?);
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(rendered.text.clone(), rendered.html.clone()))?)
}

fn mailbox(field: &'static str, name: Option<&str>, email: &str) -> Result<Mailbox, MailError> {
    let address = email.trim().parse().map_err(|source| MailError::Address { field, source })?;
    // A display name is one line; lettre quotes and RFC 2047-encodes the rest.
    let name = name
        .map(|name| name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned())
        .filter(|name| !name.is_empty());
    Ok(Mailbox::new(name, address))
}

fn is_id_part(text: &str, extra: &[u8]) -> bool {
    !text.is_empty() && text.len() <= 200 && text.bytes().all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}
