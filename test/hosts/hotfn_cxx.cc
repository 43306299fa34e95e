// C++ functions named in hot_functions_file by their demangled names (built with
// -finstrument-functions by hosts.mk): a class template's member, overloads, a free function.
// Each allocates, so a report names the function that the name selected.
#include <hotpath.h>

#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

static void *volatile sink;

namespace fft {
template <typename T> struct Engine {
    std::vector<std::complex<T>> buf;
    __attribute__((noinline)) void process(std::complex<T> *x, unsigned long n)
    {
        sink = std::malloc(n * sizeof *x); // HOTFN_PROCESS
        x[0] *= std::complex<T>(2, 0);
    }
};
__attribute__((noinline)) void scale(double *x, int n)
{
    sink = std::malloc(16); // HOTFN_SCALE_DOUBLE
    x[0] *= n;
}
__attribute__((noinline)) void scale(float *x, int n)
{
    sink = std::malloc(8); // HOTFN_SCALE_FLOAT
    x[0] *= (float)n;
}
} // namespace fft

__attribute__((noinline)) int twiddle(int k)
{
    sink = std::malloc(4); // HOTFN_TWIDDLE
    return k + 1;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "all";
    std::complex<double> xd[2] = {{1, 0}, {2, 0}};
    std::complex<float> xf[2] = {{1, 0}, {2, 0}};
    double d = 1;
    float f = 1;
    if (!std::strcmp(what, "all") || !std::strcmp(what, "engine")) {
        fft::Engine<double>().process(xd, 2);
        fft::Engine<float>().process(xf, 2);
    }
    if (!std::strcmp(what, "all") || !std::strcmp(what, "scale")) {
        fft::scale(&d, 2);
        fft::scale(&f, 2);
    }
    if (!std::strcmp(what, "all") || !std::strcmp(what, "twiddle")) twiddle(1);
    std::printf("survived %g %g\n", d, (double)f);
    return 0;
}
