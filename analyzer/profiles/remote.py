"""The pprof remote protocol of gperftools-based and brpc servers: heap snapshots and symbols over HTTP.

* `GET .../pprof/heap`: a heap profile (gperftools `GetHeapProfile()`, `heap profile: ... @ heapprofile`) or a
  tcmalloc heap sample (`MallocExtension::GetHeapSample`, `heap_v2/RATE`, what brpc serves); Go-style servers
  serve `.../debug/pprof/heap` as pprof protobuf.
* `GET .../pprof/symbol`: `num_symbols: N`, N > 0 when the server symbolizes.
* `POST .../pprof/symbol` with `0xADDR+0xADDR...`: one `0xADDR<tab>name` line per address it knows, so
  raw addresses get names without the binary.
* `GET .../pprof/cmdline`: the program's command line, one argument per line.

Every request is bounded: a timeout, a few retries with exponential backoff for what may pass (connection
refused or reset, timeouts, HTTP 5xx and 429), a size limit; what fails in the end is a `RemoteError`, one
line naming the URL. The standard library's urllib is all it takes.
"""
from __future__ import annotations

import dataclasses
import http.client
import ipaddress
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from analyzer.errors import InputError
from analyzer.profiles.aggregate import pick_metric
from analyzer.profiles.errors import MalformedProfile
from analyzer.profiles.gperf_heap import SAMPLING_DISABLED
from analyzer.profiles.model import Function, Line, Location, Profile
from analyzer.profiles.names import demangle
from analyzer.profiles.sniff import parse_data

FETCHED = "time: fetched from the service"
_SYMBOL_LINE = re.compile(r"^\s*(0[xX][0-9a-fA-F]+)\s+(\S.*?)\s*$")
_NUM_SYMBOLS = re.compile(r"num_symbols:\s*(\d+)")
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_SYMBOL_BATCH = 4096  # addresses per POST: pprof's own requests stay well below common body limits


class RemoteError(InputError):
    """A request to the watched service failed for good; `str()` is one line naming the URL."""

    def __init__(self, url: str, message: str, status: int = 0) -> None:
        super().__init__(url, None, message)
        self.status = status


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 30.0  # seconds for one request (connect, and each read)
    retries: int = 3  # further tries after a failure that may pass
    backoff: float = 1.0  # seconds before the first retry, doubled after each
    max_backoff: float = 30.0
    max_bytes: int = 1 << 30


@dataclass(frozen=True)
class Endpoints:
    heap: str
    symbol: str
    cmdline: str


