//! `certgate._native`: the Python extension of certgate, built by maturin into the
//! `certgate` wheel. Python code imports the public package `certgate`
//! (`python/certgate/__init__.py`), which re-exports what this module defines.
//!
//! The binding is thin: it converts Python values to what the core crate takes
//! (`convert`), core's results to Python objects (`identity`) and core's
//! rejections to the exception classes of `certgate._errors` (`errors`). Every
//! decision is made by core; verification runs with the GIL released.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

mod convert;
mod errors;
mod identity;
mod verifier;

/// certgate's native module: `Verifier`, `inspect`, `Identity`, `Outcome`, the code lists
/// `CODES` and `EXPIRY_WARNING_CODES`, and the input limits. Import them from `certgate`, not from here.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add_class::<verifier::PyVerifier>()?;
    module.add_class::<verifier::PyOutcome>()?;
    module.add_class::<verifier::PyLoadWarning>()?;
    module.add_class::<verifier::PyBundleEndpoint>()?;
    module.add_class::<verifier::PyBundleUpdate>()?;
    module.add_class::<verifier::PyCrlFetch>()?;
    module.add_class::<identity::PyIdentity>()?;
    module.add_class::<identity::PySubjectAltNames>()?;
    module.add_class::<identity::PyPublicKey>()?;
    module.add_class::<identity::PyAudit>()?;
    module.add_class::<identity::PyExpiryWarning>()?;
    module.add_function(wrap_pyfunction!(verifier::inspect, module)?)?;
    let codes = certgate::Code::ALL.iter().map(|code| code.as_str());
    module.add("CODES", PyTuple::new(py, codes)?)?;
    let warning_codes = certgate::ExpiryWarningCode::ALL
        .iter()
        .map(|code| code.as_str());
    module.add("EXPIRY_WARNING_CODES", PyTuple::new(py, warning_codes)?)?;
    module.add("MAX_CHAIN_CERTIFICATES", certgate::MAX_CHAIN_CERTIFICATES)?;
    module.add("MAX_CERTIFICATE_BYTES", certgate::MAX_CERTIFICATE_BYTES)?;
    module.add("MAX_INPUT_BYTES", certgate::MAX_INPUT_BYTES)?;
    module.add("MAX_SOURCE_BYTES", certgate::MAX_SOURCE_BYTES)?;
    module.add("MAX_SOURCE_ITEMS", certgate::MAX_SOURCE_ITEMS)?;
    module.add("MAX_POLICY_BYTES", certgate::MAX_POLICY_BYTES)?;
    module.add("MAX_PATTERN_BYTES", certgate::MAX_PATTERN_BYTES)?;
    module.add("MAX_RULE_VALUES", certgate::MAX_RULE_VALUES)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
