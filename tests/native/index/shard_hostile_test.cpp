// Damaged and hostile shard files: every truncation, every single-bit flip,
// random garbage, and crafted files whose checksums are valid but whose
// fields lie. Each must give an error (or, for crafted files that happen to
// be consistent, a shard whose every row can be read) and never read out of
// bounds: these tests also run under ASan.
#include <gtest/gtest.h>

#include <random>

#include "core/index/shard.h"
#include "core/index/shard_format.h"
#include "core/util/byte_reader.h"
#include "core/util/byte_writer.h"
#include "core/util/crc32c.h"
#include "tests/native/index/shard_fixtures.h"

namespace clip {
namespace {

namespace fmt = shard_format;
using test::encode_or_die;
using test::make_contents;

// Touches everything a parsed shard exposes, so ASan sees any bad offset.
uint64_t read_everything(const Shard& s) {
  uint64_t sum = 0;
  for (uint32_t r = 0; r < s.count(); ++r) {
    for (uint32_t i = 0; i < s.dim(); ++i) sum += uint8_t(s.vector(r)[i]);
    if (s.has_binary_codes())
      for (uint32_t i = 0; i < s.dim() / 8; ++i) sum += s.binary_code(r)[i];
    sum += uint64_t(s.scale(r) * 1000) + s.record(r).id.size() + s.record(r).caption.size();
    sum += uint64_t(s.embedding(r)[0] > 0);
  }
  return sum;
}

std::string parse_error(std::vector<uint8_t> bytes) {
  auto r = Shard::parse(std::move(bytes), "shard-00003.bin");
  if (r) {
    read_everything(*r);
    return "";
  }
  return r.message();
}

// Where the section table starts, read from the (intact) header.
size_t table_offset(const std::vector<uint8_t>& b) {
  return size_t(fmt::header_size(load_le32(&b[fmt::kOffFingerprintLength]), load_le32(&b[fmt::kOffSectionCount])) -
                load_le32(&b[fmt::kOffSectionCount]) * fmt::kSectionEntrySize);
}

// Recomputes every section CRC and then the header CRC, as a hostile writer
// would after editing fields.
void fix_checksums(std::vector<uint8_t>& b) {
  const size_t table = table_offset(b);
  const uint32_t sections = load_le32(&b[fmt::kOffSectionCount]);
  for (uint32_t i = 0; i < sections && table + (i + 1) * fmt::kSectionEntrySize <= b.size(); ++i) {
    uint8_t* e = &b[table + i * fmt::kSectionEntrySize];
    const uint64_t off = load_le64(e + 8), len = load_le64(e + 16);
    if (off <= b.size() && len <= b.size() - off) store_le32(e + 24, crc32c(&b[off], size_t(len)));
  }
  const uint64_t hs = std::min<uint64_t>(load_le32(&b[fmt::kOffHeaderSize]), b.size());
  store_le32(&b[fmt::kOffHeaderCrc], 0);
  store_le32(&b[fmt::kOffHeaderCrc], crc32c(b.data(), size_t(hs)));
}

const std::vector<uint8_t>& small_shard() {
  static const std::vector<uint8_t> bytes = encode_or_die(make_contents(3, 16));
  return bytes;
}

TEST(ShardHostile, SmallShardParses) {
  EXPECT_EQ(parse_error(small_shard()), "");
  EXPECT_LT(small_shard().size(), 1024u) << "keep the exhaustive tests fast";
}

TEST(ShardHostile, EveryTruncationIsAnError) {
  const std::vector<uint8_t>& full = small_shard();
  for (size_t len = 0; len < full.size(); ++len) {
    const std::string err = parse_error(std::vector<uint8_t>(full.begin(), full.begin() + long(len)));
    EXPECT_NE(err, "") << "truncated to " << len << " bytes";
    EXPECT_EQ(err.rfind("shard-00003.bin: ", 0), 0u) << err;
  }
  std::vector<uint8_t> longer = full;
  longer.push_back(0);
  EXPECT_NE(parse_error(longer).find("trailing"), std::string::npos);
}

TEST(ShardHostile, EverySingleBitFlipIsAnError) {
  // Every byte is covered: header and sections by CRCs, padding by the
  // zero-padding rule, the length by the header's file size.
  const std::vector<uint8_t>& full = small_shard();
  for (size_t bit = 0; bit < full.size() * 8; ++bit) {
    std::vector<uint8_t> b = full;
    b[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_NE(parse_error(std::move(b)), "") << "flipped bit " << bit % 8 << " of byte " << bit / 8;
  }
}

TEST(ShardHostile, RandomGarbage) {
  std::mt19937 rng(7);
  for (int t = 0; t < 2000; ++t) {
    std::vector<uint8_t> b(rng() % 600);
    for (auto& x : b) x = uint8_t(rng());
    if (t % 2 && b.size() >= 12) {  // half of them get past the magic and version checks
      std::memcpy(b.data(), fmt::kMagic, 8);
      store_le32(&b[8], kShardVersion);
    }
    EXPECT_NE(parse_error(std::move(b)), "");
  }
}

TEST(ShardHostile, CraftedFieldsWithValidChecksums) {
  // Random edits to the header and section table, then valid CRCs: the
  // parser must rely on its own checks, not on the checksums.
  std::mt19937 rng(11);
  const std::vector<uint8_t>& full = small_shard();
  const size_t table_end = table_offset(full) + 4 * fmt::kSectionEntrySize;
  int accepted = 0;
  for (int t = 0; t < 20000; ++t) {
    std::vector<uint8_t> b = full;
    const int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % table_end;
      switch (rng() % 4) {
        case 0: b[at] ^= uint8_t(1u << (rng() % 8)); break;
        case 1: b[at] = uint8_t(rng()); break;
        case 2: if (at + 4 <= b.size()) store_le32(&b[at], uint32_t(rng())); break;
        default: if (at + 4 <= b.size()) store_le32(&b[at], 0xFFFFFFFFu - rng() % 4); break;
      }
    }
    fix_checksums(b);
    accepted += parse_error(std::move(b)).empty();
  }
  // A few edits are harmless (e.g. the ones undone by a later edit).
  EXPECT_LT(accepted, 2000);
}

TEST(ShardHostile, CraftedMetadataWithValidChecksums) {
  // Random edits inside the metadata records: lengths that overrun, huge
  // lengths, leftover bytes.
  std::mt19937 rng(13);
  const std::vector<uint8_t>& full = small_shard();
  const size_t meta_at = size_t(load_le64(&full[table_offset(full) + 3 * fmt::kSectionEntrySize + 8]));
  for (int t = 0; t < 20000; ++t) {
    std::vector<uint8_t> b = full;
    const size_t at = meta_at + rng() % (b.size() - meta_at);
    if (rng() % 2 && at + 4 <= b.size()) store_le32(&b[at], uint32_t(rng() % 3 ? rng() % 200 : rng()));
    else b[at] = uint8_t(rng());
    fix_checksums(b);
    parse_error(std::move(b));  // any outcome but a crash or an out-of-bounds read
  }
}

// Targeted lies, each with the message that names it.
struct Edit {
  const char* name;
  void (*apply)(std::vector<uint8_t>&);
  const char* expect;  // substring of the error
};

size_t entry(const std::vector<uint8_t>& b, int i) { return table_offset(b) + size_t(i) * fmt::kSectionEntrySize; }

const Edit kEdits[] = {
    {"magic", [](std::vector<uint8_t>& b) { b[0] = 'X'; }, "not a clipsearch shard"},
    {"version", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffVersion], 2); }, "version 2 is not supported"},
    {"dim not /8", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffDim], 12); }, "multiple of 8"},
    {"dim zero", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffDim], 0); }, "multiple of 8"},
    {"dim huge", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffDim], 1u << 30); }, "at most 4096"},
    {"count huge", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffCount], 0xFFFFFFFFu); }, "exceeds the limit"},
    {"count bigger", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffCount], 4); }, "expected"},
    {"quantization", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffQuantization], 2); }, "quantization kind 2"},
    {"flags", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffFlags], 3); }, "unknown flag"},
    {"fingerprint length", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffFingerprintLength], 100000); },
     "fingerprint length"},
    {"header size", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffHeaderSize], 64); }, "header size field"},
    {"file size", [](std::vector<uint8_t>& b) { store_le64(&b[fmt::kOffFileSize], 1); }, "header says 1"},
    {"section kind", [](std::vector<uint8_t>& b) { store_le32(&b[entry(b, 2)], 9); }, "has kind 9"},
    {"section misaligned", [](std::vector<uint8_t>& b) { store_le64(&b[entry(b, 3) + 8], load_le64(&b[entry(b, 3) + 8]) + 4); },
     "not a multiple of 64"},
    {"section overlaps", [](std::vector<uint8_t>& b) { store_le64(&b[entry(b, 2) + 8], load_le64(&b[entry(b, 1) + 8])); },
     "expected"},
    {"section past end", [](std::vector<uint8_t>& b) { store_le64(&b[entry(b, 3) + 16], 9000); },
     "+ 9000 bytes runs past end of file"},
    {"offset wraps", [](std::vector<uint8_t>& b) { store_le64(&b[entry(b, 3) + 8], ~uint64_t(63)); },
     "runs past end of file"},
    {"length wraps", [](std::vector<uint8_t>& b) { store_le64(&b[entry(b, 3) + 16], ~uint64_t(0)); },
     "runs past end of file"},
    {"id length huge",
     [](std::vector<uint8_t>& b) { store_le32(&b[size_t(load_le64(&b[entry(b, 3) + 8]))], 0xFFFFFFF0u); },
     "exceeds the limit"},
    {"id length overruns",
     [](std::vector<uint8_t>& b) { store_le32(&b[size_t(load_le64(&b[entry(b, 3) + 8]))], 60000); },
     "runs past the end of the metadata section"},
    {"scale NaN",
     [](std::vector<uint8_t>& b) {
       store_le32(&b[size_t(load_le64(&b[entry(b, 1) + 8])) + 3 * 16 + 4], 0x7FC00000u);
     },
     "vector 1 has scale"},
    {"scale negative",
     [](std::vector<uint8_t>& b) {
       store_le32(&b[size_t(load_le64(&b[entry(b, 1) + 8])) + 3 * 16], 0xBF800000u);
     },
     "vector 0 has scale"},
    {"centre infinite",
     [](std::vector<uint8_t>& b) { store_le32(&b[size_t(load_le64(&b[entry(b, 0) + 8])) + 8], 0x7F800000u); },
     "centre component 2"},
};

