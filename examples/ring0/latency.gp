# latency.gp - ring0's per-event latency by percentile, zero-allocation vs naive (make ring0-plot).
# Usage: gnuplot -e "datafile='build/ring0/latency.dat'; outfile='docs/ring0-latency.png'" latency.gp
# The x axis is 1/(1-q) on a log scale (HdrHistogram style): 10 = p90, 100 = p99, 1000 = p99.9.
set terminal pngcairo size 1000,600 enhanced font "sans,11"
set output outfile
set title "Ring 0 reference core: per-event latency by percentile, 12 M events each, under the sentinel in abort mode\n{/*0.9 2 vCPUs (AMD EPYC VM): reactor pinned alone to one, producer + consumer on the other; TSC per batch of up to 32 events}"
set xlabel "percentile"
set ylabel "ns per event (log scale)"
set logscale xy
set xrange [1:1e6]
set yrange [5:*]
set xtics ("p0" 1, "p90" 10, "p99" 100, "p99.9" 1000, "p99.99" 10000, "p99.999" 100000, "p99.9999" 1000000)
set grid xtics ytics mytics
set key top left box opaque spacing 1.2
set arrow from 1,100 to 1e6,100 nohead dashtype 2 lc rgb "#888888"
set label "issue 6 target: p99 < 100 ns" at 1.3,120 tc rgb "#666666"
set arrow from 1,500 to 1e6,500 nohead dashtype 2 lc rgb "#888888"
set label "seed budget: 500 ns" at 1.3,600 tc rgb "#666666"
plot datafile using 2:3 with lines lw 3 lc rgb "#1f77b4" title "zero-allocation (pools, marked hot)", \
     datafile using 2:4 with lines lw 3 lc rgb "#d62728" title "naive (malloc, strdup, realloc per event)"
