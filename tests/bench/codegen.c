/* codegen — make bench's measurement of the code generator's own path:
 * codes_generate() for N codes (default 1,000,000) in batches as order.c
 * calls it: random symbols and check symbol, keyed look-up hash, sealed
 * copy.  Prints "codes N seconds S cpu C" on one line (wall-clock and
 * process CPU seconds: on a shared machine the CPU time is the figure).  A throw-away key; nothing
 * is stored. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "codes.h"
#include "crypto.h"

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    if (n <= 0 || crypto_startup() != 0)
        return 1;
    struct crypto_keys keys;
    crypto_random(&keys, sizeof keys);
    static struct new_code batch[CODES_BATCH];
    unsigned char check = 0;
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    for (long done = 0; done < n; done += CODES_BATCH) {
        size_t m = n - done < CODES_BATCH ? (size_t)(n - done) : CODES_BATCH;
        codes_generate(&keys, batch, m);
        check ^= batch[0].hash[0]; /* keeps the work from being optimised away */
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    printf("codes %ld seconds %.3f cpu %.3f (check %u)\n", n,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
           (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9, check);
    return 0;
}
