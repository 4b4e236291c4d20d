//! The C library of certgate: `libcertgate.so` / `libcertgate.a` and `include/certgate.h`
//! (generated from this file by cbindgen; see `cbindgen.toml`).
//!
//! The surface is bindings-c/README.md, modelled on rustls-ffi:
//! - opaque handles (`certgate_verifier`, `certgate_outcome`), each with a `_free`;
//! - every exported body runs inside a panic boundary: a panic becomes
//!   `CERTGATE_PANIC`, never an unwind into C;
//! - every pointer is checked: NULL becomes `CERTGATE_NULL_ARGUMENT`;
//! - `*_out` pointers hand ownership to the caller and are written only on
//!   success, except the outcome of `certgate_verify` / `certgate_inspect`, which is
//!   written whatever the decision (it carries the identity or the reason).
//!
//! All decisions are core's: this crate only converts buffers, codes and strings.

// An FFI crate cannot avoid raw pointers: the workspace denies `unsafe_code`, this crate
// allows it and keeps every unsafe operation in an `unsafe` block with its safety argument.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
// The exported types carry their C names (`certgate_verifier`, ...).
#![allow(non_camel_case_types)]

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

use certgate::{
    Audit, Code, ExpiryWarning, ExpiryWarningCode, Identity, Policy, Rejection, Verifier,
};

/// A decision or error code, as a number. In C it is the enum `certgate_code` of
/// `certgate_codes.h`, which is generated from core's code table (`Code::ALL`) by the
/// test `codes_header_is_current` below, plus the C-only codes: 0 for success, 100 and up
/// for misuse. Received from C as a plain integer, so any value C passes is defined
/// behaviour in Rust.
pub type certgate_code = u32;

/// Success: the chain may in (or the certificate was parsed, or the call succeeded).
const CERTGATE_OK: certgate_code = 0;
/// A required pointer argument was NULL (C only).
const CERTGATE_NULL_ARGUMENT: certgate_code = 100;
/// certgate panicked; the call was refused (C only; fail closed).
const CERTGATE_PANIC: certgate_code = 101;
const CERTGATE_INVALID_POLICY: certgate_code = Code::InvalidPolicy.number();
const CERTGATE_INPUT_TOO_LARGE: certgate_code = Code::InputTooLarge.number();
const CERTGATE_INTERNAL: certgate_code = Code::Internal.number();
const CERTGATE_MALFORMED_CERTIFICATE: certgate_code = Code::MalformedCertificate.number();
const CERTGATE_UNTRUSTED_FORWARDER: certgate_code = Code::UntrustedForwarder.number();

/// The C-only codes: number, name, description.
const C_ONLY_CODES: [(certgate_code, &str, &str); 3] = [
    (
        CERTGATE_OK,
        "OK",
        "Success: the chain may in (or the certificate was parsed, or the call succeeded).",
    ),
    (
        CERTGATE_NULL_ARGUMENT,
        "NULL_ARGUMENT",
        "A required pointer argument was NULL (C only).",
    ),
    (
        CERTGATE_PANIC,
        "PANIC",
        "certgate panicked; the call was refused (C only; fail closed).",
    ),
];

/// Every code C sees, in number order: (number, name, description).
fn all_codes() -> Vec<(certgate_code, &'static str, &'static str)> {
    let mut codes: Vec<_> = Code::ALL
        .iter()
        .map(|code| (code.number(), code.as_str(), code.description()))
        .chain(C_ONLY_CODES)
        .collect();
    codes.sort_by_key(|(number, _, _)| *number);
    codes
}

/// The stable name of a code as a C string: core's string for decision codes, `OK`,
/// `NULL_ARGUMENT`, `PANIC`; `None` for a number that is no code.
fn code_name(code: certgate_code) -> Option<&'static CStr> {
    static NAMES: OnceLock<Vec<(certgate_code, CString)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        all_codes()
            .into_iter()
            .map(|(number, name, _)| (number, c_string(name.to_owned())))
            .collect()
    });
    names
        .iter()
        .find(|(number, _)| *number == code)
        .map(|(_, name)| name.as_c_str())
}

/// The text of `include/certgate_codes.h`: the C enum of every code.
#[cfg(test)]
fn codes_header() -> String {
    let mut text = String::from(
        "/* Generated from core's code table (core/src/error.rs) by bindings-c's test\n \
         * codes_header_is_current; `make c-header` rewrites it. Do not edit. */\n\n\
         #ifndef CERTGATE_CODES_H\n#define CERTGATE_CODES_H\n\n\
         /*\n * A decision or error code. The numbers are fixed: never renumbered, never reused.\n \
         *\n * 1 and up are certgate's decision codes (the same names in every language);\n \
         * 100 and up are C-only misuse codes.\n */\ntypedef enum certgate_code {\n",
    );
    for (number, name, description) in all_codes() {
        text.push_str(&format!(
            "  /* {description} */\n  CERTGATE_{name} = {number},\n"
        ));
    }
    text.push_str("} certgate_code;\n\n#endif /* CERTGATE_CODES_H */\n");
    text
}

/// A compiled policy (opaque). Create with `certgate_verifier_new`, free with
/// `certgate_verifier_free`.
///
/// Thread safety: a verifier may be shared by any number of threads without locking;
/// `certgate_verify`, `certgate_verify_forwarded`, the updates
/// (`certgate_verifier_update_crls`, `certgate_verifier_update_spiffe_bundle`), the
/// reloads (`certgate_verifier_reload`, `certgate_verifier_reload_file`) and the
/// accessors may all run concurrently on it. Updates and reloads swap the policy in force
/// atomically, one generation on: each verification runs under the old policy or the
/// new one, never a mix, and its outcome reports which (`certgate_outcome_generation`).
/// Concurrent updates and reloads apply one after the other, none lost (a reload brings
/// its own CRLs, replacing those of an earlier update). It must not be freed while
/// another thread still uses it.
pub struct certgate_verifier {
    inner: Verifier,
}

/// One result (opaque): an identity on success (with, from a verification, the
/// generation that decided, the refusal an audit-mode policy did not enforce and the
/// expiry warnings), a code, message and certificate index on failure. Read it with the
/// `certgate_outcome_*` accessors, free it with `certgate_outcome_free`.
///
/// Thread safety: an outcome is immutable; it may be read from several threads at once
/// and moved between threads. Strings it returns stay valid until it is freed. It owns
/// everything it reports: a reload or an update of its verifier, or freeing the
/// verifier, changes nothing in it.
pub struct certgate_outcome {
    code: certgate_code,
    message: CString,
    cert_index: i32,
    /// The generation of the policy that decided; `None` when no policy decided.
    generation: Option<u64>,
    /// Shared with the decision cache when the verification was answered from it.
    identity: Option<Arc<Identity>>,
    identity_json: OnceLock<CString>,
    subject: OnceLock<CString>,
    spiffe_id: OnceLock<Option<CString>>,
    fingerprint: OnceLock<CString>,
    audit_message: OnceLock<CString>,
}

/// Why a call failed: what an error outcome carries.
#[derive(Debug)]
struct Failure {
    code: certgate_code,
    message: String,
    cert_index: Option<usize>,
    /// The generation of the policy that refused; `None` for policy and update errors,
    /// misuse and panics.
    generation: Option<u64>,
}

