"""``Verifier.stats()`` in the Prometheus text exposition format (version 0.0.4), with no
dependency: serve ``prometheus_text(verifier.stats())`` at ``/metrics`` with
``PROMETHEUS_CONTENT_TYPE``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Tuple, Union

from ._native import Verifier

if TYPE_CHECKING:
    from ._native import CrlStats, Stats

#: The Content-Type of ``prometheus_text``'s output.
PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: One sample: its labels (name, value) and its value.
_Sample = Tuple[Tuple[Tuple[str, str], ...], int]


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _family(name: str, kind: str, help_text: str, samples: List[_Sample]) -> List[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        text = ",".join(f'{label}="{_label_value(raw)}"' for label, raw in labels)
        lines.append(f"{name}{{{text}}} {value}" if labels else f"{name} {value}")
    return lines


def _by_code(counts: Dict[str, int]) -> List[_Sample]:
    return [((("code", code),), count) for code, count in counts.items()]


def _crl_labels(crl: CrlStats) -> Tuple[Tuple[str, str], ...]:
    return (("issuer", crl["issuer"]), ("source", crl["source"]))


def prometheus_text(stats: Union[Stats, Verifier]) -> str:
    """``Verifier.stats()`` (or the verifier itself, whose ``stats()`` is then read) as
    Prometheus text, the same metric families as the Node binding's ``prometheusText``:

    - counters ``certgate_verifications_total{code}`` (``"OK"`` and every code; audit-mode
      admissions under the code they would have been refused with),
      ``certgate_audit_admitted_total``, ``certgate_expiry_warnings_total{code}``,
      ``certgate_reloads_total``, ``certgate_crl_fetch_failures_total``;
    - gauges ``certgate_policy_generation``, and per CRL in force ``certgate_crl_entries``
      and ``certgate_crl_next_update_timestamp_seconds`` (unix seconds; CRLs without
      nextUpdate are left out), both labelled ``{issuer, source}``;
    - with a decision cache, ``certgate_cache_lookups_total{result}`` (``hit``, ``miss``),
      ``certgate_cache_evictions_total`` and the gauge ``certgate_cache_entries``.
    """
    if isinstance(stats, Verifier):
        stats = stats.stats()
    if not isinstance(stats, dict) or not isinstance(stats.get("verifications"), dict):
        raise TypeError(
            f"expected the dict Verifier.stats() returns (or a Verifier), not {type(stats).__name__}"
        )
    crls = stats["crls"]
    lines = [
        *_family(
            "certgate_verifications_total",
            "counter",
            "Verifications by outcome (OK or the refusal code; audit admissions count under their code).",
            _by_code(stats["verifications"]),
        ),
        *_family(
            "certgate_audit_admitted_total",
            "counter",
            "Chains an audit-mode policy admitted although it would refuse them.",
            [((), stats["audit_admitted"])],
        ),
        *_family(
            "certgate_expiry_warnings_total",
            "counter",
            "Expiry warnings given, by code.",
            _by_code(stats["warnings"]),
        ),
        *_family(
            "certgate_reloads_total",
            "counter",
            "Successful policy reloads.",
            [((), stats["reloads"])],
        ),
        *_family(
            "certgate_crl_fetch_failures_total",
            "counter",
            "CRL downloads that failed.",
            [((), stats["crl_fetch_failures"])],
        ),
        *_family(
            "certgate_policy_generation",
            "gauge",
            "The policy generation in force (reloads, CRL and bundle updates).",
            [((), stats["generation"])],
        ),
        *_family(
            "certgate_crl_entries",
            "gauge",
            "Revoked serials listed by each CRL in force.",
            [(_crl_labels(crl), crl["entries"]) for crl in crls],
        ),
        *_family(
            "certgate_crl_next_update_timestamp_seconds",
            "gauge",
            "nextUpdate of each CRL in force, unix seconds.",
            [(_crl_labels(crl), next_update) for crl in crls
             if (next_update := crl["next_update"]) is not None],
        ),
    ]
    cache = stats.get("cache")
    if cache is not None:
        lines += [
            *_family(
                "certgate_cache_lookups_total",
                "counter",
                "Decision-cache lookups, by result.",
                [((("result", "hit"),), cache["hits"]), ((("result", "miss"),), cache["misses"])],
            ),
            *_family(
                "certgate_cache_evictions_total",
                "counter",
                "Decisions dropped from the cache to make room.",
                [((), cache["evictions"])],
            ),
            *_family(
                "certgate_cache_entries",
                "gauge",
                "Decisions held in the cache.",
                [((), cache["entries"])],
            ),
        ]
    return "\n".join(lines) + "\n"
