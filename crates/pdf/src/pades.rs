//! PAdES signatures on official PDFs (ETSI EN 319 142-1, baseline B-B): each signature is an
//! incremental update, so earlier signatures stay valid, and any PDF validator (poppler's
//! `pdfsig`, Adobe) can check them. Signing takes a PKCS#12 keystore and its password —
//! a certificate held by the server for its owner, or one the demo CA issued. Verification
//! checks every signature against a trust list and refuses what a forger can produce: no
//! signature at all, a change after the last signature, a certificate outside the list.
//!
//! The demo CA (`DemoCa`) exists so the whole flow runs offline and in tests. Its name says it
//! is a demo CA, and it is trusted only where a caller puts its certificate in a trust list
//! (`serve --demo`).

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use der::{Decode, Encode};
use p12_keystore::{Certificate as P12Certificate, KeyStore, KeyStoreEntry, PrivateKeyChain};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

use crate::PdfError;

fn err(what: &str, e: impl std::fmt::Display) -> PdfError {
    PdfError::Sign(format!("{what}: {e}"))
}

/// An RFC 4514 attribute value, escaped.
fn dn_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for (i, c) in v.chars().enumerate() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && (c == '#' || c == ' '))
        {
            out.push('\\');
        }
        out.push(c);
    }
    out.trim_end().to_owned()
}

/// A subject name: common name (the person), organisation (the unit), country VN.
pub fn subject_name(common_name: &str, organization: &str) -> String {
    format!(
        "CN={},O={},C=VN",
        dn_value(common_name),
        dn_value(organization)
    )
}

fn validity(from_year: u16, years: u64) -> Result<Validity, PdfError> {
    let start = SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::from(from_year.saturating_sub(1970)) * 31_556_952);
    let end = SystemTime::now() + Duration::from_secs(years * 365 * 24 * 3600);
    Ok(Validity {
        not_before: Time::try_from(start).map_err(|e| err("validity", e))?,
        not_after: Time::try_from(end).map_err(|e| err("validity", e))?,
    })
}

/// The demo certification authority: a P-256 root whose name says it is for demonstration
/// only. Never trusted unless a caller puts its certificate in a trust list.
pub struct DemoCa {
    cert: Certificate,
    key: SigningKey,
}

impl DemoCa {
    /// A new demo root, valid from 2020 (the demo replays 2022–2024) for ten years.
    pub fn generate(name: &str) -> Result<DemoCa, PdfError> {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let subject = Name::from_str(&format!(
            "CN={},O=Thi Dua demo (not a real CA),C=VN",
            dn_value(name)
        ))
        .map_err(|e| err("CA name", e))?;
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())
            .map_err(|e| err("CA key", e))?;
        let mut serial = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut serial);
        serial[0] &= 0x7f;
        let cert = CertificateBuilder::new(
            Profile::Root,
            SerialNumber::new(&serial).map_err(|e| err("serial", e))?,
            validity(2020, 10)?,
            subject,
            spki,
            &key,
        )
        .map_err(|e| err("CA certificate", e))?
        .build::<DerSignature>()
        .map_err(|e| err("CA certificate", e))?;
        Ok(DemoCa { cert, key })
    }

    /// The CA as stored: its certificate (DER) and its key (PKCS#8 DER).
    pub fn to_parts(&self) -> Result<(Vec<u8>, Vec<u8>), PdfError> {
        let cert = self.cert.to_der().map_err(|e| err("CA certificate", e))?;
        let key = self
            .key
            .to_pkcs8_der()
            .map_err(|e| err("CA key", e))?
            .as_bytes()
            .to_vec();
        Ok((cert, key))
    }

    pub fn from_parts(cert_der: &[u8], key_der: &[u8]) -> Result<DemoCa, PdfError> {
        Ok(DemoCa {
            cert: Certificate::from_der(cert_der).map_err(|e| err("CA certificate", e))?,
            key: SigningKey::from_pkcs8_der(key_der).map_err(|e| err("CA key", e))?,
        })
    }

    pub fn cert_der(&self) -> Result<Vec<u8>, PdfError> {
        self.cert.to_der().map_err(|e| err("CA certificate", e))
    }

    /// Issue a signing certificate for a person of a unit, returned as a PKCS#12 keystore
    /// (leaf key, then the chain leaf → root) sealed under `password`.
    pub fn issue_p12(
        &self,
        common_name: &str,
        organization: &str,
        password: &str,
    ) -> Result<Vec<u8>, PdfError> {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let subject =
            Name::from_str(&subject_name(common_name, organization)).map_err(|e| err("name", e))?;
        let spki =
            SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(|e| err("key", e))?;
        let mut serial = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut serial);
        serial[0] &= 0x7f;
        let leaf = CertificateBuilder::new(
            Profile::Leaf {
                issuer: self.cert.tbs_certificate.subject.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            SerialNumber::new(&serial).map_err(|e| err("serial", e))?,
            validity(2020, 10)?,
            subject,
            spki,
            &self.key,
        )
        .map_err(|e| err("certificate", e))?
        .build::<DerSignature>()
        .map_err(|e| err("certificate", e))?;
        let leaf_der = leaf.to_der().map_err(|e| err("certificate", e))?;
        let root_der = self.cert_der()?;
        let key_der = key.to_pkcs8_der().map_err(|e| err("key", e))?;
        let chain = PrivateKeyChain::new(
            key_der.as_bytes(),
            b"thidua",
            vec![
                P12Certificate::from_der(&leaf_der).map_err(|e| err("p12", e))?,
                P12Certificate::from_der(&root_der).map_err(|e| err("p12", e))?,
            ],
        );
        let mut ks = KeyStore::new();
        ks.add_entry("thidua", KeyStoreEntry::PrivateKeyChain(chain));
        ks.writer(password).write().map_err(|e| err("p12", e))
    }
}