impl Failure {
    fn new(code: certgate_code, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            cert_index: None,
            generation: None,
        }
    }

    fn null(argument: &str) -> Self {
        Failure::new(CERTGATE_NULL_ARGUMENT, format!("{argument} is NULL"))
    }

    fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let detail = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        Failure::new(
            CERTGATE_PANIC,
            format!("certgate panicked ({detail}); the call was refused"),
        )
    }
}

impl From<Rejection> for Failure {
    fn from(rejection: Rejection) -> Self {
        Failure {
            code: rejection.code().number(),
            message: rejection.message().to_owned(),
            cert_index: rejection.cert_index(),
            generation: rejection.generation(),
        }
    }
}

impl certgate_outcome {
    fn new(code: certgate_code, message: String, cert_index: Option<usize>) -> Self {
        certgate_outcome {
            code,
            message: c_string(message),
            cert_index: cert_index.map_or(-1, index_number),
            generation: None,
            identity: None,
            identity_json: OnceLock::new(),
            subject: OnceLock::new(),
            spiffe_id: OnceLock::new(),
            fingerprint: OnceLock::new(),
            audit_message: OnceLock::new(),
        }
    }
}

impl certgate_outcome {
    /// The refusal an audit-mode policy did not enforce, if it admitted so.
    fn audit(&self) -> Option<&Audit> {
        self.identity
            .as_ref()?
            .verification
            .as_ref()?
            .audit
            .as_ref()
    }

    /// The expiry warnings of an admitted chain; none for anything else.
    fn expiry_warnings(&self) -> &[ExpiryWarning] {
        self.identity
            .as_ref()
            .and_then(|identity| identity.verification.as_ref())
            .map_or(&[], |verification| verification.warnings.as_slice())
    }
}

/// A certificate index as C's `int32_t` (saturating; never reached, chains are short).
fn index_number(index: usize) -> i32 {
    i32::try_from(index).unwrap_or(i32::MAX)
}

/// The stable name of an expiry warning code as a static C string.
fn expiry_warning_code_name(code: ExpiryWarningCode) -> *const c_char {
    static NAMES: OnceLock<Vec<(ExpiryWarningCode, CString)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        ExpiryWarningCode::ALL
            .iter()
            .map(|code| (*code, c_string(code.as_str().to_owned())))
            .collect()
    });
    names
        .iter()
        .find(|(known, _)| *known == code)
        .map_or(c"UNKNOWN".as_ptr(), |(_, name)| name.as_ptr())
}

impl From<Failure> for certgate_outcome {
    fn from(failure: Failure) -> Self {
        certgate_outcome {
            generation: failure.generation,
            ..certgate_outcome::new(failure.code, failure.message, failure.cert_index)
        }
    }
}

impl From<Arc<Identity>> for certgate_outcome {
    fn from(identity: Arc<Identity>) -> Self {
        certgate_outcome {
            generation: identity.verification.as_ref().map(|v| v.generation),
            identity: Some(identity),
            ..certgate_outcome::new(CERTGATE_OK, String::new(), None)
        }
    }
}

impl From<Identity> for certgate_outcome {
    fn from(identity: Identity) -> Self {
        Arc::new(identity).into()
    }
}

impl<I: Into<certgate_outcome>> From<Result<I, Failure>> for certgate_outcome {
    fn from(result: Result<I, Failure>) -> Self {
        match result {
            Ok(identity) => identity.into(),
            Err(failure) => failure.into(),
        }
    }
}

/// A C string of `text`; a NUL byte (which core's strings escape already) becomes `\00`,
/// so C never sees a silently truncated string.
fn c_string(text: String) -> CString {
    CString::new(text).unwrap_or_else(|err| {
        let escaped = String::from_utf8_lossy(&err.into_vec()).replace('\0', "\\00");
        CString::new(escaped).unwrap_or_default()
    })
}

/// The panic boundary: runs `body`, turning a panic into a `CERTGATE_PANIC` failure.
fn boundary<T>(body: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| Err(Failure::panic(&*payload)))
}

/// The panic boundary for accessors: `fallback` if `body` panics.
fn guarded<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Hands `outcome` to the caller through `out` when `out` is non-NULL.
///
/// # Safety
/// `out` is NULL or valid for a pointer-sized write.
unsafe fn hand_out(out: *mut *mut certgate_outcome, outcome: certgate_outcome) {
    if !out.is_null() {
        // SAFETY: `out` is non-NULL and, by the caller's contract, writable.
        unsafe { *out = Box::into_raw(Box::new(outcome)) };
    }
}

/// The failure's code, after handing its outcome out through `out` (if non-NULL).
///
/// # Safety
/// As [`hand_out`].
unsafe fn fail(out: *mut *mut certgate_outcome, failure: Failure) -> certgate_code {
    let code = failure.code;
    // SAFETY: forwarded contract.
    unsafe { hand_out(out, failure.into()) };
    code
}

/// The code of a call that reports a failure through `error_out` as well.
///
/// # Safety
/// As [`fail`].
unsafe fn status(
    result: Result<(), Failure>,
    error_out: *mut *mut certgate_outcome,
) -> certgate_code {
    match result {
        Ok(()) => CERTGATE_OK,
        // SAFETY: forwarded contract.
        Err(failure) => unsafe { fail(error_out, failure) },
    }
}

/// Borrows `len` bytes at `ptr`.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that outlive the borrow.
unsafe fn bytes<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    if len > isize::MAX as usize {
        return Err(Failure::new(
            CERTGATE_INPUT_TOO_LARGE,
            format!("{name}: a length of {len} bytes is impossible"),
        ));
    }
    // SAFETY: non-NULL, length within isize::MAX, readable by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A NUL-terminated UTF-8 string argument; `bad_utf8` is the code when it is not UTF-8.
///
/// # Safety
/// `ptr` is NULL or NUL-terminated and stays valid for `'a`.
unsafe fn text<'a>(
    ptr: *const c_char,
    name: &str,
    bad_utf8: certgate_code,
) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: non-NULL and NUL-terminated (contract).
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|_| Failure::new(bad_utf8, format!("{name} is not UTF-8")))
}

/// Borrows the `n` buffers described by the arrays `ptrs` / `lens`. With `n == 0` the
/// arrays are not read and may be NULL.
///
/// # Safety
/// Each array is NULL or has `n` readable elements; each `ptrs[i]` is NULL or points to
/// `lens[i]` readable bytes; all outlive the borrow.
unsafe fn buffers<'a>(
    ptrs: *const *const u8,
    lens: *const usize,
    n: usize,
    name: &str,
    lens_name: &str,
) -> Result<Vec<&'a [u8]>, Failure> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if ptrs.is_null() {
        return Err(Failure::null(name));
    }
    if lens.is_null() {
        return Err(Failure::null(lens_name));
    }
    if n > isize::MAX as usize / std::mem::size_of::<usize>() {
        return Err(Failure::new(
            CERTGATE_INPUT_TOO_LARGE,
            format!("{name}: a count of {n} buffers is impossible"),
        ));
    }
    // SAFETY: both arrays are non-NULL with `n` elements (caller's contract); `n` fits.
    let (ptrs, lens) = unsafe {
        (
            std::slice::from_raw_parts(ptrs, n),
            std::slice::from_raw_parts(lens, n),
        )
    };
    ptrs.iter()
        .zip(lens)
        .enumerate()
        // SAFETY: each element pair describes a readable buffer (caller's contract).
        .map(|(index, (&ptr, &len))| unsafe { bytes(ptr, len, &format!("{name}[{index}]")) })
        .collect()
}

