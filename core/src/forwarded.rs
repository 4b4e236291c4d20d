//! Client certificates that a TLS-terminating proxy forwards in an HTTP header
//! (docs/forwarded.md): who may forward one (the policy's `forwarded.trusted_proxies`,
//! checked against the address of the connection itself, never a header), and how each
//! proxy encodes it. Each format's parser turns header values into DER certificates,
//! leaf first, for the same decision as a chain the peer sent directly; whatever it
//! cannot read is `MALFORMED_CERTIFICATE` naming the format and the header. Decoding
//! uses the `pem`, `base64` and `der` crates; this module only undoes each proxy's
//! transport encoding (percent-encoding, spaces or tabs for line breaks, lists).

use std::net::IpAddr;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Code, Rejection};
use crate::input::{MAX_CHAIN_CERTIFICATES, MAX_INPUT_BYTES};
use crate::schema::IpBlock;
use crate::x509::sha256_hex;

/// How a proxy puts the client certificate in a header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// RFC 9440 `Client-Cert` (a structured-field byte sequence `:base64-DER:`) and
    /// `Client-Cert-Chain` (a list of them, without the leaf).
    Rfc9440,
    /// Envoy / Istio `x-forwarded-client-cert`: the last element's `Chain=` or `Cert=`.
    Xfcc,
    /// nginx `$ssl_client_escaped_cert` (percent-encoded PEM) or the legacy
    /// `$ssl_client_cert` (PEM with tab-folded lines).
    Nginx,
    /// HAProxy `%[ssl_c_der,base64]`, and `%[ssl_c_chain_der,base64]` for the chain.
    Haproxy,
    /// Caddy `{http.request.tls.client.certificate_der_base64}` (or `certificate_pem`).
    Caddy,
    /// Apache `%{SSL_CLIENT_CERT}s` (PEM, line breaks turned into spaces), and
    /// `%{SSL_CLIENT_CERT_CHAIN_n}s` in numbered headers.
    Apache,
    /// AWS ALB `X-Amzn-Mtls-Clientcert` (percent-encoded PEM chain) or `-Leaf`.
    Alb,
    /// Traefik `X-Forwarded-Tls-Client-Cert`: comma-separated base64 DER.
    Traefik,
}

impl Format {
    /// The policy's name of the format.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Rfc9440 => "rfc9440",
            Format::Xfcc => "xfcc",
            Format::Nginx => "nginx",
            Format::Haproxy => "haproxy",
            Format::Caddy => "caddy",
            Format::Apache => "apache",
            Format::Alb => "alb",
            Format::Traefik => "traefik",
        }
    }

    /// The header the certificate is in, unless the policy names another.
    pub fn default_header(self) -> &'static str {
        match self {
            Format::Rfc9440 => "client-cert",
            Format::Xfcc => "x-forwarded-client-cert",
            Format::Nginx | Format::Haproxy | Format::Caddy => "x-client-cert",
            Format::Apache => "x-ssl-client-cert",
            Format::Alb => "x-amzn-mtls-clientcert",
            Format::Traefik => "x-forwarded-tls-client-cert",
        }
    }

    /// The header with the rest of the chain, for the formats that keep it apart
    /// (Apache: the prefix of the numbered headers `…-0`, `…-1`, …).
    pub fn default_chain_header(self) -> Option<&'static str> {
        match self {
            Format::Rfc9440 => Some("client-cert-chain"),
            Format::Haproxy => Some("x-client-cert-chain"),
            Format::Apache => Some("x-ssl-client-cert-chain-"),
            _ => None,
        }
    }
}

/// The `forwarded` section of a policy, compiled.
#[derive(Clone, Debug)]
pub(crate) struct ForwardedRules {
    pub(crate) format: Format,
    pub(crate) header: String,
    pub(crate) chain_header: Option<String>,
    pub(crate) trusted_proxies: Vec<IpBlock>,
}

/// How a verified certificate reached certgate, when a proxy forwarded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Forwarded {
    /// The format (`"nginx"`, `"xfcc"`, …).
    pub format: &'static str,
    /// The header the certificate was read from (lower case).
    pub header: String,
    /// The address of the proxy that sent the request (one of `trusted_proxies`).
    pub proxy: String,
    /// The fields of the XFCC element used (format `xfcc` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xfcc: Option<XfccElement>,
}

