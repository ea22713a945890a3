#!/bin/sh
# Fetch and build Debian codebases (build.sh), then scan them and time clang -fsyntax-only (scan.sh).
# Runs as root (apt). Sources, builds and results live under $DEBSRC (default /work/debsrc), never in the repo.
#
#   sh bench/debian/fetch_and_scan.sh leveldb redis       # these two
#   sh bench/debian/fetch_and_scan.sh                     # every package with a recipe in build.sh
#   CODE=/path/to/other/checkout LABEL=other sh bench/debian/fetch_and_scan.sh curl
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
sh "$HERE/build.sh" "$@"
sh "$HERE/scan.sh" "$@"