/// Borrows the verifier behind `verifier`.
///
/// # Safety
/// `verifier` is NULL or a live pointer from `certgate_verifier_new`.
unsafe fn verifier_ref<'a>(verifier: *const certgate_verifier) -> Result<&'a Verifier, Failure> {
    // SAFETY: NULL or live (caller's contract).
    match unsafe { verifier.as_ref() } {
        Some(verifier) => Ok(&verifier.inner),
        None => Err(Failure::null("verifier")),
    }
}

/// Compiles a policy given as JSON text (docs/policy.md) into a verifier.
///
/// `policy_json` points to `policy_len` bytes of UTF-8 JSON (no terminating NUL
/// needed; `strlen(json)` is the usual length). On success `*verifier_out` receives a
/// new verifier, owned by the caller (free it with `certgate_verifier_free`), and
/// `*error_out` is left untouched. On failure `*verifier_out` is left untouched and, if
/// `error_out` is non-NULL, `*error_out` receives an outcome saying why (the caller
/// frees it with `certgate_outcome_free`). `error_out` may be NULL.
///
/// Returns `CERTGATE_OK`, `CERTGATE_INVALID_POLICY`, `CERTGATE_NULL_ARGUMENT`
/// (`policy_json` or `verifier_out` is NULL) or `CERTGATE_PANIC`.
///
/// # Safety
/// `policy_json` is NULL or points to `policy_len` readable bytes; `verifier_out` and
/// `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_new(
    policy_json: *const c_char,
    policy_len: usize,
    verifier_out: *mut *mut certgate_verifier,
    error_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on `policy_json` / `policy_len`.
        let json = unsafe { bytes(policy_json.cast(), policy_len, "policy_json") }?;
        if verifier_out.is_null() {
            return Err(Failure::null("verifier_out"));
        }
        Ok(Verifier::from_json(policy_text(json)?)?)
    });
    // SAFETY: the caller's contract on `verifier_out` and `error_out`.
    unsafe { hand_out_verifier(result, verifier_out, error_out) }
}

/// The policy JSON as text: `INVALID_POLICY` when it is not UTF-8.
fn policy_text(json: &[u8]) -> Result<&str, Failure> {
    std::str::from_utf8(json).map_err(|err| {
        Failure::new(
            CERTGATE_INVALID_POLICY,
            format!("policy_json is not UTF-8: {err}"),
        )
    })
}

/// Compiles the policy in the JSON file at `path` (a NUL-terminated file name), reading
/// the files it references (`{"file": ...}`, `{"dir": ...}`, relative to the policy
/// file's folder). Ownership and error reporting as `certgate_verifier_new`.
///
/// Returns `CERTGATE_OK`, `CERTGATE_INVALID_POLICY` (the policy or a file it names
/// cannot be read or used; the message names the JSON path and the file),
/// `CERTGATE_NULL_ARGUMENT` (`path` or `verifier_out` is NULL) or `CERTGATE_PANIC`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `verifier_out` and `error_out` are NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_from_file(
    path: *const c_char,
    verifier_out: *mut *mut certgate_verifier,
    error_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        if path.is_null() {
            return Err(Failure::null("path"));
        }
        if verifier_out.is_null() {
            return Err(Failure::null("verifier_out"));
        }
        // SAFETY: non-NULL and NUL-terminated (contract).
        let path = file_path(unsafe { CStr::from_ptr(path) })?;
        Ok(Verifier::from_file(path)?)
    });
    // SAFETY: the caller's contract on `verifier_out` and `error_out`.
    unsafe { hand_out_verifier(result, verifier_out, error_out) }
}

/// A file name from C: any bytes on Unix, UTF-8 elsewhere.
fn file_path(path: &CStr) -> Result<std::path::PathBuf, Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(std::ffi::OsStr::from_bytes(path.to_bytes()).into())
    }
    #[cfg(not(unix))]
    {
        path.to_str()
            .map(Into::into)
            .map_err(|_| Failure::new(CERTGATE_INVALID_POLICY, "path is not UTF-8".to_owned()))
    }
}

/// Hands a compiled verifier to the caller through `verifier_out`, or the failure
/// through `error_out`; returns the code.
///
/// # Safety
/// On success `verifier_out` is non-NULL and writable; `error_out` is NULL or writable.
unsafe fn hand_out_verifier(
    result: Result<Verifier, Failure>,
    verifier_out: *mut *mut certgate_verifier,
    error_out: *mut *mut certgate_outcome,
) -> certgate_code {
    match result {
        Ok(inner) => {
            // SAFETY: the builders checked `verifier_out` non-NULL; writable (contract).
            unsafe { *verifier_out = Box::into_raw(Box::new(certgate_verifier { inner })) };
            CERTGATE_OK
        }
        // SAFETY: the caller's contract on `error_out`.
        Err(failure) => unsafe { fail(error_out, failure) },
    }
}

/// What the policy load and the latest CRL update left out (CRLs that are well formed
/// but unusable), as JSON text: `[{"source": "revocation.crls[1] (a.crl)", "message":
/// "left out: ..."}]`, `[]` when nothing was.
///
/// Like `snprintf`: `*len_out` receives the JSON's length in bytes (without the NUL);
/// when `buf_len` is greater than that, the JSON and a NUL are written to `buf`.
/// Call it with `buf == NULL, buf_len == 0` to learn the size. The JSON can change
/// with each CRL update.
///
/// Returns `CERTGATE_OK`, `CERTGATE_NULL_ARGUMENT` (`verifier` or `len_out` is NULL, or
/// `buf` is NULL with `buf_len > 0`) or `CERTGATE_PANIC`.
///
/// # Safety
/// `verifier` is NULL or live; `buf` is NULL or has `buf_len` writable bytes; `len_out`
/// is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_warnings_json(
    verifier: *const certgate_verifier,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> certgate_code {
    // SAFETY: the caller's contract, forwarded.
    unsafe {
        verifier_json(verifier, buf, buf_len, len_out, |v| {
            serde_json::to_string(&v.warnings())
        })
    }
}

/// The `snprintf`-style output of the `*_json` functions: the JSON text (from
/// `serde_json::to_string`), its length (without the NUL) to `*len_out`, and the text
/// and a NUL to `buf` when `buf_len` is greater than that length (nothing is written to
/// `buf` otherwise).
///
/// # Safety
/// `len_out` is non-NULL and writable; `buf` has `buf_len` writable bytes (it may be
/// NULL only when `buf_len` is 0).
unsafe fn write_json(
    json: serde_json::Result<String>,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> Result<(), Failure> {
    let json = json.map_err(|e| Failure::new(CERTGATE_INTERNAL, e.to_string()))?;
    // SAFETY: `len_out` is non-NULL and writable (contract).
    unsafe { *len_out = json.len() };
    if buf_len > json.len() {
        // SAFETY: `buf` has `buf_len` > json.len() writable bytes (contract).
        unsafe {
            std::ptr::copy_nonoverlapping(json.as_ptr(), buf.cast::<u8>(), json.len());
            *buf.add(json.len()) = 0;
        }
    }
    Ok(())
}

/// The checks every `*_json` function makes before `write_json`: `len_out` non-NULL,
/// `buf` non-NULL unless `buf_len` is 0.
/// What the `certgate_verifier_*_json` functions share: the JSON `json` makes of the
/// verifier, into the caller's buffer, snprintf-style; the status code.
///
/// # Safety
/// `verifier` is NULL or live; `buf` is NULL or has `buf_len` writable bytes; `len_out`
/// is NULL or writable.
unsafe fn verifier_json(
    verifier: *const certgate_verifier,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
    json: impl FnOnce(&Verifier) -> serde_json::Result<String>,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on `verifier`.
        let verifier = unsafe { verifier_ref(verifier) }?;
        json_output(buf, buf_len, len_out)?;
        // SAFETY: checked by `json_output`; the caller's contract on the rest.
        unsafe { write_json(json(verifier), buf, buf_len, len_out) }
    });
    result.err().map_or(CERTGATE_OK, |failure| failure.code)
}

