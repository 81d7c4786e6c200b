// Index: manifest checks per shard, the damage report, the model check and
// the search policy (see index.h for what each decides).
#include "core/index/index.h"

#include "core/util/sha256.h"

namespace clip {
namespace {

std::string short_fingerprint(const std::string& fp) { return fp.size() > 12 ? fp.substr(0, 12) + "…" : fp; }

std::string sentence(std::string s) {
  if (s.empty() || (s.back() != '.' && s.back() != '!' && s.back() != '?')) s += '.';
  return s;
}

}  // namespace

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
  if (!m) return m.error();
  return Index(std::move(m).value());
}

Index::Index(IndexManifest manifest) : manifest_(std::move(manifest)), settled_(manifest_.shards.size(), 0) {}

Status Index::check_model(const ModelIdentity& model, const std::string& model_where) const {
  const IndexManifest& m = manifest_;
  if (model.fingerprint != m.model_fingerprint)
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

Status Index::check_size(size_t entry, uint64_t bytes) {
  if (entry >= manifest_.shards.size())
    return make_error("shard entry " + std::to_string(entry) + " is not in manifest.json (" +
                      std::to_string(manifest_.shards.size()) + " shards)");
  const ShardEntry& e = manifest_.shards[entry];
  if (settled_[entry]) return make_error(e.file + " was already added");
  if (bytes != e.bytes)
    return refuse(entry, e.file + " is " + std::to_string(bytes) + " bytes, but manifest.json says " +
                             std::to_string(e.bytes));
  return ok_status();
}

Status Index::add_shard(size_t entry, std::vector<uint8_t> bytes, const std::string& sha256_hex) {
  CLIP_TRY(check_size(entry, bytes.size()));
  const ShardEntry& e = manifest_.shards[entry];
  if (!sha256_hex.empty() && sha256_hex != e.sha256)
    return refuse(entry, e.file + ": SHA-256 " + short_fingerprint(sha256_hex) + " differs from manifest.json's " +
                             short_fingerprint(e.sha256));
  Result<Shard> shard = Shard::parse(std::move(bytes), e.file);
  if (!shard) return refuse(entry, shard.message());
  if (Status st = check_shard(e, *shard); !st) return refuse(entry, st.message());
  if (Status st = searcher_.add_shard(std::make_shared<const Shard>(std::move(shard).value())); !st)
    return refuse(entry, st.message());
  entries_.push_back(entry);
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

Result<std::vector<Hit>> Index::search(const float* query, size_t dim, const IndexQuery& q) const {
  if (searchable_count() == 0) return std::vector<Hit>{};
  return searcher_.search(query, dim, search_options(q));
}

Result<std::vector<float>> Index::embedding(const std::string& id) const {
  uint32_t shard = 0, row = 0;
  if (!searcher_.find_id(id, &shard, &row)) return make_error("no image with id \"" + id + "\" in this index");
  return searcher_.shard(shard).embedding(row);
}

}  // namespace clip
