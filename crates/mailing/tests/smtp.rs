//! SmtpMailer against a real SMTP server: Postfix's `smtp-sink`, started per test on a free port
//! with its fault injection (`-f rcpt` 5xx, `-r rcpt` 4xx, `-q rcpt` hang-up).
//!
//! These tests need `smtp-sink` (package `postfix`): they are marked `#[ignore]` with that reason,
//! so plain `cargo test` lists them as ignored; `scripts/test.sh` installs postfix and runs them,
//! and there a missing smtp-sink is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bpv_mailing::{MailError, Mailer, SendOutcome, SmtpMailer, SmtpSecurity, SmtpSettings, new_message_id};
use mail_parser::MessageParser;

/// A running smtp-sink; killed when dropped.
struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sink {
    /// Start smtp-sink with the given extra options (fault injection).
    fn start(options: &[&str]) -> Sink {
        let binary = sink_binary();
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            // As root smtp-sink writes as `nobody` (-u), which must be able to create files here.
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
            let port = free_port();
            let mut cmd = Command::new(&binary);
            if running_as_root() {
                cmd.args(["-u", "nobody"]);
            }
            cmd.arg("-d")
                .arg(format!("{}/%M.", dir.path().display()))
                .args(options)
                .arg(format!("127.0.0.1:{port}"))
                .arg("100")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let mut sink = Sink { child: cmd.spawn().unwrap(), port, dir };
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if sink.child.try_wait().unwrap().is_some() {
                    break; // lost the port to someone else: try another
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return sink;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("smtp-sink did not start listening");
    }

    fn mailer(&self) -> SmtpMailer {
        SmtpMailer::new(&settings(self.port, SmtpSecurity::None)).unwrap()
    }

    /// The messages the sink saved, waiting up to two seconds for `n` of them.
    fn saved(&self, n: usize) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let files = files_in(self.dir.path());
            if files.len() >= n || Instant::now() > deadline {
                // A dump file of an aborted transaction may vanish between listing and reading
                // (smtp-sink removes it): what is gone was not delivered.
                return files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Sink {
    /// No message reached the sink. (After a refused RCPT smtp-sink may leave an empty dump
    /// file for the aborted transaction: empty is nothing.)
    fn assert_nothing_delivered(&self) {
        let saved = self.saved(0);
        assert!(
            saved.iter().all(Vec::is_empty),
            "{:?}",
            saved.iter().map(|s| String::from_utf8_lossy(s)).collect::<Vec<_>>()
        );
    }
}

fn sink_binary() -> PathBuf {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).map(|dir| dir.join("smtp-sink")).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/sbin/smtp-sink")])
        .find(|candidate| candidate.is_file())
        .expect("this test needs smtp-sink: apt-get install postfix (scripts/test.sh does this)")
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

fn settings(port: u16, security: SmtpSecurity) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security,
        username: None,
        password: None,
        pool_size: 4,
        timeout_seconds: 5,
    }
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix): scripts/test.sh runs it"]
async fn accepted_message_is_sent_and_saved_intact() {
    let sink = Sink::start(&[]);
    let mailer = sink.mailer();
    mailer.test_connection().await.unwrap();
    mailer.check_connection().await.unwrap();

    let id = new_message_id();
    let outcome = mailer.send(&common::message("zoe@example.nl", &id)).await;
    let SendOutcome::Sent { reply } = &outcome else { panic!("not sent: {outcome:?}") };
    assert!(reply.starts_with("250"), "{reply}");

    let saved = sink.saved(1);
    assert_eq!(saved.len(), 1);
    let parsed = MessageParser::default().parse(&saved[0]).unwrap();
    assert_eq!(parsed.header_raw("X-Rcpt-Args").map(str::trim), Some("<zoe@example.nl>"), "envelope recipient");
    assert_eq!(parsed.header_raw("X-Mail-Args").map(|a| a.trim().starts_with("<bpvmonitor@sbb.example>")), Some(true));
    assert_eq!(parsed.message_id(), Some(format!("{id}@bpv.example").as_str()));
    assert_eq!(parsed.to().unwrap().first().unwrap().name(), Some(common::RECIPIENT_NAME));
    assert_eq!(parsed.subject(), Some("Hoe verliep de bpv van Daniëlle? Vul de BPV Monitor in"));
    assert!(parsed.body_text(0).unwrap().contains("https://bpv.example/s/BBBBBBBBBBBBBBBBBBBBBA"));
    assert!(parsed.body_html(0).unwrap().contains("Daniëlle"));
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix): scripts/test.sh runs it"]
async fn pooled_connections_carry_concurrent_sends() {
    let sink = Sink::start(&[]);
    let mailer: Arc<dyn Mailer> = Arc::new(sink.mailer());
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..8 {
        let mailer = Arc::clone(&mailer);
        let msg = common::message(&format!("po{i}@example.nl"), &format!("pool-{i}"));
        sends.spawn(async move { mailer.send(&msg).await });
    }
    while let Some(outcome) = sends.join_next().await {
        let outcome = outcome.unwrap();
        assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    }
    assert_eq!(sink.saved(8).len(), 8);
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix): scripts/test.sh runs it"]
async fn a_server_without_pipelining_gets_one_command_at_a_time() {
    // -p: smtp-sink does not offer PIPELINING, so the mailer waits for each reply.
    let sink = Sink::start(&["-p"]);
    let outcome = sink.mailer().send(&common::message("zoe@example.nl", "no-pipelining")).await;
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    assert_eq!(sink.saved(1).len(), 1);
}

/// What a [`Scripted`] server read, line by line, after the two EHLOs.
type Heard = Vec<String>;

/// A server that offers PIPELINING and answers the sender (MAIL) only after the recipient
/// (RCPT) and DATA have come in as well: a client that waits for each reply before its next
/// command gets no reply here and times out. It then answers `replies` (to MAIL, RCPT and
/// DATA), reads the message when DATA got 354 and answers it with `final_reply`, and reads
/// whatever else comes until the client hangs up.
struct Scripted {
    port: u16,
    heard: std::thread::JoinHandle<Heard>,
}

impl Scripted {
    fn start(replies: [&'static str; 3], final_reply: &'static str) -> Scripted {
        use std::io::{BufRead as _, BufReader, Write as _};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let heard = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let mut out = stream.try_clone().unwrap();
            let mut lines = BufReader::new(stream).lines().map_while(Result::ok);
            out.write_all(b"220 scripted ESMTP\r\n").unwrap();
            let mut ehlos = 0;
            while ehlos < 2 {
                let line = lines.next().expect("EHLO");
                if line.starts_with("EHLO") {
                    ehlos += 1;
                    out.write_all(b"250-scripted\r\n250-PIPELINING\r\n250 8BITMIME\r\n").unwrap();
                } else {
                    out.write_all(b"250 2.0.0 Ok\r\n").unwrap();
                }
            }
            // No reply before all three commands are in.
            let mut heard: Heard = (0..3).map(|_| lines.next().expect("MAIL, RCPT, DATA")).collect();
            for reply in replies {
                out.write_all(format!("{reply}\r\n").as_bytes()).unwrap();
            }
            if replies[2].starts_with("354") {
                for line in lines.by_ref() {
                    let end = line == ".";
                    heard.push(line);
                    if end {
                        out.write_all(format!("{final_reply}\r\n").as_bytes()).unwrap();
                        break;
                    }
                }
            }
            for line in lines {
                if line == "QUIT" {
                    let _ = out.write_all(b"221 2.0.0 Bye\r\n");
                }
                heard.push(line);
            }
            heard
        });
        Scripted { port, heard }
    }

    fn mailer(&self) -> SmtpMailer {
        SmtpMailer::new(&SmtpSettings { timeout_seconds: 2, ..settings(self.port, SmtpSecurity::None) }).unwrap()
    }

    /// Everything the server read after the EHLOs (once the client has hung up).
    fn heard(self) -> Heard {
        self.heard.join().unwrap()
    }
}