/// The fields of the `x-forwarded-client-cert` element certgate used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct XfccElement {
    /// `By=`: the URI SANs of the proxy's own certificate.
    pub by: Vec<String>,
    /// `Hash=`: SHA-256 of the client certificate, as the proxy computed it.
    pub hash: Option<String>,
    /// `Subject=`: the client certificate's subject, as the proxy printed it.
    pub subject: Option<String>,
    /// `URI=`: the client certificate's URI SANs.
    pub uri: Vec<String>,
    /// `DNS=`: the client certificate's DNS SANs.
    pub dns: Vec<String>,
}

/// The certificates a trusted proxy forwarded, leaf first, and how they came.
pub(crate) struct Received {
    pub(crate) ders: Vec<Vec<u8>>,
    pub(crate) forwarded: Forwarded,
}

impl ForwardedRules {
    /// Reads the certificate that the proxy at `peer` forwarded in `headers`.
    pub(crate) fn receive<N: AsRef<str>, V: AsRef<[u8]>>(
        &self,
        headers: &[(N, V)],
        peer: &str,
    ) -> Result<Received, Rejection> {
        let address = peer_address(peer)?;
        if !self
            .trusted_proxies
            .iter()
            .any(|block| block.contains(&address))
        {
            let trusted: Vec<String> = self
                .trusted_proxies
                .iter()
                .map(|block| block.0.to_string())
                .collect();
            let sent = if !find(headers, &self.header).is_empty() {
                format!("its {} header is not believed", self.header)
            } else {
                "and it forwarded no certificate".to_owned()
            };
            return Err(Rejection::new(
                Code::UntrustedForwarder,
                format!(
                    "the request came from {address}, which is not a trusted proxy \
                     (forwarded.trusted_proxies: {}); {sent}",
                    trusted.join(", ")
                ),
            ));
        }
        let mut forwarded = Forwarded {
            format: self.format.as_str(),
            header: self.header.clone(),
            proxy: address.to_string(),
            xfcc: None,
        };
        let reader = Reader {
            rules: self,
            proxy: address,
        };
        let ders = match self.format {
            Format::Xfcc => {
                let (ders, element) = reader.xfcc(headers)?;
                forwarded.xfcc = Some(element);
                ders
            }
            Format::Alb if self.header == Format::Alb.default_header() => {
                // The passthrough header (whole chain), else the verify mode's leaf header.
                const LEAF: &str = "x-amzn-mtls-clientcert-leaf";
                if find(headers, &self.header).is_empty() && !find(headers, LEAF).is_empty() {
                    forwarded.header = LEAF.to_owned();
                    reader.main(headers, LEAF)?
                } else {
                    reader.main(headers, &self.header)?
                }
            }
            _ => {
                let mut ders = reader.main(headers, &self.header)?;
                ders.extend(reader.chain(headers)?);
                ders
            }
        };
        if ders.len() > MAX_CHAIN_CERTIFICATES {
            return Err(Rejection::new(
                Code::InputTooLarge,
                format!(
                    "{} certificates forwarded in {} exceed the limit of {MAX_CHAIN_CERTIFICATES} per chain",
                    ders.len(),
                    forwarded.header
                ),
            ));
        }
        Ok(Received { ders, forwarded })
    }
}

/// The peer address a binding passes: an IP address, as the socket reports it; an
/// IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 peer) is the IPv4 one.
fn peer_address(peer: &str) -> Result<IpAddr, Rejection> {
    peer.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map(|address| match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        })
        .map_err(|_| {
            Rejection::new(
                Code::UntrustedForwarder,
                format!(
                    "the request's peer address {peer:?} is not an IP address (pass the \
                     socket's remote address, never a header)"
                ),
            )
        })
}

/// The values of header `name` (any case), in order.
fn find<'h, N: AsRef<str>, V: AsRef<[u8]>>(headers: &'h [(N, V)], name: &str) -> Vec<&'h [u8]> {
    headers
        .iter()
        .filter(|(key, _)| key.as_ref().trim().eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_ref())
        .collect()
}

/// Reads one format's headers, with messages naming the proxy, the format and the header.
struct Reader<'r> {
    rules: &'r ForwardedRules,
    proxy: IpAddr,
}