fn json_output(buf: *mut c_char, buf_len: usize, len_out: *mut usize) -> Result<(), Failure> {
    if len_out.is_null() {
        return Err(Failure::null("len_out"));
    }
    if buf.is_null() && buf_len > 0 {
        return Err(Failure::null("buf"));
    }
    Ok(())
}

/// Frees a verifier. NULL is a no-op. The caller must not use `verifier` afterwards,
/// nor free it while another thread is still using it.
///
/// # Safety
/// `verifier` is NULL or a pointer from `certgate_verifier_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_free(verifier: *mut certgate_verifier) {
    guarded((), || {
        if !verifier.is_null() {
            // SAFETY: a live pointer made by Box::into_raw, freed once (contract).
            drop(unsafe { Box::from_raw(verifier) });
        }
    });
}

/// Replaces the verifier's CRL set atomically with `n_crls` CRLs: `crls[i]` points to
/// `crl_lens[i]` bytes of DER or PEM (a PEM buffer may hold several CRLs). On error the
/// old set stays in force. The policy must have a `revocation` section. With
/// `n_crls == 0` the set becomes empty and the arrays may be NULL.
///
/// Safe to call while other threads verify with the same verifier. On failure, if
/// `error_out` is non-NULL, `*error_out` receives an outcome saying why (caller frees);
/// on success it is left untouched.
///
/// Returns `CERTGATE_OK`, `CERTGATE_INVALID_POLICY` (unparsable CRL, no revocation
/// section), `CERTGATE_NULL_ARGUMENT` or `CERTGATE_PANIC`.
///
/// # Safety
/// `verifier` is NULL or live; `crls` and `crl_lens` are NULL or arrays of `n_crls`
/// elements; each `crls[i]` is NULL or points to `crl_lens[i]` readable bytes;
/// `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_update_crls(
    verifier: *const certgate_verifier,
    crls: *const *const u8,
    crl_lens: *const usize,
    n_crls: usize,
    error_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on each pointer.
        let verifier = unsafe { verifier_ref(verifier) }?;
        let crls = unsafe { buffers(crls, crl_lens, n_crls, "crls", "crl_lens") }?;
        Ok(verifier.update_crls(&crls)?)
    });
    // SAFETY: the caller's contract on `error_out`.
    unsafe { status(result, error_out) }
}

/// Replaces the verifier's OCSP responses (`revocation.ocsp.responses`) atomically with
/// `n_responses` responses: `responses[i]` points to `response_lens[i]` bytes of DER
/// `OCSPResponse` (as `openssl ocsp -respout` writes it) or PEM `OCSP RESPONSE` text. On
/// error the old responses stay in force. The policy must have a `revocation` section.
/// With `n_responses == 0` there are none afterwards and the arrays may be NULL.
///
/// Safe to call while other threads verify with the same verifier. On failure, if
/// `error_out` is non-NULL, `*error_out` receives an outcome saying why (caller frees);
/// on success it is left untouched.
///
/// Returns `CERTGATE_OK`, `CERTGATE_INVALID_POLICY` (a malformed response, no
/// revocation section), `CERTGATE_NULL_ARGUMENT` or `CERTGATE_PANIC`.
///
/// # Safety
/// `verifier` is NULL or live; `responses` and `response_lens` are NULL or arrays of
/// `n_responses` elements; each `responses[i]` is NULL or points to `response_lens[i]`
/// readable bytes; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_update_ocsp(
    verifier: *const certgate_verifier,
    responses: *const *const u8,
    response_lens: *const usize,
    n_responses: usize,
    error_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on each pointer.
        let verifier = unsafe { verifier_ref(verifier) }?;
        let responses = unsafe {
            buffers(
                responses,
                response_lens,
                n_responses,
                "responses",
                "response_lens",
            )
        }?;
        Ok(verifier.update_ocsp(&responses)?)
    });
    // SAFETY: the caller's contract on `error_out`.
    unsafe { status(result, error_out) }
}

/// Replaces the authorities of one trust domain of the policy's `trust.spiffe_bundles`
/// atomically with `bundle` (`bundle_len` bytes: SPIFFE bundle JSON as a bundle endpoint
/// serves it, or PEM / DER certificates). `trust_domain` is a NUL-terminated name such as
/// `"b.test"`. A bundle whose `spiffe_sequence` is lower than the one in force is refused.
/// Safe while other threads verify; on error the old bundle stays and, if `error_out` is
/// non-NULL, `*error_out` receives an outcome saying why (caller frees).
///
/// Returns `CERTGATE_OK`, `CERTGATE_INVALID_POLICY` (no such trust domain in the policy, a
/// bundle that cannot be used), `CERTGATE_NULL_ARGUMENT` or `CERTGATE_PANIC`.
///
/// # Safety
/// `verifier` is NULL or live; `trust_domain` is NULL or NUL-terminated; `bundle` is NULL
/// or points to `bundle_len` readable bytes; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_update_spiffe_bundle(
    verifier: *const certgate_verifier,
    trust_domain: *const c_char,
    bundle: *const u8,
    bundle_len: usize,
    error_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on each pointer.
        let verifier = unsafe { verifier_ref(verifier) }?;
        // SAFETY: the caller's contract on `trust_domain`.
        let trust_domain = unsafe { text(trust_domain, "trust_domain", CERTGATE_INVALID_POLICY) }?;
        // SAFETY: the caller's contract on `bundle` / `bundle_len`.
        let bundle = unsafe { bytes(bundle, bundle_len, "bundle") }?;
        verifier.update_spiffe_bundle(trust_domain, bundle)?;
        Ok(())
    });
    // SAFETY: the caller's contract on `error_out`.
    unsafe { status(result, error_out) }
}

