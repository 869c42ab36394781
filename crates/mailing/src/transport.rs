//! Where built messages go: an SMTP server (production), `.eml` files (development and the
//! demo) or memory (tests). The dispatcher holds an `Arc<dyn Mailer>` and records each
//! [`SendOutcome`] on its delivery.

use std::collections::VecDeque;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::authentication::Mechanism;
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use lettre::{Message, transport::smtp};

use crate::{DeliveryClass, MailError, classify_reply};

/// The future a [`Mailer`] returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = SendOutcome> + Send + 'a>>;

/// The future of [`Mailer::check_connection`].
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<(), MailError>> + Send + 'a>>;

/// Something that takes messages. Object-safe: use it as `Arc<dyn Mailer>`.
pub trait Mailer: Send + Sync {
    /// Hand one message over. Never fails as a `Result`: every way it can go is an outcome the
    /// dispatcher records on the delivery.
    fn send<'a>(&'a self, msg: &'a Message) -> SendFuture<'a>;

    /// Whether the mailer can take messages at all (for "SMTP down" detection before a run).
    /// Transports without a server are always ready.
    fn check_connection(&self) -> CheckFuture<'_> {
        Box::pin(async { Ok(()) })
    }
}

/// What happened to one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted; `reply` is the server's answer with its code (`250 2.0.0 Ok: queued as …`).
    Sent {
        /// The reply, code first.
        reply: String,
    },
    /// Not accepted now; try again later (4xx, connection lost, timeout, TLS failure).
    Transient {
        /// What went wrong, with the reply code when there was one.
        reason: String,
    },
    /// Refused for good (5xx): do not send to this address again.
    Permanent {
        /// The server's refusal, with its code.
        reason: String,
    },
}

impl SendOutcome {
    /// The delivery class of this outcome.
    pub fn class(&self) -> DeliveryClass {
        match self {
            SendOutcome::Sent { .. } => DeliveryClass::Sent,
            SendOutcome::Transient { .. } => DeliveryClass::Transient,
            SendOutcome::Permanent { .. } => DeliveryClass::Permanent,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SMTP

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain text (a local relay or a test server only).
    None,
    /// Plain connection upgraded with STARTTLS; refuses to go on without it (usually port 587).
    #[serde(alias = "starttls")]
    StartTls,
    /// TLS from the first byte (implicit TLS, usually port 465).
    Tls,
}

/// Settings of the SMTP transport.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub struct SmtpSettings {
    /// Server host name (also the name the TLS certificate must carry).
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Connection protection.
    pub security: SmtpSecurity,
    /// User for SMTP AUTH; no authentication without it.
    pub username: Option<String>,
    /// Password for SMTP AUTH.
    pub password: Option<String>,
    /// Most connections held open at once (at least 1).
    pub pool_size: u32,
    /// Timeout of each SMTP command and of connecting, in seconds (at least 1).
    pub timeout_seconds: u64,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("pool_size", &self.pool_size)
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}

/// Sends through an SMTP server over a pool of reused connections. lettre speaks the protocol
/// (EHLO, STARTTLS, AUTH, the transaction); the pool is ours so that plain and STARTTLS
/// connections run on TCP streams with `TCP_NODELAY`: lettre writes a message's closing
/// `\r\n.\r\n` as a write of its own, which Nagle's algorithm would hold back until the server's
/// delayed ACK (~40 ms per message, a ceiling of ~25 mails/s per connection). Where the server
/// offers PIPELINING (RFC 2920), a message's MAIL, RCPT and DATA go out in one write (see
/// [`send_pipelined`]).
pub struct SmtpMailer {
    host: String,
    port: u16,
    security: SmtpSecurity,
    pool_size: u32,
    timeout: Duration,
    credentials: Option<Credentials>,
    hello: ClientId,
    idle: tokio::sync::Mutex<Vec<Connection>>,
    slots: tokio::sync::Semaphore,
}

/// A connection of the pool, and whether its server offers PIPELINING (lettre's `ServerInfo`
/// keeps only the keywords lettre itself uses).
struct Connection {
    smtp: AsyncSmtpConnection,
    pipelining: bool,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("pool_size", &self.pool_size)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Set the transport up. No connection is made yet (see [`test_connection`](Self::test_connection)).
    pub fn new(settings: &SmtpSettings) -> Result<Self, MailError> {
        if settings.pool_size == 0 {
            return Err(MailError::Config("SMTP pool size must be at least 1".into()));
        }
        if settings.timeout_seconds == 0 {
            return Err(MailError::Config("SMTP timeout must be at least 1 second".into()));
        }
        if settings.password.is_some() && settings.username.is_none() {
            return Err(MailError::Config("SMTP password given without a user name".into()));
        }
        let host = settings.host.trim();
        if host.is_empty() {
            return Err(MailError::Config("SMTP host is empty".into()));
        }
        Ok(SmtpMailer {
            host: host.to_owned(),
            port: settings.port,
            security: settings.security,
            pool_size: settings.pool_size,
            timeout: Duration::from_secs(settings.timeout_seconds),
            credentials: settings
                .username
                .as_ref()
                .map(|u| Credentials::new(u.clone(), settings.password.clone().unwrap_or_default())),
            hello: ClientId::default(),
            idle: tokio::sync::Mutex::new(Vec::new()),
            slots: tokio::sync::Semaphore::new(usize::try_from(settings.pool_size).unwrap_or(1)),
        })
    }

