//! HTTPS for the emulator, so flows that refuse plain http (azure_identity's app-only
//! credentials insist on an https authority) are tested for real.
//!
//! Each run makes its own certificate authority and a server certificate for 127.0.0.1 and
//! localhost signed by it. Clients trust the authority's PEM (`RunningSim::ca_certificate_pem`),
//! exactly as an organisation trusts its private CA; nothing is trusted system-wide.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The run's authority and the acceptor serving with its server certificate.
pub struct TlsSetup {
    pub ca_pem: String,
    pub acceptor: TlsAcceptor,
}

pub fn make_certificates() -> Result<TlsSetup, String> {
    let err =
        |e: openssl::error::ErrorStack| format!("cannot make the emulator's certificate: {e}");
    let (ca_key, ca_cert) = authority().map_err(err)?;
    let (server_key, server_cert) = server_certificate(&ca_key, &ca_cert).map_err(err)?;

    let chain = vec![CertificateDer::from(server_cert.to_der().map_err(err)?)];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        server_key.private_key_to_pkcs8().map_err(err)?,
    ));
    // The provider is named, not taken from a process default, so another crate enabling a
    // second rustls backend can never make this panic.
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| format!("cannot use the emulator's certificate: {e}"))?;
    let ca_pem = String::from_utf8(ca_cert.to_pem().map_err(err)?).map_err(|e| e.to_string())?;
    Ok(TlsSetup {
        ca_pem,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    })
}

type Key = openssl::pkey::PKey<openssl::pkey::Private>;

/// A P-256 key, made for this run only.
fn new_key() -> Result<Key, openssl::error::ErrorStack> {
    let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1)?;
    Key::from_ec_key(openssl::ec::EcKey::generate(&group)?)
}

/// A certificate valid from now for a day, with this subject, not yet signed.
fn builder(
    common_name: &str,
    key: &Key,
) -> Result<openssl::x509::X509Builder, openssl::error::ErrorStack> {
    use openssl::{asn1::Asn1Time, bn::BigNum, x509};
    let mut name = x509::X509NameBuilder::new()?;
    name.append_entry_by_text("CN", common_name)?;
    let name = name.build();
    let mut b = x509::X509::builder()?;
    b.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(64, openssl::bn::MsbOption::MAYBE_ZERO, false)?;
    let serial = serial.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_pubkey(key)?;
    b.set_not_before(Asn1Time::days_from_now(0)?.as_ref())?;
    b.set_not_after(Asn1Time::days_from_now(1)?.as_ref())?;
    Ok(b)
}

/// The run's certificate authority: may sign server certificates, nothing below them.
fn authority() -> Result<(Key, openssl::x509::X509), openssl::error::ErrorStack> {
    use openssl::x509::extension::{BasicConstraints, KeyUsage};
    let key = new_key()?;
    let mut b = builder("graph-sim test authority (this run only)", &key)?;
    let name = {
        let mut n = openssl::x509::X509NameBuilder::new()?;
        n.append_entry_by_text("CN", "graph-sim test authority (this run only)")?;
        n.build()
    };
    b.set_issuer_name(&name)?;
    b.append_extension(BasicConstraints::new().critical().ca().pathlen(0).build()?)?;
    b.append_extension(
        KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()?,
    )?;
    b.sign(&key, openssl::hash::MessageDigest::sha256())?;
    Ok((key, b.build()))
}

/// The server's certificate for 127.0.0.1 and localhost, signed by the run's authority.
fn server_certificate(
    ca_key: &Key,
    ca: &openssl::x509::X509,
) -> Result<(Key, openssl::x509::X509), openssl::error::ErrorStack> {
    use openssl::x509::extension::{ExtendedKeyUsage, SubjectAlternativeName};
    let key = new_key()?;
    let mut b = builder("graph-sim", &key)?;
    b.set_issuer_name(ca.subject_name())?;
    let san = SubjectAlternativeName::new()
        .ip("127.0.0.1")
        .dns("localhost")
        .build(&b.x509v3_context(Some(ca), None))?;
    b.append_extension(san)?;
    b.append_extension(ExtendedKeyUsage::new().server_auth().build()?)?;
    b.sign(ca_key, openssl::hash::MessageDigest::sha256())?;
    Ok((key, b.build()))
}

/// An axum listener that hands over connections after their TLS handshake. Handshakes run in
/// their own tasks, so one slow or broken client cannot hold up the others.
pub struct TlsListener {
    local_addr: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl TlsListener {
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                // Ends when the server has gone (the receiver dropped), closing the port.
                let accepted = tokio::select! {
                    () = tx.closed() => break,
                    accepted = listener.accept() => accepted,
                };
                let Ok((tcp, peer)) = accepted else {
                    // Out of file descriptors or similar: wait instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                };
                let acceptor = acceptor.clone();
                let handed_over = tx.clone();
                tokio::spawn(async move {
                    // A client that does not trust us fails its handshake; that is its answer.
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        let _ = handed_over.send((stream, peer)).await;
                    }
                });
            }
        });
        Ok(Self { local_addr, ready })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept task only ends after the server has gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}