TEST(ShardHostile, TargetedLiesAreNamed) {
  for (const Edit& e : kEdits) {
    std::vector<uint8_t> b = small_shard();
    e.apply(b);
    fix_checksums(b);
    const std::string err = parse_error(std::move(b));
    EXPECT_NE(err.find(e.expect), std::string::npos) << e.name << ": " << err;
  }
}

TEST(ShardHostile, TruncationMessageHasOffsetsAndSizes) {
  std::vector<uint8_t> b = small_shard();
  const uint64_t meta_at = load_le64(&b[entry(b, 3) + 8]), meta_len = load_le64(&b[entry(b, 3) + 16]);
  b.resize(b.size() - 10);
  EXPECT_EQ(parse_error(b), "shard-00003.bin: metadata section at offset " + std::to_string(meta_at) + " + " +
                                std::to_string(meta_len) + " bytes runs past end of file (" +
                                std::to_string(b.size()) + " bytes)");
}

TEST(ShardHostile, DamagedSectionNamesItsCrc) {
  std::vector<uint8_t> b = small_shard();
  b[size_t(load_le64(&b[entry(b, 1) + 8]))] ^= 1;
  const std::string err = parse_error(b);
  EXPECT_NE(err.find("vectors section"), std::string::npos) << err;
  EXPECT_NE(err.find("CRC-32C"), std::string::npos) << err;
}

}  // namespace
}  // namespace clip
