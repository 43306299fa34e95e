#!/bin/sh
# headers_alone.sh CC CXX INCLUDE_DIR OUT_DIR - every public pools header compiles on its own, with
# its typed macro expanded, as C11 and as C++17, with the project's warnings as errors. A header
# that leans on something the tests happen to include first (errno.h for -EINVAL, say) fails here
# before it fails for a user.
set -eu
cc=$1 cxx=$2 inc=$3 out=$4
mkdir -p "$out"
fails=0
for h in pool ring spsc scratch vec map pools; do
    case $h in
    pool) use='HP_POOL_DEFINE(t_pool, long);' ;;
    ring) use='HP_RING_DEFINE(t_ring, long);' ;;
    spsc) use='HP_SPSC_DEFINE(t_spsc, long);' ;;
    vec) use='HP_VEC_DEFINE(t_vec, long, 4);' ;;
    map) use='HP_MAP_DEFINE_BYTES(t_map, long, long);' ;;
    scratch) use='long *t_new(hp_scratch *s) { return HP_SCRATCH_NEW(s, long, 4); }' ;;
    pools) use='HP_POOL_DEFINE(t_pool, long); HP_SPSC_DEFINE(t_spsc, long);' ;;
    esac
    src=$out/alone_$h.c
    printf '#include <hotpath/%s.h>\n%s\nint main(void) { return 0; }\n' "$h" "$use" >"$src"
    if ! "$cc" -std=c11 -Wall -Wextra -Werror -I"$inc" -c "$src" -o "$out/alone_$h.o"; then
        echo "headers_alone: <hotpath/$h.h> does not compile on its own as C11" >&2
        fails=$((fails + 1))
    fi
    if ! "$cxx" -x c++ -std=c++17 -Wall -Wextra -Werror -I"$inc" -c "$src" -o "$out/alone_$h.cc.o"; then
        echo "headers_alone: <hotpath/$h.h> does not compile on its own as C++17" >&2
        fails=$((fails + 1))
    fi
done
printf '#include <hotpath/pools.hpp>\nint main() { return 0; }\n' >"$out/alone_hpp.cc"
if ! "$cxx" -std=c++17 -Wall -Wextra -Werror -I"$inc" -c "$out/alone_hpp.cc" -o "$out/alone_hpp.o"; then
    echo "headers_alone: <hotpath/pools.hpp> does not compile on its own as C++17" >&2
    fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] && echo "headers_alone: every pools header compiles on its own (C11 and C++17)"
[ "$fails" -eq 0 ]
