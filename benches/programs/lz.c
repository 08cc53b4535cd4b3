/*
 * lz (compressor, byte-granular memory traffic): SIZE KiB of generated text
 * (words drawn from a small vocabulary) compressed by a greedy LZ77 coder
 * with a 4096-entry hash table of 3-byte prefixes, decompressed again and
 * compared with the input.  Checksum: CRC-32 (IEEE, bitwise) of the
 * compressed stream mixed with its length; 0 if the round trip fails.
 *
 * Stream format: a token byte T; T < 128 means T + 1 literal bytes follow;
 * T >= 128 means a match of length (T - 128) + MIN_MATCH at the distance
 * given by the next two bytes (little-endian, 1..WINDOW).
 */
#include "bench.h"

#define DEFAULT_SIZE 384
#define SMALL_SIZE 6
#define MAX_SIZE 2048
#define MIN_MATCH 3
#define MAX_MATCH (127 + MIN_MATCH)
#define WINDOW 65535
#define HASH_BITS 12

static uint32_t last_seen[1 << HASH_BITS];

static const char *const vocabulary[16] = {
    "fault ", "bit ", "flip ", "the ", "a ", "register ", "memory ", "check ",
    "signature ", "value ", "code ", "word ", "detected, ", "silent ", "trap. ", "\n",
};

static uint32_t generate(uint8_t *text, uint32_t length) {
    uint32_t seed = 521288629u;
    uint32_t n = 0;
    while (n < length) {
        const char *word = vocabulary[next_random(&seed) >> 28];
        while (*word && n < length)
            text[n++] = (uint8_t)*word++;
    }
    return n;
}

static uint32_t hash3(const uint8_t *p) {
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static uint32_t compress(const uint8_t *in, uint32_t length, uint8_t *out) {
    for (int i = 0; i < 1 << HASH_BITS; i++)
        last_seen[i] = 0xffffffffu;
    uint32_t pos = 0, written = 0, literal_start = 0;
    while (pos < length) {
        uint32_t match_length = 0, distance = 0;
        if (pos + MIN_MATCH <= length) {
            uint32_t h = hash3(in + pos);
            uint32_t candidate = last_seen[h];
            last_seen[h] = pos;
            if (candidate != 0xffffffffu && pos - candidate <= WINDOW) {
                while (pos + match_length < length && match_length < MAX_MATCH &&
                       in[candidate + match_length] == in[pos + match_length])
                    match_length++;
                distance = pos - candidate;
            }
        }
        if (match_length < MIN_MATCH) {
            pos++;
            if (pos - literal_start == 128 || pos == length) {
                out[written++] = (uint8_t)(pos - literal_start - 1);
                while (literal_start < pos)
                    out[written++] = in[literal_start++];
            }
            continue;
        }
        if (literal_start < pos) {
            out[written++] = (uint8_t)(pos - literal_start - 1);
            while (literal_start < pos)
                out[written++] = in[literal_start++];
        }
        out[written++] = (uint8_t)(128 + match_length - MIN_MATCH);
        out[written++] = (uint8_t)distance;
        out[written++] = (uint8_t)(distance >> 8);
        pos += match_length;
        literal_start = pos;
    }
    return written;
}

/* Returns the decompressed length, or 0xffffffff for a malformed stream. */
static uint32_t decompress(const uint8_t *in, uint32_t length, uint8_t *out, uint32_t capacity) {
    uint32_t pos = 0, written = 0;
    while (pos < length) {
        uint32_t token = in[pos++];
        if (token < 128) {
            if (pos + token + 1 > length || written + token + 1 > capacity)
                return 0xffffffffu;
            for (uint32_t i = 0; i <= token; i++)
                out[written++] = in[pos++];
        } else {
            if (pos + 2 > length)
                return 0xffffffffu;
            uint32_t match_length = token - 128 + MIN_MATCH;
            uint32_t distance = (uint32_t)in[pos] | (uint32_t)in[pos + 1] << 8;
            pos += 2;
            if (distance == 0 || distance > written || written + match_length > capacity)
                return 0xffffffffu;
            for (uint32_t i = 0; i < match_length; i++, written++)
                out[written] = out[written - distance];
        }
    }
    return written;
}

static uint32_t crc32(const uint8_t *data, uint32_t length) {
    uint32_t crc = 0xffffffffu;
    for (uint32_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static uint32_t bench(int size) {
    uint32_t capacity = (uint32_t)size * 1024;
    uint8_t *text = bench_alloc(capacity);
    /* Literal runs add one token byte per 128 bytes at worst. */
    uint8_t *packed = bench_alloc(capacity + capacity / 128 + 16);
    uint8_t *unpacked = bench_alloc(capacity);
    uint32_t length = generate(text, capacity);
    uint32_t packed_length = compress(text, length, packed);
    if (decompress(packed, packed_length, unpacked, capacity) != length)
        return 0;
    for (uint32_t i = 0; i < length; i++)
        if (unpacked[i] != text[i])
            return 0;
    return crc32(packed, packed_length) ^ packed_length * 2654435761u;
}

BENCH_PROGRAM("lz")
