"""`python -m analyzer` runs the leakscan CLI."""
import sys

from .cli import main

sys.exit(main())