/// Replaces the verifier's whole policy with the one in `policy_json` (`policy_len`
/// bytes of UTF-8 JSON, as for `certgate_verifier_new`), atomically and one generation
/// on. The JSON must be self-contained: file references (`{"file": ...}`) are refused;
/// a policy that names files is reloaded with `certgate_verifier_reload_file`.
///
/// All or nothing: on failure the policy in force stays (and so does the generation)
/// and, if `error_out` is non-NULL, `*error_out` receives an outcome saying why (its
/// message names the problem, e.g. `trust.anchors[0]: ...`; the caller frees it with
/// `certgate_outcome_free`). On success `*error_out` is left untouched.
///
/// CRLs and SPIFFE bundles come from the new policy: what earlier
/// `certgate_verifier_update_crls` / `certgate_verifier_update_spiffe_bundle` calls put
/// in force is replaced, so push fresh ones again after a reload if you fetch them.
///
/// Safe to call while other threads verify, update or reload with the same verifier:
/// each verification runs under the old policy or the new one, never a mix, and its
/// outcome says which (`certgate_outcome_generation`). Outcomes made before keep what
/// they were decided with.
///
/// Returns `CERTGATE_OK`, `CERTGATE_INVALID_POLICY` (not UTF-8, not a valid policy),
/// `CERTGATE_NULL_ARGUMENT` (`verifier` or `policy_json` is NULL),
/// `CERTGATE_INPUT_TOO_LARGE` (a `policy_len` above `PTRDIFF_MAX`, refused unread) or
/// `CERTGATE_PANIC`.
///
/// # Safety
/// `verifier` is NULL or live; `policy_json` is NULL or points to `policy_len` readable
/// bytes; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_reload(
    verifier: *const certgate_verifier,
    policy_json: *const c_char,
    policy_len: usize,
    error_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on each pointer.
        let verifier = unsafe { verifier_ref(verifier) }?;
        let json = unsafe { bytes(policy_json.cast(), policy_len, "policy_json") }?;
        let policy = Policy::from_json(policy_text(json)?)?;
        Ok(verifier.reload(policy)?)
    });
    // SAFETY: the caller's contract on `error_out`.
    unsafe { status(result, error_out) }
}

/// Reads the policy file that `verifier` was made from (`certgate_verifier_from_file`)
/// again, with every file and folder it references, and swaps the result in as
/// `certgate_verifier_reload` does: atomically, one generation on, all or nothing. A
/// file that is missing, half written or unusable, or a bad policy, is
/// `CERTGATE_INVALID_POLICY` naming the JSON path and the file; the policy in force
/// stays. A verifier made by `certgate_verifier_new` has no file to read:
/// `CERTGATE_INVALID_POLICY`. Error reporting as `certgate_verifier_reload`.
///
/// The C library has no file watcher: the program decides when to call this, e.g.
/// from an inotify loop on the paths of `certgate_verifier_watched_paths_json` (their
/// folders too, since editors and Kubernetes replace files by renaming), or on SIGHUP.
/// Never call it (nor any certgate function) from a signal handler: it allocates,
/// reads files and takes locks, none of which is async-signal-safe. Let the handler set
/// a `volatile sig_atomic_t` flag or write a byte to a self-pipe, and call this from
/// the main loop or a thread of your own (or wait for the signal with `sigwait` in a
/// dedicated thread). Write policy files atomically (write a temporary file, then
/// `rename`), so that a reload never reads one half written.
///
/// Safe to call while other threads verify, update or reload with the same verifier.
///
/// Returns `CERTGATE_OK`, `CERTGATE_INVALID_POLICY`, `CERTGATE_NULL_ARGUMENT`
/// (`verifier` is NULL) or `CERTGATE_PANIC`.
///
/// # Safety
/// `verifier` is NULL or live; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_reload_file(
    verifier: *const certgate_verifier,
    error_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on `verifier`.
        let verifier = unsafe { verifier_ref(verifier) }?;
        Ok(verifier.reload_from_file()?)
    });
    // SAFETY: the caller's contract on `error_out`.
    unsafe { status(result, error_out) }
}

/// For a verifier made by `certgate_verifier_from_file`: the policy file and every file
/// and folder it references (as of the last successful load), as a JSON array of
/// strings, `["/etc/app/policy.json", "/etc/app/ca.pem", "/etc/app/crls"]`, for a
/// program to watch and call `certgate_verifier_reload_file` when one changes; `[]` for
/// a verifier made from JSON text. References are joined to the policy file's folder
/// as written (not made absolute); bytes of a path that are not UTF-8 show as U+FFFD.
///
/// `snprintf`-style, as `certgate_verifier_warnings_json`.
///
/// Returns `CERTGATE_OK`, `CERTGATE_NULL_ARGUMENT` (`verifier` or `len_out` is NULL, or
/// `buf` is NULL with `buf_len > 0`) or `CERTGATE_PANIC`.
///
/// # Safety
/// `verifier` is NULL or live; `buf` is NULL or has `buf_len` writable bytes; `len_out`
/// is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_watched_paths_json(
    verifier: *const certgate_verifier,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> certgate_code {
    // SAFETY: the caller's contract, forwarded.
    unsafe {
        verifier_json(verifier, buf, buf_len, len_out, |verifier| {
            let paths: Vec<String> = verifier
                .watched_paths()
                .iter()
                .map(|path| path.to_string_lossy().into_owned())
                .collect();
            serde_json::to_string(&paths)
        })
    }
}

/// The generation of the policy in force: 0 when the verifier is made, one more with
/// every successful reload (`certgate_verifier_reload`, `certgate_verifier_reload_file`),
/// CRL update and SPIFFE bundle update. A failed call leaves it unchanged. Each outcome
/// reports the generation that decided it (`certgate_outcome_generation`).
///
/// -1 when `verifier` is NULL (a generation is never negative; it would stop at
/// `INT64_MAX`, which one swap per nanosecond reaches in 292 years).
///
/// # Safety
/// `verifier` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_generation(verifier: *const certgate_verifier) -> i64 {
    guarded(-1, || {
        // SAFETY: the caller's contract on `verifier`.
        match unsafe { verifier_ref(verifier) } {
            Ok(verifier) => generation_number(verifier.generation()),
            Err(_) => -1,
        }
    })
}

/// A generation as C's `int64_t` (saturating; see `certgate_verifier_generation`).
fn generation_number(generation: u64) -> i64 {
    i64::try_from(generation).unwrap_or(i64::MAX)
}

/// What the verifier has decided since it was made, and what it holds now, as a JSON
/// object (the counters are never reset, not by a reload either):
///
/// ```json
/// {"verifications": {"BAD_SIGNATURE": 0, ..., "OK": 2, ..., "REVOKED": 1, ...},
///  "audit_admitted": 0,
///  "warnings": {"CHAIN_EXPIRES_SOON": 0, "CRL_STALE_SOON": 0, "LEAF_EXPIRES_SOON": 0},
///  "reloads": 1, "generation": 2, "crl_fetch_failures": 0,
///  "crls": [{"source": "revocation.crls[0] (crls/root.crl)",
///            "issuer": "CN=Certgate Test Root,O=Certgate Test", "number": "7",
///            "delta": false, "entries": 1, "this_update": 1780185600,
///            "next_update": 2095632000}],
///  "cache": null}
/// ```
///
/// Keys of `verifications` and `warnings` are in name order. `verifications` has
/// `"OK"` and every code name of `certgate_codes.h` except the C-only ones, zeros
/// included; a verification
/// counts once (`certgate_verify`, `certgate_verify_forwarded`; misuse refused before
/// the policy is consulted, such as `CERTGATE_NULL_ARGUMENT`, is not counted). A chain
/// that an audit-mode policy admitted counts under the code it would have been refused
/// with, and in `audit_admitted`. `warnings` counts the expiry warnings given, by code;
/// `reloads` the successful reloads; `generation` is `certgate_verifier_generation`;
/// `crl_fetch_failures` counts `certgate_verifier_record_crl_fetch_failure` calls; `crls`
/// lists the CRLs in force; `cache` is `null`, or with `"cache"` in the policy
/// `{"entries", "capacity", "hits", "misses", "evictions"}` of the decision cache.
///
/// `snprintf`-style, as `certgate_verifier_warnings_json`. The counters move while other
/// threads verify, so the JSON can be longer by the time of a second call: retry while
/// `*len_out >= buf_len` (nothing is written to `buf` then), or leave some room.
///
/// Returns `CERTGATE_OK`, `CERTGATE_NULL_ARGUMENT` (`verifier` or `len_out` is NULL, or
/// `buf` is NULL with `buf_len > 0`) or `CERTGATE_PANIC`.
///
/// # Safety
/// `verifier` is NULL or live; `buf` is NULL or has `buf_len` writable bytes; `len_out`
/// is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_stats_json(
    verifier: *const certgate_verifier,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> certgate_code {
    // SAFETY: the caller's contract, forwarded.
    unsafe {
        verifier_json(verifier, buf, buf_len, len_out, |v| {
            serde_json::to_string(&v.stats())
        })
    }
}

