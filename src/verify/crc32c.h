/* CRC32C (Castagnoli): SSE4.2 instructions where the CPU has them, tables otherwise. */
#ifndef DMRB_CRC32C_H
#define DMRB_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Build the tables and probe the CPU; call once before threads use crc32c(). */
void crc32c_init(void);
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);
/* The portable version, for tests and CPUs without SSE4.2. */
uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t len);
/* "sse4.2" or "software": what crc32c() uses on this CPU. */
const char *crc32c_impl(void);

#endif
