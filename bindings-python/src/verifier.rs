//! `Verifier`, `Outcome` and `inspect`: core's entry points, run with the GIL released.

use std::borrow::Borrow;
use std::path::PathBuf;

use certgate::{catch_panic, CrlFetch, Verifier};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{
    at_seconds, blob, blobs, header_pairs, json_to_py, json_value, py_repr, tls_chain, Blob,
    PolicyInput,
};
use crate::errors::to_pyerr;
use crate::identity::PyIdentity;

/// An OCSP request to POST: the responder's URL and the DER OCSPRequest.
type OcspRequest = (String, Vec<u8>);

/// A compiled certgate policy (docs/policy.md): decides whether a peer's certificate chain
/// may in, and who the peer is.
///
/// `Verifier(policy)` takes the policy as a `dict` or as JSON text; a bad policy
/// raises `PolicyError`. The policy in force changes only as a whole (`reload`,
/// `reload_from_file`, `update_crls`, `update_ocsp`, `add_ocsp`, `update_spiffe_bundle`),
/// each change one `generation` on; a verification sees the old policy or the new one,
/// never a mix. Safe to share between threads: verification releases the GIL.
#[pyclass(frozen, module = "certgate", name = "Verifier")]
pub(crate) struct PyVerifier {
    inner: Verifier,
}

#[pymethods]
impl PyVerifier {
    #[new]
    fn new(py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<Self> {
        let policy = PolicyInput::extract(policy)?;
        py.detach(|| catch_panic(|| policy.parse().and_then(Verifier::new)))
            .map(|inner| PyVerifier { inner })
            .map_err(|rejection| to_pyerr(py, &rejection))
    }

    /// Compiles the policy in a JSON file (a `str` or `os.PathLike`), reading the files
    /// it references (`{"file": ...}`, `{"dir": ...}`, relative to the policy's folder).
    /// Raises `PolicyError` when the policy or a referenced file cannot be read or used.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        py.detach(|| catch_panic(|| Verifier::from_file(&path)))
            .map(|inner| PyVerifier { inner })
            .map_err(|rejection| to_pyerr(py, &rejection))
    }

    /// Replaces the whole policy, atomically and one generation on, with `policy` (a
    /// `dict` or JSON text, as `Verifier(policy)` takes). Raises `PolicyError` naming
    /// the problem, and the policy in force stays. CRLs and SPIFFE bundles come from the
    /// new policy, not from earlier `update_crls` / `update_spiffe_bundle` calls.
    fn reload(&self, py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<()> {
        let policy = PolicyInput::extract(policy)?;
        py.detach(|| catch_panic(|| policy.parse().and_then(|policy| self.inner.reload(policy))))
            .map_err(|rejection| to_pyerr(py, &rejection))
    }

    /// For a verifier made by `from_file`: reads the policy file and every file it
    /// references again and swaps the result in, like `reload`: all or nothing, so on any
    /// error (a file missing or half written, a bad policy) the policy in force stays and
    /// `PolicyError` names the problem. `PolicyError` too for a verifier not made from a
    /// file. `PolicyWatcher` calls it when a watched file changes.
    fn reload_from_file(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| catch_panic(|| self.inner.reload_from_file()))
            .map_err(|rejection| to_pyerr(py, &rejection))
    }

    /// For a verifier made by `from_file`: the policy file, then every file and folder it
    /// references (as of the latest load), as `pathlib.Path`s; empty otherwise.
    #[getter]
    fn watched_paths(&self) -> Vec<PathBuf> {
        self.inner.watched_paths()
    }

    /// How many times the policy in force has changed since the verifier was made: each
    /// `reload`, `reload_from_file`, `update_crls` and `update_spiffe_bundle` adds one.
    /// Each outcome reports the generation that decided it.
    #[getter]
    fn generation(&self) -> u64 {
        self.inner.generation()
    }

