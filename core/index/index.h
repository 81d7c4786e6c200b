// An index as its manifest describes it and as its shards arrive. The one
// place that decides, for the CLI and the page alike:
//  * whether a shard belongs: file size and SHA-256 against the manifest,
//    the shard's own checks, row count, dim and model fingerprint against
//    the manifest, ids unique across the index;
//  * what to tell the user when some do not (the damage report: which
//    shards were refused and why, how many images remain searchable);
//  * whether a model can query the index (fingerprint and dim);
//  * how a query is searched: int8 scan or sign-bit first pass and how many
//    candidates, by index size; the query's own image left out; an indexed
//    photo recognised by its bytes.
// Refused shards leave the index as it was, so the rest stays searchable.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/index/index_manifest.h"
#include "core/index/shard.h"
#include "core/search/search.h"
#include "core/util/result.h"

namespace clip {

// From this many vectors up, queries use the sign-bit first pass (when the
// shards carry sign bits) with default_oversample() candidates per hit:
// below it the exhaustive int8 scan is fast enough (about 6 ms per 100k
// vectors natively, 3x that in wasm; BENCHMARKS.md) and its recall higher.
constexpr size_t kBinaryPassMinVectors = 200000;

enum class FirstPass {
  kAuto,    // the policy above
  kInt8,    // always the exhaustive int8 scan
  kBinary,  // always the sign-bit pass where the shards have sign bits
};

// The model a query would be embedded with.
struct ModelIdentity {
  std::string name;
  std::string fingerprint;
  uint32_t dim = 0;
};

struct IndexQuery {
  size_t k = 10;
  float min_score = -1.0f;         // drop hits below this cosine
  std::string exclude_id;          // leave this image out ("" = none)
  FirstPass first_pass = FirstPass::kAuto;
  size_t oversample = 0;           // binary candidates per hit; 0 = default_oversample(size)
};

// The search options for a query over `vectors` searchable rows: the first
// pass and oversampling by size, k, threshold, exclusion.
SearchOptions search_policy(const IndexQuery& q, size_t vectors, bool binary_codes);

// A shard the index could not use.
struct ShardRefusal {
  size_t entry = 0;    // position in manifest().shards
  std::string file;
  uint32_t count = 0;  // images the manifest says it holds
  std::string reason;  // one sentence, starting with the file name
};

class Index {
 public:
  // Parses and checks manifest.json (core/index/index_manifest.h).
  static Result<Index> from_manifest_json(std::string_view text);
  explicit Index(IndexManifest manifest);

  const IndexManifest& manifest() const { return manifest_; }

  // Can `model` query this index? An error that says which model the index
  // needs and which one `model_where` ("--model DIR", "the page's model
  // from URL") offered; callers append how to fix it in their own terms.
  Status check_model(const ModelIdentity& model, const std::string& model_where) const;

  // The bytes of the shard file manifest().shards[entry]. Checks its size,
  // the SHA-256 `sha256_hex` the caller computed ("" = not checked), the
  // shard's own checks, and that its row count, dim and model fingerprint are
  // the manifest's and its ids new to the index. On failure the shard is
  // recorded as refused (refusals(), damage_report()) and the error returned.
  Status add_shard(size_t entry, std::vector<uint8_t> bytes, const std::string& sha256_hex);
  // The size check alone, for a reader that learns a file's size before
  // reading it (a refused size is recorded like add_shard's refusals).
  Status check_size(size_t entry, uint64_t bytes);
  // A shard that could not be read at all (missing file, network failure):
  // recorded like the others; returns the reason as an error.
  Error refuse_shard(size_t entry, const std::string& reason);

  size_t shard_entries() const { return manifest_.shards.size(); }
  size_t accepted_shards() const { return searcher_.shard_count(); }
  size_t settled_shards() const { return accepted_shards() + refusals_.size(); }
  // Images in accepted shards: what a query searches.
  size_t searchable_count() const { return searcher_.size(); }
  const std::vector<ShardRefusal>& refusals() const { return refusals_; }
  // The refusals as sentences, then how many images remain searchable
  // ("... 4,096 of 8,192 images are searchable."); "" when none.
  std::string damage_report() const;

  // The search options a query gets: the first pass and oversampling for
  // this index's size (kBinaryPassMinVectors), k, threshold, exclusion.
  SearchOptions search_options(const IndexQuery& q) const;
  Result<std::vector<Hit>> search(const float* query, size_t dim, const IndexQuery& q) const;

  // The id of the indexed image whose file had these bytes, or "": how an
  // image query that is itself indexed is recognised (and left out).
  std::string find_content(const std::array<uint8_t, 32>& sha256) const { return searcher_.find_content(sha256); }
  bool find_id(const std::string& id, uint32_t* shard, uint32_t* row) const { return searcher_.find_id(id, shard, row); }
  // The stored vector of an id, dequantized and normalised (for "similar").
  Result<std::vector<float>> embedding(const std::string& id) const;
  const ImageRecord& record(const Hit& hit) const { return searcher_.shard(hit.shard).record(hit.row); }
  // Accepted shards in the order they were added (Hit::shard numbers them).
  const Shard& shard(uint32_t i) const { return searcher_.shard(i); }
  const std::shared_ptr<const Shard>& shared_shard(uint32_t i) const { return searcher_.shared_shard(i); }
  // Which manifest entry accepted shard i came from.
  size_t shard_entry(uint32_t i) const { return entries_[i]; }
  const Searcher& searcher() const { return searcher_; }

 private:
  Status check_shard(const ShardEntry& e, const Shard& shard) const;
  Error refuse(size_t entry, const std::string& reason);

  IndexManifest manifest_;
  Searcher searcher_;
  std::vector<size_t> entries_;       // manifest entry of each accepted shard
  std::vector<uint8_t> settled_;      // per manifest entry: 1 once added or refused
  std::vector<ShardRefusal> refusals_;
};

// "1234567" -> "1,234,567": counts in messages people read.
std::string group_thousands(uint64_t n);

}  // namespace clip
