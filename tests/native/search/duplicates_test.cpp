// Near-duplicate groups: planted copies (a vector plus a little noise) are
// found and grouped, distinct images are not, the keeper is the largest
// copy, a scan split into ranges finds what one scan finds, and member
// scores are what `search --id keeper` reports.
#include "core/search/duplicates.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "tests/native/search/search_fixtures.h"

namespace clip {
namespace {

constexpr uint32_t kDim = 64;

// 300 random images, among them groups of copies: group g has `sizes[g]`
// members, each the group's vector plus noise small enough for a cosine
// above 0.97; member j of a group is (100 + j) pixels wide, so the last one
// is the largest. Spread over two shards so groups cross shard borders.
struct Planted {
  std::vector<std::set<std::string>> groups;  // ids
  std::map<std::string, std::string> largest;  // group's first id -> largest member's id
  Searcher searcher;

  explicit Planted(std::vector<size_t> sizes) {
    std::mt19937 rng(7);
    std::normal_distribution<float> g(0, 1);
    std::vector<ImageRecord> records;
    std::vector<float> vectors;
    auto add = [&](const std::string& id, const std::vector<float>& v, uint32_t width) {
      ImageRecord rec;
      rec.id = id;
      rec.width = width;
      rec.height = 100;
      records.push_back(rec);
      vectors.insert(vectors.end(), v.begin(), v.end());
    };
    for (size_t i = 0; i < 300; ++i) {
      std::vector<float> v(kDim);
      for (auto& x : v) x = g(rng);
      add("single-" + std::to_string(i), v, 100);
      if (i % 37 == 5 && groups.size() < sizes.size()) {
        const size_t gi = groups.size();
        std::set<std::string> ids = {records.back().id};
        for (size_t j = 1; j < sizes[gi]; ++j) {
          std::vector<float> copy = v;
          for (auto& x : copy) x += 0.08f * g(rng);
          const std::string id = "copy-" + std::to_string(gi) + "-" + std::to_string(j);
          add(id, copy, uint32_t(100 + j));
          ids.insert(id);
          largest[records[records.size() - j - 1].id] = id;
        }
        groups.push_back(ids);
      }
    }
    // Two shards, the split inside the first group.
    const size_t split = 6;
    for (size_t part = 0; part < 2; ++part) {
      ShardContents c;
      c.model_fingerprint = "fp-1";
      c.dim = kDim;
      const size_t from = part ? split : 0, to = part ? records.size() : split;
      c.records.assign(records.begin() + long(from), records.begin() + long(to));
      c.embeddings.assign(vectors.begin() + long(from * kDim), vectors.begin() + long(to * kDim));
      EXPECT_TRUE(searcher.add_shard(make_shard(c, "shard-" + std::to_string(part))));
    }
  }

