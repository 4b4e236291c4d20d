//! `Identity` (docs/identity.md) and its parts as Python objects: thin wrappers over core's types.

use std::sync::Arc;

use certgate::{Audit, ExpiryWarning, Identity, Verification};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};

use crate::convert::{json_to_py, json_value, py_repr};

/// Who a certificate names (docs/identity.md), from `Verifier.verify` / `Verifier.check`
/// (with `chain_fingerprints` and `matched_rule`) or `inspect` (without them).
///
/// Every field of the canonical JSON is an attribute; `to_dict()` returns exactly
/// that JSON as Python objects and `to_json()` as text. `not_before_datetime` and
/// `not_after_datetime` are the validity bounds as aware UTC datetimes.
#[pyclass(frozen, eq, module = "certgate", name = "Identity")]
#[derive(PartialEq)]
pub(crate) struct PyIdentity {
    /// Shared with the decision cache when a verification was answered from it.
    inner: Arc<Identity>,
}

impl From<Identity> for PyIdentity {
    fn from(inner: Identity) -> Self {
        PyIdentity {
            inner: Arc::new(inner),
        }
    }
}

impl From<Arc<Identity>> for PyIdentity {
    fn from(inner: Arc<Identity>) -> Self {
        PyIdentity { inner }
    }
}

/// `datetime.datetime.fromtimestamp` and `datetime.timezone.utc`, looked up once.
static FROM_TIMESTAMP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn utc_datetime(py: Python<'_>, unix_seconds: i64) -> PyResult<Bound<'_, PyAny>> {
    let utc = UTC.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("datetime")?
                .getattr("timezone")?
                .getattr("utc")?
                .unbind(),
        )
    })?;
    FROM_TIMESTAMP
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("datetime")?
                    .getattr("datetime")?
                    .getattr("fromtimestamp")?
                    .unbind(),
            )
        })?
        .bind(py)
        .call1((unix_seconds, utc.bind(py)))
}

impl PyIdentity {
    fn verification(&self) -> Option<&Verification> {
        self.inner.verification.as_ref()
    }
}

