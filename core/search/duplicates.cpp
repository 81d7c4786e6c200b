#include "core/search/duplicates.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "core/search/scoring.h"

namespace clip {
namespace {

// Queries per search_batch call: a multiple of its block, small enough
// that the queries' float copies stay small.
constexpr size_t kScanChunk = 256;

// Row numbers over the shards in order, and back.
class RowNumbers {
 public:
  explicit RowNumbers(const Searcher& s) {
    first_.push_back(0);
    for (size_t i = 0; i < s.shard_count(); ++i) first_.push_back(first_.back() + s.shard(uint32_t(i)).count());
  }
  size_t total() const { return first_.back(); }
  size_t number(RowRef r) const { return first_[r.shard] + r.row; }
  RowRef ref(size_t n) const {
    const size_t shard = size_t(std::upper_bound(first_.begin(), first_.end(), n) - first_.begin()) - 1;
    return RowRef{uint32_t(shard), uint32_t(n - first_[shard])};
  }

 private:
  std::vector<size_t> first_;
};

size_t find_root(std::vector<size_t>& parent, size_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

uint64_t pixels(const Searcher& s, RowRef r) {
  const ImageRecord& rec = s.shard(r.shard).record(r.row);
  return uint64_t(rec.width) * rec.height;
}

// Cosine of the keeper's stored vector with a member's, scored as
// `search --id keeper` scores that member.
float cosine_with(const Searcher& s, const scoring::Query& keeper, RowRef member) {
  const Shard& sh = s.shard(member.shard);
  return scoring::exact_score(keeper, sh, member.row, sh.vector(member.row), scoring::centre_dot(keeper, sh));
}

}  // namespace

Status require_whole_shards(const Searcher& index) {
  for (uint32_t i = 0; i < index.shard_count(); ++i)
    if (!index.shard(i).whole())
      return make_error("duplicates: " + index.shard(i).name() +
                        " is loaded as a head (tiers), without its rows, and every row is compared with every other");
  return ok_status();
}

Result<std::vector<NearPair>> near_duplicate_pairs(const Searcher& index, size_t begin, size_t end, float threshold,
                                                   size_t neighbours) {
  CLIP_TRY(require_whole_shards(index));
  const RowNumbers numbers(index);
  if (begin > end || end > numbers.total())
    return make_error("duplicates: rows " + std::to_string(begin) + " to " + std::to_string(end) +
                      " are not within the index's " + std::to_string(numbers.total()));
  std::vector<NearPair> pairs;
  if (begin == end) return pairs;
  SearchOptions opts;
  opts.k = neighbours;
  opts.min_score = threshold;
  const size_t dim = index.dim();
  for (size_t c0 = begin; c0 < end; c0 += kScanChunk) {
    const size_t count = std::min(kScanChunk, end - c0);
    std::vector<float> queries;
    queries.reserve(count * dim);
    std::vector<std::string> self;
    std::vector<RowRef> refs;
    for (size_t i = 0; i < count; ++i) {
      const RowRef r = numbers.ref(c0 + i);
      const Shard& s = index.shard(r.shard);
      const std::vector<float> e = s.embedding(r.row);
      queries.insert(queries.end(), e.begin(), e.end());
      self.push_back(s.record(r.row).id);
      refs.push_back(r);
    }
    auto found = index.search_batch(queries.data(), count, dim, opts, self);
    CLIP_TRY(found);
    for (size_t i = 0; i < count; ++i)
      for (const Hit& h : (*found)[i]) pairs.push_back(NearPair{refs[i], RowRef{h.shard, h.row}, h.score});
  }
  return pairs;
}

std::vector<DuplicateGroup> group_duplicates(const Searcher& index, const std::vector<NearPair>& pairs) {
  const RowNumbers numbers(index);
  std::vector<size_t> parent(numbers.total());
  std::vector<double> closeness(numbers.total(), 0.0);  // sum of the cosines of a row's pairs
  std::iota(parent.begin(), parent.end(), size_t(0));
  for (const NearPair& p : pairs) {
    const size_t a = numbers.number(p.a), b = numbers.number(p.b);
    closeness[a] += p.score;
    closeness[b] += p.score;
    const size_t ra = find_root(parent, a), rb = find_root(parent, b);
    if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
  }
  // Members of each group in index order, keyed by the group's root.
  std::vector<std::vector<size_t>> by_root(numbers.total());
  for (const NearPair& p : pairs)
    for (size_t n : {numbers.number(p.a), numbers.number(p.b)}) by_root[find_root(parent, n)].push_back(n);

  std::vector<DuplicateGroup> groups;
  for (auto& members : by_root) {
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    if (members.size() < 2) continue;
    size_t keeper = members[0];
    for (size_t m : members) {
      const uint64_t pk = pixels(index, numbers.ref(keeper)), pm = pixels(index, numbers.ref(m));
      if (pm > pk || (pm == pk && closeness[m] > closeness[keeper])) keeper = m;
    }
    DuplicateGroup g;
    g.keeper = numbers.ref(keeper);
    const Shard& ks = index.shard(g.keeper.shard);
    const std::vector<float> kv = ks.embedding(g.keeper.row);
    auto query = scoring::prepare_query(kv.data(), kv.size(), "duplicates");
    for (size_t m : members) {
      const RowRef r = numbers.ref(m);
      // A stored vector is never zero (the shard writer refuses those), so the query is valid.
      const float score = m == keeper ? 1.0f : (query.ok() ? cosine_with(index, *query, r) : 0.0f);
      g.members.push_back(DuplicateMember{r, score});
    }
    std::stable_sort(g.members.begin(), g.members.end(), [&](const DuplicateMember& a, const DuplicateMember& b) {
      const bool ak = a.at == g.keeper, bk = b.at == g.keeper;
      if (ak != bk) return ak;
      return a.score > b.score;
    });
    groups.push_back(std::move(g));
  }
  std::stable_sort(groups.begin(), groups.end(), [](const DuplicateGroup& a, const DuplicateGroup& b) {
    return a.members.size() > b.members.size();
  });
  return groups;
}

}  // namespace clip
