//! The built message, read back by an independent parser (mail-parser), as a mail client would.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use bpv_mailing::{MailError, Templates, build_message, new_message_id};
use common::{OPTOUT, RECIPIENT_NAME, message, request, sender};
use mail_parser::{MessageParser, MimeHeaders as _, PartType};

#[test]
fn message_reads_back_with_encoded_names_subject_and_headers() {
    let id = new_message_id();
    let raw = message("zoe@example.nl", &id).formatted();
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(text.is_ascii(), "headers and bodies are transfer-encoded");
    for line in text.split("\r\n") {
        assert!(line.len() <= 998, "line too long for SMTP: {line}");
    }

    let parsed = MessageParser::default().parse(&raw).unwrap();
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("SBB – BPV Monitor"));
    assert_eq!(from.address(), Some("bpvmonitor@sbb.example"));
    let to = parsed.to().unwrap().first().unwrap();
    assert_eq!(to.name(), Some(RECIPIENT_NAME));
    assert_eq!(to.address(), Some("zoe@example.nl"));
    assert_eq!(parsed.reply_to().unwrap().first().unwrap().address(), Some("servicedesk@sbb.example"));

    assert_eq!(parsed.subject(), Some("Hoe verliep de bpv van Daniëlle? Vul de BPV Monitor in"));
    assert_eq!(parsed.message_id(), Some(format!("{id}@bpv.example").as_str()));
    assert!(text.contains(&format!("Message-ID: <{id}@bpv.example>\r\n")));
    assert!(parsed.date().is_some(), "Date header");

    assert_eq!(parsed.header_raw("List-Unsubscribe").map(str::trim), Some(format!("<{OPTOUT}>").as_str()));
    assert_eq!(parsed.header_raw("List-Unsubscribe-Post").map(str::trim), Some("List-Unsubscribe=One-Click"));
    assert_eq!(parsed.header_raw("Auto-Submitted").map(str::trim), Some("auto-generated"));

    // multipart/alternative with exactly text/plain and text/html, both UTF-8.
    let root = parsed.root_part();
    let ct = root.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("alternative")));
    let PartType::Multipart(children) = &root.body else { panic!("root is not multipart: {:?}", root.body) };
    assert_eq!(children.len(), 2);
    let kinds: Vec<(String, Option<String>)> = children
        .iter()
        .map(|&i| {
            let ct = parsed.part(i).unwrap().content_type().unwrap();
            (
                format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()),
                ct.attribute("charset").map(str::to_lowercase),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("text/plain".to_owned(), Some("utf-8".to_owned())), ("text/html".to_owned(), Some("utf-8".to_owned()))]
    );

    let body_text = parsed.body_text(0).unwrap();
    let body_html = parsed.body_html(0).unwrap();
    assert!(body_text.contains("Beste Zoë Çelik-de Vries,"));
    assert!(body_text.contains("https://bpv.example/s/BBBBBBBBBBBBBBBBBBBBBA"));
    assert!(body_text.contains("https://bpv.example/s/CCCCCCCCCCCCCCCCCCCCCA"));
    assert!(body_text.contains("– BPV Monitor"));
    assert!(body_html.contains(r#"<a href="https://bpv.example/s/BBBBBBBBBBBBBBBBBBBBBA""#));
    assert!(body_html.contains("Daniëlle"));
}

#[test]
fn envelope_carries_the_bare_addresses() {
    let msg = message("zoe@example.nl", "abc");
    assert_eq!(msg.envelope().from().unwrap().to_string(), "bpvmonitor@sbb.example");
    assert_eq!(msg.envelope().to().iter().map(ToString::to_string).collect::<Vec<_>>(), ["zoe@example.nl"]);
}

#[test]
fn message_ids_are_fresh() {
    let a = new_message_id();
    assert_ne!(a, new_message_id());
    assert_eq!(a.len(), 36);
}

#[test]
fn bad_addresses_and_ids_are_refused() {
    let req = request("not an address");
    let rendered = Templates::new().unwrap().render(&req).unwrap();
    let err = build_message(&sender(), &req, &rendered, "abc").unwrap_err();
    assert!(matches!(err, MailError::Address { field: "to", .. }), "{err:?}");
    assert!(!err.to_string().contains("not an address"), "addresses stay out of error messages");

    let req = request("zoe@example.nl");
    for id in ["", "a b", "<x@y>", "a\r\nBcc: z@example.org"] {
        let err = build_message(&sender(), &req, &rendered, id).unwrap_err();
        assert!(matches!(err, MailError::Request(_)), "{id:?}: {err:?}");
    }
    let mut bad_sender = sender();
    bad_sender.from_email = "nobody".into();
    let err = build_message(&bad_sender, &req, &rendered, "abc").unwrap_err();
    assert!(matches!(err, MailError::Address { field: "from", .. }), "{err:?}");
}

#[test]
fn control_characters_in_a_name_cannot_add_headers() {
    let mut req = request("zoe@example.nl");
    req.to_name = Some("Zoë\r\nBcc: evil@example.org".into());
    let rendered = Templates::new().unwrap().render(&req).unwrap();
    let raw = build_message(&sender(), &req, &rendered, "abc").unwrap().formatted();
    let parsed = MessageParser::default().parse(&raw).unwrap();
    assert!(parsed.bcc().is_none());
    let text = String::from_utf8(raw).unwrap();
    assert!(!text.contains("\r\nBcc:"), "{text}");
}
