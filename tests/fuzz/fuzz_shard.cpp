// Shard::parse on hostile bytes. Each input is tried three ways:
//  1. as given;
//  2. with every checksum the layout lets us find recomputed, so mutations
//     reach the structural checks behind the CRCs instead of dying at them;
//  3. as the recipe for a shard (dim, records, embeddings) that encode_shard
//     writes: whatever the writer accepts, the reader must accept and give
//     back unchanged.
// A shard that parses must be safe to use whole: every accessor, a re-encode
// of its rows, and a search over it.
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "core/index/shard.h"
#include "core/index/shard_format.h"
#include "core/search/search.h"
#include "core/util/byte_reader.h"
#include "core/util/byte_writer.h"
#include "core/util/crc32c.h"
#include "tests/fuzz/fuzz_check.h"

namespace {
namespace fmt = clip::shard_format;

// Rewrites the section CRCs (where a section lies inside the buffer) and the
// header CRC (where the header does); nothing else is touched.
void fix_checksums(std::vector<uint8_t>& b) {
  if (b.size() < fmt::kFixedHeaderSize) return;
  const uint32_t sections = clip::load_le32(&b[fmt::kOffSectionCount]);
  const uint32_t fp_len = clip::load_le32(&b[fmt::kOffFingerprintLength]);
  if (sections > fmt::kMaxSections || fp_len > clip::kShardMaxFingerprint) return;
  const uint64_t header = fmt::header_size(fp_len, sections);
  if (header > b.size()) return;
  uint8_t* table = &b[header - sections * fmt::kSectionEntrySize];
  for (uint32_t i = 0; i < sections; ++i) {
    uint8_t* e = table + i * fmt::kSectionEntrySize;
    const uint64_t off = clip::load_le64(e + 8), len = clip::load_le64(e + 16);
    if (off <= b.size() && len <= b.size() - off) clip::store_le32(e + 24, clip::crc32c(&b[off], size_t(len)));
  }
  clip::store_le32(&b[fmt::kOffHeaderCrc], 0);
  clip::store_le32(&b[fmt::kOffHeaderCrc], clip::crc32c(b.data(), size_t(header)));
}

bool same_record(const clip::ImageRecord& a, const clip::ImageRecord& b) {
  return a.id == b.id && a.caption == b.caption && a.source == b.source && a.thumb == b.thumb &&
         a.width == b.width && a.height == b.height && a.content_sha256 == b.content_sha256;
}

void use(const clip::Shard& s) {
  const uint32_t dim = s.dim();
  FUZZ_CHECK(s.centre().size() == dim, "centre has %zu values, dim %u", s.centre().size(), dim);
  for (uint32_t r = 0; r < s.count(); ++r) {
    int sum = 0;
    for (uint32_t i = 0; i < dim; ++i) sum += s.vector(r)[i];
    if (s.has_binary_codes())
      for (uint32_t i = 0; i < dim / 8; ++i) sum += s.binary_code(r)[i];
    const float scale = s.scale(r);
    FUZZ_CHECK(scale >= 0.0f && scale <= 1.0f, "row %u scale %g passed validation", r, scale);
    const std::vector<float> e = s.embedding(r);
    FUZZ_CHECK(e.size() == dim, "embedding of row %u has %zu values (sum %d)", r, e.size(), sum);
    for (float v : e) FUZZ_CHECK(std::isfinite(v), "row %u embedding has a non-finite value", r);
  }

  // Every row, in order, re-encoded from the stored codes: the same shard.
  std::vector<uint32_t> rows(s.count());
  for (uint32_t r = 0; r < s.count(); ++r) rows[r] = r;
  clip::Result<std::vector<uint8_t>> again = clip::encode_shard_rows(s, rows);
  if (again) {
    clip::Result<clip::Shard> back = clip::Shard::parse(std::move(*again), "re-encoded");
    FUZZ_CHECK(back.ok(), "encode_shard_rows wrote a shard parse refuses: %s", back.message().c_str());
    FUZZ_CHECK(back->count() == s.count() && back->dim() == dim, "re-encoded shard changed shape");
    for (uint32_t r = 0; r < s.count(); ++r) {
      FUZZ_CHECK(same_record(back->record(r), s.record(r)), "row %u record changed", r);
      FUZZ_CHECK(back->scale(r) == s.scale(r), "row %u scale changed", r);
    }
  }

  // Ids may repeat in a hostile shard; the searcher refuses that.
  clip::Searcher searcher;
  if (s.count() == 0 || !searcher.add_shard(std::make_shared<const clip::Shard>(s))) return;
  const std::vector<float> query = s.embedding(0);
  for (bool binary : {false, true}) {
    clip::SearchOptions opts;
    opts.k = 3;
    opts.binary_first_pass = binary;
    clip::Result<std::vector<clip::Hit>> hits = searcher.search(query.data(), query.size(), opts);
    if (!hits) continue;  // e.g. a zero query: refused with a message
    FUZZ_CHECK(hits->size() <= opts.k, "%zu hits for k=%zu", hits->size(), opts.k);
    for (size_t i = 0; i < hits->size(); ++i) {
      const clip::Hit& h = (*hits)[i];
      FUZZ_CHECK(h.row < s.count(), "hit row %u of %u", h.row, s.count());
      FUZZ_CHECK(h.score >= -1.0f && h.score <= 1.0f, "score %g outside [-1, 1]", h.score);
      FUZZ_CHECK(i == 0 || (*hits)[i - 1].score >= h.score, "hits not sorted");
    }
  }
}

// A shard recipe from the input: dim, fingerprint, records, then embeddings
// as raw floats (NaN, infinities and zero vectors included, which the writer
// must refuse by itself).
void write_then_read(const uint8_t* data, size_t size) {
  fuzz::Bytes in(data, size);
  clip::ShardContents c;
  c.dim = 8 * (1 + in.u8() % 8);
  const uint8_t flags = in.u8();
  c.with_binary_codes = flags & 1;
  c.model_fingerprint = std::string(in.take(in.u8() % 40));
  const size_t count = in.u8() % 6;
  for (size_t r = 0; r < count; ++r) {
    clip::ImageRecord rec;
    rec.id = std::string(in.take(in.u8() % 16));
    rec.caption = std::string(in.take(in.u8() % 32));
    rec.source = std::string(in.take(in.u8() % 16));
    rec.thumb = std::string(in.take(in.u8() % 8));
    rec.width = in.u32();
    rec.height = in.u32();
    for (auto& b : rec.content_sha256) b = in.u8();
    c.records.push_back(std::move(rec));
  }
  for (size_t i = 0; i < count * c.dim; ++i) {
    const uint32_t u = in.u32();
    float f;
    std::memcpy(&f, &u, 4);
    c.embeddings.push_back(f);
  }
  clip::Result<std::vector<uint8_t>> bytes = clip::encode_shard(c);
  if (!bytes) return;
  clip::Result<clip::Shard> s = clip::Shard::parse(std::move(*bytes), "written");
  FUZZ_CHECK(s.ok(), "encode_shard wrote a shard parse refuses: %s", s.message().c_str());
  FUZZ_CHECK(s->count() == count && s->dim() == c.dim && s->model_fingerprint() == c.model_fingerprint &&
                 s->has_binary_codes() == c.with_binary_codes,
             "header fields changed on the way through");
  for (uint32_t r = 0; r < count; ++r) FUZZ_CHECK(same_record(s->record(r), c.records[r]), "record %u changed", r);
  use(*s);
}

// A version-2 head taken from the bytes (as a reader fetching by range
// would): it parses when the whole file did, and every row, record and key
// the file holds passes the head's checks.
void parse_head_and_use(const std::vector<uint8_t>& bytes, bool whole_ok) {
  if (bytes.size() < fmt::kFixedHeaderSize) return;
  const uint64_t head_size = clip::load_le64(&bytes[fmt::kOffHeadSize]);
  if (head_size == 0 || head_size > bytes.size()) return;
  clip::Result<clip::Shard> h = clip::Shard::parse_head(std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(head_size)), "fuzz.bin");
  if (!h) {
    FUZZ_CHECK(!whole_ok, "a whole shard parses but its head does not: %s", h.message().c_str());
    return;
  }
  FUZZ_CHECK(h->file_size() >= head_size, "head declares a file smaller than itself");
  for (uint32_t r = 0; r < h->count(); ++r) {
    const float scale = h->scale(r);
    FUZZ_CHECK(scale >= 0.0f && scale <= 1.0f, "head row %u scale %g passed validation", r, scale);
    const clip::FileSpan rec = h->record_span(r);
    const uint64_t v = h->vector_offset(r);
    if (!whole_ok || v + h->dim() > bytes.size() || rec.offset + rec.length > bytes.size()) continue;
    FUZZ_CHECK(h->check_vector(r, &bytes[v]).ok(), "row %u of a whole shard fails its head's check", r);
    FUZZ_CHECK(h->parse_record(r, clip::ByteView(&bytes[rec.offset], size_t(rec.length))).ok(),
               "record %u of a whole shard fails its head's check", r);
  }
}

void parse_and_use(std::vector<uint8_t> bytes) {
  clip::Result<clip::Shard> s = clip::Shard::parse(bytes, "fuzz.bin");
  if (s) use(*s);
  else FUZZ_CHECK(s.message().rfind("fuzz.bin: ", 0) == 0, "error does not name the file: %s", s.message().c_str());
  parse_head_and_use(bytes, s.ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  parse_and_use(bytes);
  fix_checksums(bytes);
  parse_and_use(std::move(bytes));
  write_then_read(data, size);
  return 0;
}