/// The subject of a PKCS#12 keystore's signing certificate (RFC 4514 text), or an error when
/// the password is wrong or the file is not a keystore with a key and a certificate.
pub fn p12_subject(p12: &[u8], password: &str) -> Result<String, PdfError> {
    inspect_p12(p12, password, &[]).map(|i| i.subject)
}

/// What a keystore holds, checked against a trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeystoreInfo {
    /// The signing certificate's subject (RFC 4514).
    pub subject: String,
    /// The certificate chains to the trust list now (with the keystore's own intermediates).
    pub trusted: bool,
}

/// Open a keystore with its password and check its certificate against the trust list.
pub fn inspect_p12(
    p12: &[u8],
    password: &str,
    trust: &[Vec<u8>],
) -> Result<KeystoreInfo, PdfError> {
    let ks = KeyStore::from_pkcs12(p12, password).map_err(|e| err("keystore", e))?;
    let (_, chain) = ks
        .private_key_chain()
        .ok_or_else(|| PdfError::Sign("the keystore holds no key with a certificate".into()))?;
    let certs: Vec<Vec<u8>> = chain.chain().iter().map(|c| c.as_der().to_vec()).collect();
    let leaf = certs
        .first()
        .ok_or_else(|| PdfError::Sign("the keystore holds no certificate".into()))?;
    let subject = cert_subject(leaf)?;
    let roots = pdf_signer::TrustStore::from_ders(trust.iter().cloned())
        .map_err(|e| err("trust list", e))?;
    let trusted = !trust.is_empty()
        && pdf_signer::verify_certificate_chain(leaf, &certs[1..], &[], &roots, SystemTime::now());
    Ok(KeystoreInfo { subject, trusted })
}

