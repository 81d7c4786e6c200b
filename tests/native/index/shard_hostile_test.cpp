// Damaged and hostile shard files, in both format versions: every
// truncation, every single-bit flip, random garbage, and crafted files whose
// checksums are valid but whose fields lie. Each must give an error (or, for
// crafted files that happen to be consistent, a shard whose every row can be
// read) and never read out of bounds: these tests also run under ASan.
// Version 2 heads loaded alone get the same treatment.
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

const std::vector<uint8_t>& small_shard(uint32_t version = 1) {
  static const std::vector<uint8_t> v1 = encode_or_die(make_contents(3, 16), 1);
  static const std::vector<uint8_t> v2 = encode_or_die(make_contents(3, 16), 2);
  return version == 1 ? v1 : v2;
}

// The tests that hold for any version run for each.
class ShardHostileVersion : public ::testing::TestWithParam<uint32_t> {};
INSTANTIATE_TEST_SUITE_P(Versions, ShardHostileVersion, ::testing::Values(1u, 2u),
                         [](const ::testing::TestParamInfo<uint32_t>& i) { return "v" + std::to_string(i.param); });

TEST_P(ShardHostileVersion, SmallShardParses) {
  EXPECT_EQ(parse_error(small_shard(GetParam())), "");
  EXPECT_LT(small_shard(GetParam()).size(), 1280u) << "keep the exhaustive tests fast";
}

TEST_P(ShardHostileVersion, EveryTruncationIsAnError) {
  const std::vector<uint8_t>& full = small_shard(GetParam());
  for (size_t len = 0; len < full.size(); ++len) {
    const std::string err = parse_error(std::vector<uint8_t>(full.begin(), full.begin() + long(len)));
    EXPECT_NE(err, "") << "truncated to " << len << " bytes";
    EXPECT_EQ(err.rfind("shard-00003.bin: ", 0), 0u) << err;
  }
  std::vector<uint8_t> longer = full;
  longer.push_back(0);
  EXPECT_NE(parse_error(longer).find("trailing"), std::string::npos);
}