/// Counts one failed CRL download in the verifier's stats (`crl_fetch_failures` of
/// `certgate_verifier_stats_json`). The C library downloads nothing: a program that
/// fetches CRLs itself (e.g. with libcurl) and hands them to
/// `certgate_verifier_update_crls` calls this when a download fails, so that its stats
/// read as those of the other languages, whose bindings fetch and count.
///
/// Returns `CERTGATE_OK`, `CERTGATE_NULL_ARGUMENT` (`verifier` is NULL) or
/// `CERTGATE_PANIC`. Safe from any thread.
///
/// # Safety
/// `verifier` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verifier_record_crl_fetch_failure(
    verifier: *const certgate_verifier,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on `verifier`.
        let verifier = unsafe { verifier_ref(verifier) }?;
        verifier.record_crl_fetch_failure();
        Ok(())
    });
    result.err().map_or(CERTGATE_OK, |failure| failure.code)
}

/// Decides whether a peer's chain may in (docs/decision.md) and returns the decision's code.
///
/// `certs[i]` points to `cert_lens[i]` bytes of DER or PEM, leaf first, then any
/// intermediates the peer sent (a PEM buffer may hold several certificates, leaf
/// first). With `n_certs == 0` the arrays may be NULL (the result is
/// `CERTGATE_EMPTY_CHAIN`). `unix_time` is the verification time in unix seconds;
/// a negative value means now; values beyond 2^53 - 1 count as 2^53 - 1.
///
/// When `outcome_out` is non-NULL, `*outcome_out` ALWAYS receives a new outcome, owned
/// by the caller (free it with `certgate_outcome_free`): the identity on success, the
/// code, message and certificate index on rejection or misuse. `outcome_out` may be
/// NULL when only the code matters.
///
/// Safe to call from several threads at once with the same verifier.
///
/// # Safety
/// `verifier` is NULL or live; `certs` and `cert_lens` are NULL or arrays of `n_certs`
/// elements; each `certs[i]` is NULL or points to `cert_lens[i]` readable bytes;
/// `outcome_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_verify(
    verifier: *const certgate_verifier,
    certs: *const *const u8,
    cert_lens: *const usize,
    n_certs: usize,
    unix_time: i64,
    outcome_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on each pointer.
        let verifier = unsafe { verifier_ref(verifier) }?;
        let chain = unsafe { buffers(certs, cert_lens, n_certs, "certs", "cert_lens") }?;
        let at = u64::try_from(unix_time).ok();
        Ok(verifier.verify_shared(&chain, at)?)
    });
    let code = match &result {
        Ok(_) => CERTGATE_OK,
        Err(failure) => failure.code,
    };
    // SAFETY: the caller's contract on `outcome_out`.
    unsafe { hand_out(outcome_out, result.into()) };
    code
}

/// Decides on a client certificate that a TLS-terminating proxy forwarded in an HTTP
/// header, as the policy's `forwarded` section says (docs/forwarded.md), and returns the
/// decision's code.
///
/// The request's headers are `n_headers` pairs: `header_names[i]` (NUL-terminated, any
/// case) and `header_value_lens[i]` bytes at `header_values[i]`, in request order.
/// `peer` (NUL-terminated) is the address of the connection the request came on, the
/// socket's remote address, never `X-Forwarded-For`. A peer outside
/// `forwarded.trusted_proxies` is `CERTGATE_UNTRUSTED_FORWARDER`; a trusted proxy that
/// forwarded no certificate `CERTGATE_EMPTY_CHAIN`; a policy without a `forwarded`
/// section `CERTGATE_INVALID_POLICY`. `unix_time` and `outcome_out` as in
/// `certgate_verify`; the identity JSON then has a `forwarded` object.
///
/// # Safety
/// `verifier` is NULL or live; `header_names`, `header_values` and `header_value_lens`
/// are NULL or arrays of `n_headers` elements, each name NULL or NUL-terminated, each
/// value NULL or pointing to its length in readable bytes; `peer` is NULL or
/// NUL-terminated; `outcome_out` is NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // a C signature: pointer and length pairs
pub unsafe extern "C" fn certgate_verify_forwarded(
    verifier: *const certgate_verifier,
    header_names: *const *const c_char,
    header_values: *const *const u8,
    header_value_lens: *const usize,
    n_headers: usize,
    peer: *const c_char,
    unix_time: i64,
    outcome_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on each pointer.
        let verifier = unsafe { verifier_ref(verifier) }?;
        let values = unsafe {
            buffers(
                header_values,
                header_value_lens,
                n_headers,
                "header_values",
                "header_value_lens",
            )
        }?;
        if n_headers > 0 && header_names.is_null() {
            return Err(Failure::null("header_names"));
        }
        let headers = values
            .into_iter()
            .enumerate()
            .map(|(index, value)| {
                // SAFETY: `header_names` has `n_headers` elements (contract).
                let name = unsafe { *header_names.add(index) };
                // SAFETY: each name is NULL or NUL-terminated (contract).
                let name =
                    unsafe { text(name, "header_names[i]", CERTGATE_MALFORMED_CERTIFICATE) }?;
                Ok((name, value))
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        // SAFETY: the caller's contract on `peer`.
        let peer = unsafe { text(peer, "peer", CERTGATE_UNTRUSTED_FORWARDER) }?;
        let at = u64::try_from(unix_time).ok();
        Ok(verifier.verify_forwarded(&headers, peer, at)?)
    });
    let code = match &result {
        Ok(_) => CERTGATE_OK,
        Err(failure) => failure.code,
    };
    // SAFETY: the caller's contract on `outcome_out`.
    unsafe { hand_out(outcome_out, result.into()) };
    code
}

/// Parses one certificate (DER, or the first certificate of a PEM text) into its
/// identity, with no verification at all (never use it to decide who may in).
///
/// Like `certgate_verify`, when `outcome_out` is non-NULL `*outcome_out` ALWAYS
/// receives a new outcome owned by the caller: the identity on success (without
/// `chain_fingerprints` / `matched_rule`), the reason otherwise.
///
/// Returns `CERTGATE_OK`, `CERTGATE_MALFORMED_CERTIFICATE`, `CERTGATE_INPUT_TOO_LARGE`,
/// `CERTGATE_NULL_ARGUMENT` (`cert` is NULL) or `CERTGATE_PANIC`.
///
/// # Safety
/// `cert` is NULL or points to `cert_len` readable bytes; `outcome_out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_inspect(
    cert: *const u8,
    cert_len: usize,
    outcome_out: *mut *mut certgate_outcome,
) -> certgate_code {
    let result = boundary(|| {
        // SAFETY: the caller's contract on `cert` / `cert_len`.
        let cert = unsafe { bytes(cert, cert_len, "cert") }?;
        Ok(certgate::inspect(cert)?)
    });
    let code = match &result {
        Ok(_) => CERTGATE_OK,
        Err(failure) => failure.code,
    };
    // SAFETY: the caller's contract on `outcome_out`.
    unsafe { hand_out(outcome_out, result.into()) };
    code
}

