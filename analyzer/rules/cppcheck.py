"""cppcheck library files (.cfg): `<memory>`/`<resource>` alloc/dealloc/realloc entries and `<leak-ignore/>`."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as DET

from .model import Acquire, Realloc, Release, ResourceKind, RuleError, RuleSetBuilder

# cppcheck's manual: alloc `arg` is the 1-based argument an allocator writes the resource through,
# dealloc `arg` the 1-based argument released (default 1), realloc `realloc-arg` the one reallocated.
INT_TYPES = re.compile(r"^(unsigned\s+|signed\s+)?(int|long|long long|short|ssize_t|int\d+_t|pid_t|mqd_t|HANDLE_FD)$")


def _line_of(text: str, needle: str) -> int | None:
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    return None


def _names(elem: ET.Element, path: str, text: str) -> list[str]:
    names = [n.strip() for n in (elem.text or "").split(",") if n.strip()]
    if not names:
        raise RuleError(path, f"<{elem.tag}> without a function name", _line_of(text, f"<{elem.tag}"))
    return names


def _position(elem: ET.Element, attr: str, path: str, text: str) -> int | None:
    """A 1-based argument position attribute as a 0-based index (None when absent)."""
    value = elem.get(attr)
    if value is None:
        return None
    if not value.strip().isdigit() or int(value) < 1:
        raise RuleError(path, f"<{elem.tag}> '{(elem.text or '').strip()}': {attr}=\"{value}\" is not a "
                              "positive argument number", _line_of(text, f'{attr}="{value}"'))
    return int(value) - 1


def _return_types(root: ET.Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for fn in root.iter("function"):
        rv = fn.find("returnValue")
        if rv is not None and rv.get("type"):
            for name in (fn.get("name") or "").split(","):
                out[name.strip()] = rv.get("type", "").strip()
    return out


def parse_cfg(path: str) -> tuple[ET.Element, str]:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise RuleError(path, "no such cppcheck library file") from None
    except OSError as exc:
        raise RuleError(path, f"cannot read cppcheck library file: {exc.strerror or exc}") from None
    text = data.decode("utf-8", errors="replace")
    try:
        root = DET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise RuleError(path, f"not well-formed XML: {exc}", line) from None
    except defusedxml.DefusedXmlException as exc:
        raise RuleError(path, f"forbidden XML construct: {exc}") from None
    if root.tag != "def":
        raise RuleError(path, f"not a cppcheck library file: root element is <{root.tag}>, expected <def>", 1)
    return root, text


def load_cppcheck_cfg(path: str, rules: RuleSetBuilder) -> dict[str, int]:
    """Add the file's allocation pairs and leak-ignore functions to `rules`; returns counts of what was added.

    A block whose deallocator already releases a kind (e.g. `free`) joins that kind, so `valloc` from
    posix.cfg pairs with the builtin malloc family; otherwise the block is a new kind named after its
    first allocator. Entries already defined (builtin or --rules files) keep their definition.
    Raises RuleError naming the file on anything malformed.
    """
    root, text = parse_cfg(path)
    source = f"cppcheck:{Path(path).name}"
    returns = _return_types(root)
    counts = {"kinds": 0, "acquire": 0, "release": 0, "realloc": 0, "borrow": 0}
    for block in root:
        if block.tag in ("memory", "resource"):
            _load_block(block, path, text, rules, source, returns, counts)
    for fn in root.iter("function"):
        if fn.find("leak-ignore") is None:
            continue
        for name in (fn.get("name") or "").split(","):
            name = name.strip()
            if name and rules.acquire_for(name) is None and not rules.releases_for(name) and name not in rules.borrows:
                rules.borrows.add(name)
                counts["borrow"] += 1
    rules.files.append(source)
    return counts


def _block_entries(block: ET.Element, path: str, text: str) -> tuple[list, list, list]:
    """(allocators with their out-argument, reallocators with their argument, deallocators with their argument)."""
    allocs = [(n, _position(e, "arg", path, text)) for e in block.findall("alloc") for n in _names(e, path, text)]
    reallocs = [(n, _position(e, "realloc-arg", path, text) or 0)
                for e in block.findall("realloc") for n in _names(e, path, text)]
    deallocs = [(n, _position(e, "arg", path, text) or 0)
                for e in block.findall("dealloc") for n in _names(e, path, text)]
    for e in block.findall("use"):
        _names(e, path, text)  # validated; a `use` function keeps the pointer: the default for unknown calls
    if not deallocs:
        first = allocs[0][0] if allocs else block.tag
        raise RuleError(path, f"<{block.tag}> block of '{first}' has no <dealloc>", _line_of(text, first))
    return allocs, reallocs, deallocs


def _block_kind(block: ET.Element, allocs: list, reallocs: list, deallocs: list, rules: RuleSetBuilder,
                source: str, returns: dict[str, str], counts: dict[str, int]) -> str:
    """The kind the block's functions join: the one its deallocator already releases, else a new one."""
    kind = next((rels[0].kind for name, _ in deallocs if (rels := rules.releases_for(name))), "")
    if kind:
        return str(kind)
    kind = (allocs or reallocs)[0][0]
    invalid = "negative" if block.tag == "resource" and INT_TYPES.match(returns.get(kind, "")) else "null"
    if kind not in rules.kinds:
        rules.add_kind(ResourceKind(kind, invalid, f"cppcheck <{block.tag}> released by {deallocs[0][0]}()", source))
        counts["kinds"] += 1
    return str(kind)


def _load_block(block: ET.Element, path: str, text: str, rules: RuleSetBuilder, source: str,
                returns: dict[str, str], counts: dict[str, int]) -> None:
    """One <memory> or <resource> block: its allocators, reallocators and deallocators as one kind."""
    allocs, reallocs, deallocs = _block_entries(block, path, text)
    if not allocs and not reallocs:
        return
    kind = _block_kind(block, allocs, reallocs, deallocs, rules, source, returns, counts)
    for name, out in allocs:
        if rules.acquire_for(name) is None and rules.realloc_for(name) is None:
            rules.add_acquire(Acquire(name, kind, out, source))
            counts["acquire"] += 1
    for name, arg in reallocs:
        if rules.realloc_for(name) is None:
            rules.add_realloc(Realloc(name, kind, arg, source))
            counts["realloc"] += 1
    for name, arg in deallocs:
        if not any(r.kind == kind and r.arg == arg for r in rules.releases_for(name)):
            rules.add_release(Release(name, kind, arg, source))
            counts["release"] += 1
