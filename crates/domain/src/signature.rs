//! Signatures bound to the exact text signed.
//!
//! A unit's leader signs one version of a document (the emulation pact, a plan, minutes). The
//! signature covers a [`SigningStatement`]: the version's content hash plus the document, the
//! version number, the signer and the unit, so it cannot be moved to another version, another
//! unit or another document. Keys are per signer, Ed25519, and the secret half is stored only
//! encrypted under a key derived from the signer's password: the server cannot sign in a
//! user's name unless that user has just typed the password.
//!
//! Everything here is pure. The caller supplies the randomness (seeds, salts, nonces) as bytes
//! and the time as a string, so this module can be tested deterministically and never needs
//! an OS random source or a clock.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Domain separation for signed statements: a signature made here can never be mistaken for
/// a signature over some other kind of message made with the same key.
const STATEMENT_PREFIX: &[u8] = b"thidua-sign-v1\n";
/// Associated data of the sealed secret key. It names the format and is followed by the public
/// key, so a ciphertext copied onto another public key does not decrypt.
const SEAL_AAD_PREFIX: &[u8] = b"thidua-sealed-key-v1\n";
/// Domain separation for verification codes.
const CODE_PREFIX: &[u8] = b"thidua-verify-v1\n";

/// Upper bounds on the KDF cost read back from a stored key. The cost is stored next to the
/// ciphertext; without a bound, a corrupted or tampered row could make one unseal attempt
/// allocate gigabytes or spin for minutes.
pub const MAX_M_COST: u32 = 1 << 20; // 1 GiB in KiB
pub const MAX_T_COST: u32 = 16;

/// Crockford's base32 alphabet: no I, L, O or U, so a code read off paper and typed back in
/// has fewer look-alike characters to get wrong.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a verification code, excluding the separator. 10 base32 characters are
/// 50 bits: enough that codes of different documents do not collide in practice, short
/// enough to type. The code only finds the document; the page then checks everything.
const CODE_LEN: usize = 10;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// The password does not open the sealed key. A tampered ciphertext, salt or nonce looks
    /// the same to an authenticated cipher, so this also covers those.
    #[error("wrong password")]
    WrongPassword,
    /// The key material is well-formed but not a usable key, or the sealed secret does not
    /// belong to the public key stored beside it.
    #[error("bad key")]
    BadKey,
    /// The signature does not verify for this statement and key.
    #[error("bad signature")]
    BadSignature,
    /// Input that does not even parse (bad hex or base64, wrong length, out-of-range cost).
    #[error("malformed: {0}")]
    Malformed(String),
}

/// Argon2id cost. Parallelism is fixed at 1 because the server derives one key at a time and
/// a fixed lane count keeps the stored format to two numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Passes over memory.
    pub t_cost: u32,
}

impl Default for KdfParams {
    /// OWASP's recommended Argon2id setting (19 MiB, 2 passes, 1 lane).
    fn default() -> Self {
        Self {
            m_cost: 19_456,
            t_cost: 2,
        }
    }
}

/// A signer's key pair with the secret key encrypted at rest under a key derived from the
/// signer's password (Argon2id with its own salt): the server can never sign without the
/// user's fresh password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKey {
    /// Hex of the 32-byte Ed25519 public key. Public: it is what verifiers check against.
    pub public_key: String,
    /// Base64 of the 16-byte Argon2id salt.
    pub kdf_salt: String,
    /// Base64 of the 12-byte ChaCha20-Poly1305 nonce.
    pub nonce: String,
    /// Base64 of the encrypted 32-byte seed and its 16-byte tag.
    pub ciphertext: String,
    pub m_cost: u32,
    pub t_cost: u32,
}

/// Hex of a signing key's public half, in the form [`SealedKey::public_key`] and
/// [`SignatureRecord::public_key`] use.
pub fn public_key_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().as_bytes())
}