/// Runs `read` on the outcome behind `outcome`, or returns `fallback` for NULL or a panic.
///
/// # Safety
/// `outcome` is NULL or a live pointer handed out by this library.
unsafe fn read_outcome<T>(
    outcome: *const certgate_outcome,
    fallback: T,
    read: impl FnOnce(&certgate_outcome) -> T,
) -> T {
    // SAFETY: NULL or live (caller's contract).
    match unsafe { outcome.as_ref() } {
        Some(outcome) => guarded(fallback, || read(outcome)),
        None => fallback,
    }
}

/// A pointer to a string cached in the outcome (built on first use).
fn cached(cell: &OnceLock<CString>, make: impl FnOnce() -> String) -> *const c_char {
    cell.get_or_init(|| c_string(make())).as_ptr()
}

/// The outcome's code: `CERTGATE_OK` for an identity, the reason's code otherwise.
/// `CERTGATE_NULL_ARGUMENT` when `outcome` is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_code(outcome: *const certgate_outcome) -> certgate_code {
    // SAFETY: forwarded contract.
    unsafe { read_outcome(outcome, CERTGATE_NULL_ARGUMENT, |o| o.code) }
}

/// The human-readable reason (names the certificate by subject and position in the
/// chain); the empty string on success. Owned by the outcome: valid until
/// `certgate_outcome_free`. NULL when `outcome` is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_message(
    outcome: *const certgate_outcome,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { read_outcome(outcome, std::ptr::null(), |o| o.message.as_ptr()) }
}

/// The identity as canonical JSON (docs/identity.md; `chain_fingerprints` and `matched_rule`
/// only for `certgate_verify`). Owned by the outcome: valid until `certgate_outcome_free`.
/// NULL if the outcome is a rejection or `outcome` is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_identity_json(
    outcome: *const certgate_outcome,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe {
        read_outcome(outcome, std::ptr::null(), |o| match &o.identity {
            Some(identity) => cached(&o.identity_json, || identity.to_json()),
            None => std::ptr::null(),
        })
    }
}

/// Position in the input chain (0 = leaf) of the certificate a rejection is about;
/// -1 if none applies, on success, or when `outcome` is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_cert_index(outcome: *const certgate_outcome) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { read_outcome(outcome, -1, |o| o.cert_index) }
}

/// The generation of the policy that decided (see `certgate_verifier_generation`): set
/// on every outcome of `certgate_verify` and `certgate_verify_forwarded` that a policy
/// decided, admitted or refused. -1 when no policy decided: outcomes of
/// `certgate_inspect`, errors of constructors, reloads and updates, misuse (e.g.
/// `CERTGATE_NULL_ARGUMENT`), `CERTGATE_PANIC`, and when `outcome` is NULL.
///
/// Under a verifier that reloads, `certgate_verifier_generation` may already be ahead:
/// the outcome keeps the generation (and the decision) it was made with.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_generation(outcome: *const certgate_outcome) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { read_outcome(outcome, -1, |o| o.generation.map_or(-1, generation_number)) }
}

/// For a chain that a policy in `"mode": "audit"` admitted although enforce mode would
/// have refused it: the code it would have been refused with (e.g. `CERTGATE_REVOKED`).
/// The outcome's own code is `CERTGATE_OK` then, and the identity JSON has the same
/// refusal as `"audit": {"code", "message", "cert_index"}`.
///
/// `CERTGATE_OK` when there is no such refusal: the chain was admitted outright (in
/// either mode), or the outcome is a rejection (input that cannot be decoded is refused
/// in audit mode too), an error or a `certgate_inspect` result.
/// `CERTGATE_NULL_ARGUMENT` when `outcome` is NULL.
///
/// A program rolling out a stricter policy in audit mode logs these; one that must
/// refuse checks `certgate_outcome_audit_code(outcome) != CERTGATE_OK` itself.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_audit_code(
    outcome: *const certgate_outcome,
) -> certgate_code {
    // SAFETY: forwarded contract.
    unsafe {
        read_outcome(outcome, CERTGATE_NULL_ARGUMENT, |o| {
            o.audit().map_or(CERTGATE_OK, |audit| audit.code.number())
        })
    }
}

/// The message of the refusal an audit-mode policy did not enforce (see
/// `certgate_outcome_audit_code`), naming the certificate as a rejection's message
/// would. Owned by the outcome: valid until `certgate_outcome_free`. NULL when there is
/// no such refusal or `outcome` is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_audit_message(
    outcome: *const certgate_outcome,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe {
        read_outcome(outcome, std::ptr::null(), |o| match o.audit() {
            Some(audit) => cached(&o.audit_message, || audit.message.clone()),
            None => std::ptr::null(),
        })
    }
}

/// The position in the input chain (0 = leaf) of the certificate that the refusal an
/// audit-mode policy did not enforce is about (see `certgate_outcome_audit_code`); -1
/// when none applies, when there is no such refusal, or when `outcome` is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_audit_cert_index(
    outcome: *const certgate_outcome,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        read_outcome(outcome, -1, |o| {
            o.audit()
                .and_then(|audit| audit.cert_index)
                .map_or(-1, index_number)
        })
    }
}

/// How many expiry warnings the outcome has: with `"warn_before_expiry_seconds": N` in
/// the policy, an admitted chain gets one for each certificate of the verified path whose
/// notAfter, and each CRL the decision used whose nextUpdate, is at most N seconds after
/// the verification time. Read each with `certgate_outcome_expiry_warning`; the identity
/// JSON has the same list as `"warnings"`. 0 for an outcome without any (a rejection, an
/// `certgate_inspect` result, an error) and when `outcome` is NULL.
///
/// These are not the load warnings of `certgate_verifier_warnings_json` (CRLs a policy
/// left out).
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_expiry_warning_count(
    outcome: *const certgate_outcome,
) -> usize {
    // SAFETY: forwarded contract.
    unsafe { read_outcome(outcome, 0, |o| o.expiry_warnings().len()) }
}

