// A committed version-1 shard (tests/data/index/): shards written by earlier
// builds must keep loading, and the writer must not drift silently.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "core/index/shard.h"
#include "tests/native/index/shard_fixtures.h"

namespace clip {
namespace {

std::vector<uint8_t> read_sample() {
  std::ifstream in(std::string(CLIPSEARCH_TEST_DATA) + "/index/shard-v1-sample.bin", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ShardSample, Version1StillParsesAndDecodes) {
  const std::vector<uint8_t> bytes = read_sample();
  ASSERT_FALSE(bytes.empty()) << "missing tests/data/index/shard-v1-sample.bin";
  auto shard = Shard::parse(bytes, "shard-v1-sample.bin");
  ASSERT_TRUE(shard) << shard.message();
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

TEST(ShardSample, WriterProducesTheSameBytes) {
  EXPECT_EQ(test::encode_or_die(test::make_contents(5, 16)), read_sample())
      << "the shard writer's output changed: if on purpose, bump kShardVersion (tests/data/index/README.md)";
}

}  // namespace
}  // namespace clip
