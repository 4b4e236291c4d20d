//! The probe's findings judged — the policy's decision, the server's verdict on the
//! client certificate, the exit code — and written as text or JSON.

use std::fmt::Write as _;

use certgate::{Identity, Rejection};
use rustls::pki_types::ServerName;
use rustls::server::ParsedCertificate;
use rustls::AlertDescription;
use serde_json::{json, Value};

use super::facts::{Aftermath, Failure, Probe};
use super::names::{alert_name, name_text};
use crate::clock::{format_duration, now};
use crate::summary::CertSummary;

/// How the server answered the client certificate, or its absence.
enum Verdict {
    /// No CertificateRequest.
    NotRequested,
    /// The server went on with the connection.
    Kept(Evidence),
    /// The server ended the connection, with this alert or without one.
    Ended {
        alert: Option<AlertDescription>,
        after_handshake: bool,
    },
    /// The connection failed in a way that says nothing about the certificate.
    Unknown(String),
}

impl Verdict {
    /// The `evidence` JSON value: what the verdict rests on.
    fn evidence_key(&self) -> Option<&'static str> {
        match self {
            Verdict::Kept(evidence) => Some(evidence.as_str()),
            Verdict::Ended {
                alert,
                after_handshake,
            } => Some(match (alert.is_some(), after_handshake) {
                (true, true) => "alert_after_handshake",
                (true, false) => "alert_during_handshake",
                (false, true) => "closed_after_handshake",
                (false, false) => "closed_during_handshake",
            }),
            Verdict::NotRequested | Verdict::Unknown(_) => None,
        }
    }
}

/// Why the probe believes the server went on.
#[derive(Clone, Copy)]
enum Evidence {
    /// TLS 1.2: the server's Finished comes after it has read the client's certificate.
    HandshakeFinished,
    /// TLS 1.3: no alert within --wait after the handshake.
    NoAlert,
    /// TLS 1.3: the server sent data after the handshake.
    Data,
}

impl Evidence {
    fn as_str(self) -> &'static str {
        match self {
            Evidence::HandshakeFinished => "handshake_finished",
            Evidence::NoAlert => "no_alert_within_wait",
            Evidence::Data => "server_sent_data",
        }
    }
}

/// What the server chain's own certificates say, without a policy.
struct ChainFacts {
    /// Each certificate's issuer name is the next one's subject.
    names_chain: bool,
    /// The issuer of the last certificate sent.
    top_issuer: String,
    /// The last certificate names itself as issuer.
    top_self_issued: bool,
}

/// The probe's findings, judged.
pub(super) struct Report {
    probe: Probe,
    summaries: Vec<Result<CertSummary, Rejection>>,
    facts: Option<ChainFacts>,
    /// `verify_server_name` on the leaf: None without a chain.
    name_check: Option<Result<(), rustls::Error>>,
    /// The policy's decision: None without a policy or without a chain.
    decision: Option<Result<Identity, Rejection>>,
    verdict: Verdict,
}

impl Report {
    pub(super) fn new(probe: Probe) -> Report {
        let at = now();
        let summaries: Vec<Result<CertSummary, Rejection>> = probe
            .chain
            .iter()
            .map(|der| CertSummary::new(der, at))
            .collect();
        let readable: Vec<&CertSummary> = summaries.iter().flatten().collect();
        let facts = match (readable.len() == summaries.len(), readable.last()) {
            (true, Some(top)) => Some(ChainFacts {
                names_chain: readable
                    .windows(2)
                    .all(|pair| pair[0].identity().issuer == pair[1].identity().subject),
                top_issuer: top.identity().issuer.clone(),
                top_self_issued: top.identity().issuer == top.identity().subject,
            }),
            _ => None,
        };
        let name_check = probe.chain.first().map(|leaf| {
            ParsedCertificate::try_from(leaf)
                .and_then(|leaf| rustls::client::verify_server_name(&leaf, &probe.server_name))
        });
        let decision = match (&probe.policy, probe.chain.is_empty()) {
            (Some(policy), false) => Some(policy.verifier.verify(&probe.chain, None)),
            _ => None,
        };
        let verdict = Report::verdict(&probe);
        Report {
            probe,
            summaries,
            facts,
            name_check,
            decision,
            verdict,
        }
    }