/// The expiry warning number `index` (from 0, below
/// `certgate_outcome_expiry_warning_count`): returns its stable code, a static string
/// (never free it): `"LEAF_EXPIRES_SOON"` (the leaf's notAfter), `"CHAIN_EXPIRES_SOON"`
/// (an intermediate's or the trust anchor's notAfter) or `"CRL_STALE_SOON"` (the
/// nextUpdate of a CRL the decision used); the same names as the `warnings` counters of
/// `certgate_verifier_stats_json`.
///
/// When `cert_index_out` is non-NULL, `*cert_index_out` receives the certificate's
/// position on the verified path (as the identity's `chain_fingerprints`: 0 the leaf,
/// the last the trust anchor; for a CRL, the certificate it covers). When
/// `seconds_left_out` is non-NULL, `*seconds_left_out` receives the seconds from the
/// verification time to the notAfter or nextUpdate (negative for a CRL already past its
/// nextUpdate that the policy's `expired_crl` lets through).
///
/// NULL, with the outputs left untouched, when `index` is out of range or `outcome` is
/// NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome; `cert_index_out` and `seconds_left_out` are NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_expiry_warning(
    outcome: *const certgate_outcome,
    index: usize,
    cert_index_out: *mut i32,
    seconds_left_out: *mut i64,
) -> *const c_char {
    // SAFETY: forwarded contract.
    let warning = unsafe {
        read_outcome(outcome, None, |o| {
            o.expiry_warnings().get(index).map(|warning| {
                (
                    expiry_warning_code_name(warning.code),
                    index_number(warning.cert_index),
                    warning.seconds_left,
                )
            })
        })
    };
    let Some((code, cert_index, seconds_left)) = warning else {
        return std::ptr::null();
    };
    if !cert_index_out.is_null() {
        // SAFETY: non-NULL and writable (contract).
        unsafe { *cert_index_out = cert_index };
    }
    if !seconds_left_out.is_null() {
        // SAFETY: non-NULL and writable (contract).
        unsafe { *seconds_left_out = seconds_left };
    }
    code
}

/// The identity's subject as an RFC 4514 string (e.g. `CN=web,O=Example`). Owned by
/// the outcome. NULL if the outcome is a rejection or `outcome` is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_subject(
    outcome: *const certgate_outcome,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe {
        read_outcome(outcome, std::ptr::null(), |o| match &o.identity {
            Some(identity) => cached(&o.subject, || identity.subject.clone()),
            None => std::ptr::null(),
        })
    }
}

/// The identity's SPIFFE ID (when the leaf is a valid X509-SVID). Owned by the
/// outcome. NULL if the certificate has none, the outcome is a rejection, or `outcome`
/// is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_spiffe_id(
    outcome: *const certgate_outcome,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe {
        read_outcome(outcome, std::ptr::null(), |o| match &o.identity {
            Some(identity) => o
                .spiffe_id
                .get_or_init(|| identity.spiffe_id.clone().map(c_string))
                .as_ref()
                .map_or(std::ptr::null(), |id| id.as_ptr()),
            None => std::ptr::null(),
        })
    }
}

/// The lowercase hex SHA-256 of the leaf certificate's DER (64 characters). Owned by the
/// outcome. NULL if the outcome is a rejection or `outcome` is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_fingerprint(
    outcome: *const certgate_outcome,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe {
        read_outcome(outcome, std::ptr::null(), |o| match &o.identity {
            Some(identity) => cached(&o.fingerprint, || identity.fingerprint_sha256.clone()),
            None => std::ptr::null(),
        })
    }
}

/// Frees an outcome and every string it handed out. NULL is a no-op. The caller must
/// not use the outcome or its strings afterwards.
///
/// # Safety
/// `outcome` is NULL or an outcome handed out by this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn certgate_outcome_free(outcome: *mut certgate_outcome) {
    guarded((), || {
        if !outcome.is_null() {
            // SAFETY: a live pointer made by Box::into_raw, freed once (contract).
            drop(unsafe { Box::from_raw(outcome) });
        }
    });
}

/// The stable name of a code: `"OK"`, `"REVOKED"`, `"NULL_ARGUMENT"`, `"PANIC"`, ...,
/// or `"UNKNOWN"` for a number that is no code. A static string: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn certgate_code_name(code: certgate_code) -> *const c_char {
    guarded(c"UNKNOWN".as_ptr(), || {
        code_name(code).unwrap_or(c"UNKNOWN").as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_has_its_number_and_name() {
        for code in Code::ALL {
            assert_eq!(
                code_name(code.number()).unwrap().to_str().unwrap(),
                code.as_str()
            );
        }
        // The core codes + OK + NULL_ARGUMENT + PANIC, each number once.
        let codes = all_codes();
        assert_eq!(codes.len(), Code::ALL.len() + 3);
        assert!(codes.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    /// include/certgate_codes.h is what core's table gives; with CERTGATE_WRITE_HEADERS=1
    /// (`make c-header`) the test rewrites it instead.
    #[test]
    fn codes_header_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/certgate_codes.h");
        let fresh = codes_header();
        if std::env::var_os("CERTGATE_WRITE_HEADERS").is_some() {
            std::fs::write(path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == fresh,
            "bindings-c/include/certgate_codes.h is stale: run `make c-header` and commit it"
        );
    }

    #[test]
    fn names_resolve() {
        let name = |n| unsafe { CStr::from_ptr(certgate_code_name(n)) };
        assert_eq!(name(0), c"OK");
        assert_eq!(name(13), c"REVOKED");
        assert_eq!(name(100), c"NULL_ARGUMENT");
        assert_eq!(name(101), c"PANIC");
        let first_unused = u32::try_from(certgate::Code::ALL.len()).unwrap() + 1;
        assert_eq!(name(first_unused), c"UNKNOWN");
        assert_eq!(name(u32::MAX), c"UNKNOWN");
    }

    #[test]
    fn a_panic_becomes_a_panic_outcome_and_never_unwinds() {
        let result: Result<(), Failure> = boundary(|| panic!("boom"));
        let failure = result.unwrap_err();
        assert_eq!(failure.code, CERTGATE_PANIC);
        assert!(failure.message.contains("boom"), "{}", failure.message);

        let mut out: *mut certgate_outcome = std::ptr::null_mut();
        let code = unsafe { fail(&mut out, failure) };
        assert_eq!(code, CERTGATE_PANIC);
        assert_eq!(unsafe { certgate_outcome_code(out) }, CERTGATE_PANIC);
        assert_eq!(unsafe { certgate_outcome_cert_index(out) }, -1);
        assert!(unsafe { certgate_outcome_identity_json(out) }.is_null());
        unsafe { certgate_outcome_free(out) };

        assert_eq!(guarded(7, || panic!("accessor")), 7);
    }

    #[test]
    fn expiry_warning_codes_have_their_static_names() {
        for code in ExpiryWarningCode::ALL {
            let name = unsafe { CStr::from_ptr(expiry_warning_code_name(code)) };
            assert_eq!(name.to_str().unwrap(), code.as_str());
            // Static: the same pointer every time.
            assert_eq!(expiry_warning_code_name(code), name.as_ptr());
        }
    }

    #[test]
    fn outcomes_without_a_verification_have_no_audit_and_no_warnings() {
        let outcome: certgate_outcome = Failure::new(CERTGATE_INVALID_POLICY, "bad").into();
        let outcome = &outcome as *const certgate_outcome;
        let (mut index, mut left) = (7_i32, 7_i64);
        unsafe {
            assert_eq!(certgate_outcome_audit_code(outcome), CERTGATE_OK);
            assert!(certgate_outcome_audit_message(outcome).is_null());
            assert_eq!(certgate_outcome_audit_cert_index(outcome), -1);
            assert_eq!(certgate_outcome_expiry_warning_count(outcome), 0);
            assert!(certgate_outcome_expiry_warning(outcome, 0, &mut index, &mut left).is_null());
            assert_eq!(
                certgate_outcome_audit_code(std::ptr::null()),
                CERTGATE_NULL_ARGUMENT
            );
        }
        assert_eq!((index, left), (7, 7));
    }

    #[test]
    fn nul_bytes_are_escaped_not_truncated() {
        assert_eq!(c_string("CN=a\0b".to_owned()).as_c_str(), c"CN=a\\00b");
    }
}
