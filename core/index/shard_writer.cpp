// Shard serialisation: normalise each embedding, subtract the shard's mean,
// quantize, lay out the 64-byte-aligned sections, then fill in the header,
// section table and CRCs.
#include <cmath>
#include <cstring>

#include "core/index/shard.h"
#include "core/index/shard_format.h"
#include "core/search/kernels.h"
#include "core/util/byte_writer.h"
#include "core/util/crc32c.h"

namespace clip {
namespace fmt = shard_format;
namespace {

struct SectionSpan {
  uint32_t kind;
  uint64_t offset, length;
};

Status check_contents(const ShardContents& c) {
  if (c.dim == 0 || c.dim % 8 != 0 || c.dim > kShardMaxDim)
    return make_error("shard dim " + std::to_string(c.dim) + " must be a positive multiple of 8, at most " +
                      std::to_string(kShardMaxDim));
  if (c.records.size() > kShardMaxCount)
    return make_error("shard of " + std::to_string(c.records.size()) + " records exceeds the limit of " +
                      std::to_string(kShardMaxCount));
  if (c.embeddings.size() != c.records.size() * size_t(c.dim))
    return make_error("shard has " + std::to_string(c.records.size()) + " records of dim " + std::to_string(c.dim) +
                      " but " + std::to_string(c.embeddings.size()) + " embedding values");
  if (c.model_fingerprint.size() > kShardMaxFingerprint)
    return make_error("model fingerprint of " + std::to_string(c.model_fingerprint.size()) +
                      " bytes exceeds the limit of " + std::to_string(kShardMaxFingerprint));
  for (size_t i = 0; i < c.embeddings.size(); ++i)
    if (!std::isfinite(c.embeddings[i]))
      return make_error("embedding of record " + std::to_string(i / c.dim) + " (id \"" + c.records[i / c.dim].id +
                        "\") has a non-finite value at index " + std::to_string(i % c.dim));
  for (size_t r = 0; r < c.records.size(); ++r) {
    // A zero vector has no direction: no cosine, nothing to normalise.
    bool zero = true;
    for (size_t i = 0; i < c.dim && zero; ++i) zero = c.embeddings[r * c.dim + i] == 0.0f;
    if (zero) return make_error("embedding of record " + std::to_string(r) + " (id \"" + c.records[r].id + "\") is all zeros");
    const ImageRecord& rec = c.records[r];
    for (const std::string* s : {&rec.id, &rec.caption, &rec.source, &rec.thumb})
      if (s->size() > kShardMaxString)
        return make_error("record " + std::to_string(r) + ": a metadata string of " + std::to_string(s->size()) +
                          " bytes exceeds the limit of " + std::to_string(kShardMaxString));
  }
  return ok_status();
}

void put_string(ByteWriter& w, const std::string& s) {
  w.u32(uint32_t(s.size()));
  w.bytes(s.data(), s.size());
}

}  // namespace

Result<std::vector<uint8_t>> encode_shard(const ShardContents& c) {
  if (Status st = check_contents(c); !st) return st.error();
  const size_t dim = c.dim, count = c.records.size();
  const uint32_t sections = c.with_binary_codes ? 4 : 3;
  const uint64_t header_size = fmt::header_size(c.model_fingerprint.size(), sections);

  ByteWriter w;
  w.zeros(size_t(header_size));  // filled in last, once offsets and CRCs are known
  SectionSpan spans[4];
  size_t n_spans = 0;
  std::vector<float> row(dim);
  auto normalized_row = [&](size_t r) {
    std::memcpy(row.data(), c.embeddings.data() + r * dim, dim * sizeof(float));
    l2_normalize(row.data(), dim);
  };

  // (a) the centre: the mean of the normalised embeddings.
  std::vector<double> sum(dim, 0.0);
  for (size_t r = 0; r < count; ++r) {
    normalized_row(r);
    for (size_t i = 0; i < dim; ++i) sum[i] += row[i];
  }
  std::vector<float> centre(dim, 0.0f);
  if (count > 0)
    for (size_t i = 0; i < dim; ++i) centre[i] = float(sum[i] / double(count));
  w.pad_to(fmt::kAlign);
  const size_t centre_at = w.size();
  for (float v : centre) w.f32(v);
  spans[n_spans++] = {fmt::kSectionCentre, centre_at, w.size() - centre_at};

  // (b) int8 codes of (embedding - centre), row-major, then one float32 scale per row.
  std::vector<uint8_t> bits(c.with_binary_codes ? count * (dim / 8) : 0);
  std::vector<float> scales(count);
  w.pad_to(fmt::kAlign);
  const size_t vectors_at = w.size();
  w.zeros(count * dim);
  for (size_t r = 0; r < count; ++r) {
    normalized_row(r);
    for (size_t i = 0; i < dim; ++i) row[i] -= centre[i];
    scales[r] = quantize_int8(row.data(), dim, reinterpret_cast<int8_t*>(w.at(vectors_at + r * dim)));
    if (c.with_binary_codes) binarize(row.data(), dim, bits.data() + r * (dim / 8));
  }
  for (float s : scales) w.f32(s);
  spans[n_spans++] = {fmt::kSectionVectors, vectors_at, w.size() - vectors_at};

  // (c) sign bits of the same differences, for the binary first pass.
  if (c.with_binary_codes) {
    w.pad_to(fmt::kAlign);
    const size_t at = w.size();
    w.bytes(bits.data(), bits.size());
    spans[n_spans++] = {fmt::kSectionBinary, at, bits.size()};
  }

  // (d) metadata records.
  w.pad_to(fmt::kAlign);
  const size_t meta_at = w.size();
  for (const ImageRecord& rec : c.records) {
    put_string(w, rec.id);
    put_string(w, rec.caption);
    put_string(w, rec.source);
    put_string(w, rec.thumb);
    w.u32(rec.width);
    w.u32(rec.height);
    w.bytes(rec.content_sha256.data(), 32);
  }
  spans[n_spans++] = {fmt::kSectionMetadata, meta_at, w.size() - meta_at};

  // Header, section table, then the header CRC over all of it.
  uint8_t* h = w.at(0);
  std::memcpy(h + fmt::kOffMagic, fmt::kMagic, 8);
  store_le32(h + fmt::kOffVersion, kShardVersion);
  store_le32(h + fmt::kOffHeaderSize, uint32_t(header_size));
  store_le32(h + fmt::kOffDim, uint32_t(dim));
  store_le32(h + fmt::kOffCount, uint32_t(count));
  store_le32(h + fmt::kOffQuantization, fmt::kQuantInt8);
  store_le32(h + fmt::kOffFlags, c.with_binary_codes ? fmt::kFlagBinaryCodes : 0);
  store_le32(h + fmt::kOffSectionCount, sections);
  store_le32(h + fmt::kOffFingerprintLength, uint32_t(c.model_fingerprint.size()));
  store_le64(h + fmt::kOffFileSize, w.size());
  if (!c.model_fingerprint.empty())
    std::memcpy(h + fmt::kFixedHeaderSize, c.model_fingerprint.data(), c.model_fingerprint.size());
  uint8_t* table = h + header_size - sections * fmt::kSectionEntrySize;
  for (size_t i = 0; i < n_spans; ++i) {
    uint8_t* e = table + i * fmt::kSectionEntrySize;
    store_le32(e + 0, spans[i].kind);
    store_le64(e + 8, spans[i].offset);
    store_le64(e + 16, spans[i].length);
    store_le32(e + 24, crc32c(w.at(size_t(spans[i].offset)), size_t(spans[i].length)));
  }
  store_le32(h + fmt::kOffHeaderCrc, crc32c(h, size_t(header_size)));  // field still zero here
  return w.take();
}

}  // namespace clip
