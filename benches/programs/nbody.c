/*
 * nbody (floating point): SIZE leapfrog steps of five bodies pulling on each
 * other by Newtonian gravity (G = 1, softened), in double precision.  Only
 * +, -, *, / and sqrt, all exactly rounded in Wasm, so every conforming
 * runtime gives the same bits.  Checksum: FNV-1a over the bit patterns of
 * the final positions and the total energy.
 */
#include "bench.h"

#define DEFAULT_SIZE 60000
#define SMALL_SIZE 700
#define MAX_SIZE 100000000
#define BODIES 5

struct body {
    double x, y, z, vx, vy, vz, mass;
};

static const struct body initial[BODIES] = {
    {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 50.0},
    {1.0, 0.0, 0.1, 0.0, 7.0, 0.0, 0.01},
    {0.0, 2.5, -0.2, -4.5, 0.0, 0.3, 0.2},
    {-4.0, 0.5, 0.0, 0.2, -3.5, 0.0, 0.05},
    {0.3, -7.0, 1.0, 2.6, 0.1, -0.1, 0.5},
};

static struct body bodies[BODIES];

static void step(double dt) {
    for (int i = 0; i < BODIES; i++) {
        for (int j = i + 1; j < BODIES; j++) {
            double dx = bodies[i].x - bodies[j].x;
            double dy = bodies[i].y - bodies[j].y;
            double dz = bodies[i].z - bodies[j].z;
            double d2 = dx * dx + dy * dy + dz * dz + 1e-4;
            double scale = dt / (d2 * __builtin_sqrt(d2));
            bodies[i].vx -= dx * bodies[j].mass * scale;
            bodies[i].vy -= dy * bodies[j].mass * scale;
            bodies[i].vz -= dz * bodies[j].mass * scale;
            bodies[j].vx += dx * bodies[i].mass * scale;
            bodies[j].vy += dy * bodies[i].mass * scale;
            bodies[j].vz += dz * bodies[i].mass * scale;
        }
    }
    for (int i = 0; i < BODIES; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

static double energy(void) {
    double e = 0.0;
    for (int i = 0; i < BODIES; i++) {
        const struct body *b = &bodies[i];
        e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < BODIES; j++) {
            double dx = b->x - bodies[j].x;
            double dy = b->y - bodies[j].y;
            double dz = b->z - bodies[j].z;
            e -= b->mass * bodies[j].mass / __builtin_sqrt(dx * dx + dy * dy + dz * dz + 1e-4);
        }
    }
    return e;
}

static uint32_t hash_double(uint32_t hash, double value) {
    union {
        double d;
        uint64_t bits;
    } u = {value};
    for (int i = 0; i < 8; i++) {
        hash ^= (uint32_t)(u.bits >> (8 * i)) & 0xff;
        hash *= 16777619u;
    }
    return hash;
}

static uint32_t bench(int size) {
    for (int i = 0; i < BODIES; i++)
        bodies[i] = initial[i];
    for (int s = 0; s < size; s++)
        step(0.0005);
    uint32_t hash = 2166136261u;
    for (int i = 0; i < BODIES; i++) {
        hash = hash_double(hash, bodies[i].x);
        hash = hash_double(hash, bodies[i].y);
        hash = hash_double(hash, bodies[i].z);
    }
    return hash_double(hash, energy());
}

BENCH_PROGRAM("nbody")
