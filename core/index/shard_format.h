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
constexpr size_t kOffHeadSize = 56;   // u64: version 2, bytes of the head (the first stage); version 1, zero

constexpr uint32_t kQuantInt8 = 1;       // centre + symmetric per-vector int8 with a float32 scale
constexpr uint32_t kFlagBinaryCodes = 1; // sign-bit section present
constexpr uint32_t kKnownFlags = kFlagBinaryCodes;

// Section table entry, 32 bytes: kind u32, reserved u32, offset u64,
// length u64, crc32c u32, reserved u32.
constexpr size_t kSectionEntrySize = 32;
enum SectionKind : uint32_t {
  kSectionCentre = 1,
  kSectionVectors = 2,   // v1: int8 codes then f32 scales; v2: int8 codes only
  kSectionBinary = 3,
  kSectionMetadata = 4,
  kSectionScales = 5,         // v2
  kSectionRowChecks = 6,      // v2: u32 CRC-32C of each row's codes, then of each metadata record
  kSectionRecordOffsets = 7,  // v2: u32 offset of each record in the metadata section, then its length
  kSectionKeys = 8,           // v2: u32 id key of each row, then u32 content key
};
constexpr uint32_t kMaxSections = 8;

// The sections of a shard, in file order. In version 2 the first
// `head_sections` form the head: everything a sign-bit first pass and the
// verification of rows fetched later need, in one range from offset 0.
struct Layout {
  uint32_t kinds[kMaxSections] = {};
  uint32_t count = 0;
  uint32_t head_sections = 0;
};

inline Layout layout(uint32_t version, bool binary) {
  Layout l;
  auto add = [&l](uint32_t kind) { l.kinds[l.count++] = kind; };
  if (version == 1) {
    add(kSectionCentre);
    add(kSectionVectors);
    if (binary) add(kSectionBinary);
    add(kSectionMetadata);
    return l;
  }
  add(kSectionCentre);
  add(kSectionScales);
  if (binary) add(kSectionBinary);
  add(kSectionRowChecks);
  add(kSectionRecordOffsets);
  l.head_sections = l.count;
  add(kSectionKeys);
  add(kSectionVectors);
  add(kSectionMetadata);
  return l;
}

// Length of a section of fixed size; metadata's is variable (returns 0).
inline uint64_t fixed_section_length(uint32_t version, uint32_t kind, uint64_t count, uint64_t dim) {
  switch (kind) {
    case kSectionCentre: return 4 * dim;
    case kSectionVectors: return version == 1 ? count * (dim + 4) : count * dim;
    case kSectionBinary: return count * (dim / 8);
    case kSectionScales: return 4 * count;
    case kSectionRowChecks: return 8 * count;
    case kSectionRecordOffsets: return 8 * count;
    case kSectionKeys: return 8 * count;
    default: return 0;
  }
}

// Metadata record: 4 x (u32 length + bytes) for id, caption, source, thumb,
// then u32 width, u32 height, 32-byte SHA-256.
constexpr uint64_t kMinRecordSize = 4 * 4 + 2 * 4 + 32;
// Version 2 addresses records with u32 offsets.
constexpr uint64_t kMaxMetadataV2 = 0xFFFFFFFFull;

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
    case kSectionScales: return "scales";
    case kSectionRowChecks: return "row checks";
    case kSectionRecordOffsets: return "record offsets";
    case kSectionKeys: return "keys";
    default: return "unknown";
  }
}

}  // namespace shard_format
}  // namespace clip
