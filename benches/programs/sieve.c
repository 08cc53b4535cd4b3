/*
 * sieve (integer loops, byte stores): the primes below SIZE by the sieve of
 * Eratosthenes.  Checksum: the prime count mixed with the sum of the primes.
 */
#include "bench.h"

#define DEFAULT_SIZE 1500000
#define SMALL_SIZE 20000
#define MAX_SIZE 4000000

static uint32_t bench(int size) {
    uint8_t *composite = bench_alloc((size_t)size);
    for (int i = 0; i < size; i++)
        composite[i] = 0;
    uint32_t count = 0, sum = 0;
    for (int i = 2; i < size; i++) {
        if (composite[i])
            continue;
        count++;
        sum += (uint32_t)i;
        for (long long multiple = (long long)i * i; multiple < size; multiple += i)
            composite[multiple] = 1;
    }
    return count * 2654435761u ^ sum;
}

BENCH_PROGRAM("sieve")
