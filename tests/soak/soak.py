"""Python soak (`make soak`): 8 threads share one Verifier (the GIL is released while
core decides) over a mix of good, revoked, expired, untrusted, wrong-SPIFFE, garbage
and oversized chains, while another thread swaps the CRL set every 10 ms and reloads the
policy every 100 ms. Every decision is checked against the code expected under the CRL
set of the generation that made it; RSS is sampled, and its growth after warm-up must
stay under 5%.

    python tests/soak/soak.py DEMO_DIR [VERIFICATIONS]   (DEMO_DIR: certgate-vectors demo)
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

import certgate

THREADS = 8


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main(directory: Path, total: int) -> int:
    read = lambda name: (directory / name).read_text()  # noqa: E731
    sets = {
        "current": [read("root-crl.pem"), read("intermediate-crl.pem")],
        "revoking": [read("root-crl.pem"), read("intermediate-crl-next.pem")],
    }
    policy = json.loads(read("policy.json"))
    policy["revocation"]["crls"] = sets["current"]
    policy["cache"] = {"entries": 256}
    verifier = certgate.Verifier(policy)
    set_of: Dict[int, str] = {0: "current"}
    recorded = threading.Condition()
    stop = threading.Event()
    swaps = 0

    def swapper() -> None:
        nonlocal swaps
        following = "revoking"
        while not stop.wait(0.01):
            with recorded:  # swap and record together: a decision never misses its set
                if swaps % 10 == 9:
                    verifier.reload(policy)
                    set_of[verifier.generation] = "current"
                    following = "revoking"
                else:
                    verifier.update_crls(sets[following])
                    set_of[verifier.generation] = following
                    following = "current" if following == "revoking" else "revoking"
                # A check never lags 1,000 swaps behind: older records go (the RSS is
                # being measured).
                set_of.pop(verifier.generation - 1000, None)
                recorded.notify_all()
            swaps += 1

    def set_for(generation: Optional[int]) -> Optional[str]:
        with recorded:
            recorded.wait_for(lambda: generation is None or generation in set_of, timeout=5)
            return None if generation is None else set_of.get(generation)

    inputs = [
        ("allowed", read("allowed.pem"), lambda s: None if s == "current" else "REVOKED"),
        ("revoked", read("revoked.pem"), lambda s: "REVOKED"),
        ("expired", read("expired.pem"), lambda s: "EXPIRED"),
        ("untrusted", read("untrusted.pem"), lambda s: "UNKNOWN_ISSUER"),
        ("wrong-spiffe", read("wrong-spiffe.pem"), lambda s: "NOT_AUTHORIZED"),
        ("garbage", b"0\x82\xff\xff not a certificate", lambda s: "MALFORMED_CERTIFICATE"),
        ("oversized", b"0" * (2 * 1024 * 1024), lambda s: "INPUT_TOO_LARGE"),
    ]
    counter = itertools.count()
    wrong: List[str] = []

    def worker() -> None:
        while (n := next(counter)) < total:
            name, chain, expected = inputs[n % len(inputs)]
            outcome = verifier.check(chain)
            want = expected(set_for(outcome.generation))
            got = None if outcome.ok else outcome.code
            if got != want:
                wrong.append(f"{name} under generation {outcome.generation}: {got}, expected {want}")

    samples: List[int] = []

    def sampler() -> None:
        while not stop.wait(0.1):
            samples.append(rss_kib())

    helpers = [threading.Thread(target=swapper), threading.Thread(target=sampler)]
    for thread in helpers:
        thread.start()
    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    seconds = time.perf_counter() - started
    stop.set()
    for thread in helpers:
        thread.join()

    tenth = max(1, len(samples) // 10)
    warm_from = min(len(samples) // 5, len(samples) - tenth)
    warm = sum(samples[warm_from:warm_from + tenth]) / tenth
    end = sum(samples[-tenth:]) / tenth
    growth = (end / warm - 1) * 100
    stats = verifier.stats()
    counts = stats["verifications"]
    cache = stats["cache"] or {"hits": 0}
    print(f"soak (Python {sys.version.split()[0]}): {total} checks on {THREADS} threads in "
          f"{seconds:.1f} s ({total / seconds:.0f}/s); {swaps} CRL swaps and reloads")
    print(f"decisions: {len(wrong)} wrong; " + ", ".join(
        f"{code} {counts[code]}" for code in ("OK", "REVOKED", "EXPIRED", "UNKNOWN_ISSUER",
                                               "NOT_AUTHORIZED", "MALFORMED_CERTIFICATE",
                                               "INPUT_TOO_LARGE")) + f"; cache hits {cache['hits']}")
    print(f"RSS: {warm / 1024:.1f} MiB after warm-up, {end / 1024:.1f} MiB at the end "
          f"({growth:+.1f}%, limit +5%), max {max(samples) / 1024:.1f} MiB; {len(samples)} samples")
    for line in wrong[:10]:
        print("wrong:", line, file=sys.stderr)
    return 1 if wrong or growth >= 5 else 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) == 3 else 1_000_000))