    /// The policy's `mode`: `"enforce"`, or `"audit"` (a chain that decodes is admitted
    /// whatever the decision, with the refusal in `Identity.audit`).
    #[getter]
    fn mode(&self) -> &'static str {
        self.inner.mode().as_str()
    }

    /// The counters and what the verifier holds now, as a `dict`: `verifications` (by
    /// outcome, `"OK"` and every code), `audit_admitted`, `warnings` (by expiry warning
    /// code), `reloads`, `generation`, `crl_fetch_failures`, and `crls` (one `dict` per
    /// CRL in force: `source`, `issuer`, `number`, `delta`, `entries`, `this_update`,
    /// `next_update`). `prometheus_text` renders it.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &json_value(serde_json::to_value(self.inner.stats()))?)
    }

    /// The CRLs the policy asks to download (`revocation.fetch`) as a `CrlFetch`, or
    /// `None`; for `CrlRefresher`.
    fn crl_fetch(&self) -> Option<PyCrlFetch> {
        self.inner.crl_fetch().map(PyCrlFetch::from)
    }

    /// Counts a failed CRL download in `stats()["crl_fetch_failures"]` (`CrlRefresher`
    /// calls it).
    fn record_crl_fetch_failure(&self) {
        self.inner.record_crl_fetch_failure();
    }

    /// What the policy load and the latest CRL update left out (CRLs that are well
    /// formed but unusable), and why: a list of `LoadWarning`.
    #[getter]
    fn warnings(&self) -> Vec<PyLoadWarning> {
        self.inner
            .warnings()
            .iter()
            .map(|warning| PyLoadWarning {
                source: warning.source().to_owned(),
                message: warning.message().to_owned(),
            })
            .collect()
    }

    /// The SPIFFE bundle endpoints the policy names (`trust.spiffe_bundles.<domain>.endpoint`),
    /// for `BundleRefresher` to poll.
    fn spiffe_bundle_endpoints(&self) -> Vec<PyBundleEndpoint> {
        self.inner
            .spiffe_bundle_endpoints()
            .iter()
            .map(|endpoint| PyBundleEndpoint {
                trust_domain: endpoint.trust_domain.clone(),
                url: endpoint.url.clone(),
                refresh_seconds: endpoint.refresh_seconds,
                server_ca_certificates: endpoint.server_ca_certificates.clone(),
            })
            .collect()
    }

    /// Replaces the authorities of one trust domain of `trust.spiffe_bundles` atomically
    /// with `bundle` (SPIFFE bundle JSON as `bytes`/`str`, or any form anchors take).
    /// Returns a `BundleUpdate`; raises `PolicyError` when the bundle cannot be used
    /// (the old one stays).
    fn update_spiffe_bundle(
        &self,
        py: Python<'_>,
        trust_domain: &str,
        bundle: &Bound<'_, PyAny>,
    ) -> PyResult<PyBundleUpdate> {
        let bundle = blob(bundle, "bundle", None)?;
        py.detach(|| {
            catch_panic(|| {
                self.inner
                    .update_spiffe_bundle(trust_domain, bundle.as_ref())
            })
        })
        .map(|update| PyBundleUpdate {
            authorities: update.authorities,
            refresh_hint: update.refresh_hint,
            sequence: update.sequence,
        })
        .map_err(|rejection| to_pyerr(py, &rejection))
    }

    /// Verifies `chain` (the leaf first, then any intermediates the peer sent) at `at`
    /// (an aware datetime or unix seconds; default now) and returns the peer's Identity.
    ///
    /// Raises a `VerificationError` subclass carrying `.code`, `.message` and
    /// `.cert_index` when the chain is refused, `TypeError` / `ValueError` for
    /// arguments of the wrong type or range.
    #[pyo3(signature = (chain, at = None))]
    fn verify(
        &self,
        py: Python<'_>,
        chain: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyIdentity> {
        let chain = blobs(chain, "chain")?;
        let at = at_seconds(at)?;
        py.detach(|| catch_panic(|| self.inner.verify_shared(&chain, at)))
            .map(PyIdentity::from)
            .map_err(|rejection| to_pyerr(py, &rejection))
    }

    /// The non-throwing twin of `verify`: an `Outcome` with `ok`, `code`, `message`,
    /// `cert_index` and `identity`. Arguments of the wrong type still raise.
    #[pyo3(signature = (chain, at = None))]
    fn check(
        &self,
        py: Python<'_>,
        chain: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyOutcome> {
        let chain = blobs(chain, "chain")?;
        let at = at_seconds(at)?;
        outcome(
            py,
            py.detach(|| catch_panic(|| self.inner.verify_shared(&chain, at))),
        )
    }

    /// `check`, and the OCSP requests to fetch as `(url, request)` pairs when the policy
    /// says `revocation.ocsp.fetch` and the decision lacked an OCSP answer a fetch could
    /// give (otherwise none, at no cost). `certgate.verify_async` fetches them, hands the
    /// answers to `add_ocsp` and verifies again.
    #[pyo3(signature = (chain, at = None))]
    fn check_planning_ocsp(
        &self,
        py: Python<'_>,
        chain: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(PyOutcome, Vec<OcspRequest>)> {
        let chain = blobs(chain, "chain")?;
        let at = at_seconds(at)?;
        let planned = py.detach(|| catch_panic(|| Ok(self.inner.verify_planning_ocsp(&chain, at))));
        let (result, queries) = match planned {
            Ok(planned) => planned,
            Err(panic) => (Err(panic), Vec::new()),
        };
        let queries = queries
            .into_iter()
            .map(|query| (query.url, query.request))
            .collect();
        Ok((outcome(py, result)?, queries))
    }

    /// The identity of a client whose certificate a TLS-terminating proxy forwarded in a
    /// header, as the policy's `forwarded` section says (docs/forwarded.md). `headers`
    /// are the request's headers: a mapping, or `(name, value)` pairs of `str` or `bytes`
    /// (ASGI's `scope["headers"]`); `peer` is the address of the connection itself (ASGI
    /// `scope["client"][0]`, WSGI `REMOTE_ADDR`), never `X-Forwarded-For`. Raises
    /// `UntrustedError` (`UNTRUSTED_FORWARDER`) when `peer` is not a trusted proxy.
    #[pyo3(signature = (headers, peer, at = None))]
    fn verify_forwarded(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        peer: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyIdentity> {
        let headers = header_pairs(headers)?;
        let at = at_seconds(at)?;
        py.detach(|| catch_panic(|| self.inner.verify_forwarded(&headers, peer, at)))
            .map(PyIdentity::from)
            .map_err(|rejection| to_pyerr(py, &rejection))
    }

    /// The non-throwing twin of `verify_forwarded`: an `Outcome`.
    #[pyo3(signature = (headers, peer, at = None))]
    fn check_forwarded(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        peer: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyOutcome> {
        let headers = header_pairs(headers)?;
        let at = at_seconds(at)?;
        outcome(
            py,
            py.detach(|| catch_panic(|| self.inner.verify_forwarded(&headers, peer, at))),
        )
    }

    /// The identity of the peer of a TLS connection that Python's `ssl` module made:
    /// `tls` is an `ssl.SSLSocket` or `ssl.SSLObject` after its handshake (asyncio:
    /// `writer.get_extra_info("ssl_object")`). Verifies the certificates the peer sent,
    /// leaf first, like `verify`, and raises like it; a peer that sent no certificate is
    /// `EMPTY_CHAIN`. Where `ssl` gives the leaf only (Python 3.9, or a resumed session),
    /// the policy's `trust.intermediates` complete the chain. Anything but an `ssl`
    /// connection is a `TypeError`; before its handshake, `ssl` raises `ValueError`.
    #[pyo3(signature = (tls, at = None))]
    fn verify_ssl(
        &self,
        py: Python<'_>,
        tls: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyIdentity> {
        let chain = tls_chain(tls)?;
        let at = at_seconds(at)?;
        py.detach(|| catch_panic(|| self.inner.verify_shared(&chain, at)))
            .map(PyIdentity::from)
            .map_err(|rejection| to_pyerr(py, &rejection))
    }

    /// The non-throwing twin of `verify_ssl`: an `Outcome`.
    #[pyo3(signature = (tls, at = None))]
    fn check_ssl(
        &self,
        py: Python<'_>,
        tls: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyOutcome> {
        let chain = tls_chain(tls)?;
        let at = at_seconds(at)?;
        outcome(
            py,
            py.detach(|| catch_panic(|| self.inner.verify_shared(&chain, at))),
        )
    }

    /// The policy's trust anchors as DER `bytes`: `trust.anchors` and the authorities of
    /// the SPIFFE bundles in force (they change with `update_spiffe_bundle`), e.g. for
    /// the trust store of an `ssl.SSLContext`.
    fn anchors(&self) -> Vec<Vec<u8>> {
        self.inner.anchor_certificates()
    }

    /// The certificates of the policy's `trust.intermediates` as DER `bytes`.
    fn intermediates(&self) -> Vec<Vec<u8>> {
        self.inner.intermediate_certificates()
    }

    /// The format of the policy's `forwarded` section (`"nginx"`, …), or `None`.
    #[getter]
    fn forwarded_format(&self) -> Option<&'static str> {
        self.inner.forwarded_format().map(|format| format.as_str())
    }

    /// Replaces the CRL set atomically with `crls` (one CRL or a list; each DER bytes,
    /// or PEM holding one or more CRLs). A verification running meanwhile sees the old
    /// set or the new one, never a mix. On error (`PolicyError`) the old set stays.
    fn update_crls(&self, py: Python<'_>, crls: &Bound<'_, PyAny>) -> PyResult<()> {
        self.update_sources(py, crls, "crls", |verifier, crls| {
            verifier.update_crls(crls)
        })
    }

    /// Whether the policy asks for OCSP responses to be fetched (`revocation.ocsp.fetch`):
    /// `certgate.verify_async` and `certgate.fetch_ocsp` then fetch them.
    #[getter]
    fn ocsp_fetch(&self) -> bool {
        self.inner.ocsp_fetch()
    }

    /// The OCSP requests to send before deciding on `chain` at `at`, as `(url, request)`
    /// pairs (POST the DER request with `Content-Type: application/ocsp-request`): none
    /// when current responses answer. A chain that does not decode raises as `verify`.
    #[pyo3(signature = (chain, at = None))]
    fn ocsp_queries(
        &self,
        py: Python<'_>,
        chain: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<OcspRequest>> {
        let chain = blobs(chain, "chain")?;
        let at = at_seconds(at)?;
        py.detach(|| catch_panic(|| self.inner.ocsp_queries(&chain, at)))
            .map(|queries| {
                queries
                    .into_iter()
                    .map(|query| (query.url, query.request))
                    .collect()
            })
            .map_err(|rejection| to_pyerr(py, &rejection))
    }

    /// Adds fetched OCSP responses (each DER bytes) to those in force atomically; those
    /// past their nextUpdate are dropped meanwhile. On error (`PolicyError`) nothing
    /// changes.
    fn add_ocsp(&self, py: Python<'_>, responses: &Bound<'_, PyAny>) -> PyResult<()> {
        self.update_sources(py, responses, "responses", |verifier, responses| {
            verifier.add_ocsp(responses)
        })
    }

    /// Replaces the OCSP responses (`revocation.ocsp.responses`) atomically with
    /// `responses` (one or a list; each DER bytes, or PEM `OCSP RESPONSE` text). On error
    /// (`PolicyError`) the old responses stay.
    fn update_ocsp(&self, py: Python<'_>, responses: &Bound<'_, PyAny>) -> PyResult<()> {
        self.update_sources(py, responses, "responses", |verifier, responses| {
            verifier.update_ocsp(responses)
        })
    }

    fn __repr__(&self) -> String {
        format!("<certgate.{:?}>", self.inner)
    }
}

/// The `Outcome` of a decision.
fn outcome<I: Borrow<certgate::Identity> + Into<PyIdentity>>(
    py: Python<'_>,
    result: Result<I, certgate::Rejection>,
) -> PyResult<PyOutcome> {
    Ok(match result {
        Ok(identity) => PyOutcome {
            ok: true,
            code: None,
            message: None,
            cert_index: None,
            generation: identity
                .borrow()
                .verification
                .as_ref()
                .map(|v| v.generation),
            identity: Some(Py::new(py, identity.into())?),
        },
        Err(rejection) => PyOutcome {
            ok: false,
            code: Some(rejection.code().as_str()),
            message: Some(rejection.message().to_owned()),
            cert_index: rejection.cert_index(),
            generation: rejection.generation(),
            identity: None,
        },
    })
}

/// Something a policy load or a CRL update left out, and why: `source` names where it
/// came from (`revocation.crls[1] (crls/a.crl)`, or `crls[0]` for `update_crls`).
#[pyclass(frozen, get_all, eq, module = "certgate", name = "LoadWarning")]
#[derive(PartialEq)]
pub(crate) struct PyLoadWarning {
    /// Where the item came from.
    source: String,
    /// What was left out and why.
    message: String,
}

impl PyVerifier {
    /// Hands `sources` (named `name` in type errors) to an update of the core verifier
    /// (CRLs, OCSP responses), with the GIL released.
    fn update_sources(
        &self,
        py: Python<'_>,
        sources: &Bound<'_, PyAny>,
        name: &str,
        update: impl Fn(&Verifier, &[Blob]) -> Result<(), certgate::Rejection> + Send + Sync,
    ) -> PyResult<()> {
        let bytes = blobs(sources, name)?;
        py.detach(|| catch_panic(|| update(&self.inner, &bytes)))
            .map_err(|rejection| to_pyerr(py, &rejection))
    }
}

#[pymethods]
impl PyLoadWarning {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "LoadWarning(source={}, message={})",
            py_repr(py, &self.source),
            py_repr(py, &self.message)
        )
    }

    fn __str__(&self) -> String {
        format!("{}: {}", self.source, self.message)
    }
}

/// A SPIFFE bundle endpoint of the policy: its trust domain, https URL, the policy's
/// upper bound on the refresh interval (seconds, or `None`), and the CAs (DER) that
/// authenticate its server (empty: the system's).
#[pyclass(frozen, get_all, module = "certgate", name = "BundleEndpoint")]
pub(crate) struct PyBundleEndpoint {
    trust_domain: String,
    url: String,
    refresh_seconds: Option<u32>,
    server_ca_certificates: Vec<Vec<u8>>,
}

#[pymethods]
impl PyBundleEndpoint {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "BundleEndpoint(trust_domain={}, url={}, refresh_seconds={})",
            py_repr(py, &self.trust_domain),
            py_repr(py, &self.url),
            py_repr(py, self.refresh_seconds)
        )
    }
}

/// The CRLs a policy asks to download (`revocation.fetch`): every `url` (the policy's
/// `urls`, then, with `from_distribution_points`, the http(s) CRL distribution points of
/// its anchors and pooled intermediates) and the policy's ceiling on the time between
/// two fetches of one CRL (`refresh_seconds`, or `None`).
#[pyclass(frozen, get_all, eq, module = "certgate", name = "CrlFetch")]
#[derive(PartialEq)]
pub(crate) struct PyCrlFetch {
    urls: Vec<String>,
    refresh_seconds: Option<u32>,
}

impl From<CrlFetch> for PyCrlFetch {
    fn from(fetch: CrlFetch) -> Self {
        PyCrlFetch {
            urls: fetch.urls,
            refresh_seconds: fetch.refresh_seconds,
        }
    }
}

#[pymethods]
impl PyCrlFetch {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "CrlFetch(urls={}, refresh_seconds={})",
            py_repr(py, &self.urls),
            py_repr(py, self.refresh_seconds)
        )
    }
}

