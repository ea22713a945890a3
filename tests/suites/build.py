"""Builds a suite program with gcc/g++ (syntax checks, and AddressSanitizer executables for LeakSanitizer runs)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.suites.runner import Program

LEAK_BANNER = "LeakSanitizer: detected memory leaks"


def compilers_present() -> bool:
    return bool(shutil.which("gcc") and shutil.which("g++"))


def syntax_errors(sources: list[Path], lang: str) -> str:
    """gcc/g++ -fsyntax-only over many files in one run (gcc's default -std, as the programs' users build them)."""
    if not sources:
        return ""
    cc = "gcc" if lang == "c" else "g++"
    proc = subprocess.run([cc, "-fsyntax-only", *map(str, sources)], capture_output=True, text=True, timeout=600)
    return "" if proc.returncode == 0 else proc.stderr


def run_with_lsan(program: Program, workdir: Path) -> subprocess.CompletedProcess:
    """Compile every source with -fsanitize=address, link, run once; the result carries LeakSanitizer's report."""
    objects = []
    sources = [p for p in program.sources() if p.suffix in (".c", ".cpp")]
    for src in sources:
        obj = workdir / (src.stem + ".o")
        cc = "g++" if src.suffix == ".cpp" else "gcc"
        subprocess.run([cc, "-c", "-g", "-O0", "-fsanitize=address", str(src), "-o", str(obj)], check=True,
                       capture_output=True, text=True, timeout=120)
        objects.append(str(obj))
    exe = workdir / "prog"
    linker = "g++" if any(s.suffix == ".cpp" for s in sources) else "gcc"
    subprocess.run([linker, "-fsanitize=address", *objects, "-o", str(exe)], check=True, capture_output=True,
                   text=True, timeout=120)
    # the check runs after main() returns: a lost pointer can survive in a dead stack slot or a register and hide
    # the leak, so only globals and the heap count as references (all the programs free what main() holds)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               LSAN_OPTIONS="use_stacks=0:use_registers=0")
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, cwd=workdir, env=env)
