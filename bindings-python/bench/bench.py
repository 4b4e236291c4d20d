"""certgate (Python) against pyca/cryptography on the same P-256 chain, in one run.

usage: python bench.py FIXTURES_DIR    (FIXTURES_DIR from `certgate-vectors bench DIR`)

Both sides do what an mTLS server does per connection, starting from the DER bytes the
peer sent (leaf + intermediate):
  certgate  verifier.verify([leaf_der, intermediate_der]), then read identity.san.uri
  pyca      load both certificates, PolicyBuilder().store(Store([root])).time(t)
            .build_client_verifier().verify(leaf, [intermediate]) (verifier built once),
            read the SANs (result.subjects) and check the SPIFFE trust domain as the
            certgate policy does (allow spiffe_trust_domain bench.example)
With the 100,000-entry CRL (pyca's verifier has no revocation, so as a user would):
  certgate  the same verify, with policy-crl.json (root CRL + the 100k CRL, depth chain)
  pyca      the same, plus for the leaf and the intermediate: CRL loaded once with
            load_der_x509_crl, then per connection is_signature_valid(issuer key),
            get_revoked_certificate_by_serial_number(serial) and the nextUpdate check
Each figure is the best of a few rounds; threads share one verifier (certgate releases
the GIL during verification). Figures are printed, never asserted.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable, List

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.verification import PolicyBuilder, Store

import certgate

ROUND_SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", "1.0"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TRUST_DOMAIN_PREFIX = "spiffe://bench.example/"


def ops_per_second(op: Callable[[], object], threads: int = 1) -> float:
    """Best of ROUNDS rounds of ~ROUND_SECONDS; `threads` threads call `op` concurrently."""
    op()  # warm up (and fail early)
    best = 0.0
    for _ in range(ROUNDS):
        deadline = [0.0]
        counts: List[int] = [0] * threads
        barrier = threading.Barrier(threads + 1)

        def run(slot: int) -> None:
            barrier.wait()
            done = 0
            while True:
                op()
                done += 1
                if time.perf_counter() >= deadline[0]:
                    break
            counts[slot] = done

        workers = [threading.Thread(target=run, args=(slot,)) for slot in range(threads)]
        for worker in workers:
            worker.start()
        started = time.perf_counter()
        deadline[0] = started + ROUND_SECONDS
        barrier.wait()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        best = max(best, sum(counts) / elapsed)
    return best


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_growth(op: Callable[[], object]) -> "tuple[float, int]":
    """Seconds `op` takes, and how far the process's peak RSS rose above its RSS before
    (Linux: the peak is reset through /proc/self/clear_refs first), in bytes."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = _status_kib("VmRSS")
    started = time.perf_counter()
    result = op()
    elapsed = time.perf_counter() - started
    peak = _status_kib("VmHWM")
    del result
    return elapsed, (peak - before) * 1024


