"""Running certgate in production (issue 15): reloads (a whole policy, from its files, and
files swapped the way Kubernetes and editors do it, seen by ``PolicyWatcher``),
generations on every outcome, audit mode through the ASGI / WSGI / gRPC middlewares on
real servers, expiry warnings, ``stats()`` and ``prometheus_text`` (parsed back), and
``CrlRefresher`` against a local HTTP server that serves a CRL, a newer one, garbage, a
500 and a hang. Every server listens on 127.0.0.1 and is stopped by its test; every loop
is bounded."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.server
import json
import logging
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import grpc
import pytest
from fastapi import FastAPI, Request

import certgate
import certgate.asgi
import certgate.grpc
import certgate.wsgi
import pki
from http_servers import serve_asgi, serve_wsgi
from certgate._crls import next_fetch_seconds

OTHER = "spiffe://demo.example/ns/prod/sa/other"


def eventually(predicate: Callable[[], object], seconds: float = 10.0) -> None:
    """Returns once ``predicate()`` holds, polling; fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.02)


def fingerprint(issued: pki.Issued) -> str:
    return hashlib.sha256(issued.der).hexdigest()


# ---- reload and generations ----


def test_reload_swaps_the_policy_and_every_outcome_says_which_generation(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(demo.policy())
    chain = [demo.allowed.der]
    assert (verifier.generation, verifier.mode, verifier.watched_paths) == (0, "enforce", [])
    first = verifier.check(chain)
    assert first.ok and first.generation == 0
    assert first.identity is not None and first.identity.generation == 0

    verifier.reload(demo.policy(allow=[{"spiffe_id": OTHER}]))
    assert verifier.generation == 1
    refused = verifier.check(chain)
    assert (refused.code, refused.generation) == ("NOT_AUTHORIZED", 1)
    assert refused.to_dict()["generation"] == 1
    with pytest.raises(certgate.NotAuthorizedError) as caught:
        verifier.verify(chain)
    assert caught.value.generation == 1
    assert "generation=1" in repr(caught.value)

    # A bad policy is refused by name; the one in force stays.
    with pytest.raises(certgate.PolicyError) as bad:
        verifier.reload({"trust": {"anchors": "not a certificate"}})
    assert bad.value.message.startswith("trust.anchors")
    assert bad.value.generation is None
    with pytest.raises(certgate.PolicyError):
        verifier.reload("{ not json")
    with pytest.raises(TypeError):
        verifier.reload(42)  # type: ignore[arg-type]
    assert verifier.generation == 1
    assert verifier.check(chain).code == "NOT_AUTHORIZED"

    # JSON text works as the constructor's does; a CRL update is a generation too.
    verifier.reload(json.dumps(demo.policy()))
    assert verifier.check(chain).generation == 2 and verifier.check(chain).ok
    verifier.update_crls([pki.crl_pem(demo.intermediate_crl), pki.crl_pem(demo.root_crl)])
    assert verifier.generation == 3
    stats = verifier.stats()
    assert (stats["reloads"], stats["generation"]) == (2, 3)

    with pytest.raises(certgate.PolicyError, match="not made from a policy file"):
        verifier.reload_from_file()


def test_eight_threads_verify_while_another_reloads_1000_times(demo: pki.DemoPki) -> None:
    # A (even generations) admits `allowed` and refuses `revoked` as REVOKED; B (odd) has no
    # revocation and admits only `revoked`'s certificate, by its fingerprint. A decision
    # that mixed the two would admit both or refuse both with another code.
    policy_a = demo.policy()
    policy_b = demo.policy(allow=[{"fingerprint_sha256": fingerprint(demo.revoked)}])
    del policy_b["revocation"]
    texts = [json.dumps(policy_b), json.dumps(policy_a)]
    verifier = certgate.Verifier(policy_a)
    chains = {"allowed": [demo.allowed.der], "revoked": [demo.revoked.der]}
    expected = {
        # (chain, generation is even) -> (ok, code)
        ("allowed", True): (True, None),
        ("revoked", True): (False, "REVOKED"),
        ("allowed", False): (False, "NOT_AUTHORIZED"),
        ("revoked", False): (True, None),
    }
    reloads_done = threading.Event()
    start = threading.Barrier(9)
    decisions: List[List[Tuple[str, bool, Optional[str], Optional[int]]]] = [[] for _ in range(8)]
    failures: List[BaseException] = []

    def verify(slot: int) -> None:
        try:
            start.wait(timeout=60)
            for done in range(200_000):  # bounded; ends when the reloads are over
                if reloads_done.is_set() and done >= 100:
                    break
                name = "allowed" if done % 2 == 0 else "revoked"
                outcome = verifier.check(chains[name])
                decisions[slot].append((name, outcome.ok, outcome.code, outcome.generation))
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)

    def reload() -> None:
        try:
            start.wait(timeout=60)
            for round_ in range(1000):
                verifier.reload(texts[round_ % 2])
        except BaseException as error:  # noqa: BLE001
            failures.append(error)
        finally:
            reloads_done.set()

    threads = [threading.Thread(target=verify, args=(slot,)) for slot in range(8)]
    threads.append(threading.Thread(target=reload))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert verifier.generation == 1000

    generations = set()
    total = 0
    for slot in decisions:
        assert len(slot) >= 100
        for name, ok, code, generation in slot:
            assert generation is not None
            generations.add(generation)
            assert (ok, code) == expected[(name, generation % 2 == 0)], (name, generation)
            total += 1
    assert len(generations) > 2, "the decisions spread over several generations"
    stats = verifier.stats()
    assert sum(stats["verifications"].values()) == total, "every decision counted once"
    assert (stats["reloads"], stats["generation"]) == (1000, 1000)


