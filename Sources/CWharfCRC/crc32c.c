// CRC-32C as Kafka's RecordBatch v2 uses it (polynomial 0x1EDC6F41, reflected 0x82F63B78).
// The hardware path is the x86 SSE4.2 crc32 instruction, selected at run time so the binary
// still runs on CPUs without it; the software path is slicing-by-8.
#include "wharf_crc32c.h"
#include <string.h>

static uint32_t table[8][256];

__attribute__((constructor)) static void build_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = table[0][n];
        for (int k = 1; k < 8; k++) {
            c = table[0][c & 0xff] ^ (c >> 8);
            table[k][n] = c;
        }
    }
}

uint32_t wharf_crc32c_sw(uint32_t crc, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
    while (len >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);  // unaligned-safe load; little-endian hosts only use this layout
        word ^= crc;
        crc = table[7][word & 0xff] ^ table[6][(word >> 8) & 0xff] ^ table[5][(word >> 16) & 0xff] ^
              table[4][(word >> 24) & 0xff] ^ table[3][(word >> 32) & 0xff] ^
              table[2][(word >> 40) & 0xff] ^ table[1][(word >> 48) & 0xff] ^ table[0][word >> 56];
        p += 8;
        len -= 8;
    }
    while (len--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

#if defined(__x86_64__)
#include <cpuid.h>

__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    uint64_t c = ~crc;
    while (len >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (len--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return ~c32;
}

static int hw_ok = 0;

// Decided once at load time, before any thread can call in, so reads need no synchronisation.
__attribute__((constructor)) static void detect_hw(void) {
    unsigned a, b, c, d;
    hw_ok = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2);
}

int wharf_crc32c_hw_available(void) { return hw_ok; }

uint32_t wharf_crc32c(uint32_t crc, const void *data, size_t len) {
    return wharf_crc32c_hw_available() ? crc32c_hw(crc, data, len) : wharf_crc32c_sw(crc, data, len);
}
#else
int wharf_crc32c_hw_available(void) { return 0; }
uint32_t wharf_crc32c(uint32_t crc, const void *data, size_t len) { return wharf_crc32c_sw(crc, data, len); }
#endif
