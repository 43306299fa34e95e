// A small C++ FFT on std::complex<double> (iterative radix-2, 1024 points), timed, for the cost of
// -finstrument-functions with and without -finstrument-functions-exclude-file-list=/usr/include
// (README, "Hot functions on C++"). `bench/hosts.sh` builds it three ways and prints the ratios.
// With argument "hot" one transform allocates, so that a run with
// HOTPATH_OPTIONS=hot_functions=fft_transform shows the violation is still caught.
#include <hotpath.h>

#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using cd = std::complex<double>;
static void *volatile sink;

__attribute__((noinline)) void fft_transform(std::vector<cd> &a, bool allocate)
{
    const size_t n = a.size();
    if (allocate) sink = std::malloc(64); // FFT_HOT_MALLOC
    for (size_t i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        const double ang = -2 * M_PI / (double)len;
        const cd wlen(std::cos(ang), std::sin(ang));
        for (size_t i = 0; i < n; i += len) {
            cd w(1);
            for (size_t j = 0; j < len / 2; j++) {
                cd u = a[i + j], v = a[i + j + len / 2] * w;
                a[i + j] = u + v;
                a[i + j + len / 2] = u - v;
                w *= wlen;
            }
        }
    }
}

int main(int argc, char **argv)
{
    bool hot = argc > 1 && !std::strcmp(argv[1], "hot");
    int rounds = argc > 2 ? std::atoi(argv[2]) : 2000;
    std::vector<cd> a(1024);
    for (size_t i = 0; i < a.size(); i++) a[i] = cd(std::sin((double)i), 0);
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; r++) {
        fft_transform(a, hot && r == 0);
        for (auto &x : a) x /= 32.0;
    }
    auto t1 = std::chrono::steady_clock::now();
    double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / rounds;
    std::printf("%.1f\n", ns);
    return a[1].real() > 1e300; // keep the result alive
}