/// What `Verifier.update_spiffe_bundle` took in: the authorities now in force, and the
/// bundle's `spiffe_refresh_hint` (seconds) and `spiffe_sequence`, when it had them.
#[pyclass(frozen, get_all, eq, module = "certgate", name = "BundleUpdate")]
#[derive(PartialEq)]
pub(crate) struct PyBundleUpdate {
    authorities: usize,
    refresh_hint: Option<u64>,
    sequence: Option<u64>,
}

#[pymethods]
impl PyBundleUpdate {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "BundleUpdate(authorities={}, refresh_hint={}, sequence={})",
            self.authorities,
            py_repr(py, self.refresh_hint),
            py_repr(py, self.sequence)
        )
    }
}

/// The result of `Verifier.check`: `ok` with the `identity`, or the refusal's `code`,
/// `message` and `cert_index` (the position in the chain, when it applies); either way
/// the `generation` of the policy that decided. Truthy exactly when `ok`. An audit-mode
/// admission is `ok`, with the refusal it did not enforce in `identity.audit`.
#[pyclass(frozen, get_all, module = "certgate", name = "Outcome")]
pub(crate) struct PyOutcome {
    /// Whether the chain is allowed.
    ok: bool,
    /// The refusal's code (one of `CODES`), `None` when `ok`.
    code: Option<&'static str>,
    /// The refusal's human-readable reason, `None` when `ok`.
    message: Option<String>,
    /// Position in the chain of the certificate the refusal is about, if any.
    cert_index: Option<usize>,
    /// The generation of the policy that decided (`Verifier.generation`); `None` only
    /// when no policy did (an `INTERNAL` failure).
    generation: Option<u64>,
    /// The peer's identity when `ok`, else `None`.
    identity: Option<Py<PyIdentity>>,
}

