// Shard serialisation: normalise and rotate each embedding, subtract the
// shard's mean, quantize, lay out the 64-byte-aligned sections of the
// requested version, then fill in the header, section table and CRCs.
#include <cmath>
#include <cstring>

#include "core/index/shard.h"
#include "core/index/shard_format.h"
#include "core/search/kernels.h"
#include "core/search/rotation.h"
#include "core/util/byte_writer.h"
#include "core/util/crc32c.h"

namespace clip {
namespace fmt = shard_format;
namespace {

Status check_version(uint32_t version) {
  if (version != 1 && version != 2)
    return make_error("shard format version " + std::to_string(version) + " cannot be written (1 or 2)");
  return ok_status();
}

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

// A shard's contents after quantization: what the sections hold.
struct Quantized {
  uint32_t version = kShardVersion;
  std::string fingerprint;
  size_t dim = 0;
  std::vector<float> centre;            // dim
  std::vector<int8_t> codes;            // count * dim
  std::vector<float> scales;            // count
  bool with_bits = false;
  std::vector<uint8_t> bits;            // count * dim / 8 when with_bits
  std::vector<const ImageRecord*> records;
};

Quantized quantize(const ShardContents& c) {
  Quantized q;
  q.fingerprint = c.model_fingerprint;
  q.dim = c.dim;
  const size_t dim = c.dim, count = c.records.size();
  std::vector<float> row(dim);
  auto normalized_row = [&](size_t r) {  // normalised, then rotated
    std::memcpy(row.data(), c.embeddings.data() + r * dim, dim * sizeof(float));
    l2_normalize(row.data(), dim);
    rotate(row.data(), dim);
  };
  // The centre: the mean of the normalised, rotated embeddings.
  std::vector<double> sum(dim, 0.0);
  for (size_t r = 0; r < count; ++r) {
    normalized_row(r);
    for (size_t i = 0; i < dim; ++i) sum[i] += row[i];
  }
  q.centre.assign(dim, 0.0f);
  if (count > 0)
    for (size_t i = 0; i < dim; ++i) q.centre[i] = float(sum[i] / double(count));
  // Codes and sign bits of (embedding - centre).
  q.codes.resize(count * dim);
  q.scales.resize(count);
  q.with_bits = c.with_binary_codes;
  if (q.with_bits) q.bits.resize(count * (dim / 8));
  for (size_t r = 0; r < count; ++r) {
    normalized_row(r);
    for (size_t i = 0; i < dim; ++i) row[i] -= q.centre[i];
    q.scales[r] = quantize_int8(row.data(), dim, q.codes.data() + r * dim);
    if (q.with_bits) binarize(row.data(), dim, q.bits.data() + r * (dim / 8));
    q.records.push_back(&c.records[r]);
  }
  return q;
}

// The metadata section and, for version 2, where each record lies in it.
struct Metadata {
  ByteWriter bytes;
  std::vector<uint32_t> offsets, lengths;
};

Result<Metadata> encode_metadata(const Quantized& q) {
  Metadata m;
  for (const ImageRecord* rec : q.records) {
    const size_t at = m.bytes.size();
    put_string(m.bytes, rec->id);
    put_string(m.bytes, rec->caption);
    put_string(m.bytes, rec->source);
    put_string(m.bytes, rec->thumb);
    m.bytes.u32(rec->width);
    m.bytes.u32(rec->height);
    m.bytes.bytes(rec->content_sha256.data(), 32);
    if (q.version == 2 && m.bytes.size() > fmt::kMaxMetadataV2)
      return make_error("shard metadata of more than " + std::to_string(fmt::kMaxMetadataV2) +
                        " bytes cannot be addressed by version 2; write fewer rows per shard");
    m.offsets.push_back(uint32_t(at));
    m.lengths.push_back(uint32_t(m.bytes.size() - at));
  }
  return m;
}

// The bytes of one section.
void write_section(ByteWriter& w, uint32_t kind, const Quantized& q, Metadata& meta) {
  const size_t dim = q.dim, count = q.records.size();
  switch (kind) {
    case fmt::kSectionCentre:
      for (float v : q.centre) w.f32(v);
      break;
    case fmt::kSectionVectors:
      w.bytes(q.codes.data(), count * dim);
      if (q.version == 1)
        for (float v : q.scales) w.f32(v);
      break;
    case fmt::kSectionScales:
      for (float v : q.scales) w.f32(v);
      break;
    case fmt::kSectionBinary:
      w.bytes(q.bits.data(), q.bits.size());
      break;
    case fmt::kSectionRowChecks: {
      for (size_t r = 0; r < count; ++r) w.u32(crc32c(q.codes.data() + r * dim, dim));
      ByteWriter& mb = meta.bytes;
      for (size_t r = 0; r < count; ++r) w.u32(crc32c(mb.at(meta.offsets[r]), meta.lengths[r]));
      break;
    }
    case fmt::kSectionRecordOffsets:
      for (uint32_t o : meta.offsets) w.u32(o);
      for (uint32_t n : meta.lengths) w.u32(n);
      break;
    case fmt::kSectionKeys:
      for (const ImageRecord* rec : q.records) w.u32(id_key(rec->id));
      for (const ImageRecord* rec : q.records) w.u32(content_key(rec->content_sha256));
      break;
    case fmt::kSectionMetadata:
      if (meta.bytes.size() > 0) w.bytes(meta.bytes.at(0), meta.bytes.size());
      break;
  }
}

Result<std::vector<uint8_t>> lay_out(const Quantized& q) {
  auto meta = encode_metadata(q);
  CLIP_TRY(meta);
  const fmt::Layout l = fmt::layout(q.version, q.with_bits);
  const uint64_t header_size = fmt::header_size(q.fingerprint.size(), l.count);
  ByteWriter w;
  w.zeros(size_t(header_size));  // filled in last, once offsets and CRCs are known
  uint64_t offsets[fmt::kMaxSections], lengths[fmt::kMaxSections], head_size = 0;
  for (uint32_t i = 0; i < l.count; ++i) {
    w.pad_to(fmt::kAlign);
    if (i == l.head_sections && q.version == 2) head_size = w.size();
    offsets[i] = w.size();
    write_section(w, l.kinds[i], q, *meta);
    lengths[i] = w.size() - offsets[i];
  }

  // Header, section table, then the header CRC over all of it.
  uint8_t* h = w.at(0);
  std::memcpy(h + fmt::kOffMagic, fmt::kMagic, 8);
  store_le32(h + fmt::kOffVersion, q.version);
  store_le32(h + fmt::kOffHeaderSize, uint32_t(header_size));
  store_le32(h + fmt::kOffDim, uint32_t(q.dim));
  store_le32(h + fmt::kOffCount, uint32_t(q.records.size()));
  store_le32(h + fmt::kOffQuantization, fmt::kQuantInt8);
  store_le32(h + fmt::kOffFlags, q.with_bits ? fmt::kFlagBinaryCodes : 0);
  store_le32(h + fmt::kOffSectionCount, l.count);
  store_le32(h + fmt::kOffFingerprintLength, uint32_t(q.fingerprint.size()));
  store_le64(h + fmt::kOffFileSize, w.size());
  store_le64(h + fmt::kOffHeadSize, head_size);
  if (!q.fingerprint.empty()) std::memcpy(h + fmt::kFixedHeaderSize, q.fingerprint.data(), q.fingerprint.size());
  uint8_t* table = h + header_size - l.count * fmt::kSectionEntrySize;
  for (uint32_t i = 0; i < l.count; ++i) {
    uint8_t* e = table + i * fmt::kSectionEntrySize;
    store_le32(e + 0, l.kinds[i]);
    store_le64(e + 8, offsets[i]);
    store_le64(e + 16, lengths[i]);
    store_le32(e + 24, crc32c(w.at(size_t(offsets[i])), size_t(lengths[i])));
  }
  store_le32(h + fmt::kOffHeaderCrc, crc32c(h, size_t(header_size)));  // field still zero here
  return w.take();
}

}  // namespace

Result<std::vector<uint8_t>> encode_shard(const ShardContents& c, uint32_t version) {
  CLIP_TRY(check_version(version));
  CLIP_TRY(check_contents(c));
  Quantized q = quantize(c);
  q.version = version;
  return lay_out(q);
}

Result<std::vector<uint8_t>> encode_shard_rows(const Shard& source, const std::vector<uint32_t>& rows,
                                               uint32_t version) {
  CLIP_TRY(check_version(version));
  if (!source.whole()) return make_error(source.name() + ": only the head of this shard is loaded, not its rows");
  if (rows.size() > kShardMaxCount)
    return make_error(source.name() + ": " + std::to_string(rows.size()) + " rows exceed the shard limit of " +
                      std::to_string(kShardMaxCount));
  Quantized q;
  q.version = version;
  q.fingerprint = source.model_fingerprint();
  q.dim = source.dim();
  q.centre = source.centre();
  q.with_bits = source.has_binary_codes();
  const size_t dim = q.dim;
  q.codes.reserve(rows.size() * dim);
  for (uint32_t r : rows) {
    if (r >= source.count())
      return make_error(source.name() + ": row " + std::to_string(r) + " does not exist (" +
                        std::to_string(source.count()) + " rows)");
    q.codes.insert(q.codes.end(), source.vector(r), source.vector(r) + dim);
    q.scales.push_back(source.scale(r));
    if (q.with_bits) q.bits.insert(q.bits.end(), source.binary_code(r), source.binary_code(r) + dim / 8);
    q.records.push_back(&source.record(r));
  }
  return lay_out(q);
}

Result<std::vector<uint8_t>> upgrade_shard(const Shard& source, uint32_t version) {
  std::vector<uint32_t> all(source.count());
  for (uint32_t r = 0; r < source.count(); ++r) all[r] = r;
  return encode_shard_rows(source, all, version);
}

}  // namespace clip
