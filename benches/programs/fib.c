/*
 * fib (recursion, call-heavy): the SIZE-th Fibonacci number by naive
 * doubly recursive calls, about 2 * fib(SIZE) calls in all.  Checksum: the
 * number itself (wrapping) mixed with the number of calls made.
 */
#include "bench.h"

#define DEFAULT_SIZE 30
#define SMALL_SIZE 22
#define MAX_SIZE 40

static uint32_t calls;

/* noinline keeps the call tree a call tree at -O2. */
__attribute__((noinline)) static uint32_t fib(int n) {
    calls++;
    if (n < 2)
        return (uint32_t)n;
    return fib(n - 1) + fib(n - 2);
}

static uint32_t bench(int size) {
    calls = 0;
    uint32_t value = fib(size);
    return value * 31u + calls;
}

BENCH_PROGRAM("fib")
