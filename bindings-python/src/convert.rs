//! Python values → what core takes: certificate / CRL inputs, the verification time,
//! and a policy (`dict` → `serde_json::Value`, or JSON text). JSON values → Python objects.
//!
//! Only shapes are converted here; whether bytes are a certificate, or a value a valid
//! policy, is core's decision.

use certgate::{Policy, Rejection};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMemoryView, PySequence,
    PyString, PyTuple, PyType,
};
use pyo3::BoundObject;
use serde_json::{Map, Number, Value};

use crate::errors::invalid_policy;

/// One certificate or CRL as the caller gave it: DER or PEM bytes, or PEM text.
/// Held by reference to the Python object where possible (no copy), and `Send`, so
/// core can read it while the GIL is released.
pub(crate) enum Blob {
    /// `bytes` / `bytearray` / `memoryview` contents, or an object's `public_bytes(DER)`.
    Bytes(PyBackedBytes),
    /// A `str` (PEM), as UTF-8.
    Text(PyBackedStr),
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        match self {
            Blob::Bytes(bytes) => bytes,
            Blob::Text(text) => text.as_bytes(),
        }
    }
}

/// `certgate._interop.der_of`, looked up once.
static DER_OF: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

const ACCEPTED: &str =
    "bytes (DER or PEM), str (PEM), an object with public_bytes() such as a cryptography certificate";

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// Converts one item. `what` and `index` name it in a `TypeError` (`cert`, `chain[2]`).
pub(crate) fn blob(obj: &Bound<'_, PyAny>, what: &str, index: Option<usize>) -> PyResult<Blob> {
    let name = || match index {
        Some(index) => format!("{what}[{index}]"),
        None => what.to_owned(),
    };
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(Blob::Bytes(PyBackedBytes::from(bytes.clone())));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(Blob::Text(PyBackedStr::try_from(text.clone())?));
    }
    if let Ok(array) = obj.cast::<PyByteArray>() {
        return Ok(Blob::Bytes(PyBackedBytes::from(array.clone())));
    }
    if obj.is_instance_of::<PyMemoryView>() {
        let copy = obj.call_method0("tobytes")?.cast_into::<PyBytes>()?;
        return Ok(Blob::Bytes(PyBackedBytes::from(copy)));
    }
    if obj.hasattr("public_bytes")? {
        let py = obj.py();
        let der = DER_OF
            .import(py, "certgate._interop", "der_of")?
            .call1((obj,))?;
        return match der.cast_into::<PyBytes>() {
            Ok(der) => Ok(Blob::Bytes(PyBackedBytes::from(der))),
            Err(_) => Err(PyTypeError::new_err(format!(
                "{}: public_bytes() of a {} did not return bytes",
                name(),
                type_name(obj)
            ))),
        };
    }
    Err(PyTypeError::new_err(format!(
        "{}: expected {ACCEPTED}; got {}",
        name(),
        type_name(obj)
    )))
}

/// Whether `obj` is one item (rather than a sequence of items): bytes-like, text, or
/// an object with `public_bytes`.
fn is_item(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyByteArray>()
        || obj.is_instance_of::<PyMemoryView>()
        || obj.hasattr("public_bytes")?)
}

/// Converts one item, or a sequence of items (the peer's chain, leaf first, or
/// a set of CRLs). `what` names the argument in a `TypeError`.
pub(crate) fn blobs(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Blob>> {
    let items = if let Ok(list) = obj.cast::<PyList>() {
        list.iter().collect::<Vec<_>>()
    } else if let Ok(tuple) = obj.cast::<PyTuple>() {
        tuple.iter().collect()
    } else if is_item(obj)? {
        return Ok(vec![blob(obj, what, None)?]);
    } else if let Ok(sequence) = obj.cast::<PySequence>() {
        sequence.try_iter()?.collect::<PyResult<Vec<_>>>()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected {ACCEPTED}, or a sequence (list, tuple) of those; got {}",
            type_name(obj)
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| blob(item, what, Some(index)))
        .collect()
}

/// `certgate._tls.peer_chain`, looked up once.
static PEER_CHAIN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The certificates the peer of a TLS connection sent, leaf first: `tls` is an
/// `ssl.SSLSocket` or `ssl.SSLObject` after its handshake. Reading them takes the `ssl`
/// module's version-dependent API, which `certgate._tls.peer_chain` knows; none at all
/// (a peer without a certificate) is an empty chain, which core refuses as `EMPTY_CHAIN`.
pub(crate) fn tls_chain(tls: &Bound<'_, PyAny>) -> PyResult<Vec<Blob>> {
    let chain = PEER_CHAIN
        .import(tls.py(), "certgate._tls", "peer_chain")?
        .call1((tls,))?;
    blobs(&chain, "chain")
}

/// A request's headers as `(name, value)` pairs: a mapping (`dict`, Starlette's
/// `Headers` — its `items()`), or an iterable of 2-item pairs; names and values `str` or
/// `bytes` (bytes are Latin-1, as ASGI and WSGI carry them).
pub(crate) fn header_pairs(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, Vec<u8>)>> {
    let items = if obj.hasattr("items")? && !obj.is_instance_of::<PyList>() {
        obj.call_method0("items")?
    } else {
        obj.clone()
    };
    let text = |part: &Bound<'_, PyAny>, what: &str| -> PyResult<Vec<u8>> {
        if let Ok(bytes) = part.cast::<PyBytes>() {
            Ok(bytes.as_bytes().to_vec())
        } else if part.is_instance_of::<PyString>() {
            Ok(part.extract::<PyBackedStr>()?.as_bytes().to_vec())
        } else {
            Err(PyTypeError::new_err(format!(
                "headers: a header {what} must be str or bytes; got {}",
                type_name(part)
            )))
        }
    };
    let mut pairs = Vec::new();
    for pair in items.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "headers: expected a mapping or (name, value) pairs; got {}",
            type_name(obj)
        ))
    })? {
        let pair = pair?;
        let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "headers: each header must be a (name, value) pair; got {}",
                type_name(&pair)
            ))
        })?;
        let name = String::from_utf8(text(&name, "name")?)
            .map_err(|_| PyTypeError::new_err("headers: a header name must be ASCII"))?;
        pairs.push((name, text(&value, "value")?));
    }
    Ok(pairs)
}

