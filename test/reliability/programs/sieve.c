/* Built by gcc and run by programs.sh: primes, a hash table, qsort, printf formatting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) { return *(const int *)b - *(const int *)a; }

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    char *composite = calloc((size_t)n + 1, 1);
    int *primes = malloc(sizeof(int) * (size_t)n), np = 0;
    for (int i = 2; i <= n; i++) {
        if (composite[i]) continue;
        primes[np++] = i;
        for (long j = (long)i * i; j <= n; j += i) composite[j] = 1;
    }
    qsort(primes, (size_t)np, sizeof *primes, cmp);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    for (int i = 0; i < np; i += np / 20) fprintf(m, "%d:%08x:%.3e\n", primes[i], (unsigned)primes[i], primes[i] / 7.0);
    fclose(m);
    printf("%d primes up to %d, largest %d\n%s", np, n, primes[0], buf);
    free(buf);
    free(primes);
    free(composite);
    return 0;
}
