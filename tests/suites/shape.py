"""What a generated shape is: templates for the files of one small program, and the kinds it is built for."""
from __future__ import annotations

from dataclasses import dataclass, field

from tests.suites.kinds import DEFAULT


@dataclass(frozen=True)
class Shape:
    name: str
    issue: int
    summary: str  # the cause or recall item of the issue this shape stands for
    files: dict[str, str]  # file name ('$EXT' becomes .c or .cpp) -> template (see template.py)
    kinds: tuple[str, ...] = DEFAULT
    lang: str = "any"  # 'c', 'cpp', or 'any': the kind decides (new/new[] are C++)
    gnu: bool = False  # C sources written for gcc's default gnu mode (no feature-test macro)
    runtime_leak: bool = True  # the leaking variant loses memory on the run its main() makes
    links: bool = True  # the program's files link into an executable (False: some bodies are not in it)
    includes: tuple[str, ...] = ()  # extra system headers for $INCLUDES
    pairs: str = ""  # expected `leakscan pairs` (TOML, issue 10 programs only)
    variants: tuple[str, ...] = field(default=("leak", "clean"))