# ---- reload from the files, and PolicyWatcher ----


def write_policy(demo: pki.DemoPki, folder: Path, spiffe_id: str) -> None:
    """The demo trust by file, allowing ``spiffe_id``, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca.pem").write_text(demo.root.pem)
    (folder / "intermediate.pem").write_text(demo.intermediate.pem)
    policy = {
        "trust": {"anchors": {"file": "ca.pem"}, "intermediates": {"file": "intermediate.pem"}},
        "allow": [{"spiffe_id": spiffe_id}],
    }
    (folder / "policy.json").write_text(json.dumps(policy))


def test_reload_from_file_rereads_every_file_all_or_nothing(demo: pki.DemoPki, tmp_path: Path) -> None:
    write_policy(demo, tmp_path, pki.SPIFFE_ALLOWED)
    verifier = certgate.Verifier.from_file(tmp_path / "policy.json")
    assert verifier.watched_paths == [tmp_path / name for name in ("policy.json", "ca.pem", "intermediate.pem")]
    assert verifier.check(demo.allowed.der).ok

    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nhalf writ")
    with pytest.raises(certgate.PolicyError, match="trust.anchors") as caught:
        verifier.reload_from_file()
    assert caught.value.generation is None
    assert (verifier.generation, verifier.check(demo.allowed.der).ok) == (0, True)

    write_policy(demo, tmp_path, OTHER)
    verifier.reload_from_file()
    assert verifier.generation == 1
    assert verifier.check(demo.allowed.der).code == "NOT_AUTHORIZED"


class Recorder:
    """The hooks of a PolicyWatcher, recording what they heard."""

    def __init__(self) -> None:
        self.reloads: List[int] = []
        self.errors: List[Exception] = []

    def watch(self, verifier: certgate.Verifier) -> certgate.PolicyWatcher:
        return certgate.PolicyWatcher(
            verifier,
            interval=0.05,
            debounce=0.05,
            on_reload=self.reloads.append,
            on_error=self.errors.append,
        )


def watcher_threads() -> List[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "certgate-policy-watcher"]


def test_watcher_survives_the_kubernetes_data_symlink_swap(demo: pki.DemoPki, tmp_path: Path) -> None:
    # A mounted Secret / ConfigMap: the files are symlinks into ..data, itself a symlink to
    # a timestamped folder.
    mount = tmp_path / "k8s"
    write_policy(demo, mount / "..2026_11_28_10_00_00.000000001", pki.SPIFFE_ALLOWED)
    os.symlink("..2026_11_28_10_00_00.000000001", mount / "..data")
    for name in ("policy.json", "ca.pem", "intermediate.pem"):
        os.symlink(os.path.join("..data", name), mount / name)
    verifier = certgate.Verifier.from_file(mount / "policy.json")
    recorder = Recorder()
    with recorder.watch(verifier) as watcher:
        assert watcher.paths == [mount / "policy.json", mount / "ca.pem", mount / "intermediate.pem"]
        assert verifier.check(demo.allowed.der).ok
        # kubelet: a new timestamped folder, ..data_tmp pointing at it, renamed over ..data,
        # the old folder removed. policy.json itself is never written.
        write_policy(demo, mount / "..2026_11_28_10_05_00.000000002", OTHER)
        os.symlink("..2026_11_28_10_05_00.000000002", mount / "..data_tmp")
        os.rename(mount / "..data_tmp", mount / "..data")
        for entry in (mount / "..2026_11_28_10_00_00.000000001").iterdir():
            entry.unlink()
        (mount / "..2026_11_28_10_00_00.000000001").rmdir()
        eventually(lambda: recorder.reloads)
        assert recorder.errors == []
        assert recorder.reloads == [1] and verifier.generation == 1
        assert verifier.check(demo.allowed.der).code == "NOT_AUTHORIZED"

        # And once more: the watcher follows the new targets.
        write_policy(demo, mount / "..2026_11_28_10_10_00.000000003", pki.SPIFFE_ALLOWED)
        os.symlink("..2026_11_28_10_10_00.000000003", mount / "..data_tmp")
        os.rename(mount / "..data_tmp", mount / "..data")
        eventually(lambda: len(recorder.reloads) == 2)
        assert verifier.check(demo.allowed.der).ok
    assert watcher_threads() == []


def test_watcher_follows_an_editors_write_then_rename_and_survives_a_broken_write(
    demo: pki.DemoPki, tmp_path: Path
) -> None:
    write_policy(demo, tmp_path, pki.SPIFFE_ALLOWED)
    verifier = certgate.Verifier.from_file(tmp_path / "policy.json")
    recorder = Recorder()

    def save(name: str, text: str) -> None:
        """As editors save: a temporary file renamed over the original."""
        (tmp_path / f".{name}.swp").write_text(text)
        os.replace(tmp_path / f".{name}.swp", tmp_path / name)

    watcher = recorder.watch(verifier)
    try:
        # A broken save: the policy in force stays, on_error hears why.
        save("policy.json", '{ "trust": { "anchors": { "file": "ca.pem" } }, "allow": [ {"spiffe_id": ')
        eventually(lambda: recorder.errors)
        assert isinstance(recorder.errors[0], certgate.PolicyError)
        assert recorder.errors[0].code == "INVALID_POLICY"
        assert verifier.generation == 0 and recorder.reloads == []
        assert verifier.check(demo.allowed.der).ok, "the policy in force stayed"

        # The fixed save reloads.
        save(
            "policy.json",
            json.dumps(
                {
                    "trust": {"anchors": {"file": "ca.pem"}, "intermediates": {"file": "intermediate.pem"}},
                    "allow": [{"spiffe_id": OTHER}],
                }
            ),
        )
        eventually(lambda: recorder.reloads)
        assert verifier.check(demo.allowed.der).code == "NOT_AUTHORIZED"
        assert recorder.reloads == [verifier.generation] == [1]

        # A referenced file written in place, half done: kept, reported; then completed.
        (tmp_path / "intermediate.pem").write_text(demo.intermediate.pem[:100])
        eventually(lambda: len(recorder.errors) == 2)
        assert "trust.intermediates" in str(recorder.errors[1])
        assert verifier.generation == 1
        (tmp_path / "intermediate.pem").write_text(demo.intermediate.pem)
        eventually(lambda: len(recorder.reloads) == 2)
        assert verifier.generation == 2
    finally:
        watcher.close()
    assert watcher_threads() == []
    # Closed: no more reloads.
    write_policy(demo, tmp_path, pki.SPIFFE_ALLOWED)
    time.sleep(0.3)
    assert verifier.generation == 2


def test_watcher_arguments(demo: pki.DemoPki, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="from_file"):
        certgate.PolicyWatcher(certgate.Verifier(demo.policy()))
    write_policy(demo, tmp_path, pki.SPIFFE_ALLOWED)
    verifier = certgate.Verifier.from_file(tmp_path / "policy.json")
    with pytest.raises(ValueError):
        certgate.PolicyWatcher(verifier, interval=0)
    with pytest.raises(ValueError):
        certgate.PolicyWatcher(verifier, debounce=-1)


# ---- audit mode ----


def test_audit_mode_admits_with_the_refusal_it_did_not_enforce(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(demo.policy(mode="audit"))
    assert verifier.mode == "audit"
    revoked = verifier.check(demo.revoked.der)
    assert revoked.ok and revoked.identity is not None
    audit = revoked.identity.audit
    assert audit is not None
    assert (audit.code, audit.cert_index) == ("REVOKED", 0)
    assert "revoked" in audit.message
    assert audit.to_dict() == {"code": "REVOKED", "message": audit.message, "cert_index": 0}
    assert revoked.identity.to_dict()["audit"] == audit.to_dict()
    assert repr(audit).startswith("Audit(code='REVOKED', message=")
    assert verifier.verify(demo.wrong_spiffe.der).audit.code == "NOT_AUTHORIZED"  # type: ignore[union-attr]

    admitted = verifier.check(demo.allowed.der)
    assert admitted.identity is not None and admitted.identity.audit is None
    assert "audit" not in admitted.identity.to_dict()

    # Input that does not decode is still refused.
    garbage = verifier.check(b"not a certificate")
    assert (garbage.ok, garbage.code) == (False, "MALFORMED_CERTIFICATE")

    stats = verifier.stats()
    assert stats["audit_admitted"] == 2
    assert (stats["verifications"]["REVOKED"], stats["verifications"]["NOT_AUTHORIZED"]) == (1, 1)
    assert stats["verifications"]["OK"] == 1


def nginx_header(issued: pki.Issued) -> str:
    return urllib.parse.quote(issued.pem, safe="")


def get(port: int, issued: pki.Issued) -> Tuple[int, Any]:
    """A GET with ``issued``'s certificate in the header a trusted proxy sets."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/orders", headers={"X-Client-Cert": nginx_header(issued)}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@contextlib.contextmanager
