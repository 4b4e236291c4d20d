//! What a verifier remembers between verifications (docs/operations.md#caches): the
//! signature checks that succeeded, always; and with `"cache"` in the policy, its
//! decisions on chains it admitted. Both hold positive results only, so neither can ever
//! turn a refusal into an admission: what is not in them is decided from scratch.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use lru::LruCache;
use ring::digest::{Context, SHA256};
use rustls_pki_types::{AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};

use crate::identity::{ExpiryWarning, Identity, Validity};

/// Signature checks a verifier remembers: every CA of a PKI and the leaves of recent peers,
/// at 32 bytes of key each (about 300 KiB in all).
const SIGNATURES: usize = 4096;

/// A SHA-256 that names one cached fact.
type Key = [u8; 32];

/// Locks `mutex`, whatever a panicking thread left: the caches hold no invariant a panic
/// could break halfway (an entry is inserted whole or not at all).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Adds `bytes` to `context` with its length first, so that no two inputs read alike.
fn add(context: &mut Context, bytes: &[u8]) {
    context.update(&(bytes.len() as u64).to_be_bytes());
    context.update(bytes);
}

/// The signature checks that succeeded, bounded and shared by every thread. A path under
/// a known intermediate then costs one signature check (the leaf's), not two.
pub(crate) struct SignatureCache {
    verified: Mutex<LruCache<Key, ()>>,
}

impl SignatureCache {
    pub(crate) fn new() -> SignatureCache {
        SignatureCache {
            verified: Mutex::new(LruCache::new(
                NonZeroUsize::new(SIGNATURES).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// The algorithms webpki verifies with, each consulting and filling this cache.
    pub(crate) fn algorithms<'a>(
        &'a self,
        algorithms: &[&'static dyn SignatureVerificationAlgorithm],
    ) -> Vec<Remembering<'a>> {
        algorithms
            .iter()
            .map(|&algorithm| Remembering {
                algorithm,
                cache: self,
            })
            .collect()
    }
}

/// A signature algorithm that answers from the cache what it verified before (webpki's
/// hook for signature verification: it still builds and checks the whole path).
#[derive(Debug)]
pub(crate) struct Remembering<'a> {
    algorithm: &'static dyn SignatureVerificationAlgorithm,
    cache: &'a SignatureCache,
}

impl std::fmt::Debug for SignatureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureCache")
            .field("entries", &lock(&self.verified).len())
            .finish()
    }
}

impl SignatureVerificationAlgorithm for Remembering<'_> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        // (algorithm, key, signed data, signature): the whole of what makes the check
        // succeed, so a hit is the same check.
        let mut context = Context::new(&SHA256);
        add(&mut context, self.algorithm.public_key_alg_id().as_ref());
        add(&mut context, self.algorithm.signature_alg_id().as_ref());
        add(&mut context, public_key);
        add(&mut context, message);
        add(&mut context, signature);
        let mut key = [0; 32];
        key.copy_from_slice(context.finish().as_ref());
        if lock(&self.cache.verified).get(&key).is_some() {
            return Ok(());
        }
        self.algorithm
            .verify_signature(public_key, message, signature)?;
        lock(&self.cache.verified).put(key, ());
        Ok(())
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.algorithm.public_key_alg_id()
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.algorithm.signature_alg_id()
    }

    fn fips(&self) -> bool {
        self.algorithm.fips()
    }
}

/// One admitted chain, as it was decided.
struct Decision {
    generation: u64,
    identity: Arc<Identity>,
    validity: Validity,
}

/// The decisions on chains admitted before (`"cache": {"entries": N}`), least recently
/// used first out.
pub(crate) struct DecisionCache {
    decisions: Mutex<LruCache<Key, Decision>>,
}

impl std::fmt::Debug for DecisionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let decisions = lock(&self.decisions);
        f.debug_struct("DecisionCache")
            .field("entries", &decisions.len())
            .field("capacity", &decisions.cap())
            .finish()
    }
}

impl DecisionCache {
    pub(crate) fn new(entries: NonZeroUsize) -> DecisionCache {
        // Grown as entries come, not allocated for all of them up front.
        let mut decisions = LruCache::unbounded();
        decisions.resize(entries);
        DecisionCache {
            decisions: Mutex::new(decisions),
        }
    }

    /// The key of a chain as presented: every item, in order (the policy, and so `usage`,
    /// is the cache's own).
    pub(crate) fn key<C: AsRef<[u8]>>(chain: &[C]) -> Key {
        let mut context = Context::new(&SHA256);
        for item in chain {
            add(&mut context, item.as_ref());
        }
        let mut key = [0; 32];
        key.copy_from_slice(context.finish().as_ref());
        key
    }

    /// The identity decided on `key` under `generation`, if `now` is within the time the
    /// decision holds; with the expiry warnings `warnings_at` gives for that time.
    pub(crate) fn get(
        &self,
        key: &Key,
        generation: u64,
        now: i64,
        warnings_at: impl FnOnce(&Validity) -> Vec<ExpiryWarning>,
    ) -> Option<Arc<Identity>> {
        let (mut identity, warnings) = {
            let mut decisions = lock(&self.decisions);
            let decision = decisions.get(key).filter(|decision| {
                decision.generation == generation
                    && (decision.validity.from..=decision.validity.until).contains(&now)
            })?;
            (
                Arc::clone(&decision.identity),
                warnings_at(&decision.validity),
            )
        };
        // The warnings are those of the first decision's time; copied only to change them.
        let stale = identity
            .verification
            .as_ref()
            .is_some_and(|verification| verification.warnings != warnings);
        if stale {
            if let Some(verification) = Arc::make_mut(&mut identity).verification.as_mut() {
                verification.warnings = warnings;
            }
        }
        Some(identity)
    }

    /// Remembers an admission; whether a least recently used one made room for it.
    pub(crate) fn put(
        &self,
        key: Key,
        generation: u64,
        identity: Arc<Identity>,
        validity: Validity,
    ) -> bool {
        let decision = Decision {
            generation,
            identity,
            validity,
        };
        matches!(lock(&self.decisions).push(key, decision), Some((evicted, _)) if evicted != key)
    }

    /// Decisions held now.
    pub(crate) fn len(&self) -> usize {
        lock(&self.decisions).len()
    }

    /// The most decisions it holds.
    pub(crate) fn capacity(&self) -> usize {
        lock(&self.decisions).cap().get()
    }
}
