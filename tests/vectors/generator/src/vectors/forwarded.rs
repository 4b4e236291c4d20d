//! `verify_forwarded` vectors (docs/forwarded.md): the vector PKI's certificates in each
//! header format, encoded exactly as the proxy that writes it does (nginx, HAProxy,
//! Caddy and Apache as captured from the Debian packages; Envoy's XFCC, AWS ALB,
//! Traefik and RFC 9440 from their documentation and source), valid, malformed, over
//! the limits, from untrusted addresses, absent, and XFCC over several hops.

use base64::Engine as _;

use super::*;
use crate::identity::sha256_hex;

/// A request's headers, `[name, value]` in order.
type Headers = Vec<(String, String)>;

/// The address of the trusted proxy in these cases, and one that is not trusted.
const PROXY: &str = "10.1.2.3";
const STRANGER: &str = "192.0.2.7";

/// RFC 3986 percent-encoding of every byte outside `unreserved` and `safe`, upper-case
/// hex (nginx's `ngx_escape_uri` with NGX_ESCAPE_URI_COMPONENT; AWS ALB with `+=/` safe).
fn percent(text: &str, safe: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric()
            || b"-._~".contains(&byte)
            || safe.as_bytes().contains(&byte)
        {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Envoy's URL encoding of a PEM (`connection_info_impl_base.cc`): LF, SP, `+`, `/`, `=`.
fn envoy_url(pem: &str) -> String {
    pem.replace('\n', "%0A")
        .replace(' ', "%20")
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

fn b64(der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// The certificates (DER) and their PEM, by name.
struct Encoder<'p> {
    pki: &'p Pki,
}

impl Encoder<'_> {
    fn der(&self, name: &str) -> Vec<u8> {
        self.pki.c(name).der.clone()
    }

    fn pem(&self, name: &str) -> String {
        self.pki.c(name).pem()
    }

    fn pems(&self, names: &[&str]) -> String {
        names.iter().map(|name| self.pem(name)).collect()
    }

    /// The headers each format's proxy sends for `leaf` (and `chain`, the
    /// intermediates the client sent, where the format carries them).
    fn headers(&self, format: &str, leaf: &str, chain: &[&str]) -> Headers {
        let h = |name: &str, value: String| (name.to_owned(), value);
        match format {
            "rfc9440" => {
                let mut headers = vec![h("Client-Cert", format!(":{}:", b64(&self.der(leaf))))];
                if !chain.is_empty() {
                    let items: Vec<String> = chain
                        .iter()
                        .map(|name| format!(":{}:", b64(&self.der(name))))
                        .collect();
                    headers.push(h("Client-Cert-Chain", items.join(", ")));
                }
                headers
            }
            "xfcc" => {
                let mut all = vec![leaf];
                all.extend(chain);
                vec![h("x-forwarded-client-cert", self.xfcc_element(leaf, &all))]
            }
            "nginx" => vec![h("X-Client-Cert", percent(&self.pem(leaf), ""))],
            "haproxy" => {
                // HAProxy lower-cases header names; the chain is one blob of DERs.
                let mut headers = vec![h("x-client-cert", b64(&self.der(leaf)))];
                let blob: Vec<u8> = chain.iter().flat_map(|name| self.der(name)).collect();
                headers.push(h("x-client-cert-chain", b64(&blob)));
                headers
            }
            "caddy" => vec![h("X-Client-Cert", b64(&self.der(leaf)))],
            "apache" => {
                let spaced = |pem: String| pem.replace('\n', " ");
                let mut headers = vec![h("X-SSL-Client-Cert", spaced(self.pem(leaf)))];
                for (n, name) in chain.iter().enumerate() {
                    headers.push(h(
                        &format!("X-SSL-Client-Cert-Chain-{n}"),
                        spaced(self.pem(name)),
                    ));
                }
                headers.push(h(
                    &format!("X-SSL-Client-Cert-Chain-{}", chain.len()),
                    "(null)".to_owned(),
                ));
                headers
            }
            "alb" => {
                let mut all = vec![leaf];
                all.extend(chain);
                vec![h(
                    "X-Amzn-Mtls-Clientcert",
                    percent(&self.pems(&all), "+=/"),
                )]
            }
            "traefik" => {
                let mut all = vec![leaf];
                all.extend(chain);
                let items: Vec<String> = all.iter().map(|name| b64(&self.der(name))).collect();
                vec![h("X-Forwarded-Tls-Client-Cert", items.join(","))]
            }
            other => panic!("no encoder for {other}"),
        }
    }

    /// One XFCC element as Envoy writes it (`mutateXfccRequestHeader`).
    fn xfcc_element(&self, leaf: &str, chain: &[&str]) -> String {
        let cert = self.pki.c(leaf);
        let identity = cert.identity().expect("identity");
        let mut parts = vec![
            "By=spiffe://example.org/ns/ingress/sa/envoy".to_owned(),
            format!("Hash={}", sha256_hex(&cert.der)),
            format!("Cert=\"{}\"", envoy_url(&cert.pem())),
            format!("Chain=\"{}\"", envoy_url(&self.pems(chain))),
            format!("Subject=\"{}\"", identity.subject.replace('"', "\\\"")),
        ];
        parts.extend(identity.san.uri.iter().map(|uri| format!("URI={uri}")));
        parts.extend(identity.san.dns.iter().map(|dns| format!("DNS={dns}")));
        parts.join(";")
    }
}

const FORMATS: [(&str, &str); 8] = [
    ("rfc9440", "client-cert"),
    ("xfcc", "x-forwarded-client-cert"),
    ("nginx", "x-client-cert"),
    ("haproxy", "x-client-cert"),
    ("caddy", "x-client-cert"),
    ("apache", "x-ssl-client-cert"),
    ("alb", "x-amzn-mtls-clientcert"),
    ("traefik", "x-forwarded-tls-client-cert"),
];

/// Whether the format carries the intermediates (else the policy pools them).
fn carries_chain(format: &str) -> bool {
    !matches!(format, "nginx" | "caddy")
}

impl Cases<'_> {
    /// A policy allowing the payments SPIFFE ID, the intermediate pooled, and a
    /// `forwarded` section for `format` trusting 127.0.0.1 and 10.0.0.0/8.
    fn forwarded_policy(&self, format: &str) -> Value {
        let mut policy = self.allow(&["intermediate"], json!([{ "spiffe_id": PAYMENTS }]));
        policy["forwarded"] =
            json!({ "format": format, "trusted_proxies": ["127.0.0.1", "10.0.0.0/8"] });
        policy
    }

    #[allow(clippy::too_many_arguments)]
    fn forwarded_case(
        &mut self,
        name: &str,
        description: &str,
        policy: Value,
        headers: Headers,
        peer: &str,
        expect: Expect,
    ) -> Result<()> {
        self.push(Case {
            name: name.to_owned(),
            description: description.to_owned(),
            op: "verify_forwarded",
            policy: Some(policy),
            policy_file: None,
            chain: None,
            cert: None,
            at: Some(AT),
            headers: Some(headers),
            peer: Some(peer.to_owned()),
            expect,
        })
    }

    /// A forwarded certificate that is admitted: `path` names the built path.
    fn forwarded_pass(
        &mut self,
        name: &str,
        description: &str,
        (policy, headers, peer): (Value, Headers, &str),
        path: &[&str],
        forwarded: Value,
    ) -> Result<()> {
        let path = self.pki.path(path);
        let identity = VerifiedIdentity {
            identity: path[0].identity()?,
            chain_fingerprints: path.iter().map(|c| c.fingerprint()).collect(),
            matched_rule: Some(0),
            forwarded: Some(forwarded),
            audit: None,
            warnings: Vec::new(),
        };
        let expect = Expect::Verified {
            identity,
            warnings: Vec::new(),
        };
        self.forwarded_case(name, description, policy, headers, peer, expect)
    }

    fn forwarded_reject(
        &mut self,
        name: &str,
        description: &str,
        (policy, headers, peer): (Value, Headers, &str),
        code: &str,
        cert_index: Option<usize>,
    ) -> Result<()> {
        let expect = Expect::Rejected {
            code: code.to_owned(),
            cert_index,
            warnings: Vec::new(),
        };
        self.forwarded_case(name, description, policy, headers, peer, expect)
    }
}

/// The `verify_forwarded` cases.
pub(super) fn cases(cs: &mut Cases<'_>) -> Result<()> {
    let pki = cs.pki;
    let enc = Encoder { pki };
    let leaf = "leaf-spiffe";
    let int = "intermediate";
    let path = [leaf, int, "root"];
    let seventeen: Vec<&str> = vec![int; 16];

    for (format, header) in FORMATS {
        let policy = cs.forwarded_policy(format);
        let chain: &[&str] = if carries_chain(format) { &[int] } else { &[] };
        let headers = enc.headers(format, leaf, chain);
        let mut forwarded = json!({ "format": format, "header": header, "proxy": PROXY });
        if format == "xfcc" {
            let cert = pki.c(leaf);
            forwarded["xfcc"] = json!({
                "by": ["spiffe://example.org/ns/ingress/sa/envoy"],
                "hash": sha256_hex(&cert.der),
                "subject": cert.identity()?.subject,
                "uri": [PAYMENTS],
                "dns": [],
            });
        }
        cs.forwarded_pass(
            &format!("forwarded_{format}"),
            &format!("The {format} header from a trusted proxy: the same decision as the chain sent directly, and the identity says how it came."),
            (policy.clone(), headers.clone(), PROXY),
            &path,
            forwarded,
        )?;
        cs.forwarded_reject(
            &format!("forwarded_{format}_untrusted"),
            &format!("The same {format} header straight from an address outside trusted_proxies: a spoofing attempt."),
            (policy.clone(), headers.clone(), STRANGER),
            "UNTRUSTED_FORWARDER",
            None,
        )?;
        cs.forwarded_reject(
            &format!("forwarded_{format}_absent"),
            &format!("A trusted proxy that forwarded no {format} header: no certificate."),
            (
                policy.clone(),
                vec![("Accept".to_owned(), "*/*".to_owned())],
                PROXY,
            ),
            "EMPTY_CHAIN",
            None,
        )?;
        // Malformed: the proxy's encoding broken in the middle of the certificate.
        let mut broken = headers.clone();
        let (_, value) = &mut broken[0];
        let middle = value.len() / 2;
        value.replace_range(
            middle..middle + 4,
            if format == "xfcc" { "%ZZ!" } else { "!!!!" },
        );
        cs.forwarded_reject(
            &format!("forwarded_{format}_malformed"),
            &format!("A {format} header whose encoding is broken: refused, naming the format and the header."),
            (policy.clone(), broken, PROXY),
            "MALFORMED_CERTIFICATE",
            Some(0),
        )?;
        // Over the limit: 17 certificates (16 intermediates after the leaf).
        let over = match format {
            "nginx" | "caddy" => {
                let mut pems = enc.pem(leaf);
                pems.push_str(&enc.pems(&seventeen));
                let value = if format == "nginx" {
                    percent(&pems, "")
                } else {
                    pems.replace('\n', " ")
                };
                vec![(header.to_owned(), value)]
            }
            _ => enc.headers(format, leaf, &seventeen),
        };
        cs.forwarded_reject(
            &format!("forwarded_{format}_over_limit"),
            &format!("A {format} header with 17 certificates, over the limit of 16 per chain."),
            (policy, over, PROXY),
            "INPUT_TOO_LARGE",
            None,
        )?;
    }

    // What each proxy sends when the client sent no certificate.
    for (format, header, value, what) in [
        ("apache", "X-SSL-Client-Cert", "(null)", "Apache's `(null)`"),
        (
            "caddy",
            "X-Client-Cert",
            "{http.request.tls.client.certificate_der_base64}",
            "Caddy's unreplaced placeholder",
        ),
        ("haproxy", "x-client-cert", "", "HAProxy's empty value"),
    ] {
        cs.forwarded_reject(
            &format!("forwarded_{format}_no_certificate"),
            &format!("{what} means no certificate: EMPTY_CHAIN."),
            (
                cs.forwarded_policy(format),
                vec![(header.to_owned(), value.to_owned())],
                PROXY,
            ),
            "EMPTY_CHAIN",
            None,
        )?;
    }

    // The other encodings of the same formats.
    let pem = enc.pem(leaf);
    let legacy = {
        let trimmed = pem.trim_end_matches('\n');
        trimmed.replace('\n', "\n\t")
    };
    let variants: Vec<(&str, &str, &str, Headers, &str)> = vec![
        ("nginx", "nginx_legacy", "x-client-cert", vec![("X-Client-Cert".to_owned(), legacy)], "nginx's legacy $ssl_client_cert: PEM with every line but the first prefixed by a tab."),
        ("caddy", "caddy_pem", "x-client-cert", vec![("X-Client-Cert".to_owned(), pem.replace('\n', " "))], "Caddy's certificate_pem with line breaks replaced by spaces (header_up NAME \"\\n\" \" \")."),
        ("caddy", "caddy_pem_escaped", "x-client-cert", vec![("X-Client-Cert".to_owned(), pem.replace('\n', "%0A"))], "Caddy's certificate_pem with line breaks escaped as %0A."),
        ("alb", "alb_leaf", "x-amzn-mtls-clientcert-leaf", vec![("X-Amzn-Mtls-Clientcert-Leaf".to_owned(), percent(&pem, "+=/"))], "AWS ALB in verify mode: only X-Amzn-Mtls-Clientcert-Leaf."),
        ("traefik", "traefik_escaped", "x-forwarded-tls-client-cert", vec![("X-Forwarded-Tls-Client-Cert".to_owned(), format!("{},{}", percent(&b64(&enc.der(leaf)), ""), percent(&b64(&enc.der(int)), "")))], "Traefik up to v2.9.1, which URL-escaped each certificate."),
        ("rfc9440", "rfc9440_chain_lines", "client-cert", vec![("Client-Cert".to_owned(), format!(":{}:", b64(&enc.der(leaf)))), ("Client-Cert-Chain".to_owned(), format!(":{}:", b64(&enc.der(int)))), ("Client-Cert-Chain".to_owned(), format!(":{}:", b64(&enc.der("root"))))], "Client-Cert-Chain over two header lines is one list (RFC 8941), here with the root, which RFC 9440 allows."),
    ];
    for (format, name, header, headers, description) in variants {
        cs.forwarded_pass(
            &format!("forwarded_{name}"),
            description,
            (cs.forwarded_policy(format), headers, PROXY),
            &path,
            json!({ "format": format, "header": header, "proxy": PROXY }),
        )?;
    }

    // XFCC over several hops: the last element is the one the nearest proxy added.
    let hop1 = enc.xfcc_element("leaf-b-api", &["leaf-b-api", int]);
    let hop2 = enc.xfcc_element(leaf, &[leaf, int]);
    let cert = pki.c(leaf);
    cs.forwarded_pass(
        "forwarded_xfcc_multi_hop",
        "An XFCC header with two elements, one per hop: certgate uses the last one, the one the proxy nearest to the app added.",
        (cs.forwarded_policy("xfcc"), vec![("X-Forwarded-Client-Cert".to_owned(), format!("{hop1},{hop2}"))], PROXY),
        &path,
        json!({
            "format": "xfcc", "header": "x-forwarded-client-cert", "proxy": PROXY,
            "xfcc": {
                "by": ["spiffe://example.org/ns/ingress/sa/envoy"],
                "hash": sha256_hex(&cert.der),
                "subject": cert.identity()?.subject,
                "uri": [PAYMENTS],
                "dns": [],
            }
        }),
    )?;
    cs.forwarded_pass(
        "forwarded_xfcc_two_lines",
        "The same two elements in two header lines are one list.",
        (
            cs.forwarded_policy("xfcc"),
            vec![
                ("x-forwarded-client-cert".to_owned(), hop1.clone()),
                ("x-forwarded-client-cert".to_owned(), hop2.clone()),
            ],
            PROXY,
        ),
        &path,
        json!({
            "format": "xfcc", "header": "x-forwarded-client-cert", "proxy": PROXY,
            "xfcc": {
                "by": ["spiffe://example.org/ns/ingress/sa/envoy"],
                "hash": sha256_hex(&cert.der),
                "subject": cert.identity()?.subject,
                "uri": [PAYMENTS],
                "dns": [],
            }
        }),
    )?;
    let wrong_hash = hop2.replace(&sha256_hex(&cert.der), &sha256_hex(b"another certificate"));
    cs.forwarded_reject(
        "forwarded_xfcc_hash_mismatch",
        "An XFCC element whose Hash= is not the SHA-256 of its certificate is refused.",
        (
            cs.forwarded_policy("xfcc"),
            vec![("x-forwarded-client-cert".to_owned(), wrong_hash)],
            PROXY,
        ),
        "MALFORMED_CERTIFICATE",
        Some(0),
    )?;
    cs.forwarded_reject(
        "forwarded_xfcc_no_cert",
        "An XFCC element without Cert= or Chain= (Envoy's default details) carries no certificate.",
        (
            cs.forwarded_policy("xfcc"),
            vec![(
                "x-forwarded-client-cert".to_owned(),
                format!(
                    "By=spiffe://example.org/ns/ingress/sa/envoy;Hash={};URI={PAYMENTS}",
                    sha256_hex(&cert.der)
                ),
            )],
            PROXY,
        ),
        "EMPTY_CHAIN",
        None,
    )?;

    // The trust model.
    cs.forwarded_pass(
        "forwarded_ipv4_mapped_peer",
        "A dual-stack socket reports an IPv4 proxy as ::ffff:a.b.c.d: trusted as its IPv4 address.",
        (
            cs.forwarded_policy("nginx"),
            enc.headers("nginx", leaf, &[]),
            "::ffff:10.1.2.3",
        ),
        &path,
        json!({ "format": "nginx", "header": "x-client-cert", "proxy": PROXY }),
    )?;
    cs.forwarded_reject(
        "forwarded_peer_not_an_address",
        "The peer must be the socket's IP address; anything else is refused.",
        (
            cs.forwarded_policy("nginx"),
            enc.headers("nginx", leaf, &[]),
            "proxy.example",
        ),
        "UNTRUSTED_FORWARDER",
        None,
    )?;
    let mut twice = enc.headers("nginx", leaf, &[]);
    twice.extend(enc.headers("nginx", "leaf-b-api", &[]));
    cs.forwarded_reject(
        "forwarded_duplicate_header",
        "A certificate header that occurs twice is ambiguous: refused.",
        (cs.forwarded_policy("nginx"), twice, PROXY),
        "MALFORMED_CERTIFICATE",
        Some(0),
    )?;
    let mut renamed = cs.forwarded_policy("haproxy");
    renamed["forwarded"]["header"] = json!("X-SSL-Cert");
    renamed["forwarded"]["chain_header"] = json!("X-SSL-Chain");
    cs.forwarded_pass(
        "forwarded_custom_header",
        "header and chain_header name the headers a proxy was configured with (any case).",
        (
            renamed,
            vec![
                ("x-ssl-cert".to_owned(), b64(&enc.der(leaf))),
                ("X-SSL-CHAIN".to_owned(), b64(&enc.der(int))),
            ],
            PROXY,
        ),
        &path,
        json!({ "format": "haproxy", "header": "x-ssl-cert", "proxy": PROXY }),
    )?;
    let mut revoked = cs.forwarded_policy("nginx");
    revoked["allow"] = json!([{ "spiffe_trust_domain": "example.org" }]);
    revoked["revocation"] = cs.revocation(&ALL_CRLS, "chain", "deny", "deny");
    cs.forwarded_reject(
        "forwarded_revoked",
        "A forwarded certificate goes through the whole decision: a revoked one is REVOKED.",
        (revoked, enc.headers("nginx", "leaf-revoked", &[]), PROXY),
        "REVOKED",
        Some(0),
    )?;
    cs.forwarded_reject(
        "forwarded_without_section",
        "Without a forwarded section, certgate reads no forwarded certificate.",
        (
            cs.allow(&[int], json!([{ "spiffe_id": PAYMENTS }])),
            enc.headers("nginx", leaf, &[]),
            PROXY,
        ),
        "INVALID_POLICY",
        None,
    )?;
    for (name, description, forwarded) in [
        (
            "policy_forwarded_unknown_format",
            "An unknown forwarded format is refused.",
            json!({ "format": "squid", "trusted_proxies": ["10.0.0.0/8"] }),
        ),
        (
            "policy_forwarded_bad_header",
            "A header name must be an HTTP token.",
            json!({ "format": "nginx", "header": "X Client Cert", "trusted_proxies": ["10.0.0.0/8"] }),
        ),
        (
            "policy_forwarded_no_proxies",
            "trusted_proxies may not be empty.",
            json!({ "format": "nginx", "trusted_proxies": [] }),
        ),
        (
            "policy_forwarded_host_bits",
            "A trusted_proxies block with host bits set is refused.",
            json!({ "format": "nginx", "trusted_proxies": ["10.0.0.1/8"] }),
        ),
        (
            "policy_forwarded_missing_proxies",
            "trusted_proxies is required.",
            json!({ "format": "nginx" }),
        ),
    ] {
        let mut policy = cs.policy(&[int]);
        policy["forwarded"] = forwarded;
        cs.invalid_policy(name, description, policy)?;
    }
    Ok(())
}
