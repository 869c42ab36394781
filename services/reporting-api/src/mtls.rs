//! The mutual-TLS listener for non-aggregated results. The TLS handshake asks for a client
//! certificate and checks that the client holds its private key, but does not refuse one that
//! fails the chain check: the chain (trust anchors from `mtls.client_ca`, validity dates, client
//! authentication usage) is checked per connection right after the handshake, so a request with
//! a missing, expired or untrusted certificate gets a clear problem answer instead of a TLS alert.
//! Nothing is served on this listener before that check has passed.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use actix_web::dev::Extensions;
use anyhow::Context;
use bpv_web::Problem;
use bpv_web::settings::MtlsSettings;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore, ServerConfig, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use x509_cert::der::Decode;
use x509_cert::der::asn1::ObjectIdentifier;

/// X.520 `serialNumber`, where PKIoverheid certificates carry the organisation's OIN.
const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");

/// Why a client certificate is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertFout {
    /// Past its `notAfter`.
    Verlopen,
    /// Before its `notBefore`.
    NogNietGeldig,
    /// Does not chain to a configured trust anchor.
    OnbekendeUitgever,
    /// Not meant for client authentication (extended key usage).
    VerkeerdGebruik,
    /// No OIN (20 digits) in `Subject.serialNumber`.
    GeenOin,
    /// Anything else the chain check found.
    Ongeldig(String),
}

impl fmt::Display for CertFout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertFout::Verlopen => f.write_str("het clientcertificaat is verlopen (certificate expired)"),
            CertFout::NogNietGeldig => {
                f.write_str("het clientcertificaat is nog niet geldig (certificate not yet valid)")
            }
            CertFout::OnbekendeUitgever => f.write_str(
                "het clientcertificaat is niet uitgegeven onder een vertrouwde CA (PKIoverheid) (unknown issuer)",
            ),
            CertFout::VerkeerdGebruik => {
                f.write_str("het clientcertificaat is niet bedoeld voor clientauthenticatie (extended key usage)")
            }
            CertFout::GeenOin => f.write_str(
                "het clientcertificaat heeft geen OIN (20 cijfers) in Subject.serialNumber (no OIN in the subject)",
            ),
            CertFout::Ongeldig(e) => write!(f, "het clientcertificaat is ongeldig: {e}"),
        }
    }
}

/// What the connection's client certificate turned out to be; stored per connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert(pub Result<String, CertFout>);

impl ClientCert {
    /// The OIN, or the problem answer for a missing or refused certificate.
    pub fn oin(cert: Option<&ClientCert>) -> Result<&str, Problem> {
        use actix_web::http::StatusCode;
        match cert {
            None => Err(Problem::new(StatusCode::FORBIDDEN, "clientcertificaat-vereist", "Clientcertificaat vereist").detail(
                "niet-geaggregeerde resultaten vragen om mutual TLS met een PKIoverheid-certificaat met het OIN van de instelling (no client certificate)",
            )),
            Some(ClientCert(Err(e))) => Err(Problem::new(
                StatusCode::FORBIDDEN,
                "clientcertificaat-ongeldig",
                "Clientcertificaat geweigerd",
            )
            .detail(e.to_string())),
            Some(ClientCert(Ok(oin))) => Ok(oin),
        }
    }
}

/// Checks a presented chain against the trust anchors and reads the OIN.
#[derive(Debug, Clone)]
pub struct Checker {
    verifier: Arc<dyn ClientCertVerifier>,
}

impl Checker {
    /// Check the chain (end entity first) now.
    pub fn check(&self, chain: &[CertificateDer<'_>]) -> ClientCert {
        ClientCert(self.check_inner(chain))
    }

    fn check_inner(&self, chain: &[CertificateDer<'_>]) -> Result<String, CertFout> {
        let (end, intermediates) = chain.split_first().ok_or(CertFout::Ongeldig("lege keten".into()))?;
        self.verifier.verify_client_cert(end, intermediates, UnixTime::now()).map_err(|e| match e {
            rustls::Error::InvalidCertificate(c) => match c {
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => CertFout::Verlopen,
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => CertFout::NogNietGeldig,
                CertificateError::UnknownIssuer | CertificateError::BadSignature => CertFout::OnbekendeUitgever,
                CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                    CertFout::VerkeerdGebruik
                }
                other => CertFout::Ongeldig(format!("{other:?}")),
            },
            other => CertFout::Ongeldig(other.to_string()),
        })?;
        oin_of(end).ok_or(CertFout::GeenOin)
    }
}

/// The OIN in the certificate's `Subject.serialNumber`: exactly 20 digits.
pub fn oin_of(cert: &CertificateDer<'_>) -> Option<String> {
    let cert = x509_cert::Certificate::from_der(cert.as_ref()).ok()?;
    cert.tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == SERIAL_NUMBER)
        .filter_map(|atv| std::str::from_utf8(atv.value.value()).ok())
        .map(str::trim)
        .find(|s| s.len() == 20 && s.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// Asks for a client certificate and checks the handshake signature with it (the client holds
/// the key), leaving the chain to [`Checker`] so refusals become problem answers.
#[derive(Debug)]
struct DeferredChainCheck {
    inner: Arc<dyn ClientCertVerifier>,
}

impl ClientCertVerifier for DeferredChainCheck {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // Checked per connection by `Checker` before any request is answered.
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The TLS configuration of the listener and the per-connection checker, from `mtls.*`.
pub fn load(settings: &MtlsSettings) -> anyhow::Result<(ServerConfig, Checker)> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    let anchors: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&settings.client_ca)
        .with_context(|| format!("mtls.client_ca {}", settings.client_ca.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("mtls.client_ca {}", settings.client_ca.display()))?;
    let (added, _) = roots.add_parsable_certificates(anchors);
    anyhow::ensure!(added > 0, "mtls.client_ca {} holds no usable certificate", settings.client_ca.display());
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
        .build()
        .context("client certificate verifier")?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&settings.cert)
        .with_context(|| format!("mtls.cert {}", settings.cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("mtls.cert {}", settings.cert.display()))?;
    let key =
        PrivateKeyDer::from_pem_file(&settings.key).with_context(|| format!("mtls.key {}", settings.key.display()))?;
    let config = ServerConfig::builder_with_provider(Arc::clone(&provider) as Arc<CryptoProvider>)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(DeferredChainCheck { inner: Arc::clone(&verifier) }))
        .with_single_cert(chain, key)
        .context("server certificate and key")?;
    Ok((config, Checker { verifier }))
}

/// `HttpServer::on_connect` hook: check the peer's chain once per TLS connection and keep the
/// outcome in the connection's extensions (absent when no certificate was sent).
pub fn on_connect(checker: &Checker, conn: &dyn Any, ext: &mut Extensions) {
    type Tls = actix_tls::accept::rustls_0_23::TlsStream<actix_web::rt::net::TcpStream>;
    if let Some(tls) = conn.downcast_ref::<Tls>() {
        let (_, session) = tls.get_ref();
        if let Some(chain) = session.peer_certificates().filter(|c| !c.is_empty()) {
            ext.insert(checker.check(chain));
        }
    }
}