#[pymethods]
impl PyOutcome {
    /// `{"ok", "code", "message", "cert_index", "generation", "identity"}` with the
    /// identity as its canonical JSON `dict` (or `None`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("ok", self.ok)?;
        dict.set_item("code", self.code)?;
        dict.set_item("message", &self.message)?;
        dict.set_item("cert_index", self.cert_index)?;
        dict.set_item("generation", self.generation)?;
        let identity = match &self.identity {
            Some(identity) => identity.get().to_dict(py)?,
            None => py.None().into_bound(py),
        };
        dict.set_item("identity", identity)?;
        Ok(dict)
    }

    fn __bool__(&self) -> bool {
        self.ok
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match &self.identity {
            Some(identity) => format!(
                "Outcome(ok=True, generation={}, identity={})",
                py_repr(py, self.generation),
                identity.get().__repr__(py)
            ),
            None => format!(
                "Outcome(ok=False, code={}, message={}, cert_index={}, generation={})",
                py_repr(py, self.code),
                py_repr(py, &self.message),
                py_repr(py, self.cert_index),
                py_repr(py, self.generation)
            ),
        }
    }
}

/// Parses one certificate (DER bytes, PEM text — its first certificate — or an object
/// with `public_bytes()`) into its Identity, with no verification. Raises
/// `MalformedInputError` for input that is not a certificate.
#[pyfunction]
pub(crate) fn inspect(py: Python<'_>, cert: &Bound<'_, PyAny>) -> PyResult<PyIdentity> {
    let cert = blob(cert, "cert", None)?;
    py.detach(|| catch_panic(|| certgate::inspect(cert.as_ref())))
        .map(PyIdentity::from)
        .map_err(|rejection| to_pyerr(py, &rejection))
}
