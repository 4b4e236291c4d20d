"""Reloads a policy when one of its files changes: ``PolicyWatcher`` polls the files a
``Verifier.from_file`` policy was read from and calls ``verifier.reload_from_file()``.

Polling ``os.stat`` rather than inotify: no dependency, the same behaviour on every
operating and file system (network and container volumes included), and it sees the
ways files are really replaced. Kubernetes updates a mounted Secret or ConfigMap by
writing a new timestamped folder and renaming a ``..data`` symlink over the old one;
editors write a temporary file and rename it over the original. Neither writes the
watched file in place, but after either the same path resolves to another file
(``os.path.realpath``) or another inode (``os.stat`` follows symlinks)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple, Union

from ._hooks import LOGGER, call_hook

if TYPE_CHECKING:
    from ._native import Verifier

#: What a path is at one moment; any write, replacement or removal changes it.
Signature = Union[Tuple[object, ...], str]
Snapshot = Dict[Path, Signature]


def _stat_signature(status: os.stat_result) -> Tuple[int, int, int, int]:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def signature(path: Path) -> Signature:
    """``path`` now: where its symlinks lead (``os.path.realpath``: a Kubernetes ``..data``
    swap changes it even should the new file have the old one's size and mtime), then,
    symlinks followed, device, inode, size and mtime (ns); for a folder, also each entry's
    name and signature (one level: core reads a folder's files, not its subfolders); for
    a path that cannot be read, the error's name."""
    try:
        target = os.path.realpath(path)
        status = os.stat(path)
        own = (target, *_stat_signature(status))
        if not stat.S_ISDIR(status.st_mode):
            return own
        with os.scandir(path) as entries:
            listing = sorted((entry.name, _entry_signature(entry)) for entry in entries)
    except OSError as error:
        return type(error).__name__
    return (own, tuple(listing))


def _entry_signature(entry: os.DirEntry[str]) -> Signature:
    try:
        return _stat_signature(entry.stat())
    except OSError as error:  # a dangling symlink, an entry removed meanwhile
        return type(error).__name__


def snapshot(paths: List[Path]) -> Snapshot:
    """The signature of every path."""
    return {path: signature(path) for path in paths}


def _log_reload(generation: int) -> None:
    LOGGER.info("certgate: policy reloaded (generation %d)", generation)


def _log_error(error: Exception) -> None:
    LOGGER.error("certgate: the policy was not reloaded, the one in force stays: %s", error)


class PolicyWatcher:
    """Reloads ``verifier`` (made by ``Verifier.from_file``) when one of its files changes.

    A daemon thread compares, every ``interval`` seconds, the signature of each path of
    ``verifier.watched_paths`` (the policy file and every file and folder it references;
    where its symlinks lead, and device, inode, size and mtime, symlinks followed; a
    folder's entries too) with the one
    the policy in force was read from. After a change it waits until the paths have stayed
    unchanged for ``debounce`` seconds — an update that writes several files is read
    once, whole — then calls ``verifier.reload_from_file()``, which swaps the new policy
    in atomically or, on any error, keeps the one in force.

    ``on_reload(generation)`` is called after a reload, ``on_error(error)`` when one failed
    (a ``CertgateError``, e.g. ``PolicyError`` naming a half-written file); both run on the
    watcher's thread and default to logging on the ``certgate`` logger (info and error).
    A failed reload is retried only when the files change again. ``close()`` (or leaving a
    ``with`` block) stops the thread. Changes made after the constructor returns are seen.
    """

    def __init__(
        self,
        verifier: Verifier,
        *,
        interval: float = 2.0,
        debounce: float = 0.2,
        on_reload: Optional[Callable[[int], object]] = None,
        on_error: Optional[Callable[[Exception], object]] = None,
    ) -> None:
        paths = verifier.watched_paths
        if not paths:
            raise ValueError(
                "the verifier has no policy file to watch: make it with Verifier.from_file"
            )
        if not interval > 0:
            raise ValueError(f"interval must be positive, not {interval!r}")
        if not debounce >= 0:
            raise ValueError(f"debounce must not be negative, not {debounce!r}")
        self._verifier = verifier
        self._interval = interval
        self._debounce = debounce
        self._on_reload = on_reload or _log_reload
        self._on_error = on_error or _log_error
        self._paths = paths
        self._applied = snapshot(paths)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="certgate-policy-watcher", daemon=True)
        self._thread.start()

    @property
    def paths(self) -> List[Path]:
        """The paths watched now (they follow the policy's references after each reload)."""
        return list(self._paths)

    def close(self) -> None:
        """Stops watching and waits (briefly) for the thread to end."""
        self._closed.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=self._interval + self._debounce + 10)

    def __enter__(self) -> PolicyWatcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while not self._closed.wait(self._interval):
            seen = snapshot(self._paths)
            if seen == self._applied:
                continue
            while not self._closed.wait(self._debounce):
                settled = snapshot(self._paths)
                if settled == seen:
                    self._reload(seen)
                    break
                seen = settled

    def _reload(self, seen: Snapshot) -> None:
        """Reloads the files whose signatures are ``seen``."""
        try:
            self._verifier.reload_from_file()
        except Exception as error:  # noqa: BLE001 - every failure keeps the policy in force
            # The same files would fail the same way: wait for them to change again.
            self._applied = seen
            call_hook(self._on_error, error)
            return
        paths = self._verifier.watched_paths
        now = snapshot(paths)
        # A path watched before keeps the signature it had before the reload read it, so
        # that a change made while the files were being read is seen at the next poll.
        self._paths = paths
        self._applied = {path: seen.get(path, now[path]) for path in paths}
        call_hook(self._on_reload, self._verifier.generation)
