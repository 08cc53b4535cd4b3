/*
 * checksum: two small compute kernels whose results are folded into
 * checksums, so any wrong arithmetic in the runtime changes the output.
 *
 *   integer:  C = A x B for 48x48 matrices of 32-bit integers (wrapping),
 *             checksum = FNV-1a over the entries of C.
 *   float:    escape counts of a 64x32 Mandelbrot grid (double precision),
 *             checksum = FNV-1a over the counts, plus the sum of the final
 *             |z|^2 values printed with 17 significant digits.
 *
 * Exit code 0; no arguments, no files.
 */
#include <stdint.h>
#include <stdio.h>

#define N 48
#define WIDTH 64
#define HEIGHT 32
#define MAX_ITER 256

static uint32_t a[N][N], b[N][N], c[N][N];

static uint32_t fnv1a(uint32_t hash, uint32_t word) {
    for (int i = 0; i < 4; i++) {
        hash ^= (word >> (8 * i)) & 0xff;
        hash *= 16777619u;
    }
    return hash;
}

static uint32_t integer_kernel(void) {
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            seed = seed * 1103515245u + 12345u;
            a[i][j] = seed >> 7;
            seed = seed * 1103515245u + 12345u;
            b[i][j] = seed >> 9;
        }
    }
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            uint32_t sum = 0;
            for (int k = 0; k < N; k++)
                sum += a[i][k] * b[k][j];
            c[i][j] = sum;
        }
    }
    uint32_t hash = 2166136261u;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            hash = fnv1a(hash, c[i][j]);
    return hash;
}

static uint32_t float_kernel(double *magnitude_sum) {
    uint32_t hash = 2166136261u;
    double total = 0.0;
    for (int y = 0; y < HEIGHT; y++) {
        for (int x = 0; x < WIDTH; x++) {
            double cr = -2.2 + 3.0 * x / WIDTH;
            double ci = -1.2 + 2.4 * y / HEIGHT;
            double zr = 0.0, zi = 0.0;
            int n = 0;
            while (n < MAX_ITER && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                n++;
            }
            total += zr * zr + zi * zi;
            hash = fnv1a(hash, (uint32_t)n);
        }
    }
    *magnitude_sum = total;
    return hash;
}

int main(void) {
    printf("integer matmul %dx%d: checksum %08x\n", N, N, integer_kernel());
    double magnitude_sum;
    uint32_t counts = float_kernel(&magnitude_sum);
    printf("mandelbrot %dx%d: checksum %08x, sum |z|^2 = %.17g\n", WIDTH, HEIGHT, counts,
           magnitude_sum);
    return 0;
}
