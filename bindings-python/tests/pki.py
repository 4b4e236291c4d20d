"""A small PKI valid now, made with `cryptography` (tests and benchmark only).

Real TLS handshakes use the real clock, so these certificates are issued around the
current time (one hour back, one day ahead). All keys are ECDSA P-256.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SPIFFE_ALLOWED = "spiffe://demo.example/ns/prod/sa/web"
SPIFFE_OTHER = "spiffe://demo.example/ns/dev/sa/web"
ALLOW_PATTERN = "spiffe://demo.example/ns/prod/sa/*"
#: The one server a client under `server_policy()` may call.
SPIFFE_PAYMENTS = "spiffe://demo.example/ns/prod/sa/payments"
SPIFFE_PAYMENTS_OTHER = "spiffe://demo.example/ns/dev/sa/payments"
#: The servers of the other direction (a client checking its server): the first five as
#: the Rust demo generator (`certgate-vectors demo`) names them, also named localhost /
#: 127.0.0.1; payments_mesh has the SPIFFE ID alone, as in a service mesh.
PAYMENTS_SERVERS = (
    "payments",
    "payments_wrong_spiffe",
    "payments_revoked",
    "payments_untrusted",
    "payments_expired",
    "payments_mesh",
)


@dataclass
class Issued:
    """A certificate with its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _name(cn: str, org: str = "Certgate Python Test") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def ca(
    cn: str,
    serial: int,
    issuer: Optional[Issued] = None,
    org: str = "Certgate Python Test",
    not_before: Optional[dt.datetime] = None,
    not_after: Optional[dt.datetime] = None,
) -> Issued:
    key = _key()
    start = not_before or now() - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, org))
        .issuer_name(issuer.cert.subject if issuer else _name(cn, org))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(not_after or start + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    signer = issuer.key if issuer else key
    return Issued(builder.sign(signer, hashes.SHA256()), key)


def leaf(
    cn: str,
    serial: int,
    issuer: Issued,
    uris: Sequence[str] = (),
    dns: Sequence[str] = (),
    ips: Sequence[str] = (),
    server: bool = False,
    not_before: Optional[dt.datetime] = None,
    not_after: Optional[dt.datetime] = None,
) -> Issued:
    key = _key()
    names: List[x509.GeneralName] = [x509.UniformResourceIdentifier(u) for u in uris]
    names += [x509.DNSName(d) for d in dns]
    names += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before or now() - dt.timedelta(hours=1))
        .not_valid_after(not_after or now() + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return Issued(builder.sign(issuer.key, hashes.SHA256()), key)


def crl(issuer: Issued, revoked_serials: Iterable[int], number: int = 1) -> x509.CertificateRevocationList:
    """A CRL of `issuer` revoking `revoked_serials`, valid from an hour ago for a day."""
    start = now() - dt.timedelta(hours=1)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(start)
        .next_update(start + dt.timedelta(days=1))
        .add_extension(x509.CRLNumber(number), critical=False)
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(start)
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256())


