#!/bin/sh
# Fetch the Debian source of a real C/C++ codebase, build it, and leave its compile database in
# $DEBSRC/build-NAME/compile_commands.json (generated headers such as config.h exist after the build, so libclang
# parses every TU as the compiler did). Runs as root (apt). Sources and builds live under $DEBSRC, never in the repo.
#
#   sh bench/debian/build.sh redis                 # one package
#   sh bench/debian/build.sh                       # every package with a recipe
#   FORCE=1 JOBS=2 DEBSRC=/work/debsrc sh bench/debian/build.sh curl     # rebuild
#   FETCH_ONLY=1 sh bench/debian/build.sh nginx                             # download and unpack only
#
# The deb-src list is derived from the machine's own apt sources and kept apart from the system's (own list file and
# own index folder under $DEBSRC/apt), so the system apt state is left untouched.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DEBSRC=${DEBSRC:-/work/debsrc}
JOBS=${JOBS:-2}
FORCE=${FORCE:-0}
FETCH_ONLY=${FETCH_ONLY:-0}
ALL="leveldb redis tmux zeromq3 sqlite3 libuv1 nghttp2 curl libgit2 zstd xxhash lz4 memcached nginx"
PACKAGES=${*:-$ALL}

APT_SRC="-o Dir::Etc::SourceList=$DEBSRC/apt/debsrc.sources -o Dir::Etc::SourceParts=/dev/null \
-o Dir::State::Lists=$DEBSRC/apt/lists"

log() { echo "[build] $*" >&2; }

# Install the Debian packages (build tools, -dev packages) that are not installed yet.
need() {
    missing=
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    log "apt-get install$missing"
    [ -f "$DEBSRC/apt/system-updated" ] || { apt-get update -qq; touch "$DEBSRC/apt/system-updated"; }
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# The deb-src index, fetched once (its own folder, so the system's `apt-get update` neither needs nor drops it).
apt_src_update() {
    mkdir -p "$DEBSRC/apt/lists/partial"
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$DEBSRC/apt/debsrc.sources"
    for f in "$DEBSRC"/apt/lists/*_Sources*; do [ -s "$f" ] && return 0; done
    # shellcheck disable=SC2086
    apt-get $APT_SRC update -qq
}

# The Debian source package that holds a codebase.
source_package() {
    case $1 in
    zstd) echo libzstd ;;
    *) echo "$1" ;;
    esac
}

# Download and unpack the source package; print the source folder. When the newest version's files cannot be had
# (a security update whose files the mirror no longer serves), fall back to the older versions the index lists.
fetch() {
    srcpkg=$(source_package "$1")
    # shellcheck disable=SC2012  # Debian source names and versions have no blanks
    existing=$(ls -d "$DEBSRC/$srcpkg"-[0-9]*/ 2>/dev/null | head -1)
    if [ -n "$existing" ]; then echo "${existing%/}"; return 0; fi
    apt_src_update
    mkdir -p "$DEBSRC/src"
    (
        cd "$DEBSRC/src"
        # shellcheck disable=SC2086
        if ! apt-get $APT_SRC source --download-only -qq "$srcpkg" >/dev/null 2>&1; then
            # shellcheck disable=SC2086
            versions=$(apt-cache $APT_SRC showsrc "$srcpkg" | awk '/^Version:/ {print $2}' | sort -ruV)
            ok=
            for v in $versions; do
                log "$srcpkg: trying version $v"
                # shellcheck disable=SC2086
                if apt-get $APT_SRC source --download-only -qq "$srcpkg=$v" >/dev/null 2>&1; then ok=1; break; fi
            done
            [ -n "$ok" ] || { log "$srcpkg: no version could be downloaded"; exit 1; }
        fi
    ) >&2
    # shellcheck disable=SC2012
    dsc=$(ls -t "$DEBSRC/src/${srcpkg}"_*.dsc | head -1)
    upstream=$(sed -n 's/^Version: \(.*:\)\{0,1\}\([^-]*\)\(-.*\)\{0,1\}$/\2/p' "$dsc" | head -1)
    # apt fetched the files over a signed index; gpgv's "no public key" noise about the .dsc itself is not shown
    dpkg-source -q -x "$dsc" "$DEBSRC/$srcpkg-$upstream" >/dev/null 2>&1 || { log "dpkg-source -x $dsc failed"; exit 1; }
    rm -f "$DEBSRC/${srcpkg}"_*.orig*.tar.*  # the copy dpkg-source leaves beside the unpacked tree
    echo "$DEBSRC/$srcpkg-$upstream"
}

# Configure and build with cmake, exporting the compile database into the build folder.
cmake_build() {
    src=$1 build=$2
    shift 2
    logged cmake -S "$src" -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
    logged cmake --build "$build" -j "$JOBS"
}

# Record a make build with bear. $1: folder make runs in; the rest: make arguments.
bear_make() {
    dir=$1
    shift
    (cd "$dir" && logged bear --output "$build/compile_commands.json" -- make -j"$JOBS" "$@")
}

# Run a configure or build step with its output in $build/build.log; on failure show the end of it.
logged() {
    "$@" >>"$build/build.log" 2>&1 || { rc=$?; tail -25 "$build/build.log" >&2; log "failed ($rc): $*"; return $rc; }
}