/// Make a new key pair from `seed` and seal its secret under `password`.
///
/// `seed`, `salt` and `nonce` must come from a cryptographic random source on the caller's
/// side. A fresh salt gives a fresh encryption key, so the nonce never repeats under a key.
pub fn seal_new_key(
    seed: [u8; 32],
    salt: [u8; 16],
    nonce: [u8; 12],
    password: &str,
    params: KdfParams,
) -> Result<SealedKey, SignatureError> {
    let seed = Zeroizing::new(seed);
    let signing = SigningKey::from_bytes(&seed);
    seal(&signing, salt, nonce, password, params)
}

/// The signing key a seed makes: what [`seal_new_key`] sealed, for signing right away without
/// a second key derivation.
pub fn signing_key_from_seed(seed: [u8; 32]) -> SigningKey {
    let seed = Zeroizing::new(seed);
    SigningKey::from_bytes(&seed)
}

/// Open a sealed key with the signer's password.
pub fn unseal(key: &SealedKey, password: &str) -> Result<SigningKey, SignatureError> {
    let public = decode_hex_array::<32>(&key.public_key, "public_key")?;
    let salt = decode_b64_array::<16>(&key.kdf_salt, "kdf_salt")?;
    let nonce = decode_b64_array::<12>(&key.nonce, "nonce")?;
    let ciphertext = B64
        .decode(&key.ciphertext)
        .map_err(|_| malformed("ciphertext", "not base64"))?;
    let params = KdfParams {
        m_cost: key.m_cost,
        t_cost: key.t_cost,
    };
    let kek = derive_kek(password, &salt, params)?;
    let aad = seal_aad(&public);
    let plain = Zeroizing::new(
        ChaCha20Poly1305::new(Key::from_slice(kek.as_slice()))
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| SignatureError::WrongPassword)?,
    );
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
        plain
            .as_slice()
            .try_into()
            .map_err(|_| SignatureError::BadKey)?,
    );
    let signing = SigningKey::from_bytes(&seed);
    // The AAD already ties the ciphertext to this public key, but checking the derived public
    // key as well means a key sealed by a buggy writer is caught here rather than producing
    // signatures that never verify.
    if signing.verifying_key().as_bytes() != &public {
        return Err(SignatureError::BadKey);
    }
    Ok(signing)
}

/// Re-encrypt a sealed key under a new password, when the user changes it. The key pair stays
/// the same, so signatures already made keep verifying. The old password must be given: the
/// server cannot re-key on its own. `salt` and `nonce` must be fresh random bytes.
pub fn reseal(
    key: &SealedKey,
    old_password: &str,
    new_password: &str,
    salt: [u8; 16],
    nonce: [u8; 12],
) -> Result<SealedKey, SignatureError> {
    let signing = unseal(key, old_password)?;
    let params = KdfParams {
        m_cost: key.m_cost,
        t_cost: key.t_cost,
    };
    seal(&signing, salt, nonce, new_password, params)
}

fn seal(
    signing: &SigningKey,
    salt: [u8; 16],
    nonce: [u8; 12],
    password: &str,
    params: KdfParams,
) -> Result<SealedKey, SignatureError> {
    let public = signing.verifying_key().to_bytes();
    let kek = derive_kek(password, &salt, params)?;
    let seed = Zeroizing::new(signing.to_bytes());
    let ciphertext = ChaCha20Poly1305::new(Key::from_slice(kek.as_slice()))
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: seed.as_slice(),
                aad: &seal_aad(&public),
            },
        )
        // Encryption only fails for messages near 256 GiB; a 32-byte seed never does.
        .map_err(|_| SignatureError::BadKey)?;
    Ok(SealedKey {
        public_key: hex::encode(public),
        kdf_salt: B64.encode(salt),
        nonce: B64.encode(nonce),
        ciphertext: B64.encode(ciphertext),
        m_cost: params.m_cost,
        t_cost: params.t_cost,
    })
}

fn seal_aad(public: &[u8; 32]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(SEAL_AAD_PREFIX.len() + public.len());
    aad.extend_from_slice(SEAL_AAD_PREFIX);
    aad.extend_from_slice(public);
    aad
}

