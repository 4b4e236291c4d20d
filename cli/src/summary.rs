//! One certificate as `probe` and `expiry` show it: whom it names, who issued it, and
//! how long it has left at the time the command looks.

use certgate::{Identity, Rejection};
use serde_json::{json, Value};

use crate::clock::{expiry_phrase, format_time, whole_days};

/// A certificate read without verification, and its validity seen from one instant.
pub(crate) struct CertSummary {
    identity: Identity,
    /// The unix time the summary looks from.
    at: i64,
}

impl CertSummary {
    /// Reads the certificate `der` (no verification), looking from unix time `at`.
    pub(crate) fn new(der: &[u8], at: i64) -> Result<CertSummary, Rejection> {
        Ok(CertSummary {
            identity: certgate::inspect(der)?,
            at,
        })
    }

    /// The identity `certgate inspect` prints.
    pub(crate) fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Seconds from `at` to notAfter: negative once expired.
    pub(crate) fn seconds_left(&self) -> i64 {
        self.identity.not_after.saturating_sub(self.at)
    }

    /// Whether notAfter has passed (RFC 5280 §4.1.2.5: notAfter itself is still valid).
    pub(crate) fn expired(&self) -> bool {
        self.seconds_left() < 0
    }

    /// Whether notBefore is still to come.
    pub(crate) fn not_yet_valid(&self) -> bool {
        self.identity.not_before > self.at
    }

    /// Subject alternative names as `kind:value`, in certgate's kind order (dns, uri,
    /// email, ip); `-` when there are none.
    pub(crate) fn sans(&self) -> String {
        let san = &self.identity.san;
        let names: Vec<String> = (san.dns.iter().map(|v| format!("dns:{v}")))
            .chain(san.uri.iter().map(|v| format!("uri:{v}")))
            .chain(san.email.iter().map(|v| format!("email:{v}")))
            .chain(san.ip.iter().map(|v| format!("ip:{v}")))
            .collect();
        if names.is_empty() {
            "-".to_owned()
        } else {
            names.join(", ")
        }
    }

    /// How far notAfter is, in words ("expires in 89 days", "expired 2 days ago"), or
    /// when validity starts if that is still to come.
    pub(crate) fn when(&self) -> String {
        if self.not_yet_valid() {
            return format!("not valid before {}", format_time(self.identity.not_before));
        }
        expiry_phrase(self.seconds_left())
    }

    /// notAfter in RFC 3339 and in words: `2027-03-01T10:00:00Z (expires in 89 days)`.
    pub(crate) fn validity(&self) -> String {
        format!("{} ({})", format_time(self.identity.not_after), self.when())
    }

    /// The documented JSON object (docs/cli.md): identity fields and validity.
    pub(crate) fn to_json(&self) -> Value {
        let identity = &self.identity;
        json!({
            "subject": identity.subject,
            "issuer": identity.issuer,
            "serial": identity.serial,
            "san": identity.to_json_value()["san"],
            "spiffe_id": identity.spiffe_id,
            "not_before": identity.not_before,
            "not_after": identity.not_after,
            "not_after_rfc3339": format_time(identity.not_after),
            "seconds_left": self.seconds_left(),
            "days_left": whole_days(self.seconds_left()),
            "expired": self.expired(),
            "not_yet_valid": self.not_yet_valid(),
            "fingerprint_sha256": identity.fingerprint_sha256,
        })
    }
}
