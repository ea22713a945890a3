#!/usr/bin/env bash
# Build dictserver and record real profiles of it:
#   dictserver.000N.heap     gperftools heap profiler snapshots (HEAPPROFILE), one every 4000 queries
#   dictserver.sym           Breakpad-format symbols of the profiled binary (functions, line tables, load
#                            segments, build id), so that the .heap files symbolize without the binary
#   lsan-report.txt          LeakSanitizer report of the -fsanitize=leak build
#   valgrind-memcheck.xml    valgrind memcheck --xml=yes report of the plain build
#   SOURCES.sha256           the sources the profiles were made from (line numbers must match)
#
# usage: gen_profiles.sh [OUTDIR [heap] [lsan] [valgrind]]     (default: ./profiles, all three)
# BUILD_DIR=DIR keeps the builds there (default: a temporary directory, removed at the end).
# PYTHON=python with leakscan installed (default: the repository's .venv, else python3).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/profiles}
shift || true
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(heap lsan valgrind)
mkdir -p "$out"
out=$(cd "$out" && pwd)

python=${PYTHON:-}
if [ -z "$python" ]; then
  python=$here/../../.venv/bin/python
  [ -x "$python" ] || python=python3
fi

QUERIES=20000
DUMP_EVERY=4000
VALGRIND_QUERIES=2000

if [ -n "${BUILD_DIR:-}" ]; then
  build=$BUILD_DIR
  mkdir -p "$build"
else
  build=$(mktemp -d "${TMPDIR:-/tmp}/dictserver-build.XXXXXX")
  trap 'rm -rf "$build"' EXIT
fi

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "gen_profiles.sh: $1 is not installed ($2)" >&2; exit 3; }
}

need make "to build"
need g++ "to build"
targets=()
for p in "${parts[@]}"; do
  case $p in heap) targets+=(tc) ;; lsan) targets+=(lsan) ;; valgrind) targets+=(plain) ;; esac
done
make -s -C "$here" BUILD="$build" "${targets[@]}"

for part in "${parts[@]}"; do
  case $part in
  heap)
    rm -rf "$build/hp" && mkdir -p "$build/hp"
    # Dumps only at the explicit checkpoints (between requests): the automatic size-triggered dumps would
    # catch requests in flight.
    HEAPPROFILE="$build/hp/dictserver" HEAP_PROFILE_ALLOCATION_INTERVAL=1099511627776 \
      HEAP_PROFILE_INUSE_INTERVAL=1099511627776 \
      "$build/tc/dictserver" "$QUERIES" "$DUMP_EVERY" >"$build/hp/stdout.txt" 2>"$build/hp/stderr.txt"
    rm -f "$out"/dictserver.*.heap
    # "Dumping heap profile to PATH (checkpoint)": keep those, not the one written at exit.
    sed -n 's/^Dumping heap profile to \(.*\) (checkpoint)$/\1/p' "$build/hp/stderr.txt" | while read -r f; do
      cp "$f" "$out/"
    done
    ls "$out"/dictserver.*.heap >/dev/null
    (cd "$here/../.." && "$python" -m analyzer.profiles.symfile "$build/tc/dictserver") >"$out/dictserver.sym"
    ;;
  lsan)
    # LSan exits with 23 when it found leaks.
    rc=0
    "$build/lsan/dictserver" "$QUERIES" >/dev/null 2>"$out/lsan-report.txt" || rc=$?
    [ "$rc" = 23 ] || { echo "gen_profiles.sh: the LSan build exited $rc, expected 23 (leaks)" >&2; exit 1; }
    ;;
  valgrind)
    need valgrind "for the memcheck report"
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible \
      --num-callers=30 --xml=yes --xml-file="$out/valgrind-memcheck.xml" \
      "$build/plain/dictserver" "$VALGRIND_QUERIES" >/dev/null
    ;;
  *)
    echo "gen_profiles.sh: unknown part $part (heap, lsan, valgrind)" >&2
    exit 2
    ;;
  esac
done

(cd "$here" && sha256sum tmatch.h tmatch.c term_dict.h term_dict.cpp server.cpp) >"$out/SOURCES.sha256"
echo "gen_profiles.sh: wrote ${parts[*]} profiles to $out"
