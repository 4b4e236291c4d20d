"""The hand-written stubs match the built module: the `Code` Literal equals core's code
list, and mypy's stubtest finds no difference between _native.pyi and the module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import certgate

STUB = Path(certgate.__file__).parent / "_native.pyi"
ALLOWLIST = Path(__file__).parent / "stubtest-allowlist.txt"


def stub_code_literal() -> tuple:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "Code":
            literal = node.value
            assert isinstance(literal, ast.Subscript)
            assert getattr(literal.value, "id", None) == "Literal"
            assert isinstance(literal.slice, ast.Tuple)
            return tuple(ast.literal_eval(element) for element in literal.slice.elts)
    raise AssertionError("no `Code: TypeAlias = Literal[...]` in _native.pyi")


def test_code_literal_matches_core() -> None:
    # CODES comes from core's Code::ALL (number order); the stub must list the same.
    assert stub_code_literal() == certgate.CODES
    assert len(certgate.CODES) == len(set(certgate.CODES)) == 19


def test_stubtest(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            "certgate",
            "--allowlist",
            str(ALLOWLIST),
            "--mypy-config-file",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # not the source tree; mypy's cache goes there too
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout


USER_CODE = '''
from __future__ import annotations

import datetime as dt
from typing import Optional

from cryptography import x509
from cryptography.hazmat.primitives import serialization

import certgate


def decide(verifier: certgate.Verifier, der: bytes) -> Optional[str]:
    outcome = verifier.check(der, at=dt.datetime.now(dt.timezone.utc))
    if outcome.ok and outcome.identity is not None:
        return outcome.identity.spiffe_id
    code: Optional[certgate.Code] = outcome.code
    return code


def admit(verifier: certgate.Verifier, chain: list[bytes]) -> int:
    try:
        identity = verifier.verify(chain, 1_780_272_000)
    except certgate.RevokedError as error:
        code: certgate.Code = error.code
        return len(code) + (error.cert_index or 0)
    names: list[str] = identity.san.dns + identity.san.ip
    when: dt.datetime = identity.not_after_datetime
    return len(names) + when.year + (identity.matched_rule or 0)


def from_cryptography(verifier: certgate.Verifier, cert: x509.Certificate) -> str:
    crl = x509.load_der_x509_crl(b"...")
    verifier.update_crls((crl, b"..."))
    return verifier.verify([cert, cert.public_bytes(serialization.Encoding.PEM)]).serial


verifier = certgate.Verifier({"trust": {"anchors": "..."}})
verifier.update_crls([b"...", "..."])
print(certgate.inspect("...").public_key.curve, certgate.CODES[0], decide, admit,
      from_cryptography)
'''

WRONG_CODE = '''
import certgate

certgate.Verifier({}).verify(42)
code: certgate.Code = "REVOKD"
certgate.inspect(b"").is_ca.upper()
'''


def run_mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    (tmp_path / "user.py").write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "user.py"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


def test_typed_user_code_checks(tmp_path: Path) -> None:
    done = run_mypy(tmp_path, USER_CODE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_typing_catches_mistakes(tmp_path: Path) -> None:
    done = run_mypy(tmp_path, WRONG_CODE)
    assert done.returncode == 1
    assert 'Argument 1 to "verify" of "Verifier" has incompatible type "int"' in done.stdout
    assert "Literal['REVOKD']" in done.stdout
    assert '"bool" has no attribute "upper"' in done.stdout


def test_the_package_itself_is_strictly_typed(tmp_path: Path) -> None:
    # The installed package, as users' type checkers read it (py.typed), middlewares and
    # adapters included.
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", "certgate"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
