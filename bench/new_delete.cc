// operator new + delete of a small object, timed: run under the sentinel and under a bare
// forwarding preload (bench/bare_preload.c) by bench/hosts.sh. Prints ns per pair.
#include <chrono>
#include <cstdio>
#include <cstdlib>

struct Node {
    long v[3];
};

int main(int argc, char **argv)
{
    long n = argc > 1 ? std::atol(argv[1]) : 20000000;
    Node *volatile keep;
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; i++) {
        Node *p = new Node;
        keep = p;
        delete keep;
    }
    auto t1 = std::chrono::steady_clock::now();
    std::printf("%.3f\n", std::chrono::duration<double, std::nano>(t1 - t0).count() / (double)n);
    return 0;
}
