#!/bin/sh
# Scan codebases built by build.sh with one version of leakscan, and time `clang -fsyntax-only` over the same
# compile database with as many parallel jobs. Writes $DEBSRC/results/$LABEL/NAME.json (the scan), NAME.timing
# (wall times) and NAME.log (stderr), then prints one Markdown row per codebase (scan_summary.py).
#
#   CODE=/work/baseline LABEL=baseline PY=/work/main/.venv/bin/python sh bench/debian/scan.sh redis
#   sh bench/debian/scan.sh                    # every built codebase and the two example folders, this checkout
#
# NAME is a codebase built by build.sh (scanned as `scan -p $DEBSRC/build-NAME`), or one of the folders
# `example` ($EXAMPLE, the repo's examples/dictserver) and `dictsvc` ($DICTSVC, shared/fixtures/dictsvc), scanned as
# paths (no clang timing for those). The scan runs from /tmp with a fixed --timestamp, so two results differ only
# where the findings or stats (seconds!) differ.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DEBSRC=${DEBSRC:-/work/debsrc}
CODE=${CODE:-$REPO}
LABEL=${LABEL:-$(basename "$CODE")}
PY=${PY:-$REPO/.venv/bin/python}
JOBS=${JOBS:-2}
EXAMPLE=${EXAMPLE:-$REPO/examples/dictserver}
DICTSVC=${DICTSVC:-$REPO/../shared/fixtures/dictsvc}
OUT=$DEBSRC/results/$LABEL

built() {
    for d in "$DEBSRC"/build-*/compile_commands.json; do
        [ -f "$d" ] || continue
        d=${d%/compile_commands.json}
        echo "${d##*/build-}"
    done
}

now() { date +%s.%N; }

scan_one() {
    name=$1
    case $name in
    example) target=$EXAMPLE ;;
    dictsvc) target=$DICTSVC ;;
    *) target=-p\ $DEBSRC/build-$name ;;
    esac
    start=$(now)
    rc=0
    # $target is word-split on purpose: either `-p DIR` or one folder path (no blanks in either)
    # shellcheck disable=SC2086
    (cd /tmp && PYTHONPATH=$CODE "$PY" -c 'import sys; from analyzer.cli import main; sys.exit(main())' \
        scan $target -j "$JOBS" --format json -o "$OUT/$name.json" --timestamp 2026-01-01T00:00:00Z) \
        2>"$OUT/$name.log" || rc=$?
    end=$(now)
    case $rc in
    0 | 1 | 3) ;;  # clean, findings, incomplete (degraded or failed TUs)
    *) echo "[scan] $name: leakscan exited $rc (see $OUT/$name.log)" >&2; return 1 ;;
    esac
    awk -v a="$start" -v b="$end" 'BEGIN { printf "scan_seconds=%.2f\n", b - a }' > "$OUT/$name.timing"
    echo "scan_exit=$rc" >> "$OUT/$name.timing"
    case $name in
    example | dictsvc) ;;
    *) PYTHONPATH=$CODE "$PY" "$HERE/clang_time.py" "$DEBSRC/build-$name" -j "$JOBS" | tr ' ' '\n' \
        >> "$OUT/$name.timing" ;;
    esac
}

mkdir -p "$OUT"
# shellcheck disable=SC2046
[ $# -gt 0 ] || set -- $(built) example dictsvc
status=0
for name in "$@"; do
    echo "[scan] $name ($LABEL)" >&2
    scan_one "$name" || status=1
done
"$PY" "$HERE/scan_summary.py" --header
"$PY" "$HERE/scan_summary.py" "$OUT" "$@" || status=1
exit $status
