//! Properties of document signatures that must hold for every statement and key, not just the
//! examples in the unit tests: a signature verifies only for the exact statement signed, and
//! no two different statements share the bytes that get signed.

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use thidua_domain::signature::{
    normalize_verification_code, public_key_hex, reseal, seal_new_key, sign, statement_bytes,
    unseal, verification_code, verify, KdfParams, SignatureError, SigningStatement,
};

/// Tiny Argon2 cost: the properties are about the format, not the cost, and must stay fast.
const FAST: KdfParams = KdfParams {
    m_cost: 64,
    t_cost: 1,
};

/// Field text: ASCII (control characters included) and Vietnamese letters, so multi-byte
/// UTF-8 is exercised, and empty strings, which have no byte to flip.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\x00-\\x7f]{0,24}",
        "[a-zA-Z0-9ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚĂĐĨŨƠƯàáâãèéêìíòóôõùúăđĩũơưạ-ỹ -]{0,24}",
        Just(String::new()),
    ]
}

fn statement() -> impl Strategy<Value = SigningStatement> {
    (text(), any::<i64>(), text(), text(), text(), text()).prop_map(
        |(document_id, version, content_hash, signer_user_id, unit_id, signed_at)| {
            SigningStatement {
                document_id,
                version,
                content_hash,
                signer_user_id,
                unit_id,
                signed_at,
            }
        },
    )
}

/// Statements over a two-letter alphabet and a handful of versions, so that two draws often
/// differ only by where one field ends and the next begins: the case an ambiguous encoding
/// would get wrong.
fn near_statement() -> impl Strategy<Value = SigningStatement> {
    let s = || "[ab]{0,3}";
    (s(), -2i64..=2, s(), s(), s(), s()).prop_map(
        |(document_id, version, content_hash, signer_user_id, unit_id, signed_at)| {
            SigningStatement {
                document_id,
                version,
                content_hash,
                signer_user_id,
                unit_id,
                signed_at,
            }
        },
    )
}

/// Flip one byte of a string (XOR with a non-zero mask). If that breaks UTF-8 the broken
/// sequence reads as U+FFFD, which still changes the string; an empty string gets the byte
/// appended instead, since it has none to flip.
fn flip_string(s: &str, at: usize, mask: u8) -> String {
    let mut bytes = s.as_bytes().to_vec();
    if bytes.is_empty() {
        bytes.push(mask & 0x7f);
    } else {
        let i = at % bytes.len();
        bytes[i] ^= mask;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn flip_field(s: &SigningStatement, field: usize, at: usize, mask: u8) -> SigningStatement {
    let mut m = s.clone();
    match field {
        0 => m.document_id = flip_string(&s.document_id, at, mask),
        1 => {
            let mut b = s.version.to_be_bytes();
            b[at % 8] ^= mask;
            m.version = i64::from_be_bytes(b);
        }
        2 => m.content_hash = flip_string(&s.content_hash, at, mask),
        3 => m.signer_user_id = flip_string(&s.signer_user_id, at, mask),
        4 => m.unit_id = flip_string(&s.unit_id, at, mask),
        _ => m.signed_at = flip_string(&s.signed_at, at, mask),
    }
    m
}

proptest! {
    #[test]
    fn signature_verifies_for_the_statement_signed(seed in any::<[u8; 32]>(), s in statement()) {
        let key = SigningKey::from_bytes(&seed);
        let sig = sign(&key, &s);
        prop_assert_eq!(verify(&public_key_hex(&key), &s, &sig), Ok(()));
    }

    #[test]
    fn any_changed_field_byte_breaks_the_signature(
        seed in any::<[u8; 32]>(),
        s in statement(),
        field in 0usize..6,
        at in any::<usize>(),
        mask in 1u8..=255,
    ) {
        let key = SigningKey::from_bytes(&seed);
        let sig = sign(&key, &s);
        let moved = flip_field(&s, field, at, mask);
        // Lossy decoding can in principle give back the original (a U+FFFD already there).
        prop_assume!(moved != s);
        prop_assert_eq!(
            verify(&public_key_hex(&key), &moved, &sig),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn any_changed_signature_byte_breaks_it(
        seed in any::<[u8; 32]>(),
        s in statement(),
        at in 0usize..64,
        mask in 1u8..=255,
    ) {
        let key = SigningKey::from_bytes(&seed);
        let mut sig = hex::decode(sign(&key, &s)).expect("hex");
        sig[at] ^= mask;
        prop_assert_eq!(
            verify(&public_key_hex(&key), &s, &hex::encode(sig)),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn statement_bytes_injective(a in near_statement(), b in near_statement()) {
        prop_assert_eq!(a == b, statement_bytes(&a) == statement_bytes(&b), "{:?} / {:?}", a, b);
    }

    #[test]
    fn statement_bytes_injective_on_wide_text(a in statement(), field in 0usize..6, at in any::<usize>(), mask in 1u8..=255) {
        let b = flip_field(&a, field, at, mask);
        prop_assert_eq!(a == b, statement_bytes(&a) == statement_bytes(&b));
    }

    #[test]
    fn verification_code_shape(doc in text(), version in any::<i64>(), hash in text()) {
        let code = verification_code(&doc, version, &hash);
        prop_assert_eq!(code.len(), 11);
        prop_assert_eq!(code.as_bytes()[5], b'-');
        prop_assert_eq!(normalize_verification_code(&code), Some(code.clone()));
        prop_assert_eq!(normalize_verification_code(&code.to_lowercase()), Some(code));
    }
}

proptest! {
    // Each case runs Argon2 a few times; fewer cases keep the suite quick.
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn sealed_key_opens_only_with_its_password(
        seed in any::<[u8; 32]>(),
        salt in any::<[u8; 16]>(),
        nonce in any::<[u8; 12]>(),
        password in ".{0,16}",
        other in ".{0,16}",
    ) {
        prop_assume!(password != other);
        let sealed = seal_new_key(seed, salt, nonce, &password, FAST).expect("seal");
        let key = unseal(&sealed, &password).expect("unseal");
        prop_assert_eq!(key.to_bytes(), seed);
        prop_assert_eq!(&sealed.public_key, &public_key_hex(&key));
        prop_assert_eq!(
            unseal(&sealed, &other).map(|k| k.to_bytes()),
            Err(SignatureError::WrongPassword)
        );
        let resealed = reseal(&sealed, &password, &other, salt, nonce).expect("reseal");
        prop_assert_eq!(unseal(&resealed, &other).expect("new").to_bytes(), seed);
        prop_assert_eq!(
            unseal(&resealed, &password).map(|k| k.to_bytes()),
            Err(SignatureError::WrongPassword)
        );
    }
}
