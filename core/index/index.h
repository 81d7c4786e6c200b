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
//  * whether shards load whole or as heads (the tiers), and the checks of
//    every row, record and key fetched later for a head.
// Refused shards leave the index as it was, so the rest stays searchable.
//
// Tiers (docs/FORMAT.md): a version-2 shard's head (centre, scales, sign
// bits, row checksums, record offsets) is enough to search its rows by sign
// bits. The int8 vectors of a query's candidates, and the records of the hits
// shown, are fetched afterwards by whoever holds the file (the page, by HTTP
// Range) and checked here against the head. Searching then runs in steps:
// plan() -> missing_vectors() -> add_vector() ... -> finish() ->
// missing_records() -> add_record() ... -> record().
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
#include "core/util/lru_cache.h"
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

// The model a query would be embedded with (ModelSpec::identity()).
struct ModelIdentity {
  std::string name;
  std::string fingerprint;
  uint32_t dim = 0;
  // Fingerprints, other than its own, under which indexes of this model's
  // image side were built (model.json "accepted_fingerprints": e.g. format 1,
  // docs/MODEL_MANIFEST.md).
  std::vector<std::string> accepted_fingerprints = {};

  bool accepts(std::string_view index_fingerprint) const;
};

// Shards load as heads (when the reader can fetch parts of files) from this
// many images up: that is where queries use the sign-bit first pass anyway,
// so the int8 rows are only needed for the candidates. Smaller indexes load
// whole and are scanned in int8.
constexpr size_t kTieredMinVectors = kBinaryPassMinVectors;
// Int8 rows and records of shard heads kept for later queries.
constexpr size_t kRowCacheRows = 32768;     // 16 MiB at 512 dims
constexpr size_t kRecordCacheRecords = 8192;

struct IndexQuery {
  size_t k = 10;
  float min_score = -1.0f;         // drop hits below this cosine
  std::string exclude_id;          // leave this image out ("" = none)
  RowRef exclude_at{UINT32_MAX, UINT32_MAX};  // or this row (found by locate_*)
  FirstPass first_pass = FirstPass::kAuto;
  size_t oversample = 0;           // binary candidates per hit; 0 = default_oversample(size)
};

// The search options for a query over `vectors` searchable rows: the first
// pass and oversampling by size, k, threshold, exclusion.
SearchOptions search_policy(const IndexQuery& q, size_t vectors, bool binary_codes);

// How to load an index: whole shards, or heads with rows on demand.
struct LoadingPlan {
  bool can_tier = false;        // every shard has a head with sign bits (and the index is large enough)
  bool tiered = false;
  uint64_t download_bytes = 0;  // before the first complete search
  uint64_t memory_bytes = 0;    // what the index will hold in memory, at most
  bool fits = true;             // memory_bytes within the budget given
  // Not tiered only because the reader cannot fetch parts of files; tiered,
  // it would need only these bytes in memory.
  bool range_would_fit = false;
  uint64_t tiered_memory_bytes = 0;
};

