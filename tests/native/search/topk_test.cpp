// The bounded heap keeps exactly what a full sort would put first.
#include "core/search/topk.h"

#include <gtest/gtest.h>

#include <random>

namespace clip {
namespace {

struct Item {
  int score;
  int index;
  bool operator==(const Item& o) const { return score == o.score && index == o.index; }
};

struct Better {  // higher score first, then lower index
  bool operator()(const Item& a, const Item& b) const {
    return a.score != b.score ? a.score > b.score : a.index < b.index;
  }
};

TEST(TopK, MatchesFullSortWithManyTies) {
  std::mt19937 rng(1);
  for (size_t k : {0, 1, 2, 10, 99, 1000, 5000}) {
    std::vector<Item> all;
    TopK<Item, Better> top(k);
    for (int i = 0; i < 3000; ++i) {
      Item it{int(rng() % 50), i};  // only 50 distinct scores: ties everywhere
      all.push_back(it);
      top.push(it);
    }
    std::sort(all.begin(), all.end(), Better());
    all.resize(std::min(k, all.size()));
    EXPECT_EQ(top.take_sorted(), all) << "k " << k;
  }
}

TEST(TopK, AcceptsOnlyWhatWouldBeKept) {
  TopK<Item, Better> top(2);
  EXPECT_TRUE(top.accepts({1, 0}));
  top.push({5, 0});
  top.push({3, 1});
  EXPECT_FALSE(top.accepts({3, 2}));  // same score, later index: ranks after the kept one
  EXPECT_TRUE(top.accepts({3, 0}));
  EXPECT_TRUE(top.accepts({4, 9}));
}

}  // namespace
}  // namespace clip
