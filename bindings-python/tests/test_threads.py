"""One Verifier shared by 8 threads while update_crls swaps the CRL set: every decision
is consistent with one whole CRL set, never a mix of two."""

from __future__ import annotations

import threading

import certgate
import pki

THREADS = 8
MIN_PER_THREAD = 200
MAX_PER_THREAD = 20_000


def test_eight_threads_while_crls_are_swapped(demo: pki.DemoPki) -> None:
    # Two CRL sets that refuse the same chain (leaf, intermediate) for different reasons:
    #   set A: the intermediate's CRL revokes the leaf, the root's CRL is empty
    #          -> REVOKED at cert_index 0
    #   set B: the intermediate's CRL is empty, the root's CRL revokes the intermediate
    #          -> REVOKED at cert_index 1
    # A verification mixing B's intermediate CRL with A's root CRL would admit the chain,
    # so an allowed outcome would prove a torn update.
    leaf, intermediate = demo.revoked, demo.intermediate
    set_a = [
        pki.crl_pem(pki.crl(intermediate, [leaf.cert.serial_number], number=10)),
        pki.crl_pem(pki.crl(demo.root, [], number=10)),
    ]
    set_b = [
        pki.crl_pem(pki.crl(intermediate, [], number=11)),
        pki.crl_pem(pki.crl(demo.root, [intermediate.cert.serial_number], number=11)),
    ]
    policy = demo.policy()
    policy["revocation"] = {"crls": set_a}
    del policy["trust"]["intermediates"]  # so the path's intermediate is the chain's #1
    verifier = certgate.Verifier(policy)
    chain = [leaf.der, intermediate.der]

    # Each set on its own, sequentially.
    assert (verifier.check(chain).code, verifier.check(chain).cert_index) == ("REVOKED", 0)
    verifier.update_crls(set_b)
    assert (verifier.check(chain).code, verifier.check(chain).cert_index) == ("REVOKED", 1)

    seen: list = [dict() for _ in range(THREADS)]
    errors: list = []
    both_seen = threading.Event()
    workers_done = threading.Event()
    start = threading.Barrier(THREADS + 1)

    def work(slot: int) -> None:
        counts = seen[slot]
        try:
            start.wait(timeout=60)
            for done in range(MAX_PER_THREAD):
                if done >= MIN_PER_THREAD and both_seen.is_set():
                    break
                outcome = verifier.check(chain)
                key = (outcome.ok, outcome.code, outcome.cert_index)
                counts[key] = counts.get(key, 0) + 1
                if key != (False, "REVOKED", 0) and key != (False, "REVOKED", 1):
                    return
                if len({k for c in seen for k in c}) == 2:
                    both_seen.set()
        except Exception as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(THREADS)]
    for thread in threads:
        thread.start()
    swaps = 0

    def swap() -> None:
        nonlocal swaps
        start.wait(timeout=60)
        while not workers_done.is_set():
            verifier.update_crls(set_a if swaps % 2 == 0 else set_b)
            swaps += 1

    swapper = threading.Thread(target=swap)
    swapper.start()
    for thread in threads:
        thread.join(timeout=300)
        assert not thread.is_alive()
    workers_done.set()
    swapper.join(timeout=60)
    assert not swapper.is_alive()

    assert not errors, errors
    outcomes: dict = {}
    for counts in seen:
        for key, count in counts.items():
            outcomes[key] = outcomes.get(key, 0) + count
    # Only whole-set decisions, and both sets were seen while swapping.
    assert set(outcomes) == {(False, "REVOKED", 0), (False, "REVOKED", 1)}, outcomes
    assert sum(outcomes.values()) >= THREADS * MIN_PER_THREAD
    assert swaps > 1


def test_threads_share_a_verifier(demo: pki.DemoPki) -> None:
    """Different chains from many threads get the same decisions as sequentially."""
    verifier = certgate.Verifier(demo.policy())
    chains = [demo.allowed.der, demo.revoked.der, demo.wrong_spiffe.der, demo.expired.der]
    expected = [verifier.check(chain).code for chain in chains]
    assert expected == [None, "REVOKED", "NOT_AUTHORIZED", "EXPIRED"]
    results: list = [None] * THREADS

    def work(slot: int) -> None:
        results[slot] = [
            [verifier.check(chain).code for chain in chains] for _ in range(50)
        ]

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for rounds in results:
        assert rounds == [expected] * 50
