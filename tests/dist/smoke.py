"""Run by run.sh in a fresh venv where a built certgate wheel is installed: the installed
package decides an allowed and a rejected vector case as the vectors say, and ships its
type information. ``python smoke.py CASES_JSON``; exits non-zero on a mismatch."""

import json
import sys
from importlib import metadata, resources

import certgate

cases = {case["name"]: case for case in json.load(open(sys.argv[1]))["cases"]}
allowed = cases["spiffe_exact_allowed"]
revoked = cases["revoked_leaf"]

identity = certgate.Verifier(allowed["policy"]).verify(allowed["chain"], at=allowed["at"])
assert identity.spiffe_id == allowed["expect"]["identity"]["spiffe_id"], identity.spiffe_id
assert identity.to_dict() == allowed["expect"]["identity"], identity.to_dict()

outcome = certgate.Verifier(revoked["policy"]).check(revoked["chain"], at=revoked["at"])
expected = (revoked["expect"]["code"], revoked["expect"]["cert_index"])
assert (outcome.code, outcome.cert_index) == expected, outcome

package = resources.files("certgate")
for typed in ("py.typed", "_native.pyi"):
    assert package.joinpath(typed).is_file(), f"{typed} is not installed"
assert metadata.version("certgate") == certgate.__version__, certgate.__version__
licenses = [str(path) for path in metadata.files("certgate") if "LICENSE" in str(path)]
assert len(licenses) == 2, licenses

print(f"certgate {certgate.__version__} (python): decides as the vectors; py.typed, stubs and licences installed")
