// Shard round trips: what the writer stores is what the reader returns, and
// the writer refuses contents it cannot represent.
#include "core/index/shard.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/index/shard_format.h"
#include "core/search/kernels.h"
#include "core/search/rotation.h"
#include "core/util/byte_reader.h"
#include "tests/native/index/shard_fixtures.h"

namespace clip {
namespace {

using test::encode_or_die;
using test::make_contents;

std::vector<float> normalized_row(const ShardContents& c, uint32_t r) {
  std::vector<float> v(c.embeddings.begin() + long(r) * c.dim, c.embeddings.begin() + long(r + 1) * c.dim);
  l2_normalize(v.data(), v.size());
  return v;
}

// What the writer quantizes: the normalised embedding, rotated.
std::vector<float> rotated_row(const ShardContents& c, uint32_t r) {
  std::vector<float> v = normalized_row(c, r);
  rotate(v.data(), v.size());
  return v;
}

TEST(Shard, RoundTripKeepsRecordsAndVectors) {
  const ShardContents c = make_contents(37, 64);
  auto shard = Shard::parse(encode_or_die(c), "shard-00000.bin");
  ASSERT_TRUE(shard) << shard.message();
  EXPECT_EQ(shard->name(), "shard-00000.bin");
  EXPECT_EQ(shard->model_fingerprint(), c.model_fingerprint);
  EXPECT_EQ(shard->dim(), 64u);
  EXPECT_EQ(shard->count(), 37u);
  ASSERT_TRUE(shard->has_binary_codes());
  for (uint32_t r = 0; r < c.records.size(); ++r) {
    const ImageRecord& want = c.records[r];
    const ImageRecord& got = shard->record(r);
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.caption, want.caption);
    EXPECT_EQ(got.source, want.source);
    EXPECT_EQ(got.thumb, want.thumb);
    EXPECT_EQ(got.width, want.width);
    EXPECT_EQ(got.height, want.height);
    EXPECT_EQ(got.content_sha256, want.content_sha256);

    // Stored codes are exactly what the shared quantizer makes of the
    // rotated embedding minus the centre; the sign bits likewise.
    std::vector<float> x = rotated_row(c, r);
    for (uint32_t i = 0; i < c.dim; ++i) x[i] -= shard->centre()[i];
    std::vector<int8_t> codes(c.dim);
    EXPECT_EQ(shard->scale(r), quantize_int8(x.data(), c.dim, codes.data()));
    EXPECT_EQ(0, std::memcmp(shard->vector(r), codes.data(), c.dim));
    std::vector<uint8_t> bits(c.dim / 8);
    binarize(x.data(), c.dim, bits.data());
    EXPECT_EQ(0, std::memcmp(shard->binary_code(r), bits.data(), bits.size()));

    // The dequantized embedding is the unit input vector up to int8 rounding.
    const std::vector<float> back = shard->embedding(r), unit = normalized_row(c, r);
    double dot = 0;
    for (uint32_t i = 0; i < c.dim; ++i) dot += double(back[i]) * unit[i];
    EXPECT_GT(dot, 0.999) << "row " << r;
  }
}

TEST(Shard, CentreIsTheMeanOfTheRotatedEmbeddings) {
  const ShardContents c = make_contents(50, 32);
  auto shard = Shard::parse(encode_or_die(c), "s.bin");
  ASSERT_TRUE(shard) << shard.message();
  ASSERT_EQ(shard->centre().size(), 32u);
  for (uint32_t i = 0; i < c.dim; ++i) {
    double mean = 0;
    for (uint32_t r = 0; r < 50; ++r) mean += rotated_row(c, r)[i] / 50.0;
    EXPECT_NEAR(shard->centre()[i], mean, 1e-6) << "component " << i;
  }
}

TEST(Shard, SectionsAre64ByteAlignedInTheFile) {
  for (uint32_t version : {1u, 2u}) {
  const std::vector<uint8_t> bytes = encode_or_die(make_contents(5, 24), version);
  namespace fmt = shard_format;
  ASSERT_GE(bytes.size(), fmt::kFixedHeaderSize);
  const uint32_t sections = load_le32(&bytes[fmt::kOffSectionCount]);
  ASSERT_EQ(sections, version == 1 ? 4u : 8u);
  const size_t table = fmt::header_size(load_le32(&bytes[fmt::kOffFingerprintLength]), sections) -
                       sections * fmt::kSectionEntrySize;
  for (uint32_t i = 0; i < sections; ++i)
    EXPECT_EQ(load_le64(&bytes[table + i * fmt::kSectionEntrySize + 8]) % 64, 0u) << "section " << i;
  }
}

TEST(Shard, WithoutBinaryCodes) {
  auto shard = Shard::parse(encode_or_die(make_contents(9, 16, /*binary=*/false)), "s.bin");
  ASSERT_TRUE(shard) << shard.message();
  EXPECT_FALSE(shard->has_binary_codes());
  EXPECT_EQ(shard->count(), 9u);
  EXPECT_EQ(shard->record(8).id, "img-1-8");
}

TEST(Shard, EmptyShardIsValid) {
  auto shard = Shard::parse(encode_or_die(make_contents(0, 512)), "empty.bin");
  ASSERT_TRUE(shard) << shard.message();
  EXPECT_EQ(shard->count(), 0u);
  EXPECT_EQ(shard->dim(), 512u);
}

TEST(Shard, CopiesStayValid) {
  auto parsed = Shard::parse(encode_or_die(make_contents(4, 32)), "s.bin");
  ASSERT_TRUE(parsed);
  const Shard copy = *parsed;  // offsets, not pointers: the copy reads its own bytes
  parsed = Shard::parse(encode_or_die(make_contents(1, 8)), "other.bin");
  EXPECT_EQ(copy.count(), 4u);
  EXPECT_EQ(copy.record(3).id, "img-1-3");
  EXPECT_EQ(copy.embedding(3).size(), 32u);
}

TEST(Shard, WriterRefusesWhatItCannotStore) {
  ShardContents c = make_contents(2, 16);
  c.dim = 12;
  auto r = encode_shard(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("multiple of 8"), std::string::npos) << r.message();

  c = make_contents(2, 16);
  c.embeddings.pop_back();
  EXPECT_FALSE(encode_shard(c));

  c = make_contents(2, 16);
  c.embeddings[20] = std::nanf("");
  r = encode_shard(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("img-1-1"), std::string::npos) << r.message();

  c = make_contents(2, 16);
  std::fill(c.embeddings.begin() + 16, c.embeddings.end(), 0.0f);
  r = encode_shard(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("all zeros"), std::string::npos) << r.message();

  c = make_contents(2, 16);
  c.records[1].caption.assign(kShardMaxString + 1, 'x');
  EXPECT_FALSE(encode_shard(c));

  c = make_contents(2, 16);
  c.model_fingerprint.assign(kShardMaxFingerprint + 1, 'f');
  EXPECT_FALSE(encode_shard(c));

  c = make_contents(1, 8);
  c.dim = kShardMaxDim + 8;
  c.embeddings.assign(c.dim, 0.5f);
  EXPECT_FALSE(encode_shard(c));
}

TEST(Shard, RowsCopyVerbatim) {
  auto source = Shard::parse(encode_or_die(make_contents(20, 32)), "shard-00004.bin");
  ASSERT_TRUE(source) << source.message();
  const std::vector<uint32_t> rows = {19, 0, 7, 8};
  auto bytes = encode_shard_rows(*source, rows);
  ASSERT_TRUE(bytes) << bytes.message();
  auto copy = Shard::parse(std::move(*bytes), "shard-00005.bin");
  ASSERT_TRUE(copy) << copy.message();
  ASSERT_EQ(copy->count(), 4u);
  EXPECT_EQ(copy->model_fingerprint(), source->model_fingerprint());
  EXPECT_EQ(copy->centre(), source->centre());
  EXPECT_TRUE(copy->has_binary_codes());
  for (uint32_t i = 0; i < rows.size(); ++i) {
    const uint32_t r = rows[i];
    EXPECT_EQ(copy->record(i).id, source->record(r).id);
    EXPECT_EQ(copy->record(i).content_sha256, source->record(r).content_sha256);
    EXPECT_EQ(0, std::memcmp(copy->vector(i), source->vector(r), 32));
    EXPECT_EQ(0, std::memcmp(copy->binary_code(i), source->binary_code(r), 4));
    EXPECT_EQ(copy->scale(i), source->scale(r));
    EXPECT_EQ(copy->embedding(i), source->embedding(r));
  }
  auto none = encode_shard_rows(*source, {});
  ASSERT_TRUE(none);
  EXPECT_TRUE(Shard::parse(std::move(*none), "empty.bin"));
  auto bad = encode_shard_rows(*source, {3, 20});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.message().find("shard-00004.bin: row 20 does not exist"), std::string::npos) << bad.message();
}

TEST(Shard, LongestStringsRoundTrip) {
  ShardContents c = make_contents(1, 8);
  c.records[0].source.assign(kShardMaxString, 's');
  auto shard = Shard::parse(encode_or_die(c), "s.bin");
  ASSERT_TRUE(shard) << shard.message();
  EXPECT_EQ(shard->record(0).source.size(), kShardMaxString);
}

}  // namespace
}  // namespace clip