fn derive_kek(
    password: &str,
    salt: &[u8; 16],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, SignatureError> {
    if params.m_cost > MAX_M_COST || params.t_cost > MAX_T_COST {
        return Err(malformed("kdf", "cost above the allowed maximum"));
    }
    let params = Params::new(params.m_cost, params.t_cost, 1, Some(32))
        .map_err(|e| malformed("kdf", &e.to_string()))?;
    let mut kek = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, kek.as_mut_slice())
        .map_err(|e| malformed("kdf", &e.to_string()))?;
    Ok(kek)
}

/// What a signature covers: the document version's content hash plus who signs for which
/// unit, so a signature cannot be moved to another version, unit or document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningStatement {
    pub document_id: String,
    pub version: i64,
    /// Lowercase hex SHA-256 of the version's canonical bytes.
    pub content_hash: String,
    pub signer_user_id: String,
    pub unit_id: String,
    /// RFC 3339, UTC. Supplied by the caller: this module has no clock.
    pub signed_at: String,
}

/// The exact bytes signed for a statement. A fixed prefix separates this use of the key from
/// any other; every string is length-prefixed and the version has a fixed width, so two
/// different statements never produce the same bytes (no field can bleed into the next).
pub fn statement_bytes(s: &SigningStatement) -> Vec<u8> {
    let strings = [
        &s.document_id,
        &s.content_hash,
        &s.signer_user_id,
        &s.unit_id,
        &s.signed_at,
    ];
    let len = STATEMENT_PREFIX.len() + 8 + strings.iter().map(|f| 8 + f.len()).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(STATEMENT_PREFIX);
    push_field(&mut out, s.document_id.as_bytes());
    out.extend_from_slice(&s.version.to_be_bytes());
    push_field(&mut out, s.content_hash.as_bytes());
    push_field(&mut out, s.signer_user_id.as_bytes());
    push_field(&mut out, s.unit_id.as_bytes());
    push_field(&mut out, s.signed_at.as_bytes());
    out
}

fn push_field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Sign a statement; returns the hex of the 64-byte signature. Ed25519 signing is
/// deterministic, so the same key and statement always give the same signature.
pub fn sign(key: &SigningKey, s: &SigningStatement) -> String {
    hex::encode(key.sign(&statement_bytes(s)).to_bytes())
}

/// Check a signature over a statement.
pub fn verify(
    public_key_hex: &str,
    s: &SigningStatement,
    signature_hex: &str,
) -> Result<(), SignatureError> {
    let public = decode_hex_array::<32>(public_key_hex, "public_key")?;
    let public = VerifyingKey::from_bytes(&public).map_err(|_| SignatureError::BadKey)?;
    let signature = Signature::from_bytes(&decode_hex_array::<64>(signature_hex, "signature")?);
    // Strict verification also refuses weak (small-order) public keys and non-canonical
    // signatures, so one signature has exactly one accepted encoding.
    public
        .verify_strict(&statement_bytes(s), &signature)
        .map_err(|_| SignatureError::BadSignature)
}

/// One stored signature: the statement as signed, the key that signed it, the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRecord {
    pub statement: SigningStatement,
    pub public_key: String,
    pub signature: String,
}

/// The outcome for one stored signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignatureCheck {
    Valid {
        unit_id: String,
        signer_user_id: String,
        signed_at: String,
    },
    /// The signature is genuine but covers other content: the stored version was changed
    /// after it was signed (or the signature belongs to other content).
    WrongHash {
        unit_id: String,
        /// The hash of the content as it is now.
        expected: String,
        /// The hash the signer signed.
        found: String,
    },
    /// The signature does not verify: the signature or its statement was altered, or the
    /// key material is unusable.
    BadSignature { unit_id: String },
    /// The signature is genuine but for another document or another version of this one.
    WrongDocument { unit_id: String },
}

