"""Writes the suite programs under tests/suites/programs/ (committed; tests check they match this script).

    python -m tests.suites.gen_programs          # (re)write programs/
    python -m tests.suites.gen_programs --check  # exit 1 if programs/ differs from what this script writes

Layout: programs/<shape>/<kind>-<variant>/<files>, and programs/index.json describing every program
(shape, issue, summary, kind, language, variant, whether its leak shows at run time).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from tests.suites import shapes_api, shapes_recall, shapes_values
from tests.suites.kinds import KINDS
from tests.suites.shape import Shape
from tests.suites.template import expand

PROGRAMS = Path(__file__).resolve().parent / "programs"
SHAPES: list[Shape] = [*shapes_values.SHAPES, *shapes_recall.SHAPES, *shapes_api.SHAPES]


def program_id(shape: str, kind: str, variant: str) -> str:
    return f"{shape}-{kind}-{variant}"


def build() -> dict[str, str]:
    """Relative path -> text of every file under programs/, index.json included."""
    files: dict[str, str] = {}
    index = []
    names = [s.name for s in SHAPES]
    if len(names) != len(set(names)):
        raise ValueError("duplicate shape names")
    for shape in SHAPES:
        for kind_name in shape.kinds:
            kind = KINDS[kind_name]
            lang = kind.lang(shape.lang)
            ext = "cpp" if lang == "cpp" else "c"
            for variant in shape.variants:
                folder = f"{shape.name}/{kind_name}-{variant}"
                for name, template in shape.files.items():
                    files[f"{folder}/{name.replace('$EXT', ext)}"] = expand(
                        template, kind, lang, variant == "leak", gnu=shape.gnu, extra_includes=shape.includes)
                if shape.pairs:
                    files[f"{folder}/pairs.toml"] = shape.pairs.strip("\n") + "\n"
                index.append({"id": program_id(shape.name, kind_name, variant), "dir": folder, "shape": shape.name,
                              "issue": shape.issue, "summary": shape.summary, "kind": kind_name, "lang": lang,
                              "variant": variant, "heap": kind.heap, "runtime_leak": shape.runtime_leak,
                              "links": shape.links, "gnu": shape.gnu})
    files["index.json"] = json.dumps(index, indent=1) + "\n"
    return files


def on_disk(root: Path = PROGRAMS) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*"))
            if p.is_file()}


def write(root: Path = PROGRAMS) -> int:
    files = build()
    if root.exists():
        shutil.rmtree(root)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(files)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare programs/ with the generator's output")
    args = ap.parse_args(argv)
    if args.check:
        want, have = build(), on_disk()
        diff = sorted(set(want) ^ set(have)) + sorted(k for k in set(want) & set(have) if want[k] != have[k])
        for rel in diff[:20]:
            print(f"gen_programs: differs: programs/{rel}", file=sys.stderr)
        return 1 if diff else 0
    n = write()
    print(f"gen_programs: wrote {n} files under {PROGRAMS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
