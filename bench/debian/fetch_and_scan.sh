#!/bin/sh
# Fetch Debian sources of real codebases, generate their compile databases, and time leakscan against
# `clang -fsyntax-only` over the same files. Runs as root (apt). Sources go to $DEBSRC, never into the repo.
#
#   sh bench/debian/fetch_and_scan.sh            # leveldb and redis
#   DEBSRC=/tmp/elsewhere sh bench/debian/fetch_and_scan.sh leveldb
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DEBSRC=${DEBSRC:-/tmp/debsrc}
PY=${PY:-$REPO/.venv/bin/python}
PACKAGES=${*:-leveldb redis}

# deb-src: the `deb` stanza of the system sources with Types: deb-src
if ! grep -rqs '^Types: deb-src' /etc/apt/sources.list.d/; then
    awk 'BEGIN{RS=""; ORS="\n\n"} /Types: deb/ && /debian\n|debian$|debian / {sub(/Types: deb/, "Types: deb-src"); print; exit}' \
        /etc/apt/sources.list.d/debian.sources > /etc/apt/sources.list.d/debian-src.sources
fi
apt-get update -qq
command -v clang >/dev/null && command -v bear >/dev/null && command -v cmake >/dev/null || \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang bear cmake make >/dev/null

mkdir -p "$DEBSRC"
cd "$DEBSRC"
for pkg in $PACKAGES; do
    ls -d "$pkg"-*/ >/dev/null 2>&1 || apt-get source -qq "$pkg"
    src=$(ls -d "$pkg"-*/ | head -1)
    src=$DEBSRC/${src%/}
    build=$DEBSRC/build-$pkg
    mkdir -p "$build"
    case $pkg in
    leveldb)
        cmake -S "$src" -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DLEVELDB_BUILD_TESTS=OFF \
            -DLEVELDB_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null ;;
    redis)
        [ -s "$build/compile_commands.json" ] || {
            (cd "$src" && bear --output "$build/compile_commands.json" -- \
                make -j"$(nproc)" MALLOC=libc BUILD_TLS=no USE_SYSTEMD=no >/dev/null 2>&1); } ;;
    *)
        echo "no recipe for $pkg" >&2; exit 2 ;;
    esac
    echo "== $pkg ($src)"
    "$PY" "$REPO/bench/scan_speed.py" -p "$build" --keep "$DEBSRC/$pkg.leakscan.json"
    "$PY" "$HERE/first_findings.py" "$DEBSRC/$pkg.leakscan.json" 10
done
