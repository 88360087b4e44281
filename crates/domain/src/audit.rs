//! The audit trail's hash chain. Each row's hash covers its content and the previous row's
//! hash, so altering, removing or reordering a row breaks the chain at that row.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first row chains from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub actor: Option<String>,
    pub address: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// SHA-256 of the entity's stored rows right after this event's transaction (see the
    /// store's deep audit registry); None for entities it does not cover and older rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_hash: Option<String>,
}

/// Hash of a row's content chained to `prev_hash`. Fields are length-prefixed so that no
/// two different rows can produce the same byte stream.
pub fn chain_hash(r: &AuditRecord, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(prev_hash);
    field(&r.seq.to_string());
    field(&r.id);
    field(&r.at);
    field(r.actor.as_deref().unwrap_or("\u{0}"));
    field(r.address.as_deref().unwrap_or("\u{0}"));
    field(&r.action);
    field(&r.entity);
    field(&r.entity_id);
    field(r.before.as_deref().unwrap_or("\u{0}"));
    field(r.after.as_deref().unwrap_or("\u{0}"));
    // Only when present, so that rows written before data digests existed still verify.
    if let Some(d) = &r.data_hash {
        field(d);
    }
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ChainBreak {
    /// The row's content no longer matches its hash.
    Altered { seq: i64, id: String },
    /// The row does not chain to the one before it: a row before it was removed or it was
    /// inserted out of order.
    Broken {
        seq: i64,
        id: String,
        expected_seq: i64,
    },
    /// The last rows were removed: the chain head says more rows exist.
    Truncated { last_seq: i64, head_seq: i64 },
    /// A head published earlier (seq and hash) is not in the chain any more: the rows from
    /// it on were removed or rewritten, even if the recorded head was rewritten to match.
    PublishedHeadMissing {
        seq: i64,
        hash: String,
        found: Option<String>,
    },
}

/// Incremental verifier: feed rows in `seq` order.
#[derive(Debug)]
pub struct Verifier {
    prev_hash: String,
    next_seq: i64,
    pub checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            prev_hash: GENESIS.to_owned(),
            next_seq: 1,
            checked: 0,
        }
    }
}

impl Verifier {
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainBreak> {
        if r.seq != self.next_seq || r.prev_hash != self.prev_hash {
            return Err(ChainBreak::Broken {
                seq: r.seq,
                id: r.id.clone(),
                expected_seq: self.next_seq,
            });
        }
        if chain_hash(r, &r.prev_hash) != r.hash {
            return Err(ChainBreak::Altered {
                seq: r.seq,
                id: r.id.clone(),
            });
        }
        self.prev_hash = r.hash.clone();
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// Compare the end of the chain with the recorded head (last seq and hash).
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainBreak> {
        let last = self.next_seq - 1;
        if last != head_seq || (last > 0 && head_hash != self.prev_hash) {
            return Err(ChainBreak::Truncated {
                last_seq: last,
                head_seq,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    id: format!("id{seq}"),
                    at: "2026-01-01T00:00:00Z".into(),
                    actor: Some("admin".into()),
                    address: None,
                    action: "create".into(),
                    entity: "unit".into(),
                    entity_id: format!("u{seq}"),
                    before: None,
                    after: Some("{}".into()),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                    data_hash: None,
                };
                r.hash = chain_hash(&r, &prev);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn verify(rows: &[AuditRecord], head: i64, head_hash: &str) -> Result<(), ChainBreak> {
        let mut v = Verifier::default();
        for r in rows {
            v.push(r)?;
        }
        v.finish(head, head_hash)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, 5, &c[4].hash), Ok(()));
    }

    #[test]
    fn altered_row_is_named() {
        let mut c = chain(5);
        c[2].after = Some("{\"x\":1}".into());
        let h = c[4].hash.clone();
        assert!(matches!(
            verify(&c, 5, &h),
            Err(ChainBreak::Altered { seq: 3, .. })
        ));
    }

    #[test]
    fn removed_row_is_named() {
        let mut c = chain(5);
        c.remove(1);
        let h = c[3].hash.clone();
        assert!(matches!(
            verify(&c, 5, &h),
            Err(ChainBreak::Broken { seq: 3, .. })
        ));
    }

    #[test]
    fn data_hash_is_chained_when_present() {
        let c = chain(2);
        let mut r = c[1].clone();
        assert_eq!(chain_hash(&r, &r.prev_hash), r.hash);
        r.data_hash = Some("ab".into());
        assert_ne!(chain_hash(&r, &r.prev_hash), r.hash);
    }

    #[test]
    fn removed_tail_is_found() {
        let c = chain(5);
        let h = c[4].hash.clone();
        assert!(matches!(
            verify(&c[..4], 5, &h),
            Err(ChainBreak::Truncated { .. })
        ));
    }
}
