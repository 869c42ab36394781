//! Keys for the rate limits: the client's address — taken from `Forwarded` / `X-Forwarded-For`
//! only when the peer is a trusted proxy (`http.trusted_proxies`), so that behind the TLS proxy
//! one busy client cannot lock everyone else out — and, for survey links, the link's token. A
//! request over the limit gets a problem+json 429 with `Retry-After`.

use std::net::IpAddr;
use std::sync::Arc;

use actix_governor::governor::NotUntil;
use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::{KeyExtractor, SimpleKeyExtractionError};
use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderMap;
use actix_web::{HttpResponse, HttpResponseBuilder};

use crate::Problem;

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

fn too_many(negative: &NotUntil<QuantaInstant>, mut response: HttpResponseBuilder) -> HttpResponse {
    let wait = negative.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
    let problem = Problem::too_many_requests(format!("te veel verzoeken; probeer het over {wait} s opnieuw"));
    response.insert_header(("Retry-After", wait.to_string()));
    response.content_type(crate::problem::PROBLEM_JSON).json(problem)
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        let peer = req.peer_addr().map(|a| a.ip()).ok_or_else(|| SimpleKeyExtractionError::new("no peer address"))?;
        Ok(self.client(peer, req.headers()))
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        response: HttpResponseBuilder,
    ) -> HttpResponse {
        too_many(negative, response)
    }
}

/// The longest path segment (a link's token): one link cannot be hammered from many
/// addresses either.
#[derive(Debug, Clone, Copy, Default)]
pub struct PathToken;

impl KeyExtractor for PathToken {
    type Key = String;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        // The token is the longest segment (`/s/{token}`, `/b/{token}/afmelden`), not always the last.
        let token = req.path().split('/').max_by_key(|s| s.len()).unwrap_or_default();
        Ok(token.chars().take(64).collect())
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        response: HttpResponseBuilder,
    ) -> HttpResponse {
        too_many(negative, response)
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
