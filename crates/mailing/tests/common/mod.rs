//! A realistic mail for the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bpv_mailing::{MailItem, MailKind, MailRequest, Message, Sender, Templates, build_message};
use bpvo::Groep;
use chrono::NaiveDate;

pub const RECIPIENT_NAME: &str = "Zoë Çelik-de Vries";
pub const OPTOUT: &str = "https://bpv.example/afmelden/AAAAAAAAAAAAAAAAAAAAAA";

pub fn sender() -> Sender {
    Sender {
        from_name: "SBB – BPV Monitor".into(),
        from_email: "bpvmonitor@sbb.example".into(),
        reply_to: Some("servicedesk@sbb.example".into()),
        message_id_domain: "bpv.example".into(),
    }
}

pub fn request(to_email: &str) -> MailRequest {
    MailRequest {
        to_email: to_email.into(),
        to_name: Some(RECIPIENT_NAME.into()),
        groep: Groep::Praktijkopleider,
        kind: MailKind::Uitnodiging,
        items: vec![MailItem {
            student_voornaam: "Daniëlle".into(),
            opleiding: "Medewerker fastservice".into(),
            organisatie: "ROC Zuidwest".into(),
            geplande_einddatum: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
            closes_on: NaiveDate::from_ymd_opt(2027, 8, 11).unwrap(),
            survey_url: "https://bpv.example/s/BBBBBBBBBBBBBBBBBBBBBA".into(),
            optout_url: OPTOUT.into(),
            student_link: Some("https://bpv.example/s/CCCCCCCCCCCCCCCCCCCCCA".into()),
        }],
    }
}

/// The message for [`request`] with the given Message-ID left-hand side.
pub fn message(to_email: &str, message_id: &str) -> Message {
    let req = request(to_email);
    let rendered = Templates::new().unwrap().render(&req).unwrap();
    build_message(&sender(), &req, &rendered, message_id).unwrap()
}