def uvicorn_app(verifier: certgate.Verifier, **options: Any) -> Iterator[int]:
    app = FastAPI()
    app.add_middleware(certgate.asgi.CertgateMiddleware, verifier=verifier, **options)

    @app.get("/orders")
    def orders(request: Request) -> dict:
        peer = request.state.peer
        return {"spiffe": peer.spiffe_id, "audit": peer.audit.code if peer.audit else None}

    with serve_asgi(app) as port:
        yield port


@contextlib.contextmanager
def wsgi_app(verifier: certgate.Verifier, **options: Any) -> Iterator[int]:
    from flask import Flask, jsonify, request

    app = Flask("certgate-operations")

    @app.get("/orders")
    def orders() -> Any:
        peer = request.environ["certgate.peer"]
        return jsonify({"spiffe": peer.spiffe_id, "audit": peer.audit.code if peer.audit else None})

    app.wsgi_app = certgate.wsgi.CertgateMiddleware(app.wsgi_app, verifier, **options)  # type: ignore[method-assign]
    with serve_wsgi(app) as port:
        yield port


SERVERS = {"asgi (FastAPI on uvicorn)": uvicorn_app, "wsgi (Flask on wsgiref)": wsgi_app}


def audit_policy(demo: pki.DemoPki) -> dict:
    return demo.policy(mode="audit", forwarded={"format": "nginx", "trusted_proxies": ["127.0.0.1"]})


