//! `NAME.p12`: a leaf, its key and the issuing CA in one PKCS#12 file, for browsers,
//! Keychain Access and curl on macOS.

use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
    PrivateKeyChain,
};
use ring::digest::{digest, SHA1_FOR_LEGACY_USE_ONLY};

use crate::error::UsageError;

/// The password of `NAME.p12` unless `--p12-password` gives another. A development PKI
/// hands its files around; the password is there because importers insist on one.
pub(crate) const DEFAULT_PASSWORD: &str = "certgate";

/// A PKCS#12 file holding `key` (PKCS#8 DER) and `chain` (DER, leaf first) under the
/// friendly name `alias`.
///
/// It is encrypted the legacy way, PBE-SHA1-3DES for both the key and the certificates
/// with an HMAC-SHA1 MAC (RFC 7292 appendix C; what `openssl pkcs12 -export -legacy
/// -certpbe PBE-SHA1-3DES` writes), because macOS's Keychain, and so curl and Safari
/// there, has long imported nothing else, not the PBES2/AES-256 that OpenSSL 3 writes by
/// default. OpenSSL 3 still reads it without its legacy provider (which only RC2 and RC4
/// need). The file's secrecy rests on the password, known by default, not the cipher.
pub(crate) fn pkcs12(
    alias: &str,
    key: &[u8],
    chain: &[&[u8]],
    password: &str,
) -> Result<Vec<u8>, UsageError> {
    let failed =
        |e: p12_keystore::error::Error| UsageError(format!("cannot write the PKCS#12 file: {e}"));
    let key = PrivateKey::from_der(key).map_err(failed)?;
    let certificates = chain
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    // localKeyID pairs the key with its certificate; like OpenSSL, the certificate's SHA-1.
    let local_key_id = chain
        .first()
        .map(|leaf| digest(&SHA1_FOR_LEGACY_USE_ONLY, leaf).as_ref().to_vec())
        .unwrap_or_default();
    let mut store = KeyStore::new();
    store.add_entry(
        alias,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(local_key_id, key, certificates)),
    );
    store
        .writer(password)
        .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
        .mac_algorithm(MacAlgorithm::HmacSha1)
        .write()
        .map_err(failed)
}