#[pymethods]
impl PyIdentity {
    /// Subject as an RFC 4514 string, e.g. `CN=order-service,O=Example Corp`.
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }

    /// Subject attributes by short name (`CN`, `O`, ...), each a list of values.
    #[getter]
    fn subject_fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let fields = PyDict::new(py);
        for (name, values) in &self.inner.subject_fields {
            fields.set_item(name, PyList::new(py, values)?)?;
        }
        Ok(fields)
    }

    /// Issuer as an RFC 4514 string.
    #[getter]
    fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// Serial number: lowercase hex of its bytes, without DER's leading 00 sign byte.
    #[getter]
    fn serial(&self) -> &str {
        &self.inner.serial
    }

    /// SHA-256 of the certificate DER, lowercase hex.
    #[getter]
    fn fingerprint_sha256(&self) -> &str {
        &self.inner.fingerprint_sha256
    }

    /// SHA-256 of the SubjectPublicKeyInfo DER, lowercase hex.
    #[getter]
    fn spki_sha256(&self) -> &str {
        &self.inner.spki_sha256
    }

    /// notBefore, unix seconds.
    #[getter]
    fn not_before(&self) -> i64 {
        self.inner.not_before
    }

    /// notAfter, unix seconds.
    #[getter]
    fn not_after(&self) -> i64 {
        self.inner.not_after
    }

    /// notBefore as an aware UTC `datetime`.
    #[getter]
    fn not_before_datetime<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        utc_datetime(py, self.inner.not_before)
    }

    /// notAfter as an aware UTC `datetime`.
    #[getter]
    fn not_after_datetime<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        utc_datetime(py, self.inner.not_after)
    }

    /// Subject alternative names by kind.
    #[getter]
    fn san(&self) -> PySubjectAltNames {
        let san = &self.inner.san;
        PySubjectAltNames {
            dns: san.dns.clone(),
            uri: san.uri.clone(),
            email: san.email.clone(),
            ip: san.ip.iter().map(ToString::to_string).collect(),
        }
    }

    /// The SPIFFE ID when the certificate is a valid X509-SVID, else `None`.
    #[getter]
    fn spiffe_id(&self) -> Option<&str> {
        self.inner.spiffe_id.as_deref()
    }

    /// The public key's algorithm and size.
    #[getter]
    fn public_key(&self) -> PyPublicKey {
        let json = serde_json::to_value(&self.inner.public_key).unwrap_or_default();
        let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        PyPublicKey {
            algorithm: text("algorithm").unwrap_or_default(),
            curve: text("curve"),
            bits: json.get("bits").and_then(serde_json::Value::as_u64),
            json,
        }
    }

    /// Key usage names in bit order (`digitalSignature`, ...); empty when absent.
    #[getter]
    fn key_usage(&self) -> Vec<String> {
        self.inner.key_usage.clone()
    }

    /// Extended key usages (`clientAuth`, ... or a dotted OID); empty when absent.
    #[getter]
    fn extended_key_usage(&self) -> Vec<String> {
        self.inner.extended_key_usage.clone()
    }

    /// Whether basicConstraints marks the certificate as a CA.
    #[getter]
    fn is_ca(&self) -> bool {
        self.inner.is_ca
    }

    /// SHA-256 of each certificate of the built path (leaf, intermediates, anchor);
    /// `None` for `inspect` results.
    #[getter]
    fn chain_fingerprints(&self) -> Option<Vec<String>> {
        self.verification().map(|v| v.chain_fingerprints.clone())
    }

    /// Index of the first `allow` rule that matched; `None` when the policy has no
    /// `allow` list, and for `inspect` results.
    #[getter]
    fn matched_rule(&self) -> Option<usize> {
        self.verification().and_then(|v| v.matched_rule)
    }

    /// How the certificate came when a proxy forwarded it (`verify_forwarded`): a `dict`
    /// with `format`, `header`, `proxy` (and `xfcc` for that format); else `None`.
    #[getter]
    fn forwarded<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.verification().and_then(|v| v.forwarded.as_ref()) {
            None => Ok(None),
            Some(forwarded) => {
                json_to_py(py, &json_value(serde_json::to_value(forwarded))?).map(Some)
            }
        }
    }

    /// The refusal an audit-mode policy did not enforce (an `Audit`); `None` when the
    /// chain was admitted on its merits, and for `inspect` results.
    #[getter]
    fn audit(&self) -> Option<PyAudit> {
        self.verification()
            .and_then(|v| v.audit.clone())
            .map(PyAudit::from)
    }

    /// What expires soon on the admitted path (`warn_before_expiry_seconds`): a list of
    /// `ExpiryWarning`, empty when nothing does, and for `inspect` results.
    #[getter]
    fn warnings(&self) -> Vec<PyExpiryWarning> {
        self.verification()
            .map(|v| {
                v.warnings
                    .iter()
                    .cloned()
                    .map(PyExpiryWarning::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The generation of the policy that decided (`Verifier.generation`); `None` for
    /// `inspect` results. Not part of the canonical JSON.
    #[getter]
    fn generation(&self) -> Option<u64> {
        self.verification().map(|v| v.generation)
    }

    /// The canonical JSON of docs/identity.md as a `dict` (`chain_fingerprints` and
    /// `matched_rule` only on verified identities; `audit` and `warnings` only when set).
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.to_json_value())
    }

    /// The canonical JSON of docs/identity.md as text.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    pub(crate) fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Identity(subject={}, spiffe_id={}, fingerprint_sha256={})",
            py_repr(py, &self.inner.subject),
            py_repr(py, &self.inner.spiffe_id),
            py_repr(py, &self.inner.fingerprint_sha256)
        )
    }
}

/// Subject alternative names, in certificate order; IP addresses as text.
#[pyclass(frozen, eq, get_all, module = "certgate", name = "SubjectAltNames")]
#[derive(PartialEq)]
pub(crate) struct PySubjectAltNames {
    /// dNSName entries.
    dns: Vec<String>,
    /// uniformResourceIdentifier entries.
    uri: Vec<String>,
    /// rfc822Name entries.
    email: Vec<String>,
    /// iPAddress entries as text (`10.0.0.1`, `2001:db8::1`).
    ip: Vec<String>,
}

