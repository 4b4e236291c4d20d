//! Core rejections become instances of the exception classes defined in Python
//! (`certgate/_errors.py`), which also holds the code → class mapping.

use certgate::{Code, Rejection};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// `certgate._errors.error_for`, looked up once.
static ERROR_FOR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception for a core rejection: `error_for(code, message, cert_index,
/// generation)`, e.g. a `RevokedError` for `REVOKED`. Should building it fail, that error is raised
/// instead (still an exception: the call fails closed).
pub(crate) fn to_pyerr(py: Python<'_>, rejection: &Rejection) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let error_for = ERROR_FOR.import(py, "certgate._errors", "error_for")?;
        let exception = error_for.call1((
            rejection.code().as_str(),
            rejection.message(),
            rejection.cert_index(),
            rejection.generation(),
        ))?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|err| err)
}

/// A `PolicyError` (`INVALID_POLICY`) for a policy value that has no JSON form.
pub(crate) fn invalid_policy(py: Python<'_>, message: String) -> PyErr {
    to_pyerr(py, &Rejection::new(Code::InvalidPolicy, message))
}
