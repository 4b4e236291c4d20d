"""Certificates from other libraries, without depending on them.

An object with a ``public_bytes(encoding)`` method (a ``cryptography`` ``Certificate``
or ``CertificateRevocationList``, or anything shaped like one) is asked for its DER.
``cryptography`` accepts only its own ``serialization.Encoding.DER`` member (an
``enum.Enum`` member in older releases, a native enum without ``name`` / ``value`` in
recent ones), so that very member is passed whenever ``cryptography`` is loaded. It
always is when one of its objects exists; it is imported here only if the object
comes from it and its serialization module was somehow not loaded yet. Other
objects get certgate's stand-in, an ``enum.Enum`` member ``Encoding.DER`` whose
``str()`` is ``"Encoding.DER"`` like pyca's, and whose name and value are ``"DER"``.
"""

from __future__ import annotations

import enum
import importlib
import sys
from typing import Any

_SERIALIZATION = "cryptography.hazmat.primitives.serialization"


class Encoding(enum.Enum):
    """Stand-in for ``cryptography``'s ``serialization.Encoding`` (only ``DER``)."""

    DER = "DER"


def der_encoding(obj: Any) -> Any:
    """The ``Encoding.DER`` member to pass to ``obj.public_bytes``."""
    serialization = sys.modules.get(_SERIALIZATION)
    if serialization is None and type(obj).__module__.partition(".")[0] == "cryptography":
        serialization = importlib.import_module(_SERIALIZATION)
    if serialization is not None:
        return serialization.Encoding.DER
    return Encoding.DER


def der_of(obj: Any) -> Any:
    """``obj.public_bytes(Encoding.DER)`` (the caller checks that it is ``bytes``)."""
    return obj.public_bytes(der_encoding(obj))
