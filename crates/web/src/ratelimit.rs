//! Rate limits: a request every so often per key, with bursts, answered over the limit with a
//! problem+json 429 and `Retry-After`. Keys are the client's address — taken from `Forwarded` /
//! `X-Forwarded-For` only when the peer is a trusted proxy (`http.trusted_proxies`), so that
//! behind the TLS proxy one busy client cannot lock everyone else out — and, for survey links,
//! the link's token. The counting is the `governor` crate's (GCRA, MIT licensed); the middleware
//! is ours.

use std::future::{Future, Ready, ready};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::Problem;

/// What a limit counts per.
pub trait RateKey: Clone + 'static {
    /// The key's value.
    type Key: Hash + Eq + Clone + Send + Sync + 'static;
    /// This request's key; `None` (no peer address: an in-process test) is not limited.
    fn key(&self, req: &ServiceRequest) -> Option<Self::Key>;
}

/// One rate limit, shared by every worker: `.wrap(limit.clone())` on an app, scope or resource.
#[derive(Clone)]
pub struct RateLimit<K: RateKey> {
    limiter: Arc<DefaultKeyedRateLimiter<K::Key>>,
    checks: Arc<AtomicU64>,
    key: K,
}

impl<K: RateKey> std::fmt::Debug for RateLimit<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit").field("keys", &self.limiter.len()).finish_non_exhaustive()
    }
}

/// Forget keys that are back to a full burst every this many checks, so the table of keys does
/// not grow with every address ever seen.
const PRUNE_EVERY: u64 = 10_000;

impl<K: RateKey> RateLimit<K> {
    /// A request every `period` per key, and bursts of up to `burst` at once.
    pub fn new(key: K, period: Duration, burst: u32) -> Self {
        let period = period.max(Duration::from_millis(1));
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst);
        Self { limiter: Arc::new(RateLimiter::keyed(quota)), checks: Arc::new(AtomicU64::new(0)), key }
    }

    /// `Some(seconds to wait)` when this request is over the limit.
    fn over(&self, req: &ServiceRequest) -> Option<u64> {
        let key = self.key.key(req)?;
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.limiter.retain_recent();
        }
        match self.limiter.check_key(&key) {
            Ok(()) => None,
            Err(not_until) => Some(not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1)),
        }
    }
}

fn too_many(wait: u64) -> HttpResponse {
    let problem = Problem::too_many_requests(format!("te veel verzoeken; probeer het over {wait} s opnieuw"));
    let mut res = problem.to_response();
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&wait.to_string()) {
        res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, value);
    }
    res
}

impl<S, B, K> Transform<S, ServiceRequest> for RateLimit<K>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    K: RateKey,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = Limited<S, K>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(Limited { service, limit: self.clone() }))
    }
}

/// A service behind a [`RateLimit`].
#[allow(missing_debug_implementations)]
pub struct Limited<S, K: RateKey> {
    service: S,
    limit: RateLimit<K>,
}

impl<S, B, K> Service<ServiceRequest> for Limited<S, K>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    K: RateKey,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if let Some(wait) = self.limit.over(&req) {
            let res = req.into_response(too_many(wait)).map_into_right_body();
            return Box::pin(async move { Ok(res) });
        }
        let fut = self.service.call(req);
        Box::pin(async move { fut.await.map(ServiceResponse::map_into_left_body) })
    }
}

/// The client's address for rate limiting.
#[derive(Debug, Clone, Default)]
pub struct ClientIp {
    trusted: Arc<Vec<IpAddr>>,
}

impl ClientIp {
    /// Honour forwarding headers from these proxies only.
    pub fn new(trusted: Vec<IpAddr>) -> Self {
        Self { trusted: Arc::new(trusted) }
    }

    /// The client behind `peer`: the peer itself unless it is a trusted proxy; then the
    /// right-most address in `Forwarded` (or else `X-Forwarded-For`) that is not a trusted proxy.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted.contains(&peer) {
            return peer;
        }
        let chain = forwarded_for(headers);
        chain.into_iter().rev().find(|ip| !self.trusted.contains(ip)).unwrap_or(peer)
    }
}

/// The `for=` addresses of `Forwarded`, or else those of `X-Forwarded-For`, left to right;
/// anything unreadable is left out.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let all = |name: &str| -> Vec<String> {
        headers.get_all(name).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::to_owned).collect()
    };
    let forwarded = all("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.trim().split_once('=')?;
                    k.eq_ignore_ascii_case("for").then(|| parse_node(v))?
                })
            })
            .collect();
    }
    all("x-forwarded-for").iter().filter_map(|v| parse_node(v)).collect()
}

/// `192.0.2.1`, `"192.0.2.1:4711"`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_node(v: &str) -> Option<IpAddr> {
    let v = v.trim().trim_matches('"');
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    v.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

impl RateKey for ClientIp {
    type Key = IpAddr;

    fn key(&self, req: &ServiceRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        Some(self.client(peer, req.headers()))
    }
}

/// The longest path segment (a link's token): one link cannot be hammered from many
/// addresses either.
#[derive(Debug, Clone, Copy, Default)]
pub struct PathToken;

impl RateKey for PathToken {
    type Key = String;

    fn key(&self, req: &ServiceRequest) -> Option<String> {
        // The token is the longest segment (`/s/{token}`, `/b/{token}/afmelden`), not always the last.
        let token = req.path().split('/').max_by_key(|s| s.len()).unwrap_or_default();
        Some(token.chars().take(64).collect())
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    }

    #[actix_web::test]
    async fn over_the_burst_is_a_429_problem_with_retry_after_per_key() {
        use actix_web::{App, test, web};
        let limit = RateLimit::new(ClientIp::default(), Duration::from_secs(60), 2);
        let app = test::init_service(
            App::new().wrap(limit).route("/", web::get().to(|| async { HttpResponse::Ok().finish() })),
        )
        .await;
        let from = |ip: &str| test::TestRequest::get().uri("/").peer_addr(format!("{ip}:4000").parse().unwrap());
        for _ in 0..2 {
            assert_eq!(test::call_service(&app, from("192.0.2.1").to_request()).await.status(), 200);
        }
        let res = test::call_service(&app, from("192.0.2.1").to_request()).await;
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
        let wait: u64 = res.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(test::call_service(&app, from("192.0.2.2").to_request()).await.status(), 200, "another client");
    }

    #[test]
    fn forwarding_headers_count_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let trusting = ClientIp::new(vec![proxy, ip("10.0.0.2")]);
        let xff = headers(&[("x-forwarded-for", "198.51.100.7, 203.0.113.9, 10.0.0.2")]);
        // From the proxy: the right-most untrusted address (a client cannot spoof past the proxy).
        assert_eq!(trusting.client(proxy, &xff), ip("203.0.113.9"));
        // From anyone else: the peer itself, whatever it claims.
        assert_eq!(trusting.client(ip("192.0.2.50"), &xff), ip("192.0.2.50"));
        assert_eq!(ClientIp::default().client(proxy, &xff), proxy, "nothing trusted: the peer");
        let fwd = headers(&[("forwarded", "for=192.0.2.60;proto=https, for=\"[2001:db8::17]:4711\"")]);
        assert_eq!(trusting.client(proxy, &fwd), ip("2001:db8::17"));
        assert_eq!(trusting.client(proxy, &headers(&[])), proxy, "no header: the proxy itself");
        let parse_trusted = bpv_config::settings::parse_trusted;
        assert_eq!(parse_trusted(" 10.0.0.1, ::1 ").unwrap(), vec![proxy, ip("::1")]);
        assert!(parse_trusted("10.0.0.0/8").is_err());
    }
}
