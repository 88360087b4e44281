//! The sealed ballot box of a secret vote (an election of a group, a council's vote on a
//! proposal).
//!
//! While the vote is open, a secret ballot is stored only as a ChaCha20-Poly1305 ciphertext
//! of its receipt and choice, under a key the server keeps outside the database. A copy of the
//! database, of its WAL or of a backup taken during the vote shows who voted, in which order
//! and when, but each ballot only as random bytes. At the count the ballots are opened all at
//! once and written in the order of their receipts (random codes), so neither the order of
//! rows, nor a time, nor an id, nor the audit trail ties a published ballot to its voter.
//!
//! The box's name (`election:<id>`, `proposal:<id>`) is the AEAD's associated data: a sealed
//! ballot cannot be moved into another vote.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};

/// What a sealed ballot holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub receipt: String,
    /// A candidate unit's id, `yes`/`no`/`blank` for a council vote; None for a blank ballot.
    pub choice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoxError {
    /// The ciphertext is not one this key sealed for this box: another server's key, a
    /// ballot moved from another vote, or a row changed outside the application.
    #[error("a sealed ballot cannot be opened with this server's ballot key")]
    WrongKeyOrTampered,
    #[error("a sealed ballot is malformed")]
    Malformed,
}

/// Seal a ballot for `box_name`. `nonce` must be fresh random bytes (never reused under one key).
pub fn seal(key: &[u8; 32], box_name: &str, ballot: &Ballot, nonce: [u8; 12]) -> String {
    let plain = serde_json::to_vec(ballot).unwrap_or_default();
    let ct = ChaCha20Poly1305::new(Key::from_slice(key))
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: box_name.as_bytes(),
            },
        )
        // Encryption fails only for messages near 256 GiB.
        .unwrap_or_default();
    let mut out = Vec::with_capacity(12 + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    B64.encode(out)
}

/// Open one sealed ballot of `box_name`.
pub fn open(key: &[u8; 32], box_name: &str, sealed: &str) -> Result<Ballot, BoxError> {
    let raw = B64.decode(sealed).map_err(|_| BoxError::Malformed)?;
    if raw.len() < 12 + 16 {
        return Err(BoxError::Malformed);
    }
    let (nonce, ct) = raw.split_at(12);
    let plain = ChaCha20Poly1305::new(Key::from_slice(key))
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: box_name.as_bytes(),
            },
        )
        .map_err(|_| BoxError::WrongKeyOrTampered)?;
    serde_json::from_slice(&plain).map_err(|_| BoxError::Malformed)
}

/// Open a whole box for the count: every ballot, in the order of their receipts (random
/// codes), which is the order they are then stored and published in.
pub fn open_all(
    key: &[u8; 32],
    box_name: &str,
    sealed: &[String],
) -> Result<Vec<Ballot>, BoxError> {
    let mut out = sealed
        .iter()
        .map(|s| open(key, box_name, s))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by(|a, b| a.receipt.cmp(&b.receipt));
    Ok(out)
}

/// The box of a group's election.
pub fn election_box(election_id: &str) -> String {
    format!("election:{election_id}")
}

/// The box of a council's vote on a proposal.
pub fn proposal_box(proposal_id: &str) -> String {
    format!("proposal:{proposal_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(r: &str, c: Option<&str>) -> Ballot {
        Ballot {
            receipt: r.into(),
            choice: c.map(Into::into),
        }
    }

    #[test]
    fn a_sealed_ballot_opens_only_with_its_key_and_box() {
        let k = [7u8; 32];
        let s = seal(&k, "election:e1", &b("AAAA", Some("u1")), [1; 12]);
        assert_eq!(open(&k, "election:e1", &s), Ok(b("AAAA", Some("u1"))));
        assert_eq!(
            open(&[8u8; 32], "election:e1", &s),
            Err(BoxError::WrongKeyOrTampered)
        );
        // Moved into another vote.
        assert_eq!(
            open(&k, "election:e2", &s),
            Err(BoxError::WrongKeyOrTampered)
        );
        assert_eq!(open(&k, "election:e1", "x"), Err(BoxError::Malformed));
    }

    #[test]
    fn the_ciphertext_tells_nothing_of_the_choice() {
        // Same length whatever the candidate (ids have one length), and different bytes for
        // the same ballot under two nonces.
        let k = [3u8; 32];
        let a = seal(&k, "p", &b("AAAA-BBBB", Some("yes")), [1; 12]);
        let c = seal(&k, "p", &b("AAAA-BBBB", Some("yes")), [2; 12]);
        assert_ne!(a, c);
        assert!(!a.contains("yes"));
    }

    #[test]
    fn the_count_sees_ballots_in_receipt_order() {
        let k = [5u8; 32];
        let sealed: Vec<String> = [("Z", "a"), ("B", "b"), ("M", "c")]
            .iter()
            .enumerate()
            .map(|(i, (r, c))| seal(&k, "x", &b(r, Some(c)), [i as u8; 12]))
            .collect();
        let opened = open_all(&k, "x", &sealed).expect("opens");
        let receipts: Vec<&str> = opened.iter().map(|b| b.receipt.as_str()).collect();
        assert_eq!(receipts, ["B", "M", "Z"]);
    }
}
