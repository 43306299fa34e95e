#!/bin/sh
# need.sh PACKAGE...: make sure Debian packages the reliability tests use are installed.
# As root (or with passwordless sudo) installs what is missing with apt-get; otherwise prints the
# exact command and a SKIP line for each missing package. Exits 0 if all are present at the end,
# 1 if some are still missing (the caller then skips, loudly, what needs them).
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi
if [ "$SUDO" != none ]; then
    echo "need.sh: installing$missing" >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null 2>&1 ||
        { $SUDO apt-get update -qq >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null 2>&1; }
fi
still=""
for p in $missing; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || still="$still $p"
done
[ -z "$still" ] && exit 0
for p in $still; do echo "SKIP: package $p is missing; install it with: sudo apt-get install$still"; done
exit 1