impl Reader<'_> {
    fn malformed(&self, header: &str, why: impl std::fmt::Display) -> Rejection {
        Rejection::at_cert(
            Code::MalformedCertificate,
            0,
            format!(
                "the {header} header ({} format) from the proxy {} cannot be read: {why}",
                self.rules.format.as_str(),
                self.proxy
            ),
        )
    }

    /// The single value of a header that must not repeat, as text; None when absent or
    /// when it holds a proxy's "no certificate" placeholder.
    fn single<'h, N: AsRef<str>, V: AsRef<[u8]>>(
        &self,
        headers: &'h [(N, V)],
        header: &str,
    ) -> Result<Option<&'h str>, Rejection> {
        let values = find(headers, header);
        let value = match values.as_slice() {
            [] => return Ok(None),
            [value] => *value,
            _ => return Err(self.malformed(header, "the header occurs more than once")),
        };
        let text = self.text(header, value)?;
        Ok((!is_placeholder(text)).then_some(text))
    }

    /// Header bytes as text: bounded, visible ASCII and white space only.
    fn text<'h>(&self, header: &str, value: &'h [u8]) -> Result<&'h str, Rejection> {
        if value.len() > MAX_INPUT_BYTES {
            return Err(Rejection::new(
                Code::InputTooLarge,
                format!(
                    "the {header} header from the proxy {} is {} bytes; the limit is {MAX_INPUT_BYTES}",
                    self.proxy,
                    value.len()
                ),
            ));
        }
        match std::str::from_utf8(value) {
            Ok(text)
                if text.bytes().all(|b| {
                    b == b'\t' || (b' '..=b'~').contains(&b) || b == b'\n' || b == b'\r'
                }) =>
            {
                Ok(text.trim())
            }
            _ => Err(self.malformed(header, "it holds bytes that are not printable ASCII")),
        }
    }

    /// The certificate(s) in the main header; a missing one is `EMPTY_CHAIN`.
    fn main<N: AsRef<str>, V: AsRef<[u8]>>(
        &self,
        headers: &[(N, V)],
        header: &str,
    ) -> Result<Vec<Vec<u8>>, Rejection> {
        let Some(text) = self.single(headers, header)? else {
            return Err(Rejection::new(
                Code::EmptyChain,
                format!(
                    "the trusted proxy {} forwarded no client certificate (no {header} header, \
                     or the proxy's placeholder for none)",
                    self.proxy
                ),
            ));
        };
        let ders = match self.rules.format {
            Format::Rfc9440 => vec![self.byte_sequence(header, text)?],
            Format::Nginx | Format::Alb => {
                let decoded = self.percent_decoded(header, text)?;
                self.pem_blocks(header, &decoded)?
            }
            Format::Haproxy => vec![self.base64(header, text)?],
            Format::Caddy | Format::Apache => {
                // PEM (line breaks as spaces, or percent-escaped), or base64 DER.
                let decoded;
                let text = if text.contains('%') {
                    decoded = self.percent_decoded(header, text)?;
                    decoded.as_str()
                } else {
                    text
                };
                if text.starts_with("-----BEGIN") {
                    self.pem_blocks(header, text)?
                } else {
                    vec![self.base64(header, text)?]
                }
            }
            Format::Traefik => {
                let decoded = self.percent_decoded(header, text)?;
                decoded
                    .split(',')
                    .map(|item| self.base64(header, item.trim()))
                    .collect::<Result<_, _>>()?
            }
            Format::Xfcc => {
                return Err(self.malformed(header, "internal: not a single-header format"))
            }
        };
        if ders.is_empty() {
            return Err(self.malformed(header, "it holds no certificate"));
        }
        Ok(ders)
    }

    /// The rest of the chain, for the formats that carry it in its own header(s).
    fn chain<N: AsRef<str>, V: AsRef<[u8]>>(
        &self,
        headers: &[(N, V)],
    ) -> Result<Vec<Vec<u8>>, Rejection> {
        let Some(header) = self.rules.chain_header.as_deref() else {
            return Ok(Vec::new());
        };
        match self.rules.format {
            Format::Rfc9440 => {
                // A list; several header lines are one list (RFC 8941 §4.2).
                let mut ders = Vec::new();
                for value in find(headers, header) {
                    let text = self.text(header, value)?;
                    for item in text
                        .split(',')
                        .map(str::trim)
                        .filter(|item| !item.is_empty())
                    {
                        ders.push(self.byte_sequence(header, item)?);
                    }
                }
                Ok(ders)
            }
            Format::Haproxy => match self.single(headers, header)? {
                // Every intermediate the client sent, DER after DER, in one base64 blob.
                Some(text) if !text.is_empty() => {
                    let blob = self.base64(header, text)?;
                    self.der_sequence(header, &blob)
                }
                _ => Ok(Vec::new()),
            },
            Format::Apache => {
                let mut ders = Vec::new();
                for n in 0..MAX_CHAIN_CERTIFICATES {
                    let numbered = format!("{header}{n}");
                    match self.single(headers, &numbered)? {
                        Some(text) => ders.extend(self.pem_blocks(&numbered, text)?),
                        None => break,
                    }
                }
                Ok(ders)
            }
            _ => Ok(Vec::new()),
        }
    }

    /// The last element of an `x-forwarded-client-cert` header: its certificates (the
    /// `Chain=`, leaf first, else the `Cert=`) and its fields.
    fn xfcc<N: AsRef<str>, V: AsRef<[u8]>>(
        &self,
        headers: &[(N, V)],
    ) -> Result<(Vec<Vec<u8>>, XfccElement), Rejection> {
        let header = self.rules.header.as_str();
        // Several header lines are one comma-separated list.
        let mut joined = String::new();
        for value in find(headers, header) {
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(self.text(header, value)?);
        }
        if joined.len() > MAX_INPUT_BYTES {
            return Err(Rejection::new(
                Code::InputTooLarge,
                format!(
                    "the {header} headers from the proxy {} exceed {MAX_INPUT_BYTES} bytes",
                    self.proxy
                ),
            ));
        }
        let elements = split_outside_quotes(&joined, ',');
        let Some(last) = elements
            .iter()
            .rev()
            .find(|element| !element.trim().is_empty())
        else {
            return Err(Rejection::new(
                Code::EmptyChain,
                format!(
                    "the trusted proxy {} forwarded no client certificate (no {header} header)",
                    self.proxy
                ),
            ));
        };
        let mut element = XfccElement::default();
        let (mut cert, mut chain) = (None, None);
        for pair in split_outside_quotes(last, ';') {
            let pair = pair.trim();
            if pair.is_empty() {
                continue;
            }
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| self.malformed(header, format!("{pair:?} is not key=value")))?;
            let value = unquote(value.trim()).map_err(|why| self.malformed(header, why))?;
            match key.trim().to_ascii_lowercase().as_str() {
                "by" => element.by.push(value),
                "hash" => element.hash = Some(value),
                "subject" => element.subject = Some(value),
                "uri" if !value.is_empty() => element.uri.push(value),
                "dns" if !value.is_empty() => element.dns.push(value),
                "cert" => cert = Some(value),
                "chain" => chain = Some(value),
                _ => {}
            }
        }
        let read = |value: &str| -> Result<Vec<Vec<u8>>, Rejection> {
            let decoded = self.percent_decoded(header, value)?;
            self.pem_blocks(header, &decoded)
        };
        let cert = cert.as_deref().map(read).transpose()?;
        let chain = chain.as_deref().map(read).transpose()?;
        let ders = match (cert, chain) {
            (Some(cert), Some(chain)) => {
                if cert.first() != chain.first() {
                    return Err(
                        self.malformed(header, "Cert= is not the first certificate of Chain=")
                    );
                }
                chain
            }
            (Some(ders), None) | (None, Some(ders)) => ders,
            (None, None) => {
                return Err(Rejection::new(
                    Code::EmptyChain,
                    format!(
                        "the last element of the {header} header from the proxy {} has neither \
                         Cert= nor Chain= (configure the proxy to forward the certificate)",
                        self.proxy
                    ),
                ))
            }
        };
        if let (Some(hash), Some(leaf)) = (&element.hash, ders.first()) {
            if !hash.eq_ignore_ascii_case(&sha256_hex(leaf)) {
                return Err(self.malformed(header, "Hash= is not the SHA-256 of the certificate"));
            }
        }
        Ok((ders, element))
    }

    /// An RFC 8941 byte sequence `:base64:` (padding optional, as parsers SHOULD accept).
    fn byte_sequence(&self, header: &str, item: &str) -> Result<Vec<u8>, Rejection> {
        let inner = item
            .strip_prefix(':')
            .and_then(|rest| rest.strip_suffix(':'))
            .ok_or_else(|| self.malformed(header, "not a byte sequence (:base64:)"))?;
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(inner.trim_end_matches('='))
            .map_err(|e| self.malformed(header, format!("bad base64 ({e})")))
    }

    /// Standard base64 of DER, padded or not, nothing else.
    fn base64(&self, header: &str, text: &str) -> Result<Vec<u8>, Rejection> {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|e| self.malformed(header, format!("bad base64 ({e})")))
    }

    /// RFC 3986 percent-decoding; `+` stays `+` (never form decoding).
    fn percent_decoded(&self, header: &str, text: &str) -> Result<String, Rejection> {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|pair| std::str::from_utf8(pair).ok())
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    .ok_or_else(|| {
                        self.malformed(header, format!("bad percent-encoding at byte {i}"))
                    })?;
                out.push(hex);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out)
            .map_err(|_| self.malformed(header, "it decodes to bytes that are not text"))
    }

    /// The CERTIFICATE blocks of PEM text whose line breaks a proxy replaced (by spaces,
    /// tabs after line breaks, or nothing): each block's base64 is re-wrapped into
    /// canonical PEM for the `pem` crate.
    fn pem_blocks(&self, header: &str, text: &str) -> Result<Vec<Vec<u8>>, Rejection> {
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        let mut ders = Vec::new();
        let mut rest = text.trim();
        while !rest.is_empty() {
            let body = rest.strip_prefix(BEGIN).ok_or_else(|| {
                self.malformed(
                    header,
                    "not PEM: no BEGIN CERTIFICATE line where a certificate should start",
                )
            })?;
            let (body, after) = body
                .split_once(END)
                .ok_or_else(|| self.malformed(header, "PEM without its END CERTIFICATE line"))?;
            let base64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let mut canonical = String::with_capacity(base64.len() + 64);
            canonical.push_str(BEGIN);
            canonical.push('\n');
            for line in base64.as_bytes().chunks(64) {
                canonical.push_str(std::str::from_utf8(line).unwrap_or_default());
                canonical.push('\n');
            }
            canonical.push_str(END);
            canonical.push('\n');
            let block = pem::parse(&canonical)
                .map_err(|e| self.malformed(header, format!("bad PEM ({e})")))?;
            ders.push(block.into_contents());
            if ders.len() > MAX_CHAIN_CERTIFICATES {
                break;
            }
            rest = after.trim();
        }
        Ok(ders)
    }

    /// Certificates concatenated DER after DER, split with the `der` crate.
    fn der_sequence(&self, header: &str, mut bytes: &[u8]) -> Result<Vec<Vec<u8>>, Rejection> {
        use der::{Decode, Encode};
        let mut ders = Vec::new();
        while !bytes.is_empty() && ders.len() <= MAX_CHAIN_CERTIFICATES {
            let mut reader = der::SliceReader::new(bytes)
                .map_err(|e| self.malformed(header, format!("bad DER ({e})")))?;
            let any = der::asn1::AnyRef::decode(&mut reader)
                .map_err(|e| self.malformed(header, format!("bad DER ({e})")))?;
            let length = usize::try_from(any.encoded_len().map_err(|e| self.malformed(header, e))?)
                .map_err(|e| self.malformed(header, e))?;
            ders.push(bytes[..length].to_vec());
            bytes = &bytes[length..];
        }
        Ok(ders)
    }
}

