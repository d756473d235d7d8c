#ifndef WHARF_CRC32C_H
#define WHARF_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends a CRC-32C (Castagnoli) over `len` bytes. Start with crc = 0 for a fresh checksum;
/// pass a previous result to continue it. Uses the SSE4.2 `crc32` instruction when the CPU has
/// it (checked once), else a slicing-by-8 table. Thread-safe: the table is built at load time.
uint32_t wharf_crc32c(uint32_t crc, const void *data, size_t len);

/// The table-driven implementation alone, so tests can compare both paths on the same input.
uint32_t wharf_crc32c_sw(uint32_t crc, const void *data, size_t len);

/// 1 if the hardware path is in use on this CPU.
int wharf_crc32c_hw_available(void);

#endif