    fn verdict(probe: &Probe) -> Verdict {
        if probe.request.is_none() {
            return Verdict::NotRequested;
        }
        let ended = |failure: &Failure, after_handshake| match failure {
            Failure::Alert(alert) => Verdict::Ended {
                alert: Some(*alert),
                after_handshake,
            },
            Failure::Closed => Verdict::Ended {
                alert: None,
                after_handshake,
            },
            other => Verdict::Unknown(other.to_string()),
        };
        match (&probe.handshake, &probe.aftermath) {
            (Err(failure), _) => ended(failure, false),
            (Ok(()), None) => Verdict::Kept(Evidence::HandshakeFinished),
            (Ok(()), Some(Aftermath::Quiet)) => Verdict::Kept(Evidence::NoAlert),
            (Ok(()), Some(Aftermath::Data)) => Verdict::Kept(Evidence::Data),
            (Ok(()), Some(Aftermath::Ended(failure))) => ended(failure, true),
        }
    }

    /// Whether the server's CA names include an issuer of the --cert chain; None
    /// without --cert, without a request, or when the server names no CAs.
    fn issuer_listed(&self) -> Option<bool> {
        let (client, request) = (self.probe.client.as_ref()?, self.probe.request.as_ref()?);
        (!request.ca_names.is_empty()).then(|| client.issuer_listed(&request.ca_names))
    }

    fn offered(&self) -> bool {
        self.probe.request.as_ref().is_some_and(|r| r.offered)
    }

    /// The server's chain passed: the policy allowed it and the name matched (true
    /// without a policy, which judges nothing).
    fn chain_ok(&self) -> bool {
        match &self.decision {
            Some(decision) => decision.is_ok() && matches!(self.name_check, Some(Ok(()))),
            None => self.probe.policy.is_none(),
        }
    }

    /// Exit 0: handshake done, chain allowed (with a policy), client side accepted.
    pub(super) fn ok(&self) -> bool {
        self.probe.handshake.is_ok()
            && self.chain_ok()
            && matches!(self.verdict, Verdict::NotRequested | Verdict::Kept(_))
    }