#[pymethods]
impl PySubjectAltNames {
    /// `{"dns": [...], "uri": [...], "email": [...], "ip": [...]}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("dns", &self.dns)?;
        dict.set_item("uri", &self.uri)?;
        dict.set_item("email", &self.email)?;
        dict.set_item("ip", &self.ip)?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "SubjectAltNames(dns={}, uri={}, email={}, ip={})",
            py_repr(py, &self.dns),
            py_repr(py, &self.uri),
            py_repr(py, &self.email),
            py_repr(py, &self.ip)
        )
    }
}

/// A public key's algorithm (`EC`, `RSA`, `Ed25519`, `Ed448`, or a dotted OID), with
/// the `curve` of an EC key (`P-256`, ...) and the `bits` of an RSA key.
#[pyclass(frozen, eq, module = "certgate", name = "PublicKey")]
#[derive(PartialEq)]
pub(crate) struct PyPublicKey {
    /// `EC`, `RSA`, `Ed25519`, `Ed448`, or a dotted OID.
    #[pyo3(get)]
    algorithm: String,
    /// The curve of an EC key, else `None`.
    #[pyo3(get)]
    curve: Option<String>,
    /// The modulus size of an RSA key, else `None`.
    #[pyo3(get)]
    bits: Option<u64>,
    json: serde_json::Value,
}

#[pymethods]
impl PyPublicKey {
    /// The canonical JSON form, e.g. `{"algorithm": "EC", "curve": "P-256"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "PublicKey(algorithm={}, curve={}, bits={})",
            py_repr(py, &self.algorithm),
            py_repr(py, &self.curve),
            py_repr(py, self.bits)
        )
    }
}

/// The refusal an audit-mode policy did not enforce: the `code` (one of `CODES`),
/// `message` and `cert_index` enforce mode would have refused with.
#[pyclass(frozen, eq, module = "certgate", name = "Audit")]
#[derive(PartialEq)]
pub(crate) struct PyAudit {
    inner: Audit,
}

impl From<Audit> for PyAudit {
    fn from(inner: Audit) -> Self {
        PyAudit { inner }
    }
}

#[pymethods]
impl PyAudit {
    /// The code enforce mode would have refused with.
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code.as_str()
    }

    /// Its message.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    /// Its certificate index, where one applies.
    #[getter]
    fn cert_index(&self) -> Option<usize> {
        self.inner.cert_index
    }

    /// `{"code", "message", "cert_index"}`, as in the identity's JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &json_value(serde_json::to_value(&self.inner))?)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Audit(code={}, message={}, cert_index={})",
            py_repr(py, self.inner.code.as_str()),
            py_repr(py, &self.inner.message),
            py_repr(py, self.inner.cert_index)
        )
    }
}

/// Something on an admitted path that runs out within `warn_before_expiry_seconds`:
/// `code` (`LEAF_EXPIRES_SOON`, `CHAIN_EXPIRES_SOON`, `CRL_STALE_SOON`), `cert_index`
/// (the position on the verified path, as `chain_fingerprints`; for a CRL, the
/// certificate it covers) and `seconds_left` (negative for a CRL already past its
/// nextUpdate that `expired_crl` lets through).
#[pyclass(frozen, eq, module = "certgate", name = "ExpiryWarning")]
#[derive(PartialEq)]
pub(crate) struct PyExpiryWarning {
    inner: ExpiryWarning,
}

impl From<ExpiryWarning> for PyExpiryWarning {
    fn from(inner: ExpiryWarning) -> Self {
        PyExpiryWarning { inner }
    }
}

#[pymethods]
impl PyExpiryWarning {
    /// What runs out.
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code.as_str()
    }

    /// The certificate's position on the verified path.
    #[getter]
    fn cert_index(&self) -> usize {
        self.inner.cert_index
    }

    /// Seconds from the verification time to the notAfter or nextUpdate.
    #[getter]
    fn seconds_left(&self) -> i64 {
        self.inner.seconds_left
    }

    /// `{"code", "cert_index", "seconds_left"}`, as in the identity's JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &json_value(serde_json::to_value(&self.inner))?)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "ExpiryWarning(code={}, cert_index={}, seconds_left={})",
            py_repr(py, self.inner.code.as_str()),
            self.inner.cert_index,
            self.inner.seconds_left
        )
    }
}