@pytest.mark.parametrize("serve", SERVERS.values(), ids=SERVERS.keys())
def test_middlewares_admit_audited_requests_and_call_on_audit(demo: pki.DemoPki, serve: Any) -> None:
    verifier = certgate.Verifier(audit_policy(demo))
    heard: List[Tuple[str, str, str]] = []

    def on_audit(audit: certgate.Audit, identity: certgate.Identity, request: Any) -> None:
        path = request.get("path") or request.get("PATH_INFO")  # ASGI scope / WSGI environ
        heard.append((audit.code, identity.subject, path))

    with serve(verifier, on_audit=on_audit) as port:
        assert get(port, demo.revoked) == (200, {"spiffe": pki.SPIFFE_ALLOWED, "audit": "REVOKED"})
        assert get(port, demo.allowed) == (200, {"spiffe": pki.SPIFFE_ALLOWED, "audit": None})
    assert heard == [("REVOKED", "CN=web-revoked,O=Certgate Python Test", "/orders")]
    assert verifier.stats()["audit_admitted"] == 1


@pytest.mark.parametrize("serve", SERVERS.values(), ids=SERVERS.keys())
def test_middlewares_log_audits_by_default(
    demo: pki.DemoPki, serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="certgate")
    with serve(certgate.Verifier(audit_policy(demo))) as port:
        assert get(port, demo.wrong_spiffe)[0] == 200
    lines = [record.getMessage() for record in caplog.records if record.name == "certgate"]
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "certgate audit: would refuse CN=web-dev,O=Certgate Python Test with NOT_AUTHORIZED: "
    )
    assert lines[0].endswith("(GET /orders)")


