#pragma once
#include <cstddef>
#include <cstdint>

namespace clip {
// CRC-32C (Castagnoli), the per-section checksum of shard files.
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);
}  // namespace clip
