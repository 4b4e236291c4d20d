//! How the probe writes what the server sent in TLS terms: alerts by their RFC names,
//! and the CA names of a CertificateRequest as certgate writes names.

use rustls::AlertDescription;

/// The RFC 8446 / IANA name of an alert (`certificate_required`).
pub(super) fn alert_name(alert: AlertDescription) -> String {
    const NAMES: [(u8, &str); 35] = [
        (0, "close_notify"),
        (10, "unexpected_message"),
        (20, "bad_record_mac"),
        (21, "decryption_failed"),
        (22, "record_overflow"),
        (30, "decompression_failure"),
        (40, "handshake_failure"),
        (41, "no_certificate"),
        (42, "bad_certificate"),
        (43, "unsupported_certificate"),
        (44, "certificate_revoked"),
        (45, "certificate_expired"),
        (46, "certificate_unknown"),
        (47, "illegal_parameter"),
        (48, "unknown_ca"),
        (49, "access_denied"),
        (50, "decode_error"),
        (51, "decrypt_error"),
        (60, "export_restriction"),
        (70, "protocol_version"),
        (71, "insufficient_security"),
        (80, "internal_error"),
        (86, "inappropriate_fallback"),
        (90, "user_canceled"),
        (100, "no_renegotiation"),
        (109, "missing_extension"),
        (110, "unsupported_extension"),
        (111, "certificate_unobtainable"),
        (112, "unrecognized_name"),
        (113, "bad_certificate_status_response"),
        (114, "bad_certificate_hash_value"),
        (115, "unknown_psk_identity"),
        (116, "certificate_required"),
        (120, "no_application_protocol"),
        (121, "ech_required"),
    ];
    let number = u8::from(alert);
    NAMES
        .iter()
        .find(|(known, _)| *known == number)
        .map_or_else(
            || format!("unknown_alert_{number}"),
            |(_, name)| (*name).to_owned(),
        )
}

/// A CA name of a CertificateRequest (an X.501 Name, DER) as certgate writes issuers,
/// so that it can be compared with `issuer:` lines by eye; `#` and hex when it is not a
/// Name.
pub(super) fn name_text(der: &[u8]) -> String {
    certgate::distinguished_name(der).unwrap_or_else(|| {
        let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
        format!("#{hex}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_name_is_written_as_hex() {
        assert_eq!(name_text(b"\x01\x02"), "#0102");
    }

    #[test]
    fn alerts_have_their_rfc_names() {
        assert_eq!(
            alert_name(AlertDescription::CertificateRequired),
            "certificate_required"
        );
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(alert_name(AlertDescription::from(200)), "unknown_alert_200");
    }
}
