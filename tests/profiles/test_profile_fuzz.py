"""Every profile parser fuzzed: random bytes, mutations of real files, truncation at every line boundary.

Whatever the input, parsing ends with a Profile or with the documented error (MalformedProfile, which
UnknownFormat specialises; SymFileError for `.sym` files) whose message is one line naming the file. A parser that
does not recognise its input raises NotMyFormat, which parse_data never lets escape.

The budget is bounded for CI (LEAKSCAN_FUZZ_EXAMPLES raises it for a longer hunt).
"""
from __future__ import annotations

import gzip
import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.profiles import MalformedProfile, NotMyFormat, parse_data
from analyzer.profiles.errors import UnknownFormat
from analyzer.profiles.sniff import PARSERS, parse_series_data, run_parser
from analyzer.profiles.symfile import SymFileError, parse_sym_text

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "data" / "profiles" / "golden"
EXAMPLE = REPO / "examples" / "dictserver" / "profiles"
SEEDS = {p.name: p.read_bytes() for p in sorted(GOLDEN.iterdir()) if not p.name.endswith(".golden")}
SEEDS.update({p.name: p.read_bytes() for p in sorted(EXAMPLE.iterdir())
              if p.suffix in (".heap", ".txt", ".xml") and p.stat().st_size < 64 << 10})
GOLDEN_SEEDS = sorted(p.name for p in GOLDEN.iterdir() if not p.name.endswith(".golden"))  # one small file a format
SYM = (EXAMPLE / "dictserver.sym").read_bytes()

FUZZ = settings(max_examples=int(os.environ.get("LEAKSCAN_FUZZ_EXAMPLES", "60")), deadline=None,
                derandomize="LEAKSCAN_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], database=None)


def plain(data: bytes) -> bytes:
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def only_documented_errors(data: bytes, name: str = "fuzzed.prof") -> None:
    for parse in (parse_data, parse_series_data):
        try:
            parse(data, name)
        except MalformedProfile as exc:
            text = str(exc)
            assert "\n" not in text and text.startswith(name), text


def each_parser_alone(data: bytes, name: str = "fuzzed.prof") -> None:
    """A parser given any bytes says 'not mine' or 'malformed', or returns a profile that validates."""
    for fmt, parse in PARSERS.items():
        try:
            run_parser(parse, data, name)
        except (NotMyFormat, MalformedProfile):
            pass
        except Exception as exc:  # pragma: no cover - the failure message names the parser
            raise AssertionError(f"{fmt} raised {type(exc).__name__}: {exc}") from exc


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    only_documented_errors(data)
    each_parser_alone(data)


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_mutated_real_files(name: str, data: st.DataObject) -> None:
    raw = bytearray(plain(SEEDS[name]))
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        op = data.draw(st.sampled_from(["flip", "insert", "delete", "dup-line", "digits"]), label="op")
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)), label="at")
        if op == "flip" and raw:
            raw[at] = data.draw(st.integers(0, 255), label="byte")
        elif op == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=16), label="bytes")
        elif op == "delete":
            del raw[at:at + data.draw(st.integers(1, 64), label="n")]
        elif op == "dup-line":
            start = raw.rfind(b"\n", 0, at) + 1
            end = raw.find(b"\n", at)
            line = raw[start:end + 1 if end >= 0 else len(raw)]
            raw[start:start] = line * data.draw(st.integers(1, 3), label="copies")
        elif op == "digits":
            raw[at:at] = data.draw(st.sampled_from([b"-1", b"0", b"99999999999999999999", b"0x", b"nan", b"1e9"]),
                                   label="number")
    only_documented_errors(bytes(raw), name)
    each_parser_alone(bytes(raw), name)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_truncated_at_every_line_boundary(name: str) -> None:
    raw = plain(SEEDS[name])
    cuts = [i + 1 for i, b in enumerate(raw) if b == 0x0A]
    for cut in [0, *cuts]:
        for piece in (raw[:cut], raw[:cut].rstrip(b"\n")):
            only_documented_errors(piece, name)
    if raw[:2] != b"\x1f\x8b" and SEEDS[name][:2] == b"\x1f\x8b":
        for cut in range(0, len(SEEDS[name]), 7):
            only_documented_errors(SEEDS[name][:cut], name)


@FUZZ
@given(st.data())
def test_mutated_symbol_files(data: st.DataObject) -> None:
    lines = SYM.split(b"\n")
    n = data.draw(st.integers(0, 12), label="mutations")
    for _ in range(n):
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        lines[i] = data.draw(st.one_of(st.binary(max_size=40), st.just(lines[i][: len(lines[i]) // 2]),
                                       st.just(b"FUNC zz 1 2 f"), st.just(b"INFO LOAD 1"),
                                       st.just(b"PUBLIC m")), label="replacement")
    text = b"\n".join(lines[: data.draw(st.integers(1, len(lines)), label="cut")])
    try:
        parse_sym_text(text.decode("utf-8", errors="replace"), "fuzzed.sym")
    except SymFileError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("fuzzed.sym")


@pytest.mark.parametrize("name", GOLDEN_SEEDS)
def test_absurd_numbers(name: str) -> None:
    """Every number of a real file replaced in turn by one of 25 or 5,000 digits (Python refuses to print an int
    past 4,300 digits; a 25-digit sampling rate or count overflows float arithmetic)."""
    raw = plain(SEEDS[name])
    for m in list(re.finditer(rb"[0-9]+", raw))[:100]:
        for big in (b"9" * 25, b"9" * 5000):
            data = raw[:m.start()] + big + raw[m.end():]
            only_documented_errors(data, name)
            each_parser_alone(data, name)


@pytest.mark.parametrize("name", GOLDEN_SEEDS)
def test_long_lines_cost_no_more_than_their_length(name: str) -> None:
    """A line of 20,000 blanks, parentheses or colons put at each line start: a regex that backtracks over it
    quadratically would take minutes."""
    lines = plain(SEEDS[name]).split(b"\n")[:25]
    n = 20_000
    for i in range(len(lines)):
        for filler in (b" " * n + b"x", b"a" + b" " * n + b"b", b" (" * n, b" :" * n, b"  #0 0x1 a" + b" " * n + b"b"):
            data = b"\n".join([*lines[:i], lines[i][:12] + filler, *lines[i + 1:]])
            start = time.perf_counter()
            only_documented_errors(data, name)
            each_parser_alone(data, name)
            assert time.perf_counter() - start < 5, (name, i, filler[:12])


def test_unknown_format_is_the_documented_error() -> None:
    with pytest.raises(UnknownFormat):
        parse_data(b"\x00\x01\x02 nothing known\n", "x")


def test_every_gzip_member_is_read() -> None:
    """`cat a.gz b.gz` is one gzip file holding both (as gzip -d reads it), bounded in all."""
    text = SEEDS["tiny.heap"]
    cut = text.index(b"\n", len(text) // 2) + 1
    whole = parse_data(text, "x.heap")
    two = parse_data(gzip.compress(text[:cut]) + gzip.compress(text[cut:]), "x.heap.gz")
    assert two.samples == whole.samples and two.mappings == whole.mappings