    /// `accepted`, `refused`, `not_required`, `required`, `not_requested`, `unknown`.
    fn outcome(&self) -> &'static str {
        match (&self.verdict, self.offered()) {
            (Verdict::NotRequested, _) => "not_requested",
            (Verdict::Kept(_), true) => "accepted",
            (Verdict::Kept(_), false) => "not_required",
            (Verdict::Ended { .. }, true) => "refused",
            (Verdict::Ended { .. }, false) => "required",
            (Verdict::Unknown(_), _) => "unknown",
        }
    }

    /// The verdict's grounds, in words.
    fn evidence(&self) -> String {
        let stage = |after: bool| match after {
            true => "after the handshake",
            false => "during the handshake",
        };
        match &self.verdict {
            Verdict::NotRequested if self.probe.handshake.is_err() => {
                "the handshake failed before any CertificateRequest".to_owned()
            }
            Verdict::NotRequested => "the server sent no CertificateRequest".to_owned(),
            Verdict::Kept(Evidence::HandshakeFinished) => {
                "the server finished the TLS 1.2 handshake after reading the client's answer"
                    .to_owned()
            }
            Verdict::Kept(Evidence::NoAlert) => format!(
                "no alert within {} after the TLS 1.3 handshake",
                format_duration(self.probe.wait)
            ),
            Verdict::Kept(Evidence::Data) => {
                "the server sent data after the TLS 1.3 handshake".to_owned()
            }
            Verdict::Ended {
                alert: Some(alert),
                after_handshake,
            } => format!("alert {} {}", alert_name(*alert), stage(*after_handshake)),
            Verdict::Ended {
                alert: None,
                after_handshake,
            } => format!(
                "the server closed the connection without an alert {}",
                stage(*after_handshake)
            ),
            Verdict::Unknown(why) => why.clone(),
        }
    }

    pub(super) fn to_json(&self) -> Value {
        let probe = &self.probe;
        let (error, alert) = match &probe.handshake {
            Ok(()) => (None, None),
            Err(failure) => (
                Some(failure.to_string()),
                match failure {
                    Failure::Alert(alert) => Some(alert_name(*alert)),
                    _ => None,
                },
            ),
        };
        let chain: Vec<Value> = self
            .summaries
            .iter()
            .map(|summary| match summary {
                Ok(summary) => summary.to_json(),
                Err(rejection) => json!({ "error": rejection.message() }),
            })
            .collect();
        let decision = match &self.decision {
            None => json!({
                "judged": false, "allowed": null, "code": null, "message": null,
                "cert_index": null, "identity": null,
            }),
            Some(Ok(identity)) => json!({
                "judged": true, "allowed": true, "code": null, "message": null,
                "cert_index": null, "identity": identity.to_json_value(),
            }),
            Some(Err(rejection)) => json!({
                "judged": true, "allowed": false, "code": rejection.code().as_str(),
                "message": rejection.message(), "cert_index": rejection.cert_index(),
                "identity": null,
            }),
        };
        let request = probe.request.as_ref();
        let verdict_alert = match &self.verdict {
            Verdict::Ended { alert, .. } => alert.map(alert_name),
            _ => None,
        };
        json!({
            "target": probe.target,
            "address": probe.address,
            "server_name": probe.server_name.to_str(),
            "sni": matches!(probe.server_name, ServerName::DnsName(_)),
            "handshake": { "completed": probe.handshake.is_ok(), "error": error, "alert": alert },
            "tls": probe.tls.as_ref().map(|tls| json!({
                "version": tls.version,
                "cipher_suite": tls.cipher_suite,
                "key_exchange": tls.key_exchange,
            })),
            "server_chain": chain,
            "chain": self.facts.as_ref().map(|facts| json!({
                "names_chain": facts.names_chain,
                "top_issuer": facts.top_issuer,
                "top_self_issued": facts.top_self_issued,
            })),
            "name_check": self.name_check.as_ref().map(|check| json!({
                "matches": check.is_ok(),
                "error": check.as_ref().err().map(|e| e.to_string()),
            })),
            "policy": probe.policy.as_ref().map(|policy| json!({
                "file": policy.file,
                "usage": policy.usage(),
                "covers_server": policy.covers_server(),
            })),
            "decision": decision,
            "client_certificate": {
                "requested": request.is_some(),
                "ca_names": request.map(|r| r.ca_names.iter().map(|n| name_text(n)).collect::<Vec<_>>()),
                "given": probe.client.as_ref().map(|c| c.subject.clone()),
                "offered": self.offered(),
                "issuer_listed": self.issuer_listed(),
                "outcome": self.outcome(),
                "alert": verdict_alert,
                "evidence": self.verdict.evidence_key(),
                "detail": self.evidence(),
            },
            "wait_ms": u64::try_from(probe.wait.as_millis()).unwrap_or(u64::MAX),
            "ok": self.ok(),
        })
    }

    pub(super) fn print(&self, out: &mut String) {
        let probe = &self.probe;
        labeled(
            out,
            "target",
            &format!("{} ({})", probe.target, probe.address),
        );
        labeled(
            out,
            "server name",
            &match &probe.server_name {
                ServerName::DnsName(name) => format!("{} (sent as SNI)", name.as_ref()),
                other => format!("{} (an IP address: no SNI)", other.to_str()),
            },
        );
        labeled(
            out,
            "handshake",
            &match &probe.handshake {
                Ok(()) => "completed".to_owned(),
                Err(failure) => format!("FAILED: {failure}"),
            },
        );
        if let Some(tls) = &probe.tls {
            let parts: Vec<&str> = [
                Some(&tls.version),
                tls.cipher_suite.as_ref(),
                tls.key_exchange.as_ref(),
            ]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
            labeled(out, "tls", &parts.join(", "));
        }
        match self.summaries.len() {
            0 => labeled(out, "server chain", "none received"),
            count => labeled(
                out,
                "server chain",
                &format!(
                    "{count} certificate{} as sent",
                    if count == 1 { "" } else { "s" }
                ),
            ),
        }
        for (index, summary) in self.summaries.iter().enumerate() {
            match summary {
                Ok(summary) => {
                    let identity = summary.identity();
                    let _ = writeln!(out, "  #{index} subject:    {}", identity.subject);
                    let _ = writeln!(out, "     issuer:     {}", identity.issuer);
                    let _ = writeln!(out, "     san:        {}", summary.sans());
                    let _ = writeln!(out, "     not after:  {}", summary.validity());
                }
                Err(rejection) => {
                    let _ = writeln!(out, "  #{index} unreadable: {}", rejection.message());
                }
            }
        }
        if let Some(facts) = &self.facts {
            let last = self.summaries.len() - 1;
            let top = match facts.top_self_issued {
                true => format!("#{last} is self-issued"),
                false => format!("#{last} was issued by {} (not sent)", facts.top_issuer),
            };
            // By name only: signatures along the chain are the policy's to check.
            let text = match (last, facts.names_chain) {
                (0, _) => top,
                (_, true) => format!("in issuing order by name; {top}"),
                (_, false) => format!("NOT in issuing order by name; {top}"),
            };
            labeled(out, "issuers", &text);
        }
        if let Some(check) = &self.name_check {
            let name = probe.server_name.to_str();
            labeled(
                out,
                "name check",
                &match check {
                    Ok(()) => format!("{name} matches certificate #0"),
                    Err(e) => format!("{name} does NOT match certificate #0 ({e})"),
                },
            );
        }
        match (&probe.policy, &self.decision) {
            (None, _) => labeled(out, "policy", "NOT JUDGED (no --policy)"),
            (Some(_), None) => labeled(out, "policy", "NOT JUDGED (no server chain)"),
            (Some(_), Some(Ok(identity))) => {
                let who = identity.spiffe_id.as_deref().unwrap_or(&identity.subject);
                let rule = identity
                    .verification
                    .as_ref()
                    .and_then(|v| v.matched_rule)
                    .map_or(String::new(), |rule| format!(" by allow[{rule}]"));
                labeled(out, "policy", &format!("ALLOWED {who}{rule}"));
            }
            (Some(_), Some(Err(rejection))) => labeled(
                out,
                "policy",
                &format!("REJECTED {}: {}", rejection.code(), rejection.message()),
            ),
        }
        if let Some(policy) = probe.policy.as_ref().filter(|p| !p.covers_server()) {
            labeled(
                out,
                "policy note",
                &format!(
                    "{} has usage {:?}, which does not include \"server\": a server \
                     certificate (serverAuth) cannot pass it; set \"usage\": \"server\"",
                    policy.file,
                    policy.usage()
                ),
            );
        }
        match &probe.request {
            None if probe.handshake.is_err() => labeled(
                out,
                "client auth",
                "not requested before the handshake failed",
            ),
            None => labeled(out, "client auth", "not requested by the server"),
            Some(request) if request.ca_names.is_empty() => labeled(
                out,
                "client auth",
                "requested; the server names no CAs (any issuer)",
            ),
            Some(request) => {
                labeled(
                    out,
                    "client auth",
                    "requested; CA names the server accepts:",
                );
                for name in &request.ca_names {
                    let _ = writeln!(out, "                 {}", name_text(name));
                }
            }
        }
        let given = probe.client.as_ref().map(|client| client.subject.as_str());
        let evidence = self.evidence();
        let text = match (self.outcome(), given) {
            ("not_requested", Some(subject)) => format!("{subject} not sent (not requested)"),
            ("not_requested", None) => "none sent (not requested)".to_owned(),
            ("accepted", _) => format!("ACCEPTED {} ({evidence})", given.unwrap_or_default()),
            ("refused", _) => format!("REFUSED {} ({evidence})", given.unwrap_or_default()),
            ("not_required", Some(subject)) => format!(
                "NOT REQUIRED: {subject} not sent (its key cannot sign in a scheme the server \
                 accepts), and the server went on ({evidence})"
            ),
            ("not_required", None) => {
                format!("NOT REQUIRED: none sent (no --cert), and the server went on ({evidence})")
            }
            ("required", _) => format!(
                "REQUIRED: none sent{}, and the server ended the connection ({evidence})",
                match given {
                    Some(_) => " (the key cannot sign in a scheme the server accepts)",
                    None => " (no --cert)",
                }
            ),
            _ => format!("UNKNOWN ({evidence})"),
        };
        labeled(out, "client cert", &text);
        if self.issuer_listed() == Some(false) {
            labeled(
                out,
                "client note",
                "no issuer of the --cert chain is among the server's CA names",
            );
        }
        labeled(out, "result", if self.ok() { "OK" } else { "FAILED" });
    }
}

/// One `label:  text` line of the human report, texts aligned.
fn labeled(out: &mut String, label: &str, text: &str) {
    let _ = writeln!(out, "{:<14} {text}", format!("{label}:"));
}