def main(fixtures: Path) -> None:
    read = lambda name: (fixtures / name).read_bytes()  # noqa: E731
    leaf_der, intermediate_der, root_der = read("leaf.der"), read("intermediate.der"), read("root.der")
    big_crl_der, root_crl_der = read("crl-100k.der"), read("root-crl.der")
    chain = [leaf_der, intermediate_der]

    # First, while the process is fresh (its peak RSS is read): a policy dict carrying the
    # 100k CRL as DER bytes, against the same CRL given to update_crls.
    der_policy = {
        "trust": {"anchors": root_der},
        "revocation": {"crls": [root_crl_der, big_crl_der]},
        "allow": [{"spiffe_trust_domain": "bench.example"}],
    }
    bare_policy = {**der_policy, "revocation": {}}
    built_s, built_peak = peak_growth(lambda: certgate.Verifier(der_policy))
    bare = certgate.Verifier(bare_policy)
    updated_s, updated_peak = peak_growth(lambda: bare.update_crls([root_crl_der, big_crl_der]))
    crl_mib = len(big_crl_der) / 2**20
    print(f"100k CRL as DER bytes in a policy dict: Verifier() {built_s * 1e3:.1f} ms, peak "
          f"+{built_peak / 2**20:.1f} MiB; update_crls {updated_s * 1e3:.1f} ms, peak "
          f"+{updated_peak / 2**20:.1f} MiB; the CRL {crl_mib:.1f} MiB")
    print(f"  Verifier() / update_crls time: {built_s / updated_s:.2f}x (target <= 1.3x); "
          f"peak / CRL size: {built_peak / len(big_crl_der):.2f}x (target <= 2x)")
    # certgate
    plain = certgate.Verifier(json.loads(read("policy.json")))
    cached = certgate.Verifier({**json.loads(read("policy.json")), "cache": {"entries": 64}})
    cached_crl = certgate.Verifier({**json.loads(read("policy-crl.json")), "cache": {"entries": 64}})
    started = time.perf_counter()
    with_crl = certgate.Verifier(json.loads(read("policy-crl.json")))
    compile_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    with_crl.update_crls([root_crl_der, big_crl_der])
    update_ms = (time.perf_counter() - started) * 1000
    expected_uri = ["spiffe://bench.example/ns/prod/sa/api"]

    def certgate_plain() -> None:
        assert plain.verify(chain).san.uri == expected_uri

    def certgate_crl() -> None:
        assert with_crl.verify(chain).san.uri == expected_uri

    def certgate_hit() -> None:
        cached.verify(chain)

    def certgate_crl_hit() -> None:
        cached_crl.verify(chain)

    # pyca/cryptography
    root = x509.load_der_x509_certificate(root_der)
    now = dt.datetime.now(dt.timezone.utc)
    pyca_verifier = PolicyBuilder().store(Store([root])).time(now).build_client_verifier()
    big_crl = x509.load_der_x509_crl(big_crl_der)
    root_crl = x509.load_der_x509_crl(root_crl_der)
    root_key = root.public_key()

    def pyca_chain() -> tuple:
        leaf = x509.load_der_x509_certificate(leaf_der)
        intermediate = x509.load_der_x509_certificate(intermediate_der)
        verified = pyca_verifier.verify(leaf, [intermediate])
        uris = [
            name.value
            for name in (verified.subjects or [])
            if isinstance(name, x509.UniformResourceIdentifier)
        ]
        assert uris == expected_uri and uris[0].startswith(TRUST_DOMAIN_PREFIX)
        return leaf, intermediate

    def crl_allows(crl: x509.CertificateRevocationList, issuer_key: object, serial: int) -> bool:
        return (
            crl.is_signature_valid(issuer_key)  # type: ignore[arg-type]
            and crl.next_update_utc is not None
            and crl.next_update_utc > dt.datetime.now(dt.timezone.utc)
            and crl.get_revoked_certificate_by_serial_number(serial) is None
        )

    def pyca_plain() -> None:
        pyca_chain()

    def pyca_crl() -> None:
        leaf, intermediate = pyca_chain()
        assert crl_allows(big_crl, intermediate.public_key(), leaf.serial_number)
        assert crl_allows(root_crl, root_key, intermediate.serial_number)

    # The floor: the chain's two ECDSA P-256 signatures alone, checked by OpenSSL.
    leaf = x509.load_der_x509_certificate(leaf_der)
    intermediate = x509.load_der_x509_certificate(intermediate_der)

    def two_signatures() -> None:
        for cert, key in ((leaf, intermediate.public_key()), (intermediate, root_key)):
            key.verify(  # type: ignore[union-attr]
                cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256())
            )

    print(f"certgate {certgate.__version__} (Python {sys.version.split()[0]}) vs "
          f"cryptography {__import__('cryptography').__version__}; "
          f"best of {ROUNDS} x {ROUND_SECONDS:g} s; {os.cpu_count()} cores")
    print(f"100k CRL: Verifier(policy-crl.json) {compile_ms:.1f} ms, "
          f"update_crls {update_ms:.1f} ms")
    rows = []

    def measure(label: str, op: Callable[[], object], threads: int = 1) -> float:
        rate = ops_per_second(op, threads)
        rows.append((label, rate))
        print(f"  {label:<44} {rate:>11,.0f} ops/s {1e6 / rate:>12,.1f} us/op", flush=True)
        return rate

    floor = measure("two ECDSA signatures (cryptography)", two_signatures)
    cg = measure("certgate verify (signatures cached)", certgate_plain)
    hit = measure("certgate verify, decision-cache hit", certgate_hit)
    hit_crl = measure("certgate verify, cache hit, 100k CRL", certgate_crl_hit)
    py = measure("pyca verify + SANs", pyca_plain)
    cg_crl = measure("certgate verify, 100k CRL", certgate_crl)
    py_crl = measure("pyca verify + SANs + 100k CRL check", pyca_crl)
    cg2 = measure("certgate verify, 2 threads", certgate_plain, threads=2)
    cg_crl2 = measure("certgate verify, 100k CRL, 2 threads", certgate_crl, threads=2)
    py2 = measure("pyca verify + SANs, 2 threads", pyca_plain, threads=2)

    print("ratios (same run):")
    print(f"  certgate / pyca, no CRL:            {cg / py:6.2f}x  (target >= 1.3x)")
    print(f"  certgate / pyca, 100k CRL:          {cg_crl / py_crl:6.0f}x  (target >= 100x)")
    print(f"  certgate 2 threads / 1 thread:      {cg2 / cg:6.2f}x  (target ~2x)")
    print(f"  certgate 2 threads / 1, 100k CRL:   {cg_crl2 / cg_crl:6.2f}x")
    print(f"  pyca 2 threads / 1 thread:          {py2 / py:6.2f}x")
    print(f"  decision-cache hit:                 {1e6 / hit:6.2f} us  (target <= 5 us)")
    print(f"  cache hit, 100k CRL / without:      {hit / hit_crl:6.3f}x  (target <= 1.1x)")
    print(f"  certgate us/op / two-signature us/op: {floor / cg:5.2f}x  "
          "(the floor: OpenSSL checking the chain's two signatures)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
