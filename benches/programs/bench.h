/*
 * bench.h: the one piece of glue every benchmark program includes, so each
 * program is a single source file built two ways by build.sh:
 *
 *   NAME.wasm      a WASI command.  `NAME.wasm [SIZE]` prints
 *                  "NAME SIZE CHECKSUM" (checksum in unsigned decimal) and
 *                  exits with 0; a bad SIZE prints an error and exits with 2.
 *   NAME.run.wasm  no imports (built with -DBENCH_RUN_EXPORT).  Exports
 *                  `run() -> i32`, the checksum at the size RUN_SIZE, and
 *                  `run_n(size) -> i32` for any size; a size out of range
 *                  traps (unreachable).
 *
 * A program defines DEFAULT_SIZE (about 10^7..10^8 executed Wasm
 * instructions), SMALL_SIZE (about 10^6, for fault-injection campaigns and
 * the in-kernel test), MAX_SIZE (the largest size it accepts: bounds its
 * memory and keeps its integer arithmetic in range), and
 *
 *   static uint32_t bench(int size);
 *
 * then invokes BENCH_PROGRAM(name).  Buffers that grow with SIZE come from
 * bench_alloc, so a module's linear memory is as large as its run needs
 * (a fault injected into memory lands in data the program uses, not in
 * a huge idle buffer): malloc in the WASI build, a bump allocator over
 * memory.grow in the no-import build, reset before every call of run_n.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

static uint32_t bench(int size);

#ifdef BENCH_RUN_EXPORT

/* Built with -fno-builtin -nostdlib: the compiler may still emit calls to
 * these for struct copies and zeroing, and there is no libc to provide them. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int value, size_t n) {
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)value;
    return dst;
}

extern unsigned char __heap_base;
static uintptr_t heap_top;

/* Hands out 16-byte aligned memory after the static data, growing the linear
 * memory when needed; traps when it cannot grow. */
__attribute__((unused)) static void *bench_alloc(size_t bytes) {
    if (heap_top == 0)
        heap_top = (uintptr_t)&__heap_base;
    uintptr_t start = (heap_top + 15) & ~(uintptr_t)15;
    uintptr_t end = start + bytes;
    uintptr_t available = __builtin_wasm_memory_size(0) * 65536;
    if (end > available && __builtin_wasm_memory_grow(0, (end - available + 65535) / 65536) == (size_t)-1)
        __builtin_trap();
    heap_top = end;
    return (void *)start;
}

#define BENCH_PROGRAM(name)                                                                    \
    __attribute__((export_name("run_n"))) int32_t run_n(int32_t size) {                       \
        if (size < 1 || size > MAX_SIZE)                                                       \
            __builtin_trap();                                                                  \
        heap_top = 0;                                                                          \
        return (int32_t)bench(size);                                                           \
    }                                                                                          \
    __attribute__((export_name("run"))) int32_t run(void) { return run_n(SMALL_SIZE); }

#else

#include <stdio.h>
#include <stdlib.h>

__attribute__((unused)) static void *bench_alloc(size_t bytes) {
    void *memory = malloc(bytes);
    if (!memory) {
        fprintf(stderr, "out of memory: %zu bytes\n", bytes);
        exit(3);
    }
    return memory;
}

#define BENCH_PROGRAM(name)                                                                    \
    int main(int argc, char **argv) {                                                          \
        long size = DEFAULT_SIZE;                                                              \
        if (argc > 2) {                                                                        \
            fprintf(stderr, "usage: %s [SIZE]\n", name);                                      \
            return 2;                                                                          \
        }                                                                                      \
        if (argc == 2) {                                                                       \
            char *end;                                                                         \
            size = strtol(argv[1], &end, 10);                                                  \
            if (*argv[1] == '\0' || *end != '\0' || size < 1 || size > MAX_SIZE) {            \
                fprintf(stderr, "%s: SIZE must be an integer from 1 to %d, not '%s'\n", name,  \
                        MAX_SIZE, argv[1]);                                                    \
                return 2;                                                                      \
            }                                                                                  \
        }                                                                                      \
        printf("%s %ld %lu\n", name, size, (unsigned long)bench((int)size));                  \
        return 0;                                                                              \
    }

#endif

/* xorshift32: the inputs of every program, generated, never read from files. */
static inline uint32_t next_random(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

#endif