def endpoint_candidates(url: str) -> list[Endpoints]:
    """The endpoints a URL names: itself when it ends in `/heap`, else `/pprof/heap` then `/debug/pprof/heap`
    under it. Raise `RemoteError` for what is not an http(s) URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(url, "not an http:// or https:// URL of a service")

    def at(path: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    path = parts.path.rstrip("/")
    if path.endswith("/heap"):
        base = path[: -len("/heap")]
        return [Endpoints(url, at(base + "/symbol"), at(base + "/cmdline"))]
    return [Endpoints(at(f"{path}{sub}/heap"), at(f"{path}{sub}/symbol"), at(f"{path}{sub}/cmdline"))
            for sub in ("/pprof", "/debug/pprof")]


def is_loopback(url: str) -> bool:
    """The service runs on this machine: the paths in its memory map are this machine's files."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PprofClient:
    """One watched service: fetches heap snapshots, its command line, and symbols for raw addresses."""

    def __init__(self, url: str, policy: FetchPolicy = FetchPolicy(),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = url
        self.policy = policy
        self._sleep = sleep
        self._candidates = endpoint_candidates(url)
        self.endpoints: Endpoints | None = None
        self._names: dict[int, str] = {}  # address -> name the service gave (cached across snapshots)
        self._unknown: set[int] = set()  # addresses it could not name
        self._symbols: bool | None = None
        handlers: list[urllib.request.BaseHandler] = []
        if is_loopback(url):
            handlers.append(urllib.request.ProxyHandler({}))  # never send a local service's traffic to a proxy
        self._opener = urllib.request.build_opener(*handlers)

    @property
    def symbol_url(self) -> str:
        return self._resolve().symbol

    # ---- the protocol ------------------------------------------------------------
    def heap(self, number: int) -> Profile:
        """Heap snapshot `number`, parsed but not symbolized, named `HEAP_URL#number`; `time_nanos` is when it was
        taken (the profile's own time, else when it arrived). `RemoteError` when it cannot be had or is not a
        heap profile."""
        ends, data, content_type = self._fetch_heap()
        fetched = time.time_ns()
        try:
            prof = parse_data(data, f"{ends.heap}#{number}")
        except MalformedProfile as exc:
            raise RemoteError(ends.heap, _not_a_profile(data, content_type, exc)) from None
        if pick_metric(prof, "inuse_space") < 0:
            kinds = ", ".join(vt.type for vt in prof.sample_types)
            raise RemoteError(ends.heap, f"served a profile of {kinds or 'nothing'}, not in-use heap bytes")
        if SAMPLING_DISABLED in prof.warnings and not prof.samples:
            raise RemoteError(ends.heap, "heap sampling is off in the service (heap_v2/0): start it with "
                                         "TCMALLOC_SAMPLE_PARAMETER=524288, or with the heap profiler on")
        return dataclasses.replace(prof, time_nanos=prof.time_nanos or fetched,
                                   comments=(*prof.comments, FETCHED))

    def cmdline(self) -> str:
        """The service's command line (arguments joined by spaces), or "" when it does not say."""
        try:
            data, _ = self._get(self._resolve().cmdline, retry=False)
        except RemoteError:
            return ""
        text = data.decode("utf-8", errors="replace")
        return " ".join(line.strip() for line in text.splitlines() if line.strip())[:500]

    def has_symbols(self) -> bool:
        """Does `GET /pprof/symbol` say the service symbolizes (`num_symbols: N`, N > 0)?"""
        if self._symbols is None:
            try:
                data, _ = self._get(self._resolve().symbol, retry=False)
                m = _NUM_SYMBOLS.search(data.decode("ascii", errors="replace"))
                self._symbols = bool(m and int(m.group(1)) > 0)
            except RemoteError:
                self._symbols = False
        return self._symbols

    def names(self, addresses: Iterable[int]) -> dict[int, str]:
        """Names for raw addresses by `POST /pprof/symbol`, demangled; addresses it does not know are left out."""
        todo = sorted({a for a in addresses if a not in self._names and a not in self._unknown})
        symbol_url = self._resolve().symbol
        for k in range(0, len(todo), _SYMBOL_BATCH):
            batch = todo[k:k + _SYMBOL_BATCH]
            body = "+".join(f"0x{a:x}" for a in batch).encode("ascii")
            data, _ = self._get(symbol_url, body)
            got = _parse_symbols(data.decode("utf-8", errors="replace"))
            for a in batch:
                if a in got:
                    self._names[a] = got[a]
                else:
                    self._unknown.add(a)
        return self._names

    def symbolize(self, prof: Profile) -> tuple[Profile, int, int]:
        """Names for the locations that have none, from the service: (profile, asked, unresolved)."""
        todo = [loc for loc in prof.locations if not loc.lines]
        if not todo:
            return dataclasses.replace(prof, symbolized=True), 0, 0
        names = self.names(loc.address for loc in todo)
        functions = {f.name: f for f in prof.functions}
        next_id = max((f.id for f in prof.functions), default=0) + 1
        new: dict[int, Location] = {}
        for loc in todo:
            raw = names.get(loc.address)
            if raw is None:
                continue
            name = demangle(raw)
            fn = functions.get(name)
            if fn is None:
                fn = functions[name] = Function(next_id, name, raw if raw != name else "")
                next_id += 1
            new[loc.id] = dataclasses.replace(loc, lines=(Line(fn.id, 0),))
        out = dataclasses.replace(prof, locations=tuple(new.get(loc.id, loc) for loc in prof.locations),
                                  functions=tuple(functions.values()), symbolized=True)
        return out, len(todo), len(todo) - len(new)

    # ---- HTTP ----------------------------------------------------------------------
    def _resolve(self) -> Endpoints:
        """The endpoints found by the first heap fetch (before it: the first candidate)."""
        return self.endpoints or self._candidates[0]

    def _fetch_heap(self) -> tuple[Endpoints, bytes, str]:
        """The heap page; the first time, the first candidate that is not a 404 (no extra request: a heap
        snapshot can be costly for the service)."""
        if self.endpoints is not None:
            return (self.endpoints, *self._get(self.endpoints.heap))
        tried = []
        for cand in self._candidates:
            try:
                data, content_type = self._get(cand.heap)
            except RemoteError as exc:
                if exc.status == 404 and len(self._candidates) > 1:
                    tried.append(urllib.parse.urlsplit(cand.heap).path)
                    continue
                raise
            self.endpoints = cand
            return cand, data, content_type
        raise RemoteError(self.url, f"no heap profile here (HTTP 404 for {' and '.join(tried)}); give the URL "
                                    "of the service's heap page", 404)

    def _get(self, url: str, body: bytes | None = None, *, retry: bool = True) -> tuple[bytes, str]:
        """GET (POST with a body) `url`: (body, content type). Failures that may pass are retried."""
        attempts = 1 + (self.policy.retries if retry else 0)
        started = time.monotonic()
        delay = self.policy.backoff
        for attempt in range(attempts):
            try:
                return self._once(url, body)
            except _Transient as exc:
                if attempt + 1 == attempts:
                    tries = f" (tried {attempts} times over {time.monotonic() - started:.0f}s)" if attempts > 1 else ""
                    raise RemoteError(url, f"{exc}{tries}", exc.status) from None
                self._sleep(delay)
                delay = min(delay * 2, self.policy.max_backoff)
        raise AssertionError("unreachable")

    def _once(self, url: str, body: bytes | None) -> tuple[bytes, str]:
        headers = {"User-Agent": "leakscan-watch", "Accept-Encoding": "identity"}
        if body is not None:
            headers["Content-Type"] = "text/plain"  # pprof posts the addresses as a plain body
        req = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
        try:
            with self._opener.open(req, timeout=self.policy.timeout) as resp:
                content_type = resp.headers.get("Content-Type", "")
                data = resp.read(self.policy.max_bytes + 1)
        except urllib.error.HTTPError as exc:
            detail = _excerpt(exc.read(200) if exc.fp else b"")
            what = f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
            if exc.code in _RETRY_STATUS:
                raise _Transient(what, exc.code) from None
            raise RemoteError(url, what + _status_hint(exc.code, url), exc.code) from None
        except urllib.error.URLError as exc:
            raise _Transient(_reason(exc.reason)) from None
        except TimeoutError:
            raise _Transient(f"no answer within {self.policy.timeout:g}s") from None
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise _Transient(_reason(exc)) from None
        except ValueError as exc:  # a malformed URL
            raise RemoteError(url, f"invalid URL: {exc}") from None
        if len(data) > self.policy.max_bytes:
            raise RemoteError(url, f"the answer is over {self.policy.max_bytes >> 20} MiB")
        return data, content_type


class _Transient(Exception):
    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the service running and listening there?)"
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve the host name ({reason.strerror or reason})"
    if isinstance(reason, (ConnectionResetError, http.client.RemoteDisconnected)):
        return "the service closed the connection before answering"
    if isinstance(reason, http.client.IncompleteRead):
        return "the answer was cut short"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or reason.__class__.__name__


