// Index: manifest checks per shard, the damage report, the model check and
// the search policy (see index.h for what each decides).
#include "core/index/index.h"

#include <algorithm>

#include "core/index/shard_format.h"
#include "core/util/byte_reader.h"
#include "core/util/sha256.h"

namespace clip {
namespace {

std::string short_fingerprint(const std::string& fp) { return fp.size() > 12 ? fp.substr(0, 12) + "…" : fp; }

std::string sentence(std::string s) {
  if (s.empty() || (s.back() != '.' && s.back() != '!' && s.back() != '?')) s += '.';
  return s;
}

// The SHA-256 of the head a tiered reader would load from this whole file,
// when the caller hashes files (`hashed`) and the manifest lists a head: it
// must be the manifest's, so whole and tiered readers accept the same index.
std::string head_sha256_of(const ShardEntry& e, const std::vector<uint8_t>& bytes, bool hashed) {
  if (!hashed || e.version != 2 || e.head_bytes > bytes.size()) return "";
  return to_hex(sha256(bytes.data(), size_t(e.head_bytes)));
}

}  // namespace

ShardEntry describe_shard(const std::string& file, const std::vector<uint8_t>& bytes) {
  namespace fmt = shard_format;
  ShardEntry e;
  e.file = file;
  e.bytes = bytes.size();
  e.sha256 = to_hex(sha256(bytes.data(), bytes.size()));
  if (bytes.size() < fmt::kFixedHeaderSize) return e;  // not a shard: the reader will say so
  e.count = load_le32(bytes.data() + fmt::kOffCount);
  e.version = load_le32(bytes.data() + fmt::kOffVersion);
  if (e.version == 2) {
    e.head_bytes = load_le64(bytes.data() + fmt::kOffHeadSize);
    e.head_sha256 = to_hex(sha256(bytes.data(), size_t(std::min<uint64_t>(e.head_bytes, bytes.size()))));
  }
  return e;
}

std::string group_thousands(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

Result<Index> Index::from_manifest_json(std::string_view text) {
  Result<IndexManifest> m = parse_index_manifest(text);
  CLIP_TRY(m);
  return Index(std::move(m).value());
}

Index::Index(IndexManifest manifest) : manifest_(std::move(manifest)), settled_(manifest_.shards.size(), 0) {}

bool ModelIdentity::accepts(std::string_view index_fingerprint) const {
  if (index_fingerprint.empty()) return false;
  if (index_fingerprint == fingerprint) return true;
  return std::find(accepted_fingerprints.begin(), accepted_fingerprints.end(), index_fingerprint) !=
         accepted_fingerprints.end();
}

Status Index::check_model(const ModelIdentity& model, const std::string& model_where) const {
  const IndexManifest& m = manifest_;
  if (!model.accepts(m.model_fingerprint))
    return make_error("This index was built with another model: it needs \"" + m.model_name + "\" (fingerprint " +
                      short_fingerprint(m.model_fingerprint) + ") but " + model_where + " is \"" + model.name +
                      "\" (fingerprint " + short_fingerprint(model.fingerprint) +
                      "), whose embeddings would not match.");
  if (model.dim != m.dim)
    return make_error("This index was built with another model: it holds " + std::to_string(m.dim) +
                      "-d vectors but " + model_where + " \"" + model.name + "\" makes " + std::to_string(model.dim) +
                      "-d embeddings.");
  return ok_status();
}

Error Index::refuse(size_t entry, const std::string& reason) {
  const ShardEntry& e = manifest_.shards[entry];
  settled_[entry] = 1;
  refusals_.push_back(ShardRefusal{entry, e.file, e.count, sentence(reason)});
  return make_error(reason);
}

Error Index::refuse_shard(size_t entry, const std::string& reason) {
  if (entry < settled_.size() && !settled_[entry]) return refuse(entry, reason);
  return make_error(reason);
}

Status Index::check_shard(const ShardEntry& e, const Shard& s) const {
  if (s.count() != e.count)
    return make_error(e.file + " holds " + std::to_string(s.count()) + " images, but manifest.json says " +
                      std::to_string(e.count));
  if (s.dim() != manifest_.dim)
    return make_error(e.file + " holds " + std::to_string(s.dim()) + "-d vectors, but manifest.json says " +
                      std::to_string(manifest_.dim) + "-d");
  if (s.model_fingerprint() != manifest_.model_fingerprint)
    return make_error(e.file + " was embedded with model fingerprint " + short_fingerprint(s.model_fingerprint()) +
                      ", but manifest.json says " + short_fingerprint(manifest_.model_fingerprint));
  return ok_status();
}

Status Index::check_file(const ShardEntry& e, uint64_t bytes, const std::string& sha256_hex) const {
  if (bytes != e.bytes)
    return make_error(e.file + " is " + std::to_string(bytes) + " bytes, but manifest.json says " +
                      std::to_string(e.bytes));
  if (!sha256_hex.empty() && sha256_hex != e.sha256)
    return make_error(e.file + ": SHA-256 " + short_fingerprint(sha256_hex) + " differs from manifest.json's " +
                      short_fingerprint(e.sha256));
  return ok_status();
}

Status Index::check_head(const ShardEntry& e, uint64_t head_bytes, const std::string& head_sha256_hex) const {
  if (head_bytes != e.head_bytes)
    return make_error(e.file + ": its head is " + std::to_string(head_bytes) + " bytes, but manifest.json says " +
                      std::to_string(e.head_bytes));
  if (!head_sha256_hex.empty() && head_sha256_hex != e.head_sha256)
    return make_error(e.file + ": the SHA-256 of its head, " + short_fingerprint(head_sha256_hex) +
                      ", differs from manifest.json's " + short_fingerprint(e.head_sha256));
  return ok_status();
}

Status Index::check_size(size_t entry, uint64_t bytes) {
  if (entry >= manifest_.shards.size())
    return make_error("shard entry " + std::to_string(entry) + " is not in manifest.json (" +
                      std::to_string(manifest_.shards.size()) + " shards)");
  const ShardEntry& e = manifest_.shards[entry];
  if (settled_[entry]) return make_error(e.file + " was already added");
  if (Status st = check_file(e, bytes, ""); !st) return refuse(entry, st.message());
  return ok_status();
}

Status Index::add_shard(size_t entry, std::vector<uint8_t> bytes, const std::string& sha256_hex) {
  CLIP_TRY(check_size(entry, bytes.size()));
  const ShardEntry& e = manifest_.shards[entry];
  if (Status st = check_file(e, bytes.size(), sha256_hex); !st) return refuse(entry, st.message());
  const std::string head_sha = head_sha256_of(e, bytes, !sha256_hex.empty());
  Result<Shard> shard = Shard::parse(std::move(bytes), e.file);
  if (!shard) return refuse(entry, shard.message());
  return accept(entry, std::move(shard).value(), head_sha);
}

Status Index::add_shard_head(size_t entry, std::vector<uint8_t> head, const std::string& sha256_hex) {
  if (entry >= manifest_.shards.size())
    return make_error("shard entry " + std::to_string(entry) + " is not in manifest.json (" +
                      std::to_string(manifest_.shards.size()) + " shards)");
  const ShardEntry& e = manifest_.shards[entry];
  if (settled_[entry]) return make_error(e.file + " was already added");
  if (e.version != 2) return refuse(entry, e.file + " is a version-" + std::to_string(e.version) + " shard, which has no head to load alone");
  if (Status st = check_head(e, head.size(), sha256_hex); !st) return refuse(entry, st.message());
  Result<Shard> shard = Shard::parse_head(std::move(head), e.file);
  if (!shard) return refuse(entry, shard.message());
  if (shard->file_size() != e.bytes)
    return refuse(entry, e.file + ": its header says the file is " + std::to_string(shard->file_size()) +
                             " bytes, but manifest.json says " + std::to_string(e.bytes));
  return accept(entry, std::move(shard).value());
}

Status Index::complete_shard(uint32_t i, std::vector<uint8_t> bytes, const std::string& sha256_hex) {
  if (i >= accepted_shards()) return make_error("shard " + std::to_string(i) + " does not exist");
  const ShardEntry& e = manifest_.shards[entries_[i]];
  CLIP_TRY(check_file(e, bytes.size(), sha256_hex));
  const std::string head_sha = head_sha256_of(e, bytes, !sha256_hex.empty());
  Result<Shard> shard = Shard::parse(std::move(bytes), e.file);
  CLIP_TRY(shard);
  if (shard->version() != 2) return make_error(e.file + " is not a version-2 shard, so it has no head to complete");
  CLIP_TRY(check_shard(e, *shard));
  CLIP_TRY(check_head(e, shard->head_size(), head_sha));
  return searcher_.complete_shard(i, std::make_shared<const Shard>(std::move(shard).value()));
}

bool Index::all_whole() const {
  for (uint32_t i = 0; i < accepted_shards(); ++i)
    if (!shard(i).whole()) return false;
  return true;
}

Status Index::accept(size_t entry, Shard shard, const std::string& head_sha256_hex) {
  const ShardEntry& e = manifest_.shards[entry];
  if (shard.version() != e.version)
    return refuse(entry, e.file + " is a version-" + std::to_string(shard.version()) +
                             " shard, but manifest.json says version " + std::to_string(e.version));
  if (Status st = check_shard(e, shard); !st) return refuse(entry, st.message());
  if (shard.whole() && shard.version() == 2)
    if (Status st = check_head(e, shard.head_size(), head_sha256_hex); !st) return refuse(entry, st.message());
  if (Status st = searcher_.add_shard(std::make_shared<const Shard>(std::move(shard))); !st)
    return refuse(entry, st.message());
  entries_.push_back(entry);
  keys_.emplace_back();
  has_keys_.push_back(0);
  settled_[entry] = 1;
  return ok_status();
}

std::string Index::damage_report() const {
  if (refusals_.empty()) return "";
  std::string out;
  for (const ShardRefusal& r : refusals_) out += r.reason + " ";
  return out + group_thousands(searchable_count()) + " of " + group_thousands(manifest_.count) +
         " images are searchable.";
}

SearchOptions search_policy(const IndexQuery& q, size_t vectors, bool binary_codes) {
  SearchOptions o;
  o.k = q.k;
  o.min_score = q.min_score;
  o.exclude_id = q.exclude_id;
  o.oversample = q.oversample ? q.oversample : default_oversample(vectors);
  switch (q.first_pass) {
    case FirstPass::kInt8: o.binary_first_pass = false; break;
    case FirstPass::kBinary: o.binary_first_pass = true; break;
    case FirstPass::kAuto: o.binary_first_pass = binary_codes && vectors >= kBinaryPassMinVectors; break;
  }
  return o;
}

SearchOptions Index::search_options(const IndexQuery& q) const {
  return search_policy(q, searchable_count(), manifest_.binary_codes);
}

LoadingPlan Index::loading_plan(bool byte_ranges, uint64_t memory_budget, bool tier_small) const {
  LoadingPlan p;
  uint64_t whole = 0, largest = 0, heads = 0;
  bool all_heads = true;
  for (const ShardEntry& e : manifest_.shards) {
    whole += e.bytes;
    largest = std::max(largest, e.bytes);
    heads += e.head_bytes;
    all_heads = all_heads && e.version == 2;
  }
  // Heads need sign bits; the caches hold at most this many rows, records
  // (about 512 bytes each) and keys.
  const uint64_t n = manifest_.count;
  const uint64_t caches = std::min<uint64_t>(kRowCacheRows, n) * manifest_.dim +
                          std::min<uint64_t>(kRecordCacheRecords, n) * 512 + 8 * n;
  const bool can_tier = all_heads && manifest_.binary_codes && (tier_small || n >= kTieredMinVectors);
  p.can_tier = can_tier;
  p.tiered_memory_bytes = can_tier ? heads + caches : 0;
  p.tiered = can_tier && byte_ranges;
  // A shard exists twice while it is added (the download, then its copy).
  p.memory_bytes = p.tiered ? p.tiered_memory_bytes : whole + largest;
  p.download_bytes = p.tiered ? heads : whole;
  p.fits = p.memory_bytes <= memory_budget;
  p.range_would_fit = can_tier && !byte_ranges && p.tiered_memory_bytes <= memory_budget;
  return p;
}

Result<std::vector<Hit>> Index::search(const float* query, size_t dim, const IndexQuery& q) const {
  if (searchable_count() == 0) return std::vector<Hit>{};
  SearchOptions o = search_options(q);
  o.exclude_shard = q.exclude_at.shard;
  o.exclude_row = q.exclude_at.row;
  return searcher_.search(query, dim, o);
}

namespace {
uint64_t row_key(RowRef at) { return uint64_t(at.shard) << 32 | at.row; }
}  // namespace

Result<SearchPlan> Index::plan(const float* query, size_t dim, const IndexQuery& q) {
  if (searchable_count() == 0) return make_error("search: no shards loaded yet");
  SearchOptions o = search_options(q);
  o.exclude_shard = q.exclude_at.shard;
  o.exclude_row = q.exclude_at.row;
  auto p = searcher_.plan(query, dim, o);
  // Keep every candidate of this plan: the cache grows to twice the largest.
  if (p && vectors_.capacity() < 2 * p->candidates.size()) vectors_.set_capacity(2 * p->candidates.size());
  return p;
}

std::vector<RowRef> Index::missing_vectors(const SearchPlan& plan) const {
  std::vector<RowRef> out;
  for (const RowRef& c : plan.candidates)
    if (c.shard < accepted_shards() && !shard(c.shard).whole() && !vectors_.peek(row_key(c))) out.push_back(c);
  return out;
}

namespace {
Status check_row(const Index& index, RowRef at) {
  if (at.shard >= index.accepted_shards() || at.row >= index.shard(at.shard).count())
    return make_error("row " + std::to_string(at.row) + " of shard " + std::to_string(at.shard) + " does not exist");
  return ok_status();
}
}  // namespace

FileSpan Index::vector_span(RowRef at) const {
  if (!check_row(*this, at)) return {};
  const Shard& s = shard(at.shard);
  return FileSpan{s.vector_offset(at.row), s.dim(), 0};
}

Status Index::add_vector(RowRef at, ByteView codes) {
  CLIP_TRY(check_row(*this, at));
  const Shard& s = shard(at.shard);
  if (s.whole()) return ok_status();
  if (codes.size != s.dim())
    return make_error(s.name() + ": vector " + std::to_string(at.row) + " is " + std::to_string(s.dim()) +
                      " bytes, got " + std::to_string(codes.size));
  CLIP_TRY(s.check_vector(at.row, codes.data));
  const int8_t* p = reinterpret_cast<const int8_t*>(codes.data);
  vectors_.put(row_key(at), std::vector<int8_t>(p, p + codes.size));
  return ok_status();
}

bool Index::has_vector(RowRef at) const {
  if (!check_row(*this, at)) return false;
  return shard(at.shard).whole() || vectors_.peek(row_key(at)) != nullptr;
}

std::vector<Hit> Index::finish(const SearchPlan& plan, size_t* unscored) {
  return searcher_.score(
      plan,
      [this](uint32_t shard, uint32_t row) -> const int8_t* {
        const std::vector<int8_t>* v = vectors_.get(row_key(RowRef{shard, row}));
        return v ? v->data() : nullptr;
      },
      unscored);
}

const ImageRecord* Index::record_at(RowRef at) {
  if (!check_row(*this, at)) return nullptr;
  const Shard& s = shard(at.shard);
  return s.whole() ? &s.record(at.row) : records_.get(row_key(at));
}

std::vector<RowRef> Index::missing_records(const std::vector<Hit>& hits) const {
  std::vector<RowRef> out;
  for (const Hit& h : hits) {
    const RowRef at{h.shard, h.row};
    if (check_row(*this, at) && !shard(h.shard).whole() && !records_.peek(row_key(at))) out.push_back(at);
  }
  return out;
}

FileSpan Index::record_span(RowRef at) const {
  if (!check_row(*this, at) || shard(at.shard).whole()) return {};
  return shard(at.shard).record_span(at.row);
}

Status Index::add_record(RowRef at, ByteView bytes) {
  CLIP_TRY(check_row(*this, at));
  const Shard& s = shard(at.shard);
  if (s.whole()) return ok_status();
  auto rec = s.parse_record(at.row, bytes);
  CLIP_TRY(rec);
  records_.put(row_key(at), std::move(rec).value());
  return ok_status();
}

bool Index::has_keys(uint32_t i) const { return i < accepted_shards() && (shard(i).whole() || has_keys_[i]); }

FileSpan Index::keys_span(uint32_t i) const {
  if (i >= accepted_shards() || shard(i).whole()) return {};
  return shard(i).keys_span();
}

Status Index::add_keys(uint32_t i, ByteView bytes) {
  if (i >= accepted_shards()) return make_error("shard " + std::to_string(i) + " does not exist");
  if (shard(i).whole()) return ok_status();
  auto keys = shard(i).parse_keys(bytes);
  CLIP_TRY(keys);
  keys_[i] = std::move(keys).value();
  has_keys_[i] = 1;
  return ok_status();
}

Lookup Index::locate(bool by_id, const std::string& id, const std::array<uint8_t, 32>& sha256) {
  Lookup l;
  // Whole shards know their records.
  if (by_id) {
    if (searcher_.find_id(id, &l.at.shard, &l.at.row)) l.found = true;
  } else {
    for (uint32_t i = 0; i < accepted_shards() && !l.found; ++i) {
      const Shard& s = shard(i);
      for (uint32_t r = 0; s.whole() && r < s.count(); ++r)
        if (s.record(r).content_sha256 == sha256) {
          l = Lookup{true, RowRef{i, r}, {}, {}};
          break;
        }
    }
  }
  if (l.found) return l;
  // Heads: rows whose key matches are candidates; their records decide.
  const uint32_t key = by_id ? id_key(id) : content_key(sha256);
  for (uint32_t i = 0; i < accepted_shards(); ++i) {
    if (shard(i).whole()) continue;
    if (!has_keys_[i]) {
      l.need_keys.push_back(i);
      continue;
    }
    const std::vector<uint32_t>& keys = by_id ? keys_[i].id : keys_[i].content;
    for (uint32_t r = 0; r < keys.size(); ++r) {
      if (keys[r] != key) continue;
      const ImageRecord* rec = records_.get(row_key(RowRef{i, r}));
      if (!rec) {
        l.need_records.push_back(RowRef{i, r});
      } else if (by_id ? rec->id == id : rec->content_sha256 == sha256) {
        return Lookup{true, RowRef{i, r}, {}, {}};
      }
    }
  }
  return l;
}

Lookup Index::locate_id(const std::string& id) { return locate(true, id, {}); }
Lookup Index::locate_content(const std::array<uint8_t, 32>& sha256) { return locate(false, "", sha256); }

Result<std::vector<float>> Index::embedding_at(RowRef at) {
  CLIP_TRY(check_row(*this, at));
  const Shard& s = shard(at.shard);
  if (s.whole()) return s.embedding(at.row);
  const std::vector<int8_t>* v = vectors_.get(row_key(at));
  if (!v) return make_error(s.name() + ": vector " + std::to_string(at.row) + " is not loaded yet");
  return s.embedding(at.row, v->data());
}

Result<std::vector<float>> Index::embedding(const std::string& id) const {
  uint32_t shard = 0, row = 0;
  if (!searcher_.find_id(id, &shard, &row)) return make_error("no image with id \"" + id + "\" in this index");
  return searcher_.shard(shard).embedding(row);
}

}  // namespace clip