/// `datetime.datetime`, looked up once.
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The verification time: `None` (now), an aware `datetime`, or unix seconds as `int`
/// or `float` (fractions dropped). A naive `datetime` is a `TypeError`: its meaning
/// depends on the machine's time zone. Outside core's range (0 to
/// `certgate::MAX_UNIX_SECONDS`, 2^53 − 1) is a `ValueError`.
pub(crate) fn at_seconds(at: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(at) = at.filter(|at| !at.is_none()) else {
        return Ok(None);
    };
    let out_of_range = || {
        PyValueError::new_err(format!(
            "at: {} is out of range (unix seconds from 0 to {})",
            at.repr()
                .map(|repr| repr.to_string())
                .unwrap_or_else(|_| "the value".to_owned()),
            certgate::MAX_UNIX_SECONDS
        ))
    };
    if at.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(
            "at: expected an aware datetime or unix seconds (int or float); got bool",
        ));
    }
    if at.is_instance_of::<PyInt>() {
        return match at.extract::<u64>() {
            Ok(seconds) if seconds <= certgate::MAX_UNIX_SECONDS => Ok(Some(seconds)),
            _ => Err(out_of_range()),
        };
    }
    let seconds = if let Ok(float) = at.cast::<PyFloat>() {
        float.value()
    } else if at.is_instance(DATETIME.import(at.py(), "datetime", "datetime")?)? {
        if at.call_method0("utcoffset")?.is_none() {
            return Err(PyTypeError::new_err(
                "at: a naive datetime has no time zone; give an aware one \
                 (e.g. datetime.now(timezone.utc)) or unix seconds",
            ));
        }
        at.call_method0("timestamp")?.extract::<f64>()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "at: expected an aware datetime or unix seconds (int or float); got {}",
            type_name(at)
        )));
    };
    certgate::unix_seconds(seconds)
        .map(Some)
        .ok_or_else(out_of_range)
}

/// A policy as the caller gave it, converted to what core parses; `Send`, so core can
/// parse and compile it while the GIL is released.
pub(crate) enum PolicyInput {
    /// JSON text.
    Json(PyBackedStr),
    /// A `dict`, already converted to JSON, and the byte strings its `{"attached": N}`
    /// sources name.
    Value(Value, Vec<Vec<u8>>),
}

impl PolicyInput {
    /// Takes a `dict` or JSON `str`; anything else is a `TypeError`, a dict without a
    /// JSON form a `PolicyError`.
    pub(crate) fn extract(policy: &Bound<'_, PyAny>) -> PyResult<PolicyInput> {
        if let Ok(text) = policy.cast::<PyString>() {
            Ok(PolicyInput::Json(PyBackedStr::try_from(text.clone())?))
        } else if let Ok(dict) = policy.cast::<PyDict>() {
            let (value, attachments) = policy_value(dict)?;
            Ok(PolicyInput::Value(value, attachments))
        } else {
            Err(PyTypeError::new_err(format!(
                "policy: expected a dict or a JSON str; got {}",
                type_name(policy)
            )))
        }
    }

    /// Core's parse of the policy (`INVALID_POLICY` naming the problem).
    pub(crate) fn parse(self) -> Result<Policy, Rejection> {
        match self {
            PolicyInput::Json(text) => Policy::from_json(&text),
            PolicyInput::Value(value, attachments) => {
                let mut policy = Policy::from_value(value)?;
                policy.attach(attachments)?;
                Ok(policy)
            }
        }
    }
}

/// Deepest nesting accepted in a policy dict (serde_json's own limit for JSON text).
const MAX_DEPTH: usize = 128;

