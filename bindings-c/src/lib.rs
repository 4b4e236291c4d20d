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
use std::sync::OnceLock;

use certgate::{Code, Identity, Rejection, Verifier};

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
/// Thread safety: a verifier may be shared by any number of threads; `certgate_verify`
/// and `certgate_verifier_update_crls` may run concurrently on it (a CRL update is
/// atomic: each verification sees the old CRL set or the new one, never a mix). It must
/// not be freed while another thread still uses it.
pub struct certgate_verifier {
    inner: Verifier,
}

/// One result (opaque): an identity on success, a code, message and certificate index
/// on failure. Read it with the `certgate_outcome_*` accessors, free it with
/// `certgate_outcome_free`.
///
/// Thread safety: an outcome is immutable; it may be read from several threads at once
/// and moved between threads. Strings it returns stay valid until it is freed.
pub struct certgate_outcome {
    code: certgate_code,
    message: CString,
    cert_index: i32,
    identity: Option<Identity>,
    identity_json: OnceLock<CString>,
    subject: OnceLock<CString>,
    spiffe_id: OnceLock<Option<CString>>,
    fingerprint: OnceLock<CString>,
}

/// Why a call failed: what an error outcome carries.
#[derive(Debug)]
struct Failure {
    code: certgate_code,
    message: String,
    cert_index: Option<usize>,
}

impl Failure {
    fn new(code: certgate_code, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            cert_index: None,
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
        }
    }
}

impl certgate_outcome {
    fn new(code: certgate_code, message: String, cert_index: Option<usize>) -> Self {
        certgate_outcome {
            code,
            message: c_string(message),
            cert_index: cert_index.map_or(-1, |index| i32::try_from(index).unwrap_or(i32::MAX)),
            identity: None,
            identity_json: OnceLock::new(),
            subject: OnceLock::new(),
            spiffe_id: OnceLock::new(),
            fingerprint: OnceLock::new(),
        }
    }
}

impl From<Failure> for certgate_outcome {
    fn from(failure: Failure) -> Self {
        certgate_outcome::new(failure.code, failure.message, failure.cert_index)
    }
}

impl From<Identity> for certgate_outcome {
    fn from(identity: Identity) -> Self {
        certgate_outcome {
            identity: Some(identity),
            ..certgate_outcome::new(CERTGATE_OK, String::new(), None)
        }
    }
}

impl From<Result<Identity, Failure>> for certgate_outcome {
    fn from(result: Result<Identity, Failure>) -> Self {
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

/// Borrows the `n` buffers described by the arrays `ptrs` / `lens`. With `n == 0` the
/// arrays are not read and may be NULL.
///
/// # Safety
/// Each array is NULL or has `n` readable elements; each `ptrs[i]` is NULL or points to
/// `lens[i]` readable bytes; all outlive the borrow.
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
        let text = std::str::from_utf8(json).map_err(|err| {
            Failure::new(
                CERTGATE_INVALID_POLICY,
                format!("policy_json is not UTF-8: {err}"),
            )
        })?;
        Ok(Verifier::from_json(text)?)
    });
    // SAFETY: the caller's contract on `verifier_out` and `error_out`.
    unsafe { hand_out_verifier(result, verifier_out, error_out) }
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
    let result = boundary(|| {
        // SAFETY: the caller's contract on `verifier`.
        let verifier = unsafe { verifier_ref(verifier) }?;
        if len_out.is_null() {
            return Err(Failure::null("len_out"));
        }
        if buf.is_null() && buf_len > 0 {
            return Err(Failure::null("buf"));
        }
        let json = serde_json::to_string(&verifier.warnings())
            .map_err(|e| Failure::new(CERTGATE_INTERNAL, e.to_string()))?;
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
    });
    match result {
        Ok(()) => CERTGATE_OK,
        Err(failure) => failure.code,
    }
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
    match result {
        Ok(()) => CERTGATE_OK,
        // SAFETY: the caller's contract on `error_out`.
        Err(failure) => unsafe { fail(error_out, failure) },
    }
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
    match result {
        Ok(()) => CERTGATE_OK,
        // SAFETY: the caller's contract on `error_out`.
        Err(failure) => unsafe { fail(error_out, failure) },
    }
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
        Ok(verifier.verify(&chain, at)?)
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
    fn nul_bytes_are_escaped_not_truncated() {
        assert_eq!(c_string("CN=a\0b".to_owned()).as_c_str(), c"CN=a\\00b");
    }
}