impl SignatureCheck {
    pub fn unit_id(&self) -> &str {
        match self {
            SignatureCheck::Valid { unit_id, .. }
            | SignatureCheck::WrongHash { unit_id, .. }
            | SignatureCheck::BadSignature { unit_id }
            | SignatureCheck::WrongDocument { unit_id } => unit_id,
        }
    }

    pub fn is_valid(&self) -> bool {
        matches!(self, SignatureCheck::Valid { .. })
    }
}

/// The verdict on a whole signed document version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationReport {
    /// The hash the caller recomputed from the stored content.
    pub content_hash: String,
    pub valid: bool,
    /// One entry per record, in the order given.
    pub checks: Vec<SignatureCheck>,
    /// Required units without a valid signature, in the order given.
    pub missing_units: Vec<String>,
}

/// Check every stored signature of a document version against the content as it is now.
///
/// The content hash is not computed here (this module does not know the canonical form of a
/// document); the caller passes the hash it recomputed from the stored version. The version is
/// valid only when every required unit has a valid signature and no record fails: a single
/// forged or stale record spoils the verdict even if the unit also has a good one, because its
/// presence means the stored data was tampered with.
pub fn verify_document(
    document_id: &str,
    version: i64,
    recomputed_hash: &str,
    required_units: &[String],
    records: &[SignatureRecord],
) -> VerificationReport {
    let checks: Vec<SignatureCheck> = records
        .iter()
        .map(|r| check_record(document_id, version, recomputed_hash, r))
        .collect();
    let mut missing_units: Vec<String> = Vec::new();
    for unit in required_units {
        let signed = checks.iter().any(|c| c.is_valid() && c.unit_id() == unit);
        if !signed && !missing_units.contains(unit) {
            missing_units.push(unit.clone());
        }
    }
    let valid = missing_units.is_empty() && checks.iter().all(SignatureCheck::is_valid);
    VerificationReport {
        content_hash: recomputed_hash.to_owned(),
        valid,
        checks,
        missing_units,
    }
}

fn check_record(
    document_id: &str,
    version: i64,
    recomputed_hash: &str,
    r: &SignatureRecord,
) -> SignatureCheck {
    let st = &r.statement;
    let unit_id = st.unit_id.clone();
    // The signature is checked first: if the record itself is forged, what it claims about
    // document or hash is meaningless, and "bad signature" is the accurate diagnosis.
    if verify(&r.public_key, st, &r.signature).is_err() {
        return SignatureCheck::BadSignature { unit_id };
    }
    if st.document_id != document_id || st.version != version {
        return SignatureCheck::WrongDocument { unit_id };
    }
    // Hex case carries no meaning, so an uppercase recomputation must not read as tampering.
    if !st.content_hash.eq_ignore_ascii_case(recomputed_hash) {
        return SignatureCheck::WrongHash {
            unit_id,
            expected: recomputed_hash.to_owned(),
            found: st.content_hash.clone(),
        };
    }
    SignatureCheck::Valid {
        unit_id,
        signer_user_id: st.signer_user_id.clone(),
        signed_at: st.signed_at.clone(),
    }
}

/// A short code printed (and put in the QR) on a signed document, to find its verification
/// page: the first 10 Crockford base32 characters of a SHA-256 over the document, version and
/// content hash, grouped as `ABCDE-FGHIJ`. Because the content hash is an input, a new version
/// gets a new code.
pub fn verification_code(document_id: &str, version: i64, content_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(CODE_PREFIX);
    h.update((document_id.len() as u64).to_be_bytes());
    h.update(document_id.as_bytes());
    h.update(version.to_be_bytes());
    let hash = content_hash.to_ascii_lowercase();
    h.update((hash.len() as u64).to_be_bytes());
    h.update(hash.as_bytes());
    let digest = h.finalize();

    // The top 50 bits of the digest, five bits per character.
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let bits = u64::from_be_bytes(first);
    let mut code = String::with_capacity(CODE_LEN + 1);
    for i in 0..CODE_LEN {
        if i == CODE_LEN / 2 {
            code.push('-');
        }
        let index = (bits >> (64 - 5 * (i + 1))) & 0x1f;
        code.push(char::from(CODE_ALPHABET[index as usize]));
    }
    code
}

