// Committed shards of each format version (tests/data/index/): shards written
// by earlier builds must keep loading, and the writer must not drift silently.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "core/index/shard.h"
#include "tests/native/index/shard_fixtures.h"

namespace clip {
namespace {

std::vector<uint8_t> read_sample(uint32_t version) {
  const std::string name = "shard-v" + std::to_string(version) + "-sample.bin";
  std::ifstream in(std::string(CLIPSEARCH_TEST_DATA) + "/index/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ShardSample : public ::testing::TestWithParam<uint32_t> {};
INSTANTIATE_TEST_SUITE_P(Versions, ShardSample, ::testing::Values(1u, 2u),
                         [](const ::testing::TestParamInfo<uint32_t>& i) { return "v" + std::to_string(i.param); });

TEST_P(ShardSample, StillParsesAndDecodes) {
  const std::vector<uint8_t> bytes = read_sample(GetParam());
  ASSERT_FALSE(bytes.empty()) << "missing tests/data/index/shard-v" << GetParam() << "-sample.bin";
  auto shard = Shard::parse(bytes, "sample.bin");
  ASSERT_TRUE(shard) << shard.message();
  EXPECT_EQ(shard->version(), GetParam());
  const ShardContents c = test::make_contents(5, 16);
  ASSERT_EQ(shard->count(), 5u);
  EXPECT_EQ(shard->model_fingerprint(), c.model_fingerprint);
  for (uint32_t r = 0; r < 5; ++r) {
    EXPECT_EQ(shard->record(r).id, c.records[r].id);
    EXPECT_EQ(shard->record(r).content_sha256, c.records[r].content_sha256);
    const std::vector<float> e = shard->embedding(r);
    double dot = 0, norm = 0;
    for (uint32_t i = 0; i < 16; ++i) {
      dot += double(e[i]) * c.embeddings[r * 16 + i];
      norm += double(c.embeddings[r * 16 + i]) * c.embeddings[r * 16 + i];
    }
    EXPECT_GT(dot / std::sqrt(norm), 0.999) << "row " << r;
  }
}

TEST_P(ShardSample, WriterProducesTheSameBytes) {
  EXPECT_EQ(test::encode_or_die(test::make_contents(5, 16), GetParam()), read_sample(GetParam()))
      << "the shard writer's output changed: if on purpose, bump kShardVersion (tests/data/index/README.md)";
}

TEST(ShardSampleUpgrade, Version1UpgradesToTheVersion2SampleBitForBit) {
  // Upgrading copies the stored rows; quantizing the fixture again gives the
  // same codes, so the two paths meet.
  auto v1 = Shard::parse(read_sample(1), "sample.bin");
  ASSERT_TRUE(v1) << v1.message();
  auto v2 = upgrade_shard(*v1, 2);
  ASSERT_TRUE(v2) << v2.message();
  EXPECT_EQ(*v2, read_sample(2));
}

}  // namespace
}  // namespace clip
