"""The incremental cache: each compile job's phase-1 result (its IR) on disk, reused while nothing it read changed.

An entry is found by the job's key: the analyzer's fingerprint (version, a hash of the analyzer's own source,
libclang's version), the source file, its folder, its flags and the system include flags the worker adds. It holds
the path and content digest of every file the parse read (the main file and each file it included, system headers
too); it is used only when every one of them still has that digest. Phase 1 does not depend on rules, so rules
files are not part of the key: changing one reruns the analysis without parsing anything.

An entry is checked before it is trusted: a magic line with the format version, the fingerprint and the key it
was written for, and a digest of its payload; anything else (a truncated file, another version's entry, garbage)
counts as a miss and is overwritten. Payloads are pickles of IR objects read back by an unpickler that builds only
IR classes, so not even a forged entry runs code. Entries are written to a temporary file and renamed into place:
two scans at once each see whole entries.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import os
import pickle
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

from . import __version__, ir
from .errors import InputError
from .fsio import write_bytes_atomic

log = logging.getLogger(__name__)

FORMAT = 1
MAGIC = b"leakscan-tu-cache %d\n" % FORMAT
CACHE_DIR_NAME = ".leakscan-cache"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# a leakscan cache: safe to delete (bford.org/cachedir)\n"


@functools.cache
def analyzer_fingerprint(extra: str = "") -> str:
    """What makes one leakscan's IR differ from another's: its version, every source file of the analyzer package
    (a changed lowering must not reuse old IR) and `extra` (libclang's version)."""
    h = hashlib.blake2b(f"{__version__}\0{extra}\0".encode(), digest_size=16)
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


class FileDigests:
    """Content digests of files, each file read once per scan. A file changed after the scan started has no
    digest (None): an entry that depends on it is not written, since the IR may be of the older contents."""

    def __init__(self, started_ns: int | None = None) -> None:
        self.started_ns = time.time_ns() if started_ns is None else started_ns
        self._known: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        if path not in self._known:
            self._known[path] = self._digest(path)
        return self._known[path]

    def _digest(self, path: str) -> str | None:
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                data = fh.read()
        except OSError:
            return None
        if st.st_mtime_ns >= self.started_ns:
            return None
        return hashlib.blake2b(data, digest_size=16).hexdigest()


class _IRUnpickler(pickle.Unpickler):
    """Builds IR dataclasses and nothing else: a forged entry cannot name any other callable."""

    _ALLOWED = frozenset({*ir._TYPES})

    def find_class(self, module: str, name: str) -> type:
        if module == ir.__name__ and name in self._ALLOWED:
            return ir._TYPES[name]
        raise pickle.UnpicklingError(f"{module}.{name} is not an IR class")


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    rejected: int = 0  # entries present but not trusted (corrupt, another version, another key)
    written: int = 0
    not_written: int = 0  # results not stored (failed TU, a file changed during the scan, no room)


@dataclass
class TUCache:
    """Phase-1 results in `folder`, valid for analyzers with this `fingerprint`."""
    folder: Path
    fingerprint: str
    digests: FileDigests = field(default_factory=FileDigests)
    stats: CacheStats = field(default_factory=CacheStats)

    def key(self, parts: Iterable[str]) -> str:
        """A job's key from what defines its parse (file, folder, flags, added system flags)."""
        return hashlib.blake2b(json.dumps([self.fingerprint, *parts]).encode(), digest_size=20).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / "tu" / key[:2] / key

    def load(self, key: str) -> ir.Module | None:
        """The cached IR of this key when every file it was built from is unchanged, else None."""
        try:
            data = self._path(key).read_bytes()
        except OSError:
            self.stats.misses += 1
            return None
        module = self._decode(key, data)
        if module is None:
            self.stats.misses += 1
        else:
            self.stats.hits += 1
        return module

    def _decode(self, key: str, data: bytes) -> ir.Module | None:
        try:
            header, payload = self._split(key, data)
        except (ValueError, UnicodeDecodeError, KeyError, TypeError):
            self.stats.rejected += 1
            return None
        if any(self.digests(path) != digest for path, digest in header["files"]):
            return None  # a file it read has changed: an ordinary miss
        try:
            module = _IRUnpickler(io.BytesIO(zstandard.decompress(payload))).load()
        except Exception:  # corrupt beyond its checksum's reach, or a forged class name: never trusted
            self.stats.rejected += 1
            return None
        if not isinstance(module, ir.Module):
            self.stats.rejected += 1
            return None
        return module

    def _split(self, key: str, data: bytes) -> tuple[dict, bytes]:
        if not data.startswith(MAGIC):
            raise ValueError("not an entry of this format")
        line_end = data.index(b"\n", len(MAGIC))
        header = json.loads(data[len(MAGIC):line_end].decode("utf-8"))
        payload = data[line_end + 1:]
        if header["fingerprint"] != self.fingerprint or header["key"] != key:
            raise ValueError("written by another leakscan or for another job")
        if header["payload"] != hashlib.blake2b(payload, digest_size=16).hexdigest():
            raise ValueError("payload damaged")
        if not isinstance(header["files"], list):
            raise TypeError("files")
        return header, payload

    def store(self, key: str, module: ir.Module, files: Sequence[str]) -> bool:
        """Keep a TU's result unless it failed, could not find a header (one added later would change it), or a
        file it read changed during the scan."""
        digests = [self.digests(f) for f in files]
        if module.failed or not files or None in digests or _missing_header(module):
            self.stats.not_written += 1
            return False
        payload = zstandard.compress(pickle.dumps(module, protocol=pickle.HIGHEST_PROTOCOL), 3)
        header = {"fingerprint": self.fingerprint, "key": key, "tu": module.tu,
                  "payload": hashlib.blake2b(payload, digest_size=16).hexdigest(),
                  "files": [[f, d] for f, d in zip(files, digests, strict=True)]}
        try:
            self._prepare()
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(path, MAGIC + json.dumps(header).encode() + b"\n" + payload)
        except (OSError, InputError) as exc:
            log.debug("cache entry for %s not written: %s", module.tu, exc)
            self.stats.not_written += 1
            return False
        self.stats.written += 1
        return True

    def _prepare(self) -> None:
        """The folder, marked as a cache (backup tools skip it) and ignored by git."""
        if (self.folder / "CACHEDIR.TAG").exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(self.folder / ".gitignore", b"*\n")
        write_bytes_atomic(self.folder / "CACHEDIR.TAG", _TAG.encode())


def _missing_header(module: ir.Module) -> bool:
    return any(d.severity in ("error", "fatal") and "file not found" in d.message for d in module.diagnostics)