#[tokio::test]
async fn the_envelope_goes_out_in_one_write_where_the_server_offers_pipelining() {
    let server = Scripted::start(
        ["250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>"],
        "250 2.0.0 Ok: queued as P1",
    );
    let mailer = server.mailer();
    let outcome = mailer.send(&common::message("zoe@example.nl", "pipelined")).await;
    let SendOutcome::Sent { reply } = &outcome else { panic!("not sent: {outcome:?}") };
    assert!(reply.starts_with("250") && reply.ends_with("queued as P1"), "the message's own reply: {reply}");
    drop(mailer); // hang up: the pooled connection closes
    let heard = server.heard();
    assert!(heard[0].starts_with("MAIL FROM:<bpvmonitor@sbb.example>"), "{heard:?}");
    assert_eq!(heard[1], "RCPT TO:<zoe@example.nl>");
    assert_eq!(heard[2], "DATA");
    assert!(heard.iter().any(|l| l.starts_with("Message-ID: <pipelined@bpv.example>")), "{heard:?}");
    assert_eq!(heard.iter().filter(|l| *l == ".").count(), 1, "{heard:?}");
}

#[tokio::test]
async fn a_refused_recipient_in_a_pipeline_is_permanent_and_no_message_follows() {
    for data_reply in ["554 5.5.1 Error: no valid recipients", "354 End data with <CR><LF>.<CR><LF>"] {
        // The second: a server that lets DATA through after refusing the only recipient must
        // still not get the message.
        let server = Scripted::start(
            ["250 2.1.0 Ok", "550 5.1.1 <gone@example.nl>: Recipient address rejected", data_reply],
            "250 2.0.0 Ok: queued as WRONG",
        );
        let outcome = server.mailer().send(&common::message("gone@example.nl", "refused")).await;
        let SendOutcome::Permanent { reason } = &outcome else { panic!("not permanent: {outcome:?}") };
        assert!(reason.contains("550") && reason.contains("Recipient address rejected"), "the first refusal: {reason}");
        let heard = server.heard();
        assert_eq!(&heard[3..], ["QUIT"], "after the refusal only QUIT, no message: {heard:?}");
    }
}