    /// A new connection: TCP (with `TCP_NODELAY`), EHLO, STARTTLS when asked, EHLO once more for
    /// PIPELINING, AUTH when configured.
    async fn connect(&self) -> Result<Connection, String> {
        let work = async {
            let mut conn = match self.security {
                SmtpSecurity::Tls => AsyncSmtpConnection::connect_tokio1(
                    (self.host.as_str(), self.port),
                    Some(self.timeout),
                    &self.hello,
                    Some(TlsParameters::new(self.host.clone()).map_err(|e| e.to_string())?),
                    None,
                )
                .await
                .map_err(|e| e.to_string())?,
                SmtpSecurity::None | SmtpSecurity::StartTls => {
                    let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                        .await
                        .map_err(|e| format!("connection to {}:{} failed: {e}", self.host, self.port))?;
                    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
                    let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                        .await
                        .map_err(|e| e.to_string())?;
                    if self.security == SmtpSecurity::StartTls {
                        if !conn.can_starttls() {
                            conn.abort().await;
                            return Err(format!(
                                "{} does not offer STARTTLS; refusing to send in plain text",
                                self.host
                            ));
                        }
                        let tls = TlsParameters::new(self.host.clone()).map_err(|e| e.to_string())?;
                        conn.starttls(tls, &self.hello).await.map_err(|e| e.to_string())?;
                    }
                    conn
                }
            };
            // Before AUTH, so that no server sees EHLO after authentication (RFC 5321 lets EHLO
            // reset the session).
            let pipelining = offers_pipelining(&mut conn, &self.hello).await?;
            if let Some(creds) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], creds).await.map_err(|e| e.to_string())?;
            }
            Ok(Connection { smtp: conn, pipelining })
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .unwrap_or_else(|_| Err(format!("connecting to {}:{} timed out", self.host, self.port)))
    }

    /// Connect and send `NOOP`: `Ok` when the server answers. The connection stays in the pool.
    pub async fn test_connection(&self) -> Result<(), MailError> {
        let unreachable = |why: String| MailError::Io(std::io::Error::other(why));
        let mut conn = self.connect().await.map_err(unreachable)?;
        if !conn.smtp.test_connected().await {
            return Err(unreachable(format!("SMTP server {}:{} did not answer NOOP", self.host, self.port)));
        }
        self.idle.lock().await.push(conn);
        Ok(())
    }

    /// One attempt on one connection: pipelined where the server offers it and the message needs
    /// nothing lettre's own `send` would have to check first (an address that is not ASCII, a
    /// body that is not while the server has no 8BITMIME), lettre's `send` otherwise.
    async fn attempt(&self, conn: &mut Connection, msg: &Message, raw: &[u8]) -> SendOutcome {
        let envelope = msg.envelope();
        let pipelined = conn.pipelining
            && envelope.from().into_iter().chain(envelope.to()).all(|a| AsRef::<str>::as_ref(a).is_ascii())
            && (raw.is_ascii() || conn.smtp.server_info().supports_feature(Extension::EightBitMime));
        let send = async {
            if pipelined {
                send_pipelined(&mut conn.smtp, envelope, raw).await
            } else {
                conn.smtp.send(envelope, raw).await
            }
        };
        match tokio::time::timeout(self.timeout * 2, send).await {
            Ok(Ok(response)) => accepted(&response),
            Ok(Err(err)) => refused(&err),
            Err(_) => SendOutcome::Transient { reason: "the SMTP server did not answer in time".into() },
        }
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, msg: &'a Message) -> SendFuture<'a> {
        Box::pin(async move {
            let Ok(_slot) = self.slots.acquire().await else {
                return SendOutcome::Transient { reason: "SMTP pool closed".into() };
            };
            let raw = msg.formatted();
            let pooled = self.idle.lock().await.pop().filter(|c| !c.smtp.has_broken());
            let reused = pooled.is_some();
            let mut conn = match pooled {
                Some(c) => c,
                None => match self.connect().await {
                    Ok(c) => c,
                    Err(reason) => return SendOutcome::Transient { reason },
                },
            };
            let mut outcome = self.attempt(&mut conn, msg, &raw).await;
            // A pooled connection the server closed while idle fails without a reply code: try
            // once more on a fresh one rather than spend one of the mail's attempts on it.
            if reused && conn.smtp.has_broken() && matches!(outcome, SendOutcome::Transient { .. }) {
                match self.connect().await {
                    Ok(fresh) => {
                        conn = fresh;
                        outcome = self.attempt(&mut conn, msg, &raw).await;
                    }
                    Err(reason) => return SendOutcome::Transient { reason },
                }
            }
            if !conn.smtp.has_broken() && matches!(outcome, SendOutcome::Sent { .. }) {
                self.idle.lock().await.push(conn);
            }
            outcome
        })
    }

    fn check_connection(&self) -> CheckFuture<'_> {
        Box::pin(self.test_connection())
    }
}