def crl_pem(revocation_list: x509.CertificateRevocationList) -> str:
    return revocation_list.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class DemoPki:
    """root → intermediate → clients and servers, plus an untrusted hierarchy."""

    root: Issued
    intermediate: Issued
    server: Issued
    allowed: Issued
    revoked: Issued
    wrong_spiffe: Issued
    expired: Issued
    untrusted: Issued
    untrusted_intermediate: Issued
    payments: Issued
    payments_wrong_spiffe: Issued
    payments_revoked: Issued
    payments_untrusted: Issued
    payments_expired: Issued
    payments_mesh: Issued
    root_crl: x509.CertificateRevocationList
    intermediate_crl: x509.CertificateRevocationList
    files: Dict[str, Path] = field(default_factory=dict)

    def policy(self, **extra: object) -> dict:
        """The demo policy: SPIFFE IDs under ns/prod, revocation of the whole chain."""
        policy = {
            "trust": {"anchors": self.root.pem, "intermediates": self.intermediate.pem},
            "revocation": {
                "crls": [crl_pem(self.intermediate_crl), crl_pem(self.root_crl)],
            },
            "allow": [{"spiffe_id": ALLOW_PATTERN}],
        }
        policy.update(extra)
        return policy

    def server_policy(self) -> dict:
        """The policy a client applies to its server: usage "server", only payments."""
        return self.policy(usage="server", allow=[{"spiffe_id": SPIFFE_PAYMENTS}])

    def write(self, directory: Path) -> None:
        """Writes NAME.pem (leaf + intermediate), NAME.key, NAME.leaf.pem, ca.pem, ..."""
        directory.mkdir(parents=True, exist_ok=True)

        def put(name: str, data: Union[str, bytes]) -> None:
            path = directory / name
            path.write_bytes(data.encode() if isinstance(data, str) else data)
            self.files[name] = path

        put("ca.pem", self.root.pem)
        put("intermediate.pem", self.intermediate.pem)
        for name in ("server", "allowed", "revoked", "wrong_spiffe", "expired"):
            issued: Issued = getattr(self, name)
            put(f"{name}.pem", issued.pem + self.intermediate.pem)
            put(f"{name}.leaf.pem", issued.pem)
            put(f"{name}.key", issued.key_pem)
        put("untrusted.pem", self.untrusted.pem + self.untrusted_intermediate.pem)
        put("untrusted.leaf.pem", self.untrusted.pem)
        put("untrusted.intermediate.pem", self.untrusted_intermediate.pem)
        put("untrusted.key", self.untrusted.key_pem)
        for name in PAYMENTS_SERVERS:
            issued = getattr(self, name)
            issuer = (
                self.untrusted_intermediate if name == "payments_untrusted" else self.intermediate
            )
            put(f"{name}.pem", issued.pem + issuer.pem)
            put(f"{name}.key", issued.key_pem)


def demo_pki() -> DemoPki:
    root = ca("Certgate Python Test Root", 1)
    intermediate = ca("Certgate Python Test Issuing CA", 2, issuer=root)
    other_root = ca("Untrusted Root", 1, org="Elsewhere")
    other_intermediate = ca("Untrusted Issuing CA", 2, issuer=other_root, org="Elsewhere")
    revoked = leaf("web-revoked", 0x21, intermediate, uris=[SPIFFE_ALLOWED])

    def payments(
        cn: str, serial: int, spiffe_id: str, issuer: Issued = intermediate, **validity: dt.datetime
    ) -> Issued:
        """A server of the other direction: a SPIFFE ID, and localhost / 127.0.0.1."""
        return leaf(
            cn, serial, issuer, uris=[spiffe_id], dns=["localhost"], ips=["127.0.0.1"],
            server=True, **validity,
        )

    payments_revoked = payments("payments-revoked", 0x42, SPIFFE_PAYMENTS)
    return DemoPki(
        root=root,
        intermediate=intermediate,
        server=leaf(
            "localhost", 0x10, intermediate, dns=["localhost"], ips=["127.0.0.1"], server=True
        ),
        allowed=leaf("web", 0x20, intermediate, uris=[SPIFFE_ALLOWED]),
        revoked=revoked,
        wrong_spiffe=leaf("web-dev", 0x22, intermediate, uris=[SPIFFE_OTHER]),
        expired=leaf(
            "web-expired",
            0x23,
            intermediate,
            uris=[SPIFFE_ALLOWED],
            not_before=now() - dt.timedelta(days=2),
            not_after=now() - dt.timedelta(hours=1),
        ),
        untrusted=leaf("intruder", 0x30, other_intermediate, uris=[SPIFFE_ALLOWED]),
        untrusted_intermediate=other_intermediate,
        payments=payments("payments", 0x40, SPIFFE_PAYMENTS),
        payments_wrong_spiffe=payments("payments-dev", 0x41, SPIFFE_PAYMENTS_OTHER),
        payments_revoked=payments_revoked,
        payments_untrusted=payments("payments", 0x43, SPIFFE_PAYMENTS, other_intermediate),
        payments_expired=payments(
            "payments-expired",
            0x44,
            SPIFFE_PAYMENTS,
            not_before=now() - dt.timedelta(days=2),
            not_after=now() - dt.timedelta(hours=1),
        ),
        payments_mesh=leaf("payments-mesh", 0x45, intermediate, uris=[SPIFFE_PAYMENTS], server=True),
        root_crl=crl(root, []),
        intermediate_crl=crl(
            intermediate, [revoked.cert.serial_number, payments_revoked.cert.serial_number]
        ),
    )