@pytest.mark.parametrize("serve", SERVERS.values(), ids=SERVERS.keys())
def test_a_failing_audit_hook_is_logged_not_raised(
    demo: pki.DemoPki, serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def on_audit(*_args: Any) -> None:
        raise RuntimeError("the hook broke")

    caplog.set_level(logging.ERROR, logger="certgate")
    with serve(certgate.Verifier(audit_policy(demo)), on_audit=on_audit) as port:
        assert get(port, demo.revoked)[0] == 200
    assert any("the hook broke" in (record.exc_text or "") or record.exc_info for record in caplog.records)


def test_middlewares_check_on_audit(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(demo.policy())
    for make in (
        lambda: certgate.asgi.CertgateMiddleware(lambda *a: None, verifier, on_audit="log"),  # type: ignore[arg-type]
        lambda: certgate.wsgi.CertgateMiddleware(lambda *a: [], verifier, on_audit=1),  # type: ignore[arg-type]
        lambda: certgate.grpc.CertgateInterceptor(verifier, on_audit=True),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError, match="on_audit"):
            make()


def test_grpc_interceptor_admits_audited_calls_and_calls_on_audit(demo: pki.DemoPki) -> None:
    from concurrent.futures import ThreadPoolExecutor

    heard: List[Tuple[str, str]] = []

    def who_am_i(request: bytes, context: grpc.ServicerContext) -> bytes:
        peer = certgate.grpc.current_peer()
        assert peer is not None
        return f"{peer.spiffe_id} {peer.audit.code if peer.audit else None}".encode()

    verifier = certgate.Verifier(demo.policy(mode="audit"))
    interceptor = certgate.grpc.CertgateInterceptor(
        verifier, on_audit=lambda audit, identity, details: heard.append((audit.code, details.method))
    )
    server = grpc.server(ThreadPoolExecutor(max_workers=2), interceptors=[interceptor])
    handler = grpc.method_handlers_generic_handler(
        "certgate.test.Echo", {"WhoAmI": grpc.unary_unary_rpc_method_handler(who_am_i)}
    )
    server.add_generic_rpc_handlers((handler,))
    credentials = grpc.ssl_server_credentials(
        [(demo.server.key_pem, (demo.server.pem + demo.intermediate.pem).encode())],
        root_certificates=demo.root.pem.encode(),
        require_client_auth=True,
    )
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        answers = []
        for issued in (demo.revoked, demo.allowed):
            channel_credentials = grpc.ssl_channel_credentials(
                root_certificates=demo.root.pem.encode(),
                private_key=issued.key_pem,
                certificate_chain=(issued.pem + demo.intermediate.pem).encode(),
            )
            with grpc.secure_channel(f"localhost:{port}", channel_credentials) as channel:
                answers.append(channel.unary_unary("/certgate.test.Echo/WhoAmI")(b"", timeout=10))
    finally:
        server.stop(grace=None)
    assert answers == [f"{pki.SPIFFE_ALLOWED} REVOKED".encode(), f"{pki.SPIFFE_ALLOWED} None".encode()]
    assert heard == [("REVOKED", "/certgate.test.Echo/WhoAmI")]


# ---- expiry warnings ----


def test_expiry_warnings(demo: pki.DemoPki) -> None:
    at = int(time.time())
    leaf_left = int(demo.allowed.cert.not_valid_after_utc.timestamp()) - at
    crl_next_update = demo.intermediate_crl.next_update_utc
    assert crl_next_update is not None
    crl_left = int(crl_next_update.timestamp()) - at

    # Two days: the leaf (one day) and the CRLs (23 hours) run out within it, the CAs do not.
    verifier = certgate.Verifier(demo.policy(warn_before_expiry_seconds=2 * 86400))
    identity = verifier.verify([demo.allowed.der], at=at)
    by_code: Dict[str, List[certgate.ExpiryWarning]] = {}
    for warning in identity.warnings:
        by_code.setdefault(warning.code, []).append(warning)
    assert set(by_code) == {"LEAF_EXPIRES_SOON", "CRL_STALE_SOON"}
    [leaf] = by_code["LEAF_EXPIRES_SOON"]
    assert (leaf.cert_index, leaf.seconds_left) == (0, leaf_left)
    assert leaf.to_dict() == {"code": "LEAF_EXPIRES_SOON", "cert_index": 0, "seconds_left": leaf_left}
    assert repr(leaf) == f"ExpiryWarning(code='LEAF_EXPIRES_SOON', cert_index=0, seconds_left={leaf_left})"
    assert all(warning.seconds_left == crl_left for warning in by_code["CRL_STALE_SOON"])
    assert identity.to_dict()["warnings"] == [warning.to_dict() for warning in identity.warnings]
    assert set(certgate.EXPIRY_WARNING_CODES) == {"LEAF_EXPIRES_SOON", "CHAIN_EXPIRES_SOON", "CRL_STALE_SOON"}

    # Eleven years: the intermediate and the root (ten years) too.
    decade = certgate.Verifier(demo.policy(warn_before_expiry_seconds=11 * 365 * 86400))
    chain_warnings = [w for w in decade.verify([demo.allowed.der], at=at).warnings if w.code == "CHAIN_EXPIRES_SOON"]
    assert sorted(w.cert_index for w in chain_warnings) == [1, 2]

    # None without the setting; none on a refusal; counted.
    assert certgate.Verifier(demo.policy()).verify([demo.allowed.der]).warnings == []
    assert verifier.check(demo.revoked.der).identity is None
    stats = verifier.stats()
    assert stats["warnings"]["LEAF_EXPIRES_SOON"] == 1
    assert stats["warnings"]["CRL_STALE_SOON"] == len(by_code["CRL_STALE_SOON"])
    assert stats["warnings"]["CHAIN_EXPIRES_SOON"] == 0


# ---- stats() and prometheus_text ----

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(
    rf'^({_NAME})(?:\{{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\}})? (-?[0-9]+(?:\.[0-9]+)?)$'
)
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text: str) -> Dict[str, Dict[str, Any]]:
    """The families of Prometheus text format 0.0.4: ``{name: {"type", "help", "samples":
    [(labels, value)]}}``; fails on any line that is not HELP, TYPE or a sample of the
    family just announced."""
    assert text.endswith("\n")
    families: Dict[str, Dict[str, Any]] = {}
    current: Optional[Dict[str, Any]] = None
    for line in text[:-1].split("\n"):
        help_line = re.match(rf"^# HELP ({_NAME}) (.+)$", line)
        type_line = re.match(rf"^# TYPE ({_NAME}) (counter|gauge)$", line)
        if help_line:
            assert help_line.group(1) not in families, f"{help_line.group(1)} twice"
            current = {"name": help_line.group(1), "help": help_line.group(2), "samples": []}
            families[current["name"]] = current
        elif type_line:
            assert current is not None and type_line.group(1) == current["name"]
            current["type"] = type_line.group(2)
        else:
            sample = _SAMPLE.match(line)
            assert sample, f"not a sample line: {line!r}"
            assert current is not None and sample.group(1) == current["name"], "samples follow their family"
            labels = {
                key: re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)
                for key, value in _LABEL.findall(sample.group(2) or "")
            }
            current["samples"].append((labels, float(sample.group(3))))
    return families


