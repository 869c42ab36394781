//! Logging in on the server-rendered pages (the upload page, the dashboard), one routine for
//! both so the rules cannot drift apart: the typed address is trimmed and bounded; an unknown
//! address and a wrong password get the same answer after the same work (a password check
//! against a stand-in hash), so the form does not reveal which addresses have an account; every
//! attempt is audited (the address typed for an unknown account is not kept: it may well be a
//! password typed in the wrong field); a successful login gets a session token of the page's own
//! audience carrying a fresh anti-CSRF value. Logging out records the token as ended.

use std::sync::LazyLock;

use bpv_store::repo::audit::{self, Actor};
use bpv_store::repo::sessies;
use bpv_store::{DbConnection, StoreResult};

use crate::auth::{TokenKeys, TokenRol, TokenSpec};
use crate::credentials::{generate_secret, hash_secret, verify_secret};
use crate::{Problem, problem};

/// Checked when the address is unknown, so that answer takes as long as a wrong password.
static STAND_IN_HASH: LazyLock<String> =
    LazyLock::new(|| hash_secret("stand-in for addresses without an account").unwrap_or_default());

/// The longest address looked up (RFC 5321's limit on a path).
const MAX_EMAIL: usize = 254;

/// The login form of both pages.
#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub wachtwoord: String,
}

/// The one answer to a refused login, whatever the reason.
pub const ONJUIST: &str = "E-mailadres of wachtwoord onjuist";

/// An active account found by its address.
#[derive(Debug, Clone)]
pub struct Account {
    /// The audit's actor kind (`gemachtigde`, `medewerker`).
    pub kind: &'static str,
    pub id: String,
    /// The instelling the account acts for (none for SBB staff).
    pub brin: Option<String>,
    /// The role its session token carries.
    pub rol: TokenRol,
    pub password_hash: String,
}

/// Where a login happens.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// The audit detail's `bron` (`uploadmodule`, `dashboard`).
    pub bron: &'static str,
    /// The session token's audience.
    pub aud: &'static str,
    /// The session's lifetime in seconds.
    pub ttl_seconds: i64,
}

/// Log in with `email` and `wachtwoord` on `page`: `find` looks up the active account of the
/// (trimmed) address. `Ok(Some(token))` is the new session token, `Ok(None)` a refusal (one
/// answer for an unknown address and a wrong password).
pub fn log_in(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    page: Page,
    email: &str,
    wachtwoord: &str,
    find: impl FnOnce(&mut DbConnection, &str) -> StoreResult<Option<Account>>,
) -> Result<Option<String>, Problem> {
    let store = |e: bpv_store::StoreError| problem::internal_error(&e);
    let email = email.trim();
    let account = if email.is_empty() || email.len() > MAX_EMAIL { None } else { find(conn, email).map_err(store)? };
    let hash = account.as_ref().map_or(STAND_IN_HASH.as_str(), |a| a.password_hash.as_str());
    let ok = verify_secret(wachtwoord, hash) && account.is_some();
    let now = bpv_store::now_utc();
    let (actor, brin) = match &account {
        Some(a) => (Actor { kind: a.kind, id: &a.id }, a.brin.as_deref()),
        None => (Actor { kind: "onbekend", id: "onbekend" }, None),
    };
    if !ok {
        let reden = if account.is_some() { "wachtwoord-onjuist" } else { "onbekend-account" };
        let detail = serde_json::json!({ "bron": page.bron, "reden": reden });
        audit::append(conn, now, actor, brin, "login.mislukt", &detail, None).map_err(store)?;
        return Ok(None);
    }
    audit::append(conn, now, actor, brin, "login", &serde_json::json!({ "bron": page.bron }), None).map_err(store)?;
    // `ok` implies an account.
    let Some(account) = account else { return Ok(None) };
    let csrf = generate_secret();
    let spec = TokenSpec {
        aud: page.aud,
        sub: &account.id,
        scope: "",
        brin: account.brin.as_deref(),
        rol: account.rol,
        csrf: Some(&csrf),
        ttl_seconds: page.ttl_seconds,
    };
    keys.issue(&spec, now.and_utc().timestamp()).map(Some).map_err(|e| problem::internal_error(&e))
}

/// End the session whose token has id `jti` and expires at `exp` (unix seconds): the token, and
/// every copy of the cookie, stops working; the record is purged once the token would have
/// expired anyway.
pub fn log_out(conn: &mut DbConnection, jti: &str, exp: i64) -> StoreResult<()> {
    let until = chrono::DateTime::from_timestamp(exp, 0).map_or_else(bpv_store::now_utc, |t| t.naive_utc());
    sessies::end(conn, jti, until)
}

/// The `Set-Cookie` value of a page's session: HttpOnly, SameSite=Strict, scoped to `path`,
/// Secure when served over https; an empty `value` with `max_age` 0 clears it.
pub fn session_cookie(name: &str, path: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; HttpOnly; SameSite=Strict; Path={path}; Max-Age={max_age}{secure}")
}
