//! The file and in-memory mailers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::sync::Arc;

use bpv_mailing::{DeliveryClass, FileMailer, Mailer, MemoryMailer, SendOutcome};
use mail_parser::MessageParser;

#[tokio::test]
async fn file_mailer_writes_one_eml_per_message_named_by_message_id() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("mail").join("out");
    let mailer = FileMailer::new(&dir).unwrap();
    assert!(dir.is_dir(), "the folder is created");

    let msg = common::message("zoe@example.nl", "0b9f7a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
    let outcome = mailer.send(&msg).await;
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    let path = dir.join("0b9f7a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b@bpv.example.eml");
    assert_eq!(mailer.path_for(&msg), path);
    let raw = std::fs::read(&path).unwrap();
    assert_eq!(raw, msg.formatted());
    let parsed = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(parsed.to().unwrap().first().unwrap().name(), Some(common::RECIPIENT_NAME));

    // The folder may disappear between runs (a cleaned /tmp): it is made again.
    std::fs::remove_dir_all(&dir).unwrap();
    let again = common::message("zoe@example.nl", "second");
    assert!(matches!(mailer.send(&again).await, SendOutcome::Sent { .. }));
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["second@bpv.example.eml"], "no partial files left behind");
}

#[tokio::test]
async fn file_mailer_reports_an_unwritable_folder_as_transient() {
    let root = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(root.path().join("out")).unwrap();
    std::fs::remove_dir_all(root.path().join("out")).unwrap();
    std::fs::write(root.path().join("out"), b"a file where the folder should be").unwrap();
    let outcome = mailer.send(&common::message("zoe@example.nl", "x")).await;
    assert!(matches!(outcome, SendOutcome::Transient { .. }), "{outcome:?}");
}

#[tokio::test]
async fn memory_mailer_keeps_messages_and_shares_them_between_clones() {
    let memory = MemoryMailer::new();
    let mailer: Arc<dyn Mailer> = Arc::new(memory.clone());
    mailer.check_connection().await.unwrap();
    let outcome = mailer.send(&common::message("zoe@example.nl", "m1")).await;
    assert!(matches!(&outcome, SendOutcome::Sent { reply } if reply.starts_with("250")), "{outcome:?}");
    mailer.send(&common::message("jan@example.nl", "m2")).await;

    let sent = memory.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].message_id.as_deref(), Some("<m1@bpv.example>"));
    assert_eq!(sent[0].from.as_deref(), Some("bpvmonitor@sbb.example"));
    assert_eq!(sent[0].to, ["zoe@example.nl"]);
    assert_eq!(sent[1].to, ["jan@example.nl"]);
    assert!(sent[0].raw_text().contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert_eq!(memory.attempts(), 2);

    memory.clear();
    assert!(memory.sent().is_empty());
    assert_eq!(memory.attempts(), 0);
}

#[tokio::test]
async fn memory_mailer_fails_the_next_sends_as_told() {
    let memory = MemoryMailer::new();
    memory.fail_next_transient(2);
    memory.fail_next_permanent(1);
    let msg = common::message("zoe@example.nl", "f");
    let classes: Vec<DeliveryClass> = {
        let mut classes = Vec::new();
        for _ in 0..4 {
            classes.push(memory.send(&msg).await.class());
        }
        classes
    };
    assert_eq!(
        classes,
        [DeliveryClass::Transient, DeliveryClass::Transient, DeliveryClass::Permanent, DeliveryClass::Sent]
    );
    assert_eq!(memory.sent().len(), 1, "failed sends are not kept");
    assert_eq!(memory.attempts(), 4);
}
