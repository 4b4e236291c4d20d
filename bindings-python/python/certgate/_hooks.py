"""What the background threads and the middlewares share: the ``certgate`` logger, where
the default hooks report, and calling a user's hook so that its exception is logged
rather than raised."""

from __future__ import annotations

import logging
from typing import Callable

#: The logger of every default hook (``logging.getLogger("certgate")``).
LOGGER = logging.getLogger("certgate")


def call_hook(hook: Callable[..., object], *args: object) -> None:
    """Calls ``hook(*args)``. An exception it raises is logged with its traceback and goes
    no further: it must neither end the polling thread that called the hook nor turn an
    admitted request into an error."""
    try:
        hook(*args)
    except Exception:  # noqa: BLE001 - any hook failure, see above
        LOGGER.exception("certgate: the hook %r raised", hook)
