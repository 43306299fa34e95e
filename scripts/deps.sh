#!/bin/sh
# Make sure hotpath's build dependencies are present. On Debian/Ubuntu, install what is missing
# with apt-get when we are root (or have password-less sudo); otherwise print the exact command.
set -u
missing=""
need() { # need PACKAGE TEST...
    pkg=$1; shift
    "$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
need pkg-config command -v pkg-config
need libunwind-dev pkg-config --exists libunwind
need libdw-dev pkg-config --exists libdw
need check pkg-config --exists check
need python3 test -x /usr/bin/python3
need python3-jsonschema /usr/bin/python3 -c 'import jsonschema'
need python3-mypy /usr/bin/python3 -c 'import mypy'
# clang's sanitizer runtimes, for the sanitizer-built hosts of make check-hosts
if command -v clang >/dev/null 2>&1; then
    need "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev" test -e "$(clang -print-runtime-dir)/libclang_rt.asan-$(uname -m).a"
fi
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
echo "hotpath: missing build dependencies:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "hotpath: no apt-get here; install the equivalents of:$missing" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "hotpath: run this, then make again:  sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
echo "hotpath: installing:$missing"
$SUDO apt-get update -qq >/dev/null 2>&1 || true
# shellcheck disable=SC2086
if ! DEBIAN_FRONTEND=noninteractive $SUDO $cmd >/dev/null; then
    echo "hotpath: installing failed; run:  sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