/// Whether a header value is a proxy's stand-in for "no certificate": Apache's
/// `(null)`, Caddy's unreplaced placeholder, HAProxy's empty value.
fn is_placeholder(text: &str) -> bool {
    text.is_empty() || text == "(null)" || text.starts_with("{http.request.tls.client.")
}

/// Splits on `separator` outside double quotes (a backslash escapes inside quotes).
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (index, ch) in text.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            _ if ch == separator && !quoted => {
                parts.push(&text[start..index]);
                start = index + ch.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// An XFCC value without its quotes, `\"` and `\\` unescaped (other escapes, such as
/// RFC 2253's `\,` in `Subject=`, are kept).
fn unquote(value: &str) -> Result<String, String> {
    let Some(inner) = value.strip_prefix('"') else {
        return Ok(value.to_owned());
    };
    let inner = inner
        .strip_suffix('"')
        .ok_or_else(|| format!("unterminated quoted value {value:?}"))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(ch) = chars.next() {
        match (ch, chars.clone().next()) {
            ('\\', Some(next @ ('"' | '\\'))) => {
                out.push(next);
                chars.next();
            }
            _ => out.push(ch),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_separators() {
        assert_eq!(
            split_outside_quotes(r#"a=1;b="x;y\"z",c=2"#, ','),
            vec![r#"a=1;b="x;y\"z""#, "c=2"]
        );
        assert_eq!(unquote(r#""CN=a \"b\"\, c""#).unwrap(), r#"CN=a "b"\, c"#);
        assert!(unquote(r#""open"#).is_err());
    }

    #[test]
    fn placeholders_mean_no_certificate() {
        for text in [
            "",
            "(null)",
            "{http.request.tls.client.certificate_der_base64}",
        ] {
            assert!(is_placeholder(text), "{text}");
        }
        assert!(!is_placeholder("MIIB"));
    }
}
