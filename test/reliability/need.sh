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
    # apt's own errors stay on stderr (a held lock, a package this release lacks): they say why.
    # DPkg::Lock::Timeout waits for another apt or dpkg to finish instead of failing at once.
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q -o DPkg::Lock::Timeout=120 $missing >/dev/null ||
        { echo "need.sh: retrying after apt-get update" >&2
          $SUDO apt-get update -q -o DPkg::Lock::Timeout=120 >/dev/null &&
          DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q -o DPkg::Lock::Timeout=120 $missing >/dev/null; }
fi
still=""
for p in $missing; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || still="$still $p"
done
[ -z "$still" ] && exit 0
for p in $still; do echo "SKIP: package $p is missing (see apt-get's message above); install it with: sudo apt-get install$still"; done
exit 1
