"""Entry point for `python -m bench.differential` and `python bench/differential`."""
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.differential.cli import main
else:
    from .cli import main

sys.exit(main())