/// The organisation (O=) of a certificate subject in RFC 4514 text.
pub fn subject_organization(subject: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut esc = false;
    for c in subject.chars() {
        if esc {
            cur.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == ',' {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    parts
        .iter()
        .find_map(|p| p.trim().strip_prefix("O=").map(str::to_owned))
}

/// The same keystore sealed under a new password (the owner changed theirs).
pub fn reseal_p12(p12: &[u8], old: &str, new: &str) -> Result<Vec<u8>, PdfError> {
    KeyStore::from_pkcs12(p12, old)
        .map_err(|e| err("keystore", e))?
        .writer(new)
        .write()
        .map_err(|e| err("keystore", e))
}

/// Sign `pdf` as an incremental update with the keystore's key. `signing_time` is the claimed
/// time (`/M`), a PDF date such as `D:20240329090000+07'00'`.
pub fn sign(
    pdf: &[u8],
    p12: &[u8],
    password: &str,
    signer_name: &str,
    reason: &str,
    signing_time: Option<String>,
) -> Result<Vec<u8>, PdfError> {
    sign_with(pdf, p12, password, signer_name, reason, signing_time, None)
}

/// [`sign`], with an RFC 3161 timestamp authority (`http://…`): PAdES baseline B-T, the
/// signature's time attested by the TSA rather than claimed by the signer.
pub fn sign_with(
    pdf: &[u8],
    p12: &[u8],
    password: &str,
    signer_name: &str,
    reason: &str,
    signing_time: Option<String>,
    tsa_url: Option<&str>,
) -> Result<Vec<u8>, PdfError> {
    let opts = pdf_signer::SignOptions {
        reason: Some(reason.to_owned()),
        name: Some(signer_name.to_owned()),
        signing_time,
        tsa_url: tsa_url.map(str::to_owned),
        pades_level: if tsa_url.is_some() {
            pdf_signer::PadesLevel::Bt
        } else {
            pdf_signer::PadesLevel::Bb
        },
        ..Default::default()
    };
    pdf_signer::sign_pdf_bytes(pdf, p12, password, &opts).map_err(|e| err("signature", e))
}

/// One signature of a verified PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerCheck {
    /// The signer certificate's subject (RFC 4514 text).
    pub subject: String,
    /// Cryptographically valid over its byte range.
    pub valid: bool,
    /// Chains to a certificate of the trust list.
    pub trusted: bool,
    /// Bytes of the file this signature covers (its revision).
    pub signed_len: usize,
    /// Its time is attested by a timestamp authority on the trust list (PAdES B-T).
    pub timestamped: bool,
    pub detail: String,
}

/// The verdict on a PDF's PAdES signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub signatures: Vec<SignerCheck>,
    /// Nothing but validation material was added after the last signature.
    pub intact: bool,
}

impl Verdict {
    /// At least one signature, every one valid and trusted, and nothing changed after the
    /// last: what a forger cannot produce.
    pub fn holds(&self) -> bool {
        !self.signatures.is_empty()
            && self.intact
            && self.signatures.iter().all(|s| s.valid && s.trusted)
    }

    /// The bytes covered by the first signature: the PDF as issued (every later signature
    /// covers it too, since each is an incremental update).
    pub fn issued_len(&self) -> Option<usize> {
        self.signatures.first().map(|s| s.signed_len)
    }
}

/// Verify every signature of `pdf` against the trust list (DER certificates).
pub fn verify(pdf: &[u8], trust: &[Vec<u8>]) -> Result<Verdict, PdfError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(PdfError::NotPdf("missing %PDF- header".to_owned()));
    }
    let roots = pdf_signer::TrustStore::from_ders(trust.iter().cloned())
        .map_err(|e| err("trust list", e))?;
    let r = pdf_signer::verify_pdf_bytes_with_roots(pdf, &roots)
        .map_err(|e| PdfError::NotPdf(e.to_string()))?;
    let signatures = r
        .signatures
        .iter()
        .filter(|s| !s.is_timestamp)
        .map(|s| SignerCheck {
            subject: s.signer.clone().unwrap_or_default(),
            valid: s.valid,
            trusted: s.chain_trusted == Some(true),
            signed_len: usize::try_from(s.byte_range[2].saturating_add(s.byte_range[3]))
                .unwrap_or(0),
            timestamped: s.trusted_time.is_some(),
            detail: s.detail.clone(),
        })
        .collect();
    Ok(Verdict {
        signatures,
        intact: r.document_intact,
    })
}

/// Read a trust list file: one or more PEM certificates, or one DER certificate. Returns the
/// certificates as DER.
pub fn parse_trust_file(bytes: &[u8]) -> Result<Vec<Vec<u8>>, PdfError> {
    use der::DecodePem;
    if bytes.starts_with(b"-----BEGIN") || bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        let mut out = Vec::new();
        let text = String::from_utf8_lossy(bytes);
        let mut block = String::new();
        let mut inside = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("-----BEGIN CERTIFICATE") {
                inside = true;
                block.clear();
            }
            if inside {
                block.push_str(line);
                block.push('\n');
            }
            if line.starts_with("-----END CERTIFICATE") && inside {
                inside = false;
                let c = Certificate::from_pem(block.as_bytes()).map_err(|e| err("PEM", e))?;
                out.push(c.to_der().map_err(|e| err("certificate", e))?);
            }
        }
        if out.is_empty() {
            return Err(PdfError::Sign("no certificate in the PEM file".into()));
        }
        Ok(out)
    } else {
        let c = Certificate::from_der(bytes).map_err(|e| err("certificate", e))?;
        Ok(vec![c.to_der().map_err(|e| err("certificate", e))?])
    }
}

/// A certificate as PEM text (for the published trust list).
pub fn to_pem(cert_der: &[u8]) -> Result<String, PdfError> {
    use der::EncodePem;
    Certificate::from_der(cert_der)
        .map_err(|e| err("certificate", e))?
        .to_pem(der::pem::LineEnding::LF)
        .map_err(|e| err("PEM", e))
}

/// The subject of a DER certificate (RFC 4514 text).
pub fn cert_subject(cert_der: &[u8]) -> Result<String, PdfError> {
    Ok(Certificate::from_der(cert_der)
        .map_err(|e| err("certificate", e))?
        .tbs_certificate
        .subject
        .to_string())
}

/// The SHA-256 of bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A PDF date for a time in Vietnam (UTC+7), e.g. `D:20240329090000+07'00'`.
pub fn pdf_date(t: chrono::DateTime<chrono::Utc>) -> String {
    let local = t + chrono::Duration::hours(7);
    format!("D:{}+07'00'", local.format("%Y%m%d%H%M%S"))
}