def test_stats_and_prometheus_text(demo: pki.DemoPki) -> None:
    policy = demo.policy(warn_before_expiry_seconds=2 * 86400)
    verifier = certgate.Verifier(policy)
    verifier.check(demo.allowed.der)
    verifier.check(demo.revoked.der)
    verifier.check(demo.wrong_spiffe.der)
    verifier.check(b"garbage")
    verifier.reload(policy)
    verifier.record_crl_fetch_failure()

    stats = verifier.stats()
    assert set(stats) == {
        "verifications", "audit_admitted", "warnings", "reloads", "generation", "crl_fetch_failures", "crls",
        "cache",
    }
    assert stats["cache"] is None, "no cache section without \"cache\" in the policy"
    assert set(stats["verifications"]) == {"OK", *certgate.CODES}
    assert set(stats["warnings"]) == set(certgate.EXPIRY_WARNING_CODES)
    assert {code: n for code, n in stats["verifications"].items() if n} == {
        "OK": 1, "REVOKED": 1, "NOT_AUTHORIZED": 1, "MALFORMED_CERTIFICATE": 1,
    }
    assert stats["warnings"]["LEAF_EXPIRES_SOON"] == 1
    assert (stats["reloads"], stats["generation"], stats["crl_fetch_failures"], stats["audit_admitted"]) == (1, 1, 1, 0)
    intermediate_crl, root_crl = stats["crls"]
    assert intermediate_crl == {
        "source": "revocation.crls[0]",
        "issuer": "CN=Certgate Python Test Issuing CA,O=Certgate Python Test",
        "number": "1",
        "delta": False,
        "entries": 2,
        "this_update": int(demo.intermediate_crl.last_update_utc.timestamp()),
        "next_update": int(demo.intermediate_crl.next_update_utc.timestamp()),  # type: ignore[union-attr]
    }
    assert (root_crl["source"], root_crl["entries"]) == ("revocation.crls[1]", 0)

    text = certgate.prometheus_text(stats)
    assert certgate.prometheus_text(verifier) == text, "a verifier is read the same"
    families = parse_prometheus(text)
    assert {name: family["type"] for name, family in families.items()} == {
        "certgate_verifications_total": "counter",
        "certgate_audit_admitted_total": "counter",
        "certgate_expiry_warnings_total": "counter",
        "certgate_reloads_total": "counter",
        "certgate_crl_fetch_failures_total": "counter",
        "certgate_policy_generation": "gauge",
        "certgate_crl_entries": "gauge",
        "certgate_crl_next_update_timestamp_seconds": "gauge",
    }

    def value(name: str, **labels: str) -> float:
        matching = [v for got, v in families[name]["samples"] if all(got.get(k) == x for k, x in labels.items())]
        assert len(matching) == 1, (name, labels, families[name]["samples"])
        return matching[0]

    assert value("certgate_verifications_total", code="OK") == 1
    assert value("certgate_verifications_total", code="REVOKED") == 1
    assert value("certgate_verifications_total", code="MALFORMED_CERTIFICATE") == 1
    assert value("certgate_verifications_total", code="EXPIRED") == 0
    assert len(families["certgate_verifications_total"]["samples"]) == len(certgate.CODES) + 1
    assert value("certgate_expiry_warnings_total", code="LEAF_EXPIRES_SOON") == 1
    assert value("certgate_audit_admitted_total") == 0
    assert value("certgate_reloads_total") == 1
    assert value("certgate_crl_fetch_failures_total") == 1
    assert value("certgate_policy_generation") == 1
    assert value("certgate_crl_entries", source="revocation.crls[0]") == 2
    assert value(
        "certgate_crl_next_update_timestamp_seconds",
        issuer="CN=Certgate Python Test Root,O=Certgate Python Test",
        source="revocation.crls[1]",
    ) == root_crl["next_update"]
    assert certgate.PROMETHEUS_CONTENT_TYPE.startswith("text/plain; version=0.0.4")

    # Label values are escaped (and parsed back): quotes, backslashes, newlines.
    odd = dict(stats, crls=[dict(root_crl, issuer='CN=a "b"\\c\nd', next_update=None)])
    odd_families = parse_prometheus(certgate.prometheus_text(odd))  # type: ignore[arg-type]
    assert odd_families["certgate_crl_entries"]["samples"][0][0]["issuer"] == 'CN=a "b"\\c\nd'
    assert odd_families["certgate_crl_next_update_timestamp_seconds"]["samples"] == []
    with pytest.raises(TypeError):
        certgate.prometheus_text({"not": "stats"})  # type: ignore[arg-type]