# Keep only the entries whose file lies under one of the given folders (relative to $src, or absolute).
keep_only() {
    python3 "$HERE/compdb_keep.py" "$build/compile_commands.json" "$src" "$@"
}

build_one() {
    name=$1
    src=$(fetch "$name")
    [ "$FETCH_ONLY" = 1 ] && { log "$name: $src"; return 0; }
    build=$DEBSRC/build-$name
    if [ "$FORCE" != 1 ] && [ -s "$build/compile_commands.json" ]; then
        log "$name: $build/compile_commands.json exists (FORCE=1 rebuilds)"
        return 0
    fi
    log "$name: building $src into $build"
    rm -rf "$build"
    mkdir -p "$build"
    case $name in
    leveldb)
        need cmake g++ libsnappy-dev
        cmake_build "$src" "$build" -DLEVELDB_BUILD_TESTS=OFF -DLEVELDB_BUILD_BENCHMARKS=OFF ;;
    redis)
        # The vendored deps/ (hiredis, lua, linenoise, hdr_histogram, jemalloc) are built but not kept.
        need bear make gcc pkg-config
        (cd "$src" && make distclean >/dev/null 2>&1) || true
        bear_make "$src" MALLOC=libc BUILD_TLS=no USE_SYSTEMD=no
        keep_only src ;;
    tmux)
        need bear make gcc pkg-config bison libevent-dev libncurses-dev
        (cd "$build" && logged "$src/configure")
        bear_make "$build" ;;
    zeromq3)
        need cmake g++ pkg-config
        cmake_build "$src" "$build" -DBUILD_TESTS=OFF -DWITH_PERF_TOOL=OFF -DWITH_LIBSODIUM=OFF -DENABLE_CURVE=OFF \
            -DWITH_DOCS=OFF -DBUILD_STATIC=OFF ;;
    sqlite3)
        # Separate source files rather than the 250k-line amalgamation; tclsh generates parse.c, opcodes.h etc.
        need bear make gcc tcl libreadline-dev zlib1g-dev
        (cd "$build" && logged "$src/configure" --disable-amalgamation --disable-tcl)
        bear_make "$build" libsqlite3.la sqlite3
        keep_only src ext "$build" ;;
    libuv1)
        need cmake gcc
        cmake_build "$src" "$build" -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF ;;
    nghttp2)
        need cmake gcc
        cmake_build "$src" "$build" -DENABLE_LIB_ONLY=ON -DENABLE_STATIC_LIB=OFF ;;
    curl)
        need cmake gcc libssl-dev zlib1g-dev
        cmake_build "$src" "$build" -DBUILD_TESTING=OFF -DCURL_USE_OPENSSL=ON -DUSE_LIBIDN2=OFF -DCURL_USE_LIBPSL=OFF \
            -DCURL_USE_LIBSSH2=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_NGHTTP2=OFF -DENABLE_MANUAL=OFF \
            -DCURL_DISABLE_LDAP=ON ;;
    libgit2)
        # Debian strips the bundled deps (+ds): use the system http-parser, pcre2, zlib and OpenSSL.
        need cmake gcc pkg-config libssl-dev zlib1g-dev libpcre2-dev libhttp-parser-dev
        cmake_build "$src" "$build" -DBUILD_TESTS=OFF -DBUILD_CLI=OFF -DUSE_SSH=OFF -DUSE_HTTPS=OpenSSL \
            -DUSE_HTTP_PARSER=system -DREGEX_BACKEND=pcre2 -DUSE_BUNDLED_ZLIB=OFF -DUSE_NTLMCLIENT=OFF ;;
    zstd)
        need cmake gcc
        cmake_build "$src/build/cmake" "$build" -DZSTD_BUILD_TESTS=OFF -DZSTD_BUILD_PROGRAMS=ON \
            -DZSTD_LZ4_SUPPORT=OFF -DZSTD_LZMA_SUPPORT=OFF -DZSTD_ZLIB_SUPPORT=OFF ;;
    xxhash)
        need bear make gcc
        (cd "$src" && make clean >/dev/null 2>&1) || true
        bear_make "$src" lib xxhsum ;;
    lz4)
        need bear make gcc
        (cd "$src" && make clean >/dev/null 2>&1) || true
        bear_make "$src" lib-release lz4-release ;;
    memcached)
        need bear make gcc libevent-dev
        (cd "$build" && logged "$src/configure")
        bear_make "$build" memcached ;;
    nginx)
        # nginx's own configure builds in $src/objs; the build folder only holds the compile database.
        need bear make gcc libpcre2-dev libssl-dev zlib1g-dev
        (cd "$src" && make clean >/dev/null 2>&1) || true
        (cd "$src" && logged ./configure --with-http_ssl_module --with-http_v2_module --with-stream --with-threads)
        bear_make "$src" ;;
    *)
        log "no recipe for $name"; return 2 ;;
    esac
    python3 "$HERE/compdb_keep.py" --check "$build/compile_commands.json"
}

mkdir -p "$DEBSRC/apt"
need dpkg-dev python3 clang
# shellcheck disable=SC2086  # a blank-separated list of names
set -- $PACKAGES
if [ $# -eq 1 ]; then
    build_one "$1"
    exit 0
fi
# One process per package: `set -e` holds inside each recipe, and one failure does not stop the others.
status=0
for pkg in "$@"; do
    sh "$0" "$pkg" || { log "$pkg: FAILED"; status=1; }
done
exit $status
