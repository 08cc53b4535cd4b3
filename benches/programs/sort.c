/*
 * sort (memory-heavy): SIZE pseudo-random 32-bit keys sorted by quicksort
 * (median of three, insertion sort below 16 elements, recursing into the
 * smaller half so the stack stays O(log SIZE)), then the sorted keys are
 * copied block-wise into a second buffer in reversed block order.
 * Checksum: a position-weighted sum of the copy, 0 if the sort is wrong.
 */
#include "bench.h"

#define DEFAULT_SIZE 150000
#define SMALL_SIZE 2500
#define MAX_SIZE 1000000
#define BLOCK 256

static void insertion_sort(uint32_t *a, int n) {
    for (int i = 1; i < n; i++) {
        uint32_t key = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > key) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = key;
    }
}

static void swap(uint32_t *a, uint32_t *b) {
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

static void quicksort(uint32_t *a, int n) {
    while (n > 16) {
        int mid = n / 2;
        if (a[mid] < a[0])
            swap(&a[mid], &a[0]);
        if (a[n - 1] < a[0])
            swap(&a[n - 1], &a[0]);
        if (a[n - 1] < a[mid])
            swap(&a[n - 1], &a[mid]);
        uint32_t pivot = a[mid];
        int i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            swap(&a[i], &a[j]);
            i++;
            j--;
        }
        int left = j + 1;
        if (left < n - left) {
            quicksort(a, left);
            a += left;
            n -= left;
        } else {
            quicksort(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

static uint32_t bench(int size) {
    uint32_t *keys = bench_alloc((size_t)size * sizeof *keys);
    uint32_t *copy = bench_alloc((size_t)size * sizeof *copy);
    uint32_t state = 2463534242u;
    for (int i = 0; i < size; i++)
        keys[i] = next_random(&state);
    quicksort(keys, size);
    for (int i = 1; i < size; i++)
        if (keys[i - 1] > keys[i])
            return 0;
    int blocks = (size + BLOCK - 1) / BLOCK;
    for (int b = 0; b < blocks; b++) {
        int from = b * BLOCK;
        int to = size - from - BLOCK;
        int length = BLOCK;
        if (to < 0) {
            length += to;
            to = 0;
        }
        for (int k = 0; k < length; k++)
            copy[to + k] = keys[from + k];
    }
    uint32_t sum = 0;
    for (int i = 0; i < size; i++)
        sum += copy[i] * (uint32_t)(i + 1);
    return sum;
}

BENCH_PROGRAM("sort")