/// A step of the path to a value inside the policy, printed as core prints its paths.
enum Step {
    Key(String),
    Index(usize),
}

fn path_text(path: &[Step]) -> String {
    if path.is_empty() {
        return "policy".to_owned();
    }
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) if text.is_empty() => text.push_str(key),
            Step::Key(key) => {
                text.push('.');
                text.push_str(key);
            }
            Step::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    text
}

/// A policy `dict` as JSON: `dict` → object (keys must be `str`), `list` / `tuple` →
/// array, `str`, `int`, `float`, `bool`, `None`; `bytes` / `bytearray` / `memoryview`
/// (DER) are handed over beside it, each replaced by `{"attached": N}`, so that a large
/// CRL is never spelled out as JSON numbers. Anything else is a `PolicyError` naming its
/// path.
fn policy_value(policy: &Bound<'_, PyDict>) -> PyResult<(Value, Vec<Vec<u8>>)> {
    let mut path = Vec::new();
    let mut attachments = Vec::new();
    let value = to_json(policy.as_any(), &mut path, &mut attachments).map_err(|message| {
        let py = policy.py();
        invalid_policy(py, message)
    })?;
    Ok((value, attachments))
}

fn to_json(
    obj: &Bound<'_, PyAny>,
    path: &mut Vec<Step>,
    attachments: &mut Vec<Vec<u8>>,
) -> Result<Value, String> {
    if path.len() > MAX_DEPTH {
        return Err(format!(
            "{}: nested deeper than {MAX_DEPTH} levels",
            path_text(path)
        ));
    }
    let fail = |path: &[Step], why: String| format!("{}: {why}", path_text(path));
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(flag) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(number) = obj.extract::<i64>() {
            return Ok(Value::from(number));
        }
        if let Ok(number) = obj.extract::<u64>() {
            return Ok(Value::from(number));
        }
        return Err(fail(
            path,
            format!("{obj} is out of range for a JSON number"),
        ));
    }
    if let Ok(float) = obj.cast::<PyFloat>() {
        return Number::from_f64(float.value())
            .map(Value::Number)
            .ok_or_else(|| fail(path, format!("{} is not a JSON number", float.value())));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text
            .to_cow()
            .map_err(|err| fail(path, format!("not valid text ({err})")))?;
        return Ok(Value::String(text.into_owned()));
    }
    if let Ok(blob) = blob_bytes(obj) {
        attachments.push(blob);
        return Ok(serde_json::json!({ "attached": attachments.len() - 1 }));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut object = Map::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(fail(
                    path,
                    format!("key {key} ({}) is not a string", type_name(&key)),
                ));
            };
            let key = key
                .to_cow()
                .map_err(|err| fail(path, format!("key is not valid text ({err})")))?
                .into_owned();
            path.push(Step::Key(key.clone()));
            let converted = to_json(&value, path, attachments)?;
            path.pop();
            object.insert(key, converted);
        }
        return Ok(Value::Object(object));
    }
    let items = if let Ok(list) = obj.cast::<PyList>() {
        list.iter().collect::<Vec<_>>()
    } else if let Ok(tuple) = obj.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Err(fail(
            path,
            format!("a {} is not a JSON value", type_name(obj)),
        ));
    };
    let mut array = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        path.push(Step::Index(index));
        array.push(to_json(item, path, attachments)?);
        path.pop();
    }
    Ok(Value::Array(array))
}

/// The bytes of a `bytes`, `bytearray` or `memoryview` inside a policy.
fn blob_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if obj.is_instance_of::<PyMemoryView>() {
        return obj.call_method0("tobytes")?.extract();
    }
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return obj.extract();
    }
    Err(PyTypeError::new_err("not bytes"))
}

/// The result of `serde_json::to_value` on one of core's types, its (never expected)
/// error a `RuntimeError`.
pub(crate) fn json_value(value: serde_json::Result<Value>) -> PyResult<Value> {
    value.map_err(|err| PyRuntimeError::new_err(err.to_string()))
}

/// A JSON value as Python objects: object → `dict`, array → `list`, and so on.
pub(crate) fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(flag) => PyBool::new(py, *flag).to_owned().into_any(),
        Value::Number(number) => {
            if let Some(integer) = number.as_i64() {
                integer.into_pyobject(py)?.into_any()
            } else if let Some(integer) = number.as_u64() {
                integer.into_pyobject(py)?.into_any()
            } else {
                number
                    .as_f64()
                    .unwrap_or(f64::NAN)
                    .into_pyobject(py)?
                    .into_any()
            }
        }
        Value::String(text) => PyString::new(py, text).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(entries) => {
            let dict = PyDict::new(py);
            for (key, item) in entries {
                dict.set_item(key, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// Python's `repr()` of a value, for `__repr__` methods.
pub(crate) fn py_repr<'py, T: IntoPyObject<'py>>(py: Python<'py>, value: T) -> String {
    value
        .into_pyobject(py)
        .map_err(Into::into)
        .and_then(|object| object.into_bound().into_any().repr())
        .map(|repr| repr.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}