TEST_P(ShardHostileVersion, EverySingleBitFlipIsAnError) {
  // Every byte is covered: header and sections by CRCs, padding by the
  // zero-padding rule, the length by the header's file size.
  const std::vector<uint8_t>& full = small_shard(GetParam());
  for (size_t bit = 0; bit < full.size() * 8; ++bit) {
    std::vector<uint8_t> b = full;
    b[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_NE(parse_error(std::move(b)), "") << "flipped bit " << bit % 8 << " of byte " << bit / 8;
  }
}

TEST_P(ShardHostileVersion, RandomGarbage) {
  std::mt19937 rng(7);
  for (int t = 0; t < 2000; ++t) {
    std::vector<uint8_t> b(rng() % 600);
    for (auto& x : b) x = uint8_t(rng());
    if (t % 2 && b.size() >= 12) {  // half of them get past the magic and version checks
      std::memcpy(b.data(), fmt::kMagic, 8);
      store_le32(&b[8], GetParam());
    }
    EXPECT_NE(parse_error(std::move(b)), "");
  }
}

TEST_P(ShardHostileVersion, CraftedFieldsWithValidChecksums) {
  // Random edits to the header and section table, then valid CRCs: the
  // parser must rely on its own checks, not on the checksums.
  std::mt19937 rng(11);
  const std::vector<uint8_t>& full = small_shard(GetParam());
  const size_t table_end = table_offset(full) + load_le32(&full[fmt::kOffSectionCount]) * fmt::kSectionEntrySize;
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

TEST_P(ShardHostileVersion, CraftedMetadataWithValidChecksums) {
  // Random edits inside the metadata records: lengths that overrun, huge
  // lengths, leftover bytes.
  std::mt19937 rng(13);
  const std::vector<uint8_t>& full = small_shard(GetParam());
  const uint32_t sections = load_le32(&full[fmt::kOffSectionCount]);  // metadata is the last
  const size_t meta_at = size_t(load_le64(&full[table_offset(full) + (sections - 1) * fmt::kSectionEntrySize + 8]));
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
    {"version", [](std::vector<uint8_t>& b) { store_le32(&b[fmt::kOffVersion], 3); }, "version 3 is not supported"},
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

// Version 1's layout (centre, vectors, binary codes, metadata).
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

namespace clip {
namespace {

// Version 2: lies about the head and the per-row checks, each named.
size_t v2_section(const std::vector<uint8_t>& b, uint32_t kind) {
  const uint32_t n = load_le32(&b[fmt::kOffSectionCount]);
  for (uint32_t i = 0; i < n; ++i)
    if (load_le32(&b[entry(b, int(i))]) == kind) return size_t(load_le64(&b[entry(b, int(i)) + 8]));
  return 0;
}

const Edit kEditsV2[] = {
    {"head size", [](std::vector<uint8_t>& b) { store_le64(&b[fmt::kOffHeadSize], 64); }, "head size field says 64"},
    {"scales section kind", [](std::vector<uint8_t>& b) { store_le32(&b[entry(b, 1)], 2); }, "expected 5 (scales)"},
    {"record offset",
     [](std::vector<uint8_t>& b) { store_le32(&b[v2_section(b, fmt::kSectionRecordOffsets) + 4], 7); },
     "record 1 starts at offset 7"},
    {"record length",
     [](std::vector<uint8_t>& b) { store_le32(&b[v2_section(b, fmt::kSectionRecordOffsets) + 3 * 4 + 8], 1); },
     "less than the 56 of an empty record"},
    {"vector check",
     [](std::vector<uint8_t>& b) { b[v2_section(b, fmt::kSectionRowChecks) + 4] ^= 1; },
     "vector 1 at offset"},
    {"record check",
     [](std::vector<uint8_t>& b) { b[v2_section(b, fmt::kSectionRowChecks) + 3 * 4 + 8] ^= 1; },
     "metadata record 2 at offset"},
    {"id key",
     [](std::vector<uint8_t>& b) { b[v2_section(b, fmt::kSectionKeys)] ^= 1; },
     "the id key of row 0"},
    {"content key",
     [](std::vector<uint8_t>& b) { b[v2_section(b, fmt::kSectionKeys) + 3 * 4 + 4] ^= 1; },
     "the content key of row 1"},
    {"scale NaN",
     [](std::vector<uint8_t>& b) { store_le32(&b[v2_section(b, fmt::kSectionScales) + 4], 0x7FC00000u); },
     "vector 1 has scale"},
};

TEST(ShardHostile, Version2LiesAreNamed) {
  for (const Edit& e : kEditsV2) {
    std::vector<uint8_t> b = small_shard(2);
    e.apply(b);
    fix_checksums(b);
    const std::string err = parse_error(std::move(b));
    EXPECT_NE(err.find(e.expect), std::string::npos) << e.name << ": " << err;
  }
}

std::string head_error(std::vector<uint8_t> head) {
  auto r = Shard::parse_head(std::move(head), "shard-00003.bin");
  if (!r) return r.message();
  uint64_t sum = 0;  // touch what a head exposes
  for (uint32_t row = 0; row < r->count(); ++row) {
    sum += uint64_t(r->scale(row) * 1000) + r->binary_code(row)[0] + r->record_span(row).length;
  }
  return sum == 0xFFFFFFFFFFFFFFFFull ? "?" : "";
}

std::vector<uint8_t> head_of(const std::vector<uint8_t>& full) {
  return std::vector<uint8_t>(full.begin(), full.begin() + long(load_le64(&full[fmt::kOffHeadSize])));
}

TEST(ShardHostile, HeadParsesAloneAndRefusesAnyOtherLength) {
  const std::vector<uint8_t>& full = small_shard(2);
  const std::vector<uint8_t> head = head_of(full);
  EXPECT_EQ(head_error(head), "");
  for (size_t len = 0; len <= full.size(); ++len) {
    if (len == head.size()) continue;
    const std::string err = head_error(std::vector<uint8_t>(full.begin(), full.begin() + long(len)));
    EXPECT_NE(err, "") << len << " bytes";
    EXPECT_EQ(err.rfind("shard-00003.bin: ", 0), 0u) << err;
  }
  EXPECT_NE(head_error(small_shard(1)).find("version 1 has no head"), std::string::npos);
}

TEST(ShardHostile, EveryBitFlipInAHeadIsAnError) {
  const std::vector<uint8_t> head = head_of(small_shard(2));
  for (size_t bit = 0; bit < head.size() * 8; ++bit) {
    std::vector<uint8_t> b = head;
    b[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_NE(head_error(std::move(b)), "") << "flipped bit " << bit % 8 << " of byte " << bit / 8;
  }
}

TEST(ShardHostile, RowsFetchedForAHeadAreChecked) {
  const std::vector<uint8_t>& full = small_shard(2);
  auto head = Shard::parse_head(head_of(full), "shard-00003.bin");
  ASSERT_TRUE(head) << head.message();
  for (uint32_t r = 0; r < head->count(); ++r) {
    std::vector<uint8_t> codes(full.begin() + long(head->vector_offset(r)),
                               full.begin() + long(head->vector_offset(r) + head->dim()));
    EXPECT_TRUE(head->check_vector(r, codes.data()));
    codes[3] ^= 0x10;
    const Status bad = head->check_vector(r, codes.data());
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.message().find("vector " + std::to_string(r) + " at offset"), std::string::npos) << bad.message();

    const FileSpan span = head->record_span(r);
    std::vector<uint8_t> rec(full.begin() + long(span.offset), full.begin() + long(span.offset + span.length));
    auto ok = head->parse_record(r, ByteView(rec.data(), rec.size()));
    ASSERT_TRUE(ok) << ok.message();
    EXPECT_EQ(ok->id, make_contents(3, 16).records[r].id);
    auto shorter = head->parse_record(r, ByteView(rec.data(), rec.size() - 1));
    EXPECT_FALSE(shorter);
    rec.back() ^= 1;
    auto flipped = head->parse_record(r, ByteView(rec.data(), rec.size()));
    ASSERT_FALSE(flipped);
    EXPECT_NE(flipped.message().find("CRC-32C"), std::string::npos) << flipped.message();
  }
  const FileSpan ks = head->keys_span();
  std::vector<uint8_t> keys(full.begin() + long(ks.offset), full.begin() + long(ks.offset + ks.length));
  ASSERT_TRUE(head->parse_keys(ByteView(keys.data(), keys.size())));
  keys[0] ^= 1;
  EXPECT_FALSE(head->parse_keys(ByteView(keys.data(), keys.size())));
  EXPECT_FALSE(head->parse_keys(ByteView(keys.data(), keys.size() - 4)));
}

}  // namespace
}  // namespace clip
