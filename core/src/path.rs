//! Path building with rustls-webpki: the usage (EKU) it must find on the leaf, and the
//! code each of webpki's errors maps to. Which anchors a path may end at is decided in
//! `trust`; what is checked on a built path (length, revocation) in `verifier`.

use webpki::KeyUsage;

use crate::error::Code;
use crate::policy::Usage;

/// The code for a webpki path-building error. Every variant is named so a new
/// webpki release that adds one is noticed in review, not silently mapped.
#[allow(deprecated)] // the unit variants are still what some paths return
pub(crate) fn code_for(error: &webpki::Error) -> Code {
    use webpki::Error as E;
    match error {
        E::UnknownIssuer
        | E::CertDistrusted
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded => Code::UnknownIssuer,
        E::InvalidSignatureForPublicKey | E::SignatureAlgorithmMismatch => Code::BadSignature,
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Code::UnsupportedAlgorithm,
        E::CertExpired { .. } => Code::Expired,
        E::CertNotValidYet { .. } => Code::NotYetValid,
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            Code::InvalidUsage
        }
        E::CaUsedAsEndEntity
        | E::EndEntityUsedAsCa
        | E::PathLenConstraintViolated
        | E::MaximumPathDepthExceeded => Code::CaConstraintViolation,
        E::NameConstraintViolation
        | E::MalformedNameConstraint
        | E::InvalidNetworkMaskConstraint
        | E::MaximumNameConstraintComparisonsExceeded => Code::NameConstraintViolation,
        E::BadDer
        | E::BadDerTime
        | E::TrailingData(_)
        | E::MalformedExtensions
        | E::ExtensionValueInvalid
        | E::InvalidSerialNumber
        | E::InvalidCertValidity
        | E::UnsupportedCertVersion
        | E::MalformedDnsIdentifier
        | E::UnsupportedNameType => Code::MalformedCertificate,
        E::UnsupportedCriticalExtension => Code::UnsupportedExtension,
        E::CertRevoked => Code::Revoked,
        // Revocation and name checks are certgate's own, so webpki never reports these here.
        _ => Code::Internal,
    }
}

/// Validates the leaf's EKU against one usage, or either when both are listed.
pub(crate) struct UsageValidator(pub(crate) Usage);

impl webpki::ExtendedKeyUsageValidator for UsageValidator {
    fn validate(&self, purposes: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let Usage { client, server } = self.0;
        if client && !server {
            return KeyUsage::client_auth().validate(purposes);
        }
        if server && !client {
            return KeyUsage::server_auth().validate(purposes);
        }
        let present: Vec<_> = purposes.collect::<Result<_, _>>()?;
        let ids = |validator: KeyUsage| validator.oid_values().collect::<Vec<usize>>();
        let (client_oid, server_oid) = (ids(KeyUsage::client_auth()), ids(KeyUsage::server_auth()));
        if present.is_empty()
            || present
                .iter()
                .any(|id| id.to_decoded_oid() == client_oid || id.to_decoded_oid() == server_oid)
        {
            Ok(())
        } else {
            #[allow(deprecated)] // the context variant cannot be built outside webpki
            Err(webpki::Error::RequiredEkuNotFound)
        }
    }
}