#[tokio::test]
async fn a_deferred_sender_in_a_pipeline_is_transient() {
    let server = Scripted::start(
        ["451 4.3.0 Try again later", "503 5.5.1 Error: need MAIL command", "503 5.5.1 Error: need RCPT command"],
        "",
    );
    let outcome = server.mailer().send(&common::message("later@example.nl", "deferred")).await;
    let SendOutcome::Transient { reason } = &outcome else { panic!("not transient: {outcome:?}") };
    assert!(reason.contains("451"), "the sender's refusal decides, not the 503s after it: {reason}");
    assert_eq!(&server.heard()[3..], ["QUIT"]);
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix): scripts/test.sh runs it"]
async fn refused_recipient_is_permanent() {
    let sink = Sink::start(&["-f", "rcpt"]);
    let outcome = sink.mailer().send(&common::message("gone@example.nl", "perm")).await;
    eprintln!("{outcome:?}");
    let SendOutcome::Permanent { reason } = &outcome else { panic!("not permanent: {outcome:?}") };
    assert!(reason.contains("500"), "the code is kept: {reason}");
    sink.assert_nothing_delivered();
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix): scripts/test.sh runs it"]
async fn deferred_recipient_is_transient() {
    let sink = Sink::start(&["-r", "rcpt"]);
    let outcome = sink.mailer().send(&common::message("later@example.nl", "defer")).await;
    eprintln!("{outcome:?}");
    let SendOutcome::Transient { reason } = &outcome else { panic!("not transient: {outcome:?}") };
    assert!(reason.contains("450"), "the code is kept: {reason}");
    sink.assert_nothing_delivered();
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix): scripts/test.sh runs it"]
async fn hang_up_is_transient() {
    let sink = Sink::start(&["-q", "rcpt"]);
    let outcome = sink.mailer().send(&common::message("lost@example.nl", "hangup")).await;
    eprintln!("{outcome:?}");
    assert!(matches!(outcome, SendOutcome::Transient { .. }), "{outcome:?}");
    sink.assert_nothing_delivered();
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix): scripts/test.sh runs it"]
async fn starttls_is_required_not_skipped() {
    // smtp-sink offers no STARTTLS: the mail must not go out in plain text.
    let sink = Sink::start(&[]);
    let mailer = SmtpMailer::new(&settings(sink.port, SmtpSecurity::StartTls)).unwrap();
    let outcome = mailer.send(&common::message("zoe@example.nl", "starttls")).await;
    eprintln!("{outcome:?}");
    assert!(matches!(outcome, SendOutcome::Transient { .. }), "{outcome:?}");
    sink.assert_nothing_delivered();
}

#[tokio::test]
#[ignore = "needs smtp-sink (apt-get install postfix): scripts/test.sh runs it"]
async fn implicit_tls_to_a_plain_server_is_transient() {
    let sink = Sink::start(&[]);
    let mailer = SmtpMailer::new(&settings(sink.port, SmtpSecurity::Tls)).unwrap();
    let outcome = mailer.send(&common::message("zoe@example.nl", "tls")).await;
    eprintln!("{outcome:?}");
    assert!(matches!(outcome, SendOutcome::Transient { .. }), "{outcome:?}");
    sink.assert_nothing_delivered();
}

#[tokio::test]
async fn nothing_listening_is_transient_and_fails_the_connection_test() {
    // Needs no smtp-sink: a port nobody listens on.
    let port = free_port();
    let mailer = SmtpMailer::new(&settings(port, SmtpSecurity::None)).unwrap();
    let outcome = mailer.send(&common::message("zoe@example.nl", "refused")).await;
    eprintln!("{outcome:?}");
    assert!(matches!(outcome, SendOutcome::Transient { .. }), "{outcome:?}");
    assert!(mailer.test_connection().await.is_err());
    assert!(mailer.check_connection().await.is_err());
}

#[test]
fn smtp_mailer_refuses_unusable_settings() {
    // No runtime is needed to build it (the pool starts no background task).
    assert!(SmtpMailer::new(&settings(25, SmtpSecurity::None)).is_ok());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut zero_pool = settings(25, SmtpSecurity::None);
        zero_pool.pool_size = 0;
        assert!(matches!(SmtpMailer::new(&zero_pool), Err(MailError::Config(_))));
        let mut zero_timeout = settings(25, SmtpSecurity::None);
        zero_timeout.timeout_seconds = 0;
        assert!(matches!(SmtpMailer::new(&zero_timeout), Err(MailError::Config(_))));
        let mut password_only = settings(25, SmtpSecurity::None);
        password_only.password = Some("geheim".into());
        assert!(matches!(SmtpMailer::new(&password_only), Err(MailError::Config(_))));
        let mut with_auth = settings(25, SmtpSecurity::StartTls);
        with_auth.username = Some("bpv".into());
        with_auth.password = Some("geheim".into());
        assert!(!format!("{with_auth:?}").contains("geheim"), "Debug hides the password");
        let mailer = SmtpMailer::new(&with_auth).unwrap();
        assert!(!format!("{mailer:?}").contains("geheim"));
    });
}
