/*
 * hotpath/pools.h - every pre-allocation building block in one include:
 *   hotpath/pool.h     object pool              hotpath/ring.h  single-threaded ring
 *   hotpath/spsc.h     lock-free SPSC ring      hotpath/scratch.h  scratch arena
 *   hotpath/vec.h      fixed vector (ArrayVec)  hotpath/map.h   fixed hash map
 * C++ users may include hotpath/pools.hpp for thin typed classes over the same code.
 * Link with `pkg-config --cflags --libs hotpath-pools`.
 */
#ifndef HOTPATH_POOLS_H
#define HOTPATH_POOLS_H

#include "map.h"
#include "pool.h"
#include "ring.h"
#include "scratch.h"
#include "spsc.h"
#include "vec.h"

#endif /* HOTPATH_POOLS_H */