/// Bring a code typed or scanned by a person to the printed form, or `None` if it cannot be
/// one. Case, spaces and hyphens are ignored and the usual look-alikes are read as Crockford
/// base32 intends (O as 0, I and L as 1), so a code copied by hand still finds its page.
pub fn normalize_verification_code(input: &str) -> Option<String> {
    let mut chars = String::with_capacity(CODE_LEN + 1);
    let mut count = 0;
    for c in input.chars() {
        if c == '-' || c.is_whitespace() {
            continue;
        }
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) {
            return None;
        }
        if count == CODE_LEN {
            return None;
        }
        if count == CODE_LEN / 2 {
            chars.push('-');
        }
        chars.push(c);
        count += 1;
    }
    (count == CODE_LEN).then_some(chars)
}

fn malformed(field: &str, why: &str) -> SignatureError {
    SignatureError::Malformed(format!("{field}: {why}"))
}

fn decode_hex_array<const N: usize>(s: &str, field: &str) -> Result<[u8; N], SignatureError> {
    let bytes = hex::decode(s).map_err(|_| malformed(field, "not hex"))?;
    bytes
        .try_into()
        .map_err(|_| malformed(field, &format!("expected {N} bytes")))
}

fn decode_b64_array<const N: usize>(s: &str, field: &str) -> Result<[u8; N], SignatureError> {
    let bytes = B64.decode(s).map_err(|_| malformed(field, "not base64"))?;
    bytes
        .try_into()
        .map_err(|_| malformed(field, &format!("expected {N} bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tiny cost so the tests stay fast; the format is the same as with the real cost.
    const FAST: KdfParams = KdfParams {
        m_cost: 64,
        t_cost: 1,
    };
    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const HASH2: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    fn statement(unit: &str) -> SigningStatement {
        SigningStatement {
            document_id: "pact-2024-c13".into(),
            version: 1,
            content_hash: HASH.into(),
            signer_user_id: format!("leader-{unit}"),
            unit_id: unit.into(),
            signed_at: "2024-03-01T08:00:00Z".into(),
        }
    }

    fn record(n: u8, s: SigningStatement) -> SignatureRecord {
        let k = key(n);
        SignatureRecord {
            signature: sign(&k, &s),
            public_key: public_key_hex(&k),
            statement: s,
        }
    }

    fn flip_hex_byte(hex_str: &str, i: usize) -> String {
        let mut bytes = hex::decode(hex_str).expect("hex");
        bytes[i] ^= 0x01;
        hex::encode(bytes)
    }

    #[test]
    fn seal_unseal_round_trip() {
        let sealed = seal_new_key([7; 32], [1; 16], [2; 12], "mật khẩu", FAST).expect("seal");
        assert_eq!(sealed.public_key, public_key_hex(&key(7)));
        assert_eq!((sealed.m_cost, sealed.t_cost), (64, 1));
        let opened = unseal(&sealed, "mật khẩu").expect("unseal");
        assert_eq!(opened.to_bytes(), [7; 32]);
        // The stored form survives JSON, which is how the store keeps it.
        let json = serde_json::to_string(&sealed).expect("json");
        let back: SealedKey = serde_json::from_str(&json).expect("json");
        assert_eq!(back, sealed);
        // The secret never appears in the clear.
        assert!(!json.contains(&hex::encode([7u8; 32])));
        assert!(!json.contains(&B64.encode([7u8; 32])));
    }

    #[test]
    fn wrong_password_refused() {
        let sealed = seal_new_key([7; 32], [1; 16], [2; 12], "right", FAST).expect("seal");
        assert_eq!(
            unseal(&sealed, "wrong").map(|k| k.to_bytes()),
            Err(SignatureError::WrongPassword)
        );
        assert_eq!(
            unseal(&sealed, "").map(|k| k.to_bytes()),
            Err(SignatureError::WrongPassword)
        );
    }

    #[test]
    fn sealed_key_cannot_be_moved_to_another_public_key() {
        let a = seal_new_key([7; 32], [1; 16], [2; 12], "pw", FAST).expect("seal");
        let b = seal_new_key([8; 32], [1; 16], [2; 12], "pw", FAST).expect("seal");
        let swapped = SealedKey {
            public_key: b.public_key.clone(),
            ..a.clone()
        };
        assert!(unseal(&swapped, "pw").is_err());
    }

    #[test]
    fn tampered_sealed_key_refused() {
        let sealed = seal_new_key([7; 32], [1; 16], [2; 12], "pw", FAST).expect("seal");
        let mut ct = B64.decode(&sealed.ciphertext).expect("b64");
        ct[0] ^= 1;
        let tampered = SealedKey {
            ciphertext: B64.encode(ct),
            ..sealed.clone()
        };
        assert_eq!(
            unseal(&tampered, "pw").map(|k| k.to_bytes()),
            Err(SignatureError::WrongPassword)
        );
        let other_salt = SealedKey {
            kdf_salt: B64.encode([9u8; 16]),
            ..sealed.clone()
        };
        assert!(unseal(&other_salt, "pw").is_err());
        let bad_nonce = SealedKey {
            nonce: B64.encode([0u8; 5]),
            ..sealed.clone()
        };
        assert!(matches!(
            unseal(&bad_nonce, "pw"),
            Err(SignatureError::Malformed(_))
        ));
        let huge = SealedKey {
            m_cost: u32::MAX,
            ..sealed
        };
        assert!(matches!(
            unseal(&huge, "pw"),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn reseal_changes_password_keeps_key() {
        let sealed = seal_new_key([7; 32], [1; 16], [2; 12], "old", FAST).expect("seal");
        let resealed = reseal(&sealed, "old", "new", [3; 16], [4; 12]).expect("reseal");
        assert_eq!(resealed.public_key, sealed.public_key);
        assert_ne!(resealed.ciphertext, sealed.ciphertext);
        assert_eq!(
            unseal(&resealed, "old").map(|k| k.to_bytes()),
            Err(SignatureError::WrongPassword)
        );
        assert_eq!(unseal(&resealed, "new").expect("new").to_bytes(), [7; 32]);
        // Without the old password there is no re-keying.
        assert_eq!(
            reseal(&sealed, "guess", "new", [3; 16], [4; 12]),
            Err(SignatureError::WrongPassword)
        );
    }

    #[test]
    fn default_kdf_is_owasp() {
        assert_eq!(
            KdfParams::default(),
            KdfParams {
                m_cost: 19_456,
                t_cost: 2
            }
        );
    }

    #[test]
    fn sign_verify() {
        let k = key(5);
        let s = statement("u1");
        let sig = sign(&k, &s);
        assert_eq!(sig.len(), 128);
        assert_eq!(sig, sign(&k, &s), "Ed25519 is deterministic");
        assert_eq!(verify(&public_key_hex(&k), &s, &sig), Ok(()));
        // The signature from an unsealed key verifies too.
        let sealed = seal_new_key([5; 32], [1; 16], [2; 12], "pw", FAST).expect("seal");
        let opened = unseal(&sealed, "pw").expect("unseal");
        assert_eq!(verify(&sealed.public_key, &s, &sign(&opened, &s)), Ok(()));
    }

    #[test]
    fn signature_does_not_move() {
        let k = key(5);
        let pk = public_key_hex(&k);
        let s = statement("u1");
        let sig = sign(&k, &s);
        let cases = [
            SigningStatement {
                version: 2,
                ..s.clone()
            },
            SigningStatement {
                unit_id: "u2".into(),
                ..s.clone()
            },
            SigningStatement {
                document_id: "plan-2024-c13".into(),
                ..s.clone()
            },
            SigningStatement {
                content_hash: HASH2.into(),
                ..s.clone()
            },
            SigningStatement {
                signer_user_id: "someone-else".into(),
                ..s.clone()
            },
            SigningStatement {
                signed_at: "2024-03-01T08:00:01Z".into(),
                ..s.clone()
            },
        ];
        for moved in &cases {
            assert_eq!(
                verify(&pk, moved, &sig),
                Err(SignatureError::BadSignature),
                "{moved:?}"
            );
        }
        for i in [0, 31, 32, 63] {
            assert_eq!(
                verify(&pk, &s, &flip_hex_byte(&sig, i)),
                Err(SignatureError::BadSignature),
                "byte {i}"
            );
        }
        // Another signer's key does not verify it either.
        assert_eq!(
            verify(&public_key_hex(&key(6)), &s, &sig),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn verify_rejects_malformed_input() {
        let k = key(5);
        let s = statement("u1");
        let sig = sign(&k, &s);
        let pk = public_key_hex(&k);
        assert!(matches!(
            verify("zz", &s, &sig),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            verify(&pk[..62], &s, &sig),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            verify(&pk, &s, &sig[..126]),
            Err(SignatureError::Malformed(_))
        ));
        // The identity point is a weak key; strict verification refuses anything under it.
        let identity = format!("01{}", "00".repeat(31));
        assert!(verify(&identity, &s, &sig).is_err());
    }

    #[test]
    fn statement_bytes_are_prefixed_and_length_delimited() {
        let s = statement("u1");
        let b = statement_bytes(&s);
        assert!(b.starts_with(b"thidua-sign-v1\n"));
        // Moving a character from one field into the next changes the bytes.
        let a = SigningStatement {
            signer_user_id: "ab".into(),
            unit_id: "c".into(),
            ..s.clone()
        };
        let c = SigningStatement {
            signer_user_id: "a".into(),
            unit_id: "bc".into(),
            ..s
        };
        assert_ne!(statement_bytes(&a), statement_bytes(&c));
    }

    #[test]
    fn verify_document_valid_when_complete() {
        let units: Vec<String> = vec!["u1".into(), "u2".into(), "u3".into()];
        let records: Vec<_> = units
            .iter()
            .enumerate()
            .map(|(i, u)| record(i as u8 + 1, statement(u)))
            .collect();
        let report = verify_document("pact-2024-c13", 1, HASH, &units, &records);
        assert!(report.valid, "{report:?}");
        assert!(report.missing_units.is_empty());
        assert_eq!(report.checks.len(), 3);
        assert_eq!(
            report.checks[0],
            SignatureCheck::Valid {
                unit_id: "u1".into(),
                signer_user_id: "leader-u1".into(),
                signed_at: "2024-03-01T08:00:00Z".into()
            }
        );
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["checks"][0]["status"], "valid");
        // An uppercase recomputed hash is the same hash.
        assert!(verify_document("pact-2024-c13", 1, &HASH.to_uppercase(), &units, &records).valid);
    }

    #[test]
    fn verify_document_reports_missing_units() {
        let units: Vec<String> = vec!["u1".into(), "u2".into(), "u3".into()];
        let records = vec![record(1, statement("u1"))];
        let report = verify_document("pact-2024-c13", 1, HASH, &units, &records);
        assert!(!report.valid);
        assert_eq!(report.missing_units, vec!["u2".to_string(), "u3".into()]);
        assert!(report.checks.iter().all(SignatureCheck::is_valid));
    }

    #[test]
    fn verify_document_reports_wrong_hash_with_both_hashes() {
        let units: Vec<String> = vec!["u1".into(), "u2".into()];
        let records = vec![record(1, statement("u1")), record(2, statement("u2"))];
        // The stored version changed after signing: its recomputed hash differs.
        let report = verify_document("pact-2024-c13", 1, HASH2, &units, &records);
        assert!(!report.valid);
        assert_eq!(
            report.checks[0],
            SignatureCheck::WrongHash {
                unit_id: "u1".into(),
                expected: HASH2.into(),
                found: HASH.into()
            }
        );
        assert_eq!(report.content_hash, HASH2);
        assert_eq!(report.missing_units, units);
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["checks"][0]["status"], "wrong_hash");
    }

    #[test]
    fn verify_document_names_bad_and_misplaced_signatures() {
        let units: Vec<String> = vec!["u1".into(), "u2".into()];
        let mut forged = record(1, statement("u1"));
        forged.signature = flip_hex_byte(&forged.signature, 10);
        let old_version = record(2, statement("u2"));
        // A good signature for u2, but over version 1, presented for version 2.
        let mut v2_u1 = statement("u1");
        v2_u1.version = 2;
        let report = verify_document(
            "pact-2024-c13",
            2,
            HASH,
            &units,
            &[forged, old_version, record(1, v2_u1)],
        );
        assert!(!report.valid);
        assert_eq!(
            report.checks[0],
            SignatureCheck::BadSignature {
                unit_id: "u1".into()
            }
        );
        assert_eq!(
            report.checks[1],
            SignatureCheck::WrongDocument {
                unit_id: "u2".into()
            }
        );
        assert!(report.checks[2].is_valid());
        assert_eq!(report.missing_units, vec!["u2".to_string()]);

        // A record tampered to claim another unit no longer verifies.
        let mut moved = record(3, statement("u1"));
        moved.statement.unit_id = "u2".into();
        let report = verify_document("pact-2024-c13", 1, HASH, &units, &[moved]);
        assert_eq!(
            report.checks[0],
            SignatureCheck::BadSignature {
                unit_id: "u2".into()
            }
        );
    }

    #[test]
    fn one_failing_record_spoils_an_otherwise_complete_document() {
        let units: Vec<String> = vec!["u1".into()];
        let mut forged = record(2, statement("u1"));
        forged.signature = flip_hex_byte(&forged.signature, 0);
        let report = verify_document(
            "pact-2024-c13",
            1,
            HASH,
            &units,
            &[record(1, statement("u1")), forged],
        );
        assert!(report.missing_units.is_empty());
        assert!(!report.valid);
    }

    #[test]
    fn verification_code_stable_and_formatted() {
        let code = verification_code("pact-2024-c13", 1, HASH);
        assert_eq!(code, verification_code("pact-2024-c13", 1, HASH));
        assert_eq!(
            code,
            verification_code("pact-2024-c13", 1, &HASH.to_uppercase())
        );
        assert_eq!(code.len(), 11);
        assert_eq!(code.as_bytes()[5], b'-');
        assert!(code
            .bytes()
            .enumerate()
            .all(|(i, c)| i == 5 || CODE_ALPHABET.contains(&c)));
        // Pinned so a change of the algorithm, which would orphan printed codes, is noticed.
        assert_eq!(code, PINNED_CODE);
        assert_ne!(code, verification_code("pact-2024-c13", 2, HASH));
        assert_ne!(code, verification_code("pact-2024-c14", 1, HASH));
        assert_ne!(code, verification_code("pact-2024-c13", 1, HASH2));
    }

    const PINNED_CODE: &str = "6TVB0-AV08M";

    #[test]
    fn verification_code_normalizes_what_people_type() {
        let code = verification_code("pact-2024-c13", 1, HASH);
        assert_eq!(normalize_verification_code(&code), Some(code.clone()));
        let typed = code.replace('-', " ").to_lowercase();
        assert_eq!(normalize_verification_code(&typed), Some(code.clone()));
        assert_eq!(
            normalize_verification_code("oil23-45678"),
            Some("01123-45678".into())
        );
        assert_eq!(normalize_verification_code("ABCDE-FGHI"), None);
        assert_eq!(normalize_verification_code("ABCDE-FGHIJK"), None);
        assert_eq!(normalize_verification_code("ABCDE-FGHIU"), None);
        assert_eq!(normalize_verification_code("ABCDE-FGHIĐ"), None);
    }
}