/// EHLO once more, for the PIPELINING keyword.
async fn offers_pipelining(conn: &mut AsyncSmtpConnection, hello: &ClientId) -> Result<bool, String> {
    let reply = conn.command(Ehlo::new(hello.clone())).await.map_err(|e| e.to_string())?;
    Ok(reply.message().any(|line| line.split_whitespace().next().is_some_and(|k| k.eq_ignore_ascii_case("PIPELINING"))))
}

/// One message with command pipelining (RFC 2920): MAIL, RCPT and DATA in one write, their
/// replies read in order, then the message: two round trips instead of four. It ends as lettre's
/// own `send` ends: the first refusal (or lost connection) is the result, and the session is
/// given up (`abort`: QUIT, the connection is not used again). A server that answers DATA with
/// 354 after it refused the sender or the recipient never receives the message: the connection
/// is closed first.
async fn send_pipelined(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    raw: &[u8],
) -> Result<Response, smtp::Error> {
    let body = if raw.is_ascii() { Vec::new() } else { vec![MailParameter::Body(MailBodyParameter::EightBitMime)] };
    let mut commands = Mail::new(envelope.from().cloned(), body).to_string();
    for to in envelope.to() {
        commands.push_str(&Rcpt::new(to.clone(), Vec::new()).to_string());
    }
    commands.push_str(&Data.to_string());
    // The reply to MAIL; then one per RCPT and the one to DATA, while all are positive.
    let mut reply = conn.command(commands).await;
    for _ in 0..=envelope.to().len() {
        if reply.is_err() {
            break;
        }
        reply = conn.read_response().await;
    }
    let result = match reply {
        Ok(_) => conn.message(raw).await,
        Err(err) => Err(err),
    };
    if result.is_err() {
        conn.abort().await;
    }
    result
}

/// lettre only returns `Ok` for a positive reply; classify it anyway so that a server answering
/// something odd is retried rather than counted as delivered.
fn accepted(response: &Response) -> SendOutcome {
    let lines: Vec<&str> = response.message().collect();
    let reply = format!("{} {}", response.code(), lines.join(" ")).trim_end().to_owned();
    match classify_reply(u16::from(response.code())) {
        DeliveryClass::Sent => SendOutcome::Sent { reply },
        DeliveryClass::Transient => SendOutcome::Transient { reason: reply },
        DeliveryClass::Permanent => SendOutcome::Permanent { reason: reply },
    }
}

/// A negative reply is classified by its code; everything without a code (connection refused or
/// lost, timeout, TLS, a garbled reply) is transient: retrying is safe, dropping the mail is not.
fn refused(err: &lettre::transport::smtp::Error) -> SendOutcome {
    let reason = err.to_string();
    match err.status().map(|code| classify_reply(u16::from(code))) {
        Some(DeliveryClass::Permanent) => SendOutcome::Permanent { reason },
        _ => SendOutcome::Transient { reason },
    }
}

// ---------------------------------------------------------------------------------------------
// Files

/// Writes each message to `{dir}/{message-id}.eml` (development and the demo: open them in a
/// mail client). Creates the folder when needed.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
}

