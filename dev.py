#!/usr/bin/env python3
"""Set-up and the two everyday jobs: `python3 dev.py example` and `python3 dev.py test`.

Creates .venv next to this file on first use and installs leakscan (with test extras) into it.
"""
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"


def ensure_venv() -> None:
    stamp = VENV / ".leakscan-installed"
    pyproject = ROOT / "pyproject.toml"
    if PY.exists() and stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    subprocess.run([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"], check=True)
    stamp.touch()


def example() -> int:
    script = ROOT / "examples" / "run_example.py"
    return subprocess.call([str(PY), str(script), *sys.argv[2:]], cwd=ROOT)


def test() -> int:
    workers = os.environ.get("LEAKSCAN_TEST_WORKERS", "auto")
    cmd = [str(PY), "-m", "pytest", "-n", workers, "-q", *sys.argv[2:]]
    rc = subprocess.call(cmd, cwd=ROOT)
    if rc == 5:  # pytest: no tests collected
        print("dev.py: no test ran", file=sys.stderr)
        return 1
    return rc


def main() -> int:
    jobs = {"example": example, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in jobs:
        print("usage: python3 dev.py example|test [args...]", file=sys.stderr)
        return 2
    ensure_venv()
    return jobs[sys.argv[1]]()


if __name__ == "__main__":
    sys.exit(main())