// Where to find an image by id or by content: found, or what must be
// supplied first (keys of shard heads, records of candidate rows).
struct Lookup {
  bool found = false;
  RowRef at;
  std::vector<uint32_t> need_keys;
  std::vector<RowRef> need_records;
  bool complete() const { return need_keys.empty() && need_records.empty(); }
};

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
  // The head of a version-2 shard (its first head_bytes bytes): checked
  // against the manifest's head size and head SHA-256, then like a whole
  // shard; its rows are searched by sign bits and fetched as needed.
  Status add_shard_head(size_t entry, std::vector<uint8_t> head, const std::string& sha256_hex);
  // Accepted shard i, loaded as a head, completed by the bytes of its whole
  // file (what the page's Duplicates view needs: every row): checked like
  // add_shard, then its rows and records are at hand. On failure the head
  // stays searchable and nothing is recorded as refused.
  Status complete_shard(uint32_t i, std::vector<uint8_t> bytes, const std::string& sha256_hex);
  // Whether every accepted shard is whole (no heads waiting for rows).
  bool all_whole() const;
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

  // Whole shards or heads, given whether the reader can fetch byte ranges and
  // how much memory the index may use; `tier_small` tiers indexes below
  // kTieredMinVectors too (the page's ?tiers=on).
  LoadingPlan loading_plan(bool byte_ranges, uint64_t memory_budget, bool tier_small = false) const;
  // The search options a query gets: the first pass and oversampling for
  // this index's size (kBinaryPassMinVectors), k, threshold, exclusion.
  SearchOptions search_options(const IndexQuery& q) const;
  Result<std::vector<Hit>> search(const float* query, size_t dim, const IndexQuery& q) const;

  // The same in steps, for shard heads. plan() runs the first pass;
  // missing_vectors() are the candidates in heads whose int8 vectors are not
  // at hand; add_vector() supplies one (the bytes at vector_span()); finish()
  // scores what is at hand (*unscored counts the rest).
  Result<SearchPlan> plan(const float* query, size_t dim, const IndexQuery& q);
  std::vector<RowRef> missing_vectors(const SearchPlan& plan) const;
  FileSpan vector_span(RowRef at) const;
  Status add_vector(RowRef at, ByteView codes);
  bool has_vector(RowRef at) const;
  std::vector<Hit> finish(const SearchPlan& plan, size_t* unscored = nullptr);

  // Records: whole shards have them; heads get them by add_record() (the
  // bytes at record_span()). record_at() is null for one not at hand.
  const ImageRecord* record_at(RowRef at);
  std::vector<RowRef> missing_records(const std::vector<Hit>& hits) const;
  FileSpan record_span(RowRef at) const;
  Status add_record(RowRef at, ByteView bytes);
  // Keys of a head (the bytes at keys_span()), for locate_id/locate_content.
  bool has_keys(uint32_t shard) const;
  FileSpan keys_span(uint32_t shard) const;
  Status add_keys(uint32_t shard, ByteView bytes);
  // Where an id, or the image whose file had these bytes, is: found, or what
  // to supply before asking again. Ids are unique, so the first match wins.
  Lookup locate_id(const std::string& id);
  Lookup locate_content(const std::array<uint8_t, 32>& sha256);
  // The stored vector of a row, dequantized and normalised ("similar"):
  // for a head, once its vector is at hand.
  Result<std::vector<float>> embedding_at(RowRef at);

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
  Status check_file(const ShardEntry& e, uint64_t bytes, const std::string& sha256_hex) const;
  Status check_head(const ShardEntry& e, uint64_t head_bytes, const std::string& head_sha256_hex) const;
  Status check_shard(const ShardEntry& e, const Shard& shard) const;
  Status accept(size_t entry, Shard shard, const std::string& head_sha256_hex = "");
  Lookup locate(bool by_id, const std::string& id, const std::array<uint8_t, 32>& sha256);
  Error refuse(size_t entry, const std::string& reason);

  IndexManifest manifest_;
  Searcher searcher_;
  std::vector<size_t> entries_;       // manifest entry of each accepted shard
  std::vector<uint8_t> settled_;      // per manifest entry: 1 once added or refused
  std::vector<ShardRefusal> refusals_;
  // Shard heads' rows fetched so far, by (shard << 32 | row).
  LruCache<uint64_t, std::vector<int8_t>> vectors_{kRowCacheRows};
  LruCache<uint64_t, ImageRecord> records_{kRecordCacheRecords};
  std::vector<ShardKeys> keys_;        // per accepted shard; empty until added
  std::vector<uint8_t> has_keys_;
};

// The manifest entry of a shard file the writer just made (encode_shard):
// size, SHA-256, count, format version and, for version 2, the head's size
// and SHA-256, read from its header.
ShardEntry describe_shard(const std::string& file, const std::vector<uint8_t>& bytes);

// "1234567" -> "1,234,567": counts in messages people read.
std::string group_thousands(uint64_t n);

}  // namespace clip