def test_decision_cache_answers_repeat_chains_and_shows_in_stats(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(demo.policy(cache={"entries": 2}))
    first = verifier.verify(demo.allowed.der)
    again = verifier.verify(demo.allowed.der)
    assert again.to_dict() == first.to_dict()
    for _ in range(2):
        assert verifier.check(demo.revoked.der).code == "REVOKED", "refusals are not remembered"
    for n in range(3):
        verifier.verify(f"variant {n}\n{demo.allowed.pem}")
    assert verifier.stats()["cache"] == {"entries": 2, "capacity": 2, "hits": 1, "misses": 6, "evictions": 2}
    # A CRL update is a new generation: what was remembered no longer answers.
    verifier.update_crls([pki.crl_pem(demo.intermediate_crl), pki.crl_pem(demo.root_crl)])
    verifier.verify(f"variant 2\n{demo.allowed.pem}")
    cache = verifier.stats()["cache"]
    assert cache is not None and (cache["hits"], cache["misses"]) == (1, 7)

    families = parse_prometheus(certgate.prometheus_text(verifier))
    samples = {labels["result"]: value for labels, value in families["certgate_cache_lookups_total"]["samples"]}
    assert samples == {"hit": 1, "miss": 7}
    assert families["certgate_cache_evictions_total"]["samples"] == [({}, 2)]
    assert families["certgate_cache_entries"]["type"] == "gauge"
    with pytest.raises(certgate.PolicyError, match=r"cache\.entries: 0 is out of range"):
        certgate.Verifier(demo.policy(cache={"entries": 0}))


# ---- CrlRefresher ----


class CrlServer:
    """A local HTTP server for the CRL tests: ``/root.crl`` serves the root's CRL (and
    ``/moved/root.crl`` redirects there), and
    ``/intermediate.crl`` what ``serve`` says: a CRL (PEM text), ``"garbage"``, ``"500"``
    or ``"hang"`` (no answer until the test ends, at most 30 s)."""

    def __init__(self, root_crl: str, serve: str) -> None:
        self.root_crl = root_crl
        self.serve = serve
        self.requests: List[str] = []
        self.release = threading.Event()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                owner.requests.append(self.path)
                body: bytes
                if self.path == "/moved/root.crl":
                    # CDNs and http-to-https moves answer CRL URLs with redirects.
                    self.send_response(302)
                    self.send_header("Location", "/root.crl")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/root.crl":
                    body = owner.root_crl.encode()
                elif owner.serve == "hang":
                    owner.release.wait(30)
                    return
                elif owner.serve == "500":
                    self.send_error(500, "boom")
                    return
                elif owner.serve == "garbage":
                    body = b"this is no CRL"
                else:
                    body = owner.serve.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(15)


@pytest.fixture
def crl_server(demo: pki.DemoPki) -> Iterator[CrlServer]:
    server = CrlServer(pki.crl_pem(demo.root_crl), pki.crl_pem(demo.intermediate_crl))
    try:
        yield server
    finally:
        server.close()


def fetching_policy(demo: pki.DemoPki, server: CrlServer, **fetch: Any) -> dict:
    policy = demo.policy()
    policy["revocation"]["fetch"] = {
        "urls": [server.url("/moved/root.crl"), server.url("/intermediate.crl")],
        **fetch,
    }
    return policy


def test_crl_refresher_follows_newer_crls_and_keeps_the_last_good_one(
    demo: pki.DemoPki, crl_server: CrlServer
) -> None:
    verifier = certgate.Verifier(fetching_policy(demo, crl_server, refresh_seconds=60))
    fetch = verifier.crl_fetch()
    assert fetch is not None and fetch.refresh_seconds == 60
    assert repr(fetch) == f"CrlFetch(urls={fetch.urls!r}, refresh_seconds=60)"
    assert fetch == verifier.crl_fetch()
    intermediate_url = crl_server.url("/intermediate.crl")
    errors: List[Tuple[str, Exception]] = []
    updates: List[certgate.CrlRefresh] = []
    refresher = certgate.CrlRefresher(
        verifier,
        start=False,
        timeout=0.5,
        on_error=lambda error, url: errors.append((url, error)),
        on_update=updates.append,
    )
    with refresher:
        assert refresher.urls == fetch.urls
        # Both answered: the set replaces the policy's own CRLs, one generation on.
        first = refresher.refresh()
        assert [(r.url, r.ok, r.in_force, r.generation) for r in first] == [
            (url, True, True, 1) for url in fetch.urls
        ]
        assert first[1].next_update == int(demo.intermediate_crl.next_update_utc.timestamp())  # type: ignore[union-attr]
        assert [crl["source"] for crl in verifier.stats()["crls"]] == ["crls[0]", "crls[1]"]
        assert verifier.check(demo.allowed.der).ok
        assert verifier.check(demo.revoked.der).code == "REVOKED"

        # A newer CRL that revokes the client too.
        newer = pki.crl(
            demo.intermediate,
            [demo.revoked.cert.serial_number, demo.allowed.cert.serial_number],
            number=2,
        )
        crl_server.serve = pki.crl_pem(newer)
        [result] = refresher.refresh(intermediate_url)
        assert (result.ok, result.in_force, result.generation) == (True, True, 2)
        allowed = verifier.check(demo.allowed.der)
        assert (allowed.code, allowed.generation) == ("REVOKED", 2)

        # Garbage, a 500 and a hang: each fails, the newer CRL stays in force.
        for serve in ("garbage", "500", "hang"):
            crl_server.serve = serve
            started = time.monotonic()
            [result] = refresher.refresh(intermediate_url)
            assert time.monotonic() - started < 5, f"{serve}: bounded by the timeout"
            assert not result.ok and result.error is not None, serve
            assert verifier.check(demo.allowed.der).code == "REVOKED", f"{serve}: the last good CRL stays"
            assert verifier.generation == 2

        # A CRL that is well formed but not signed by its issuer: the core leaves it out,
        # and the refresher keeps the last good copy in force.
        forged = pki.crl(pki.Issued(demo.intermediate.cert, pki.ca("Forger", 9).key), [], number=3)
        crl_server.serve = pki.crl_pem(forged)
        [result] = refresher.refresh(intermediate_url)
        assert not result.ok and isinstance(result.error, certgate.PolicyError)
        assert verifier.check(demo.allowed.der).code == "REVOKED"
        assert [crl["number"] for crl in verifier.stats()["crls"]] == ["1", "2"]

    stats = verifier.stats()
    assert stats["crl_fetch_failures"] == 4
    assert [url for url, _ in errors] == [intermediate_url] * 4
    assert "garbage" not in str(errors[0][1]) and "crls[1]" in str(errors[0][1])
    assert "500" in str(errors[1][1])
    assert "timed out" in str(errors[2][1]) or isinstance(errors[2][1], TimeoutError)
    assert [u.url for u in updates] == [*fetch.urls, intermediate_url]
    assert certgate.prometheus_text(stats).count("certgate_crl_fetch_failures_total 4") == 1


def test_crl_refresher_thread_fetches_at_start_and_after_a_reload(
    demo: pki.DemoPki, crl_server: CrlServer
) -> None:
    policy = fetching_policy(demo, crl_server)
    verifier = certgate.Verifier(policy)
    crl_server.serve = pki.crl_pem(
        pki.crl(demo.intermediate, [demo.allowed.cert.serial_number], number=5)
    )
    with certgate.CrlRefresher(verifier, timeout=2) as refresher:
        eventually(lambda: verifier.generation == 1)
        assert verifier.check(demo.allowed.der).code == "REVOKED"
        # A reload brings the policy's own CRLs; the refresher puts its copies back.
        verifier.reload(policy)
        assert verifier.check(demo.allowed.der).ok
        eventually(lambda: verifier.check(demo.allowed.der).code == "REVOKED")
        assert verifier.generation == 3 and refresher.urls == policy["revocation"]["fetch"]["urls"]
    assert [t for t in threading.enumerate() if t.name == "certgate-crls"] == []
    # Fetched once each (the root's CRL through a redirect): the next fetch is far off (a
    # tenth to a fifth before nextUpdate, at most an hour).
    assert sorted(crl_server.requests) == ["/intermediate.crl", "/moved/root.crl", "/root.crl"]


def test_crl_refresher_schedule_and_arguments(demo: pki.DemoPki) -> None:
    options = {"ceiling": 3600.0, "minimum": 10.0}
    assert next_fetch_seconds(None, 0, jitter=0, **options) == 3600
    assert next_fetch_seconds(1000, 0, jitter=0, **options) == 900
    assert next_fetch_seconds(1000, 0, jitter=0.5, **options) == 850
    assert next_fetch_seconds(100_000, 0, jitter=0, **options) == 3600
    assert next_fetch_seconds(5, 0, jitter=0, **options) == 10
    assert next_fetch_seconds(-50, 0, jitter=0, **options) == 10, "past nextUpdate: soon"

    with pytest.raises(ValueError, match="revocation.fetch"):
        certgate.CrlRefresher(certgate.Verifier(demo.policy()))
    policy = demo.policy()
    policy["revocation"]["fetch"] = {"urls": ["http://127.0.0.1:9/x.crl"]}
    verifier = certgate.Verifier(policy)
    with pytest.raises(ValueError, match="timeout"):
        certgate.CrlRefresher(verifier, timeout=0, start=False)
    with pytest.raises(TypeError, match="on_error"):
        certgate.CrlRefresher(verifier, on_error="log", start=False)  # type: ignore[arg-type]
    with certgate.CrlRefresher(verifier, start=False) as refresher:
        with pytest.raises(ValueError, match="not one of the URLs"):
            refresher.refresh("http://elsewhere.example/x.crl")


def test_crl_refresher_on_a_crl_past_next_update(demo: pki.DemoPki, crl_server: CrlServer) -> None:
    # Once the CRL in force is past its nextUpdate, expired_crl decides as for any CRL.
    start = pki.now() - dt.timedelta(days=2)
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    stale = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(demo.intermediate.cert.subject)
        .last_update(start)
        .next_update(start + dt.timedelta(days=1))
        .add_extension(x509.CRLNumber(7), critical=False)
        .sign(demo.intermediate.key, hashes.SHA256())
    )
    crl_server.serve = pki.crl_pem(stale)
    verifier = certgate.Verifier(fetching_policy(demo, crl_server))
    with certgate.CrlRefresher(verifier, start=False, timeout=2) as refresher:
        assert all(result.ok for result in refresher.refresh())
    assert verifier.check(demo.allowed.der).code == "CRL_EXPIRED"
