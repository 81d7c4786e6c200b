// Byte layout of a shard file, shared by the writer and the reader so the
// two cannot drift. Normative description: docs/FORMAT.md.
#pragma once
#include <cstddef>
#include <cstdint>

namespace clip {
namespace shard_format {

constexpr uint8_t kMagic[8] = {'C', 'L', 'I', 'P', 'S', 'H', 'R', 'D'};
constexpr uint64_t kAlign = 64;  // section offsets; a cache line, and any SIMD load width

// Fixed header, 64 bytes; the fingerprint and the section table follow it.
constexpr size_t kFixedHeaderSize = 64;
constexpr size_t kOffMagic = 0;
constexpr size_t kOffVersion = 8;
constexpr size_t kOffHeaderSize = 12;
constexpr size_t kOffHeaderCrc = 16;  // CRC-32C of the header with this field zeroed
constexpr size_t kOffDim = 20;
constexpr size_t kOffCount = 24;
constexpr size_t kOffQuantization = 28;
constexpr size_t kOffFlags = 32;
constexpr size_t kOffSectionCount = 36;
constexpr size_t kOffFingerprintLength = 40;
constexpr size_t kOffReserved0 = 44;  // u32, zero
constexpr size_t kOffFileSize = 48;   // u64
constexpr size_t kOffReserved1 = 56;  // u64, zero

constexpr uint32_t kQuantInt8 = 1;       // centre + symmetric per-vector int8 with a float32 scale
constexpr uint32_t kFlagBinaryCodes = 1; // sign-bit section present
constexpr uint32_t kKnownFlags = kFlagBinaryCodes;

// Section table entry, 32 bytes: kind u32, reserved u32, offset u64,
// length u64, crc32c u32, reserved u32. Sections appear in kind order.
constexpr size_t kSectionEntrySize = 32;
enum SectionKind : uint32_t { kSectionCentre = 1, kSectionVectors = 2, kSectionBinary = 3, kSectionMetadata = 4 };

// Metadata record: 4 x (u32 length + bytes) for id, caption, source, thumb,
// then u32 width, u32 height, 32-byte SHA-256.
constexpr uint64_t kMinRecordSize = 4 * 4 + 2 * 4 + 32;

constexpr uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

constexpr uint64_t header_size(uint64_t fingerprint_length, uint64_t sections) {
  return kFixedHeaderSize + align_up(fingerprint_length, 8) + sections * kSectionEntrySize;
}

inline const char* section_name(uint32_t kind) {
  switch (kind) {
    case kSectionCentre: return "centre";
    case kSectionVectors: return "vectors";
    case kSectionBinary: return "binary codes";
    case kSectionMetadata: return "metadata";
    default: return "unknown";
  }
}

}  // namespace shard_format
}  // namespace clip