def _status_hint(code: int, url: str) -> str:
    if code == 404 and url.rstrip("/").endswith("/heap"):
        return " (no heap page: gperftools needs the heap profiler on or tcmalloc with TCMALLOC_SAMPLE_PARAMETER)"
    if code in (401, 403):
        return " (the service refuses: it may serve its pprof pages to some addresses only)"
    return ""


def _parse_symbols(text: str) -> dict[int, str]:
    """`0xADDR<ws>name` lines -> {address: name}; a name that is an address or `??` is no name."""
    out: dict[int, str] = {}
    for line in text.splitlines():
        m = _SYMBOL_LINE.match(line)
        if not m:
            continue
        name = m.group(2)
        if name in ("??", "?") or re.fullmatch(r"0[xX][0-9a-fA-F]+", name):
            continue
        out[int(m.group(1), 16)] = name
    return out


def _excerpt(data: bytes, limit: int = 60) -> str:
    text = " ".join(data[:limit * 2].decode("utf-8", errors="replace").split())
    return text[:limit] + ("…" if len(text) > limit else "")


def _not_a_profile(data: bytes, content_type: str, exc: MalformedProfile) -> str:
    kind = content_type.split(";")[0].strip() or "no content type"
    from analyzer.profiles.errors import UnknownFormat
    if isinstance(exc, UnknownFormat) or not data.strip():
        start = _excerpt(data)
        return f"the page is not a heap profile ({kind}" + (f", starts with {start!r})" if start else ", empty)")
    return f"a broken heap profile: {exc.message}"
