#!/bin/sh
# deps.sh build|check: make sure hotpath's dependencies are present. `build`: what `make` and
# `make install` need (pkg-config, libunwind, libdw); `check`: what `make check` needs besides
# (Check, python3 with jsonschema for the gate's tests). On Debian/Ubuntu, install what is missing
# with apt-get when we are root (or have password-less sudo), showing apt's own errors; otherwise
# print the exact command. The README's "Packages" list names every package installed here.
set -u
what=${1:-build}
missing=""
need() { # need PACKAGE TEST...
    pkg=$1
    shift
    "$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
need pkg-config command -v pkg-config
need libunwind-dev pkg-config --exists libunwind
need libdw-dev pkg-config --exists libdw
need libiberty-dev test -e /usr/include/libiberty/demangle.h
if [ "$what" = check ]; then
    need check pkg-config --exists check
    need python3 test -x /usr/bin/python3
    need python3-jsonschema /usr/bin/python3 -c 'import jsonschema'
    need python3-mypy /usr/bin/python3 -c 'import mypy'
    # clang's sanitizer runtimes, for the sanitizer-built hosts of make check-hosts
    if command -v clang >/dev/null 2>&1; then
        need "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev" test -e "$(clang -print-runtime-dir)/libclang_rt.asan-$(uname -m).a"
    fi
fi
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
echo "hotpath: missing $what dependencies:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "hotpath: no apt-get here; install the equivalents of:$missing" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "hotpath: run this, then make again:  sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
echo "hotpath: installing:$missing"
# Wait up to 2 minutes for another apt or dpkg to release its lock rather than fail at once; apt's
# own error lines (on stderr) say why when it does fail.
lock="-o DPkg::Lock::Timeout=120"
# shellcheck disable=SC2086
if ! DEBIAN_FRONTEND=noninteractive $SUDO $cmd $lock -q >/dev/null; then
    echo "hotpath: retrying after apt-get update" >&2
    # shellcheck disable=SC2086
    $SUDO apt-get update -q $lock >/dev/null
    # shellcheck disable=SC2086
    if ! DEBIAN_FRONTEND=noninteractive $SUDO $cmd $lock -q >/dev/null; then
        echo "hotpath: installing$missing failed (apt-get's message above says why); run:  sudo apt-get update && sudo $cmd" >&2
        exit 1
    fi
fi