  std::string id(RowRef r) const { return searcher.shard(r.shard).record(r.row).id; }
};

TEST(Duplicates, FindsPlantedGroupsAndNothingElse) {
  Planted p({2, 3, 5, 2});
  auto pairs = near_duplicate_pairs(p.searcher, 0, p.searcher.size(), 0.9f);
  ASSERT_TRUE(pairs) << pairs.message();
  const std::vector<DuplicateGroup> groups = group_duplicates(p.searcher, *pairs);
  ASSERT_EQ(groups.size(), p.groups.size());
  std::set<std::set<std::string>> found;
  for (const DuplicateGroup& g : groups) {
    std::set<std::string> ids;
    for (const DuplicateMember& m : g.members) ids.insert(p.id(m.at));
    EXPECT_EQ(ids.size(), g.members.size()) << "a member listed twice";
    found.insert(ids);
  }
  EXPECT_EQ(found, std::set<std::set<std::string>>(p.groups.begin(), p.groups.end()));
  EXPECT_EQ(groups[0].members.size(), 5u) << "largest group first";
}

TEST(Duplicates, KeeperIsTheLargestAndListedFirst) {
  Planted p({3, 5});
  auto pairs = near_duplicate_pairs(p.searcher, 0, p.searcher.size(), 0.9f);
  ASSERT_TRUE(pairs);
  for (const DuplicateGroup& g : group_duplicates(p.searcher, *pairs)) {
    std::string first;  // the group's original: the member without "copy-"
    for (const DuplicateMember& m : g.members)
      if (p.id(m.at).rfind("single-", 0) == 0) first = p.id(m.at);
    EXPECT_EQ(p.id(g.keeper), p.largest.at(first));
    ASSERT_FALSE(g.members.empty());
    EXPECT_EQ(g.members[0].at, g.keeper);
    EXPECT_EQ(g.members[0].score, 1.0f);
    for (size_t i = 2; i < g.members.size(); ++i) EXPECT_GE(g.members[i - 1].score, g.members[i].score);
  }
}

TEST(Duplicates, MemberScoresAreTheSearchScoresFromTheKeeper) {
  Planted p({4});
  auto pairs = near_duplicate_pairs(p.searcher, 0, p.searcher.size(), 0.9f);
  ASSERT_TRUE(pairs);
  const auto groups = group_duplicates(p.searcher, *pairs);
  ASSERT_EQ(groups.size(), 1u);
  const DuplicateGroup& g = groups[0];
  const std::vector<float> keeper = p.searcher.shard(g.keeper.shard).embedding(g.keeper.row);
  SearchOptions o;
  o.k = 4;
  auto hits = p.searcher.search(keeper.data(), kDim, o);
  ASSERT_TRUE(hits);
  for (const DuplicateMember& m : g.members) {
    if (m.at == g.keeper) continue;
    bool seen = false;
    for (const Hit& h : *hits)
      if (h.shard == m.at.shard && h.row == m.at.row) {
        EXPECT_EQ(h.score, m.score) << p.id(m.at);
        seen = true;
      }
    EXPECT_TRUE(seen) << p.id(m.at) << " is not among the keeper's nearest";
    EXPECT_GT(m.score, 0.9f);
  }
}

TEST(Duplicates, RangesTogetherFindWhatOneScanFinds) {
  Planted p({2, 3});
  const size_t n = p.searcher.size();
  auto all = near_duplicate_pairs(p.searcher, 0, n, 0.9f);
  auto low = near_duplicate_pairs(p.searcher, 0, 123, 0.9f), high = near_duplicate_pairs(p.searcher, 123, n, 0.9f);
  ASSERT_TRUE(all && low && high);
  ASSERT_EQ(all->size(), low->size() + high->size());
  std::vector<NearPair> joined = *low;
  joined.insert(joined.end(), high->begin(), high->end());
  for (size_t i = 0; i < joined.size(); ++i) {
    EXPECT_EQ(joined[i].a, (*all)[i].a);
    EXPECT_EQ(joined[i].b, (*all)[i].b);
    EXPECT_EQ(joined[i].score, (*all)[i].score);
  }
}

TEST(Duplicates, ThresholdDecides) {
  Planted p({3});
  auto strict = near_duplicate_pairs(p.searcher, 0, p.searcher.size(), 0.9999f);
  ASSERT_TRUE(strict);
  EXPECT_TRUE(strict->empty()) << "noisy copies are not identical";
  EXPECT_TRUE(group_duplicates(p.searcher, *strict).empty());
  auto loose = near_duplicate_pairs(p.searcher, 0, p.searcher.size(), 0.9f);
  ASSERT_TRUE(loose);
  for (const NearPair& pair : *loose) {
    EXPECT_GE(pair.score, 0.9f);
    EXPECT_FALSE(pair.a == pair.b) << "an image is not its own duplicate";
  }
}

TEST(Duplicates, RefusesRowsOutsideTheIndex) {
  Planted p({2});
  auto bad = near_duplicate_pairs(p.searcher, 10, p.searcher.size() + 1, 0.9f);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.message().find("not within the index"), std::string::npos) << bad.message();
  auto reversed = near_duplicate_pairs(p.searcher, 20, 10, 0.9f);
  EXPECT_FALSE(reversed);
  auto empty = near_duplicate_pairs(p.searcher, 5, 5, 0.9f);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace clip