impl FileMailer {
    /// A mailer writing into `dir`, which is created if it does not exist.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, MailError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(FileMailer { dir })
    }

    /// The folder the files go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a message is (or will be) written to.
    pub fn path_for(&self, msg: &Message) -> PathBuf {
        let id = msg
            .headers()
            .get_raw("Message-ID")
            .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>').to_owned())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(crate::new_message_id);
        let safe: String =
            id.chars().map(|c| if c.is_ascii_alphanumeric() || "@.-_+".contains(c) { c } else { '_' }).collect();
        self.dir.join(format!("{safe}.eml"))
    }

    /// One trip to the blocking pool per message (not one per file operation). The folder is made
    /// by [`FileMailer::new`] and made again only when it has gone (a cleaned `/tmp`), not looked
    /// up for every message.
    async fn write(&self, msg: &Message) -> std::io::Result<PathBuf> {
        let (dir, path, body) = (self.dir.clone(), self.path_for(msg), msg.formatted());
        tokio::task::spawn_blocking(move || {
            // Write beside and rename, so that whoever watches the folder never reads half a mail.
            let partial = path.with_extension("eml.partial");
            if let Err(e) = std::fs::write(&partial, &body) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    return Err(e);
                }
                std::fs::create_dir_all(&dir)?;
                std::fs::write(&partial, &body)?;
            }
            std::fs::rename(&partial, &path)?;
            Ok(path)
        })
        .await
        .map_err(std::io::Error::other)?
    }
}

impl Mailer for FileMailer {
    fn send<'a>(&'a self, msg: &'a Message) -> SendFuture<'a> {
        Box::pin(async move {
            match self.write(msg).await {
                Ok(path) => SendOutcome::Sent { reply: format!("written to {}", path.display()) },
                Err(err) => SendOutcome::Transient { reason: format!("writing to {}: {err}", self.dir.display()) },
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Memory

/// A message the [`MemoryMailer`] accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    /// The Message-ID header as written (`<id@domain>`).
    pub message_id: Option<String>,
    /// Envelope sender.
    pub from: Option<String>,
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The formatted message (`Message::formatted`).
    pub raw: Vec<u8>,
}

impl SentMail {
    /// The formatted message as text (for `contains` checks in tests).
    pub fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}

/// Keeps messages in memory, for tests. Clones share the same store, so a test keeps one and
/// hands another (as `Arc<dyn Mailer>`) to the code under test. It can be told to fail the next
/// sends, to test retries and permanent failures.
#[derive(Debug, Clone, Default)]
pub struct MemoryMailer {
    state: Arc<Mutex<MemoryState>>,
}

#[derive(Debug, Default)]
struct MemoryState {
    sent: Vec<SentMail>,
    failures: VecDeque<DeliveryClass>,
    attempts: usize,
}

impl MemoryMailer {
    /// An empty mailer that accepts everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// The messages accepted so far, oldest first.
    pub fn sent(&self) -> Vec<SentMail> {
        self.lock().sent.clone()
    }

    /// All sends tried so far, failed ones included.
    pub fn attempts(&self) -> usize {
        self.lock().attempts
    }

    /// The next `n` sends answer [`SendOutcome::Transient`] (after failures already queued).
    pub fn fail_next_transient(&self, n: usize) {
        self.lock().failures.extend(std::iter::repeat_n(DeliveryClass::Transient, n));
    }

    /// The next `n` sends answer [`SendOutcome::Permanent`] (after failures already queued).
    pub fn fail_next_permanent(&self, n: usize) {
        self.lock().failures.extend(std::iter::repeat_n(DeliveryClass::Permanent, n));
    }

    /// Forget the sent messages and the queued failures.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.sent.clear();
        state.failures.clear();
        state.attempts = 0;
    }

    fn lock(&self) -> MutexGuard<'_, MemoryState> {
        // A test that panicked while holding the lock must not hide the messages from the next.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn accept(&self, msg: &Message) -> SendOutcome {
        let mut state = self.lock();
        state.attempts += 1;
        match state.failures.pop_front() {
            Some(DeliveryClass::Transient) => {
                SendOutcome::Transient { reason: "451 4.3.0 Temporary failure (MemoryMailer)".into() }
            }
            Some(DeliveryClass::Permanent) => {
                SendOutcome::Permanent { reason: "550 5.1.1 Mailbox unavailable (MemoryMailer)".into() }
            }
            Some(DeliveryClass::Sent) | None => {
                let envelope = msg.envelope();
                state.sent.push(SentMail {
                    message_id: msg.headers().get_raw("Message-ID").map(str::to_owned),
                    from: envelope.from().map(ToString::to_string),
                    to: envelope.to().iter().map(ToString::to_string).collect(),
                    raw: msg.formatted(),
                });
                SendOutcome::Sent { reply: format!("250 2.0.0 Ok: queued as memory-{}", state.sent.len()) }
            }
        }
    }
}

impl Mailer for MemoryMailer {
    fn send<'a>(&'a self, msg: &'a Message) -> SendFuture<'a> {
        let outcome = self.accept(msg);
        Box::pin(async move { outcome })
    }
}
