//! The tamper-evident audit log: each entry's hash covers its content and the previous hash.
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored. `before`/`after` are JSON summaries (empty string when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub unit_id: Option<i64>,
    pub before: String,
    pub after: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry's content chained to `prev_hash`. Fields are length-prefixed so that no
/// two different entries serialise to the same bytes.
pub fn entry_hash(e: &Entry, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let fields: [&str; 11] = [
        prev_hash,
        &e.seq.to_string(),
        &e.at,
        &opt(e.actor_id),
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        &opt(e.unit_id),
        &e.before,
        &e.after,
    ];
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    /// The entry's stored hash does not match its content.
    Altered { seq: i64 },
    /// The entry does not point at the previous entry's hash (an entry was removed or replaced).
    Broken { seq: i64 },
    /// Sequence numbers skip: an entry before `seq` was deleted.
    Gap { seq: i64 },
    /// The chain's head records more entries than exist: entries at the end were deleted.
    Truncated { expected_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for ChainFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainFault::Altered { seq } => {
                write!(f, "entry {seq}: content does not match its hash (altered)")
            }
            ChainFault::Broken { seq } => {
                write!(f, "entry {seq}: does not link to the previous entry's hash")
            }
            ChainFault::Gap { seq } => write!(
                f,
                "entry {seq}: sequence gap before it (an entry was deleted)"
            ),
            ChainFault::Truncated {
                expected_seq,
                last_seq,
            } => write!(
                f,
                "entry {}: missing; the chain head records {expected_seq} entries but the log ends at {last_seq}",
                last_seq + 1
            ),
        }
    }
}

/// Incremental verifier: feed entries in sequence order, then call [`Verifier::finish`] with the
/// head (last seq and hash) the store keeps.
pub struct Verifier {
    prev_hash: String,
    last_seq: i64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            prev_hash: GENESIS.to_string(),
            last_seq: 0,
        }
    }
}

impl Verifier {
    pub fn push(&mut self, e: &Entry) -> Result<(), ChainFault> {
        if e.seq != self.last_seq + 1 {
            return Err(ChainFault::Gap { seq: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainFault::Broken { seq: e.seq });
        }
        if entry_hash(e, &e.prev_hash) != e.hash {
            return Err(ChainFault::Altered { seq: e.seq });
        }
        self.prev_hash = e.hash.clone();
        self.last_seq = e.seq;
        Ok(())
    }
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainFault> {
        if head_seq != self.last_seq || head_hash != self.prev_hash {
            return Err(ChainFault::Truncated {
                expected_seq: head_seq,
                last_seq: self.last_seq,
            });
        }
        Ok(self.last_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = Entry {
                    seq,
                    at: format!("2026-01-01T00:00:{seq:02}Z"),
                    actor_id: Some(1),
                    actor: "admin".into(),
                    action: "unit.update".into(),
                    entity: "unit".into(),
                    entity_id: seq.to_string(),
                    unit_id: Some(1),
                    before: "{}".into(),
                    after: format!("{{\"n\":{seq}}}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e, &prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }
    fn verify(es: &[Entry], head: (i64, &str)) -> Result<i64, ChainFault> {
        let mut v = Verifier::default();
        for e in es {
            v.push(e)?;
        }
        v.finish(head.0, head.1)
    }
    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, (5, &c[4].hash.clone())), Ok(5));
        assert_eq!(verify(&[], (0, GENESIS)), Ok(0));
    }
    #[test]
    fn tampering_is_detected() {
        let c = chain(5);
        let head = c[4].hash.clone();
        let mut altered = c.clone();
        altered[2].after = "{\"n\":99}".into();
        assert_eq!(
            verify(&altered, (5, &head)),
            Err(ChainFault::Altered { seq: 3 })
        );
        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, (5, &head)),
            Err(ChainFault::Gap { seq: 3 })
        );
        let truncated = &c[..4];
        assert!(matches!(
            verify(truncated, (5, &head)),
            Err(ChainFault::Truncated { .. })
        ));
        // re-hashing an altered entry still breaks the link to the next one
        let mut rehashed = c.clone();
        rehashed[1].after = "x".into();
        rehashed[1].hash = entry_hash(&rehashed[1], &rehashed[1].prev_hash);
        assert_eq!(
            verify(&rehashed, (5, &head)),
            Err(ChainFault::Broken { seq: 3 })
        );
    }
}
