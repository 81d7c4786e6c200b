// Shard parsing. The file is untrusted: each step checks what the next one
// relies on (sizes before offsets, bounds before CRCs, CRCs before content),
// with overflow-free arithmetic (all in u64, every value bounded first).
// A version-2 head is checked the same way, against the file size its
// header declares, as far as its bytes reach.
#include <cstdio>
#include <cstring>

#include "core/index/shard.h"
#include "core/index/shard_format.h"
#include "core/util/byte_reader.h"
#include "core/util/crc32c.h"

namespace clip {
namespace fmt = shard_format;

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

struct Section {
  uint32_t kind = 0;
  uint64_t offset = 0, length = 0;
  uint32_t crc = 0;
};

// One metadata record from `rd`, which holds the metadata section (`in` =
// "metadata section") or one record ("record"); `where` starts its errors.
Status read_record(ByteReader& rd, const std::string& where, const char* in, uint64_t section_offset,
                   uint64_t section_length, ImageRecord* rec) {
  static const char* const kFields[4] = {"id", "caption", "source", "thumb"};
  std::string* fields[4] = {&rec->id, &rec->caption, &rec->source, &rec->thumb};
  for (int f = 0; f < 4; ++f) {
    uint32_t len = 0;
    const uint8_t* p = nullptr;
    if (!rd.u32(&len)) return make_error(where + ": " + kFields[f] + " length runs past the end of the " + in);
    if (len > kShardMaxString)
      return make_error(where + ": " + kFields[f] + " length " + num(len) + " exceeds the limit of " +
                        num(kShardMaxString) + " bytes");
    const uint64_t at = rd.offset();
    if (!rd.bytes(len, &p))
      return make_error(where + ": " + kFields[f] + " at offset " + num(at) + " + " + num(len) +
                        " bytes runs past the end of the " + in + " (metadata section at offset " + num(section_offset) +
                        " + " + num(section_length) + " bytes)");
    fields[f]->assign(reinterpret_cast<const char*>(p), len);
  }
  const uint8_t* sha = nullptr;
  if (!rd.u32(&rec->width) || !rd.u32(&rec->height) || !rd.bytes(32, &sha))
    return make_error(where + ": size and hash run past the end of the " + in);
  std::memcpy(rec->content_sha256.data(), sha, 32);
  return ok_status();
}

}  // namespace

class ShardParser {
 public:
  ShardParser(std::vector<uint8_t> bytes, const std::string& name, bool whole) {
    s_.bytes_ = std::move(bytes);
    s_.name_ = name;
    s_.whole_ = whole;
  }

  Result<Shard> run() {
    CLIP_TRY(header());
    CLIP_TRY(section_table());
    CLIP_TRY(checksums());
    CLIP_TRY(centre_and_scales());
    if (s_.version_ == 2) CLIP_TRY(record_offsets());
    if (s_.whole_) CLIP_TRY(metadata());
    if (s_.whole_ && s_.version_ == 2) CLIP_TRY(row_checks_and_keys());
    return std::move(s_);
  }

 private:
  Error fail(const std::string& what) const { return make_error(s_.name_ + ": " + what); }
  const uint8_t* data() const { return s_.bytes_.data(); }
  uint64_t size() const { return s_.bytes_.size(); }
  const char* what_is_read() const { return s_.whole_ ? "file" : "head"; }

  Status header() {
    if (size() < fmt::kFixedHeaderSize)
      return fail(std::string(what_is_read()) + " is " + num(size()) + " bytes, shorter than the " +
                  num(fmt::kFixedHeaderSize) + "-byte shard header (truncated?)");
    const uint8_t* h = data();
    if (std::memcmp(h + fmt::kOffMagic, fmt::kMagic, 8) != 0)
      return fail("not a clipsearch shard (the first 8 bytes are not \"CLIPSHRD\")");
    const uint32_t version = load_le32(h + fmt::kOffVersion);
    if (version != 1 && version != 2)
      return fail("shard format version " + num(version) + " is not supported (this build reads versions 1 and 2)");
    if (!s_.whole_ && version != 2)
      return fail("shard format version " + num(version) + " has no head to load alone (version 2 does)");
    s_.version_ = version;

    const uint32_t header_size = load_le32(h + fmt::kOffHeaderSize);
    const uint32_t flags = load_le32(h + fmt::kOffFlags);
    const uint32_t sections = load_le32(h + fmt::kOffSectionCount);
    const uint32_t fp_len = load_le32(h + fmt::kOffFingerprintLength);
    if (flags & ~fmt::kKnownFlags) return fail("unknown flag bits " + hex32(flags & ~fmt::kKnownFlags) + " in header");
    has_binary_ = (flags & fmt::kFlagBinaryCodes) != 0;
    if (fp_len > kShardMaxFingerprint)
      return fail("model fingerprint length " + num(fp_len) + " exceeds the limit of " + num(kShardMaxFingerprint));
    layout_ = fmt::layout(version, has_binary_);
    if (sections != layout_.count)
      return fail("header lists " + num(sections) + " sections, expected " + num(layout_.count) + " in version " +
                  num(version) + (has_binary_ ? " (binary codes flag set)" : " (binary codes flag clear)"));
    header_size_ = fmt::header_size(fp_len, sections);
    if (header_size != header_size_)
      return fail("header size field says " + num(header_size) + " bytes, expected " + num(header_size_) + " for a " +
                  num(fp_len) + "-byte fingerprint and " + num(sections) + " sections");
    if (header_size_ > size())
      return fail("header of " + num(header_size_) + " bytes runs past the end of the " + what_is_read() + " (" +
                  num(size()) + " bytes)");

    const uint32_t zero = 0;
    uint32_t crc = crc32c(h, fmt::kOffHeaderCrc);
    crc = crc32c(&zero, 4, crc);
    crc = crc32c(h + fmt::kOffHeaderCrc + 4, size_t(header_size_) - fmt::kOffHeaderCrc - 4, crc);
    const uint32_t stored = load_le32(h + fmt::kOffHeaderCrc);
    if (crc != stored)
      return fail("header fails its CRC-32C check (stored " + hex32(stored) + ", computed " + hex32(crc) +
                  "): the file is damaged");

    // The CRC matched, but the writer may itself be hostile: keep checking.
    s_.head_size_ = load_le64(h + fmt::kOffHeadSize);
    if (load_le32(h + fmt::kOffReserved0) != 0 || (version == 1 && s_.head_size_ != 0))
      return fail("reserved header fields are not zero");
    for (uint64_t i = fmt::kFixedHeaderSize + fp_len; i < fmt::kFixedHeaderSize + fmt::align_up(fp_len, 8); ++i)
      if (h[i] != 0) return fail("non-zero padding after the model fingerprint at offset " + num(i));
    const uint32_t quant = load_le32(h + fmt::kOffQuantization);
    if (quant != fmt::kQuantInt8)
      return fail("quantization kind " + num(quant) + " is not supported (expected 1 = int8 per-vector scale)");
    const uint32_t dim = load_le32(h + fmt::kOffDim), count = load_le32(h + fmt::kOffCount);
    if (dim == 0 || dim % 8 != 0 || dim > kShardMaxDim)
      return fail("dim " + num(dim) + " is invalid: it must be a positive multiple of 8 (sign-bit codes pack 8 "
                  "dimensions per byte), at most " + num(kShardMaxDim));
    if (count > kShardMaxCount)
      return fail("count " + num(count) + " exceeds the limit of " + num(kShardMaxCount) + " vectors per shard");
    s_.dim_ = dim;
    s_.count_ = count;
    s_.has_binary_ = has_binary_;
    s_.fingerprint_.assign(reinterpret_cast<const char*>(h + fmt::kFixedHeaderSize), fp_len);
    s_.file_size_ = load_le64(h + fmt::kOffFileSize);
    if (!s_.whole_ && s_.head_size_ != size())
      return fail("head is " + num(size()) + " bytes but the shard's header says " + num(s_.head_size_) +
                  " (a short or wrong range?)");
    return ok_status();
  }

  // Offsets and lengths against the layout and the declared file size; zero
  // padding wherever the bytes are at hand.
  Status section_table() {
    const uint64_t count = s_.count_, dim = s_.dim_;  // bounded: products fit easily in u64
    // A whole file is bounded by its bytes; a head by the size it declares.
    const uint64_t file_size = s_.whole_ ? size() : s_.file_size_;
    const uint8_t* table = data() + header_size_ - layout_.count * fmt::kSectionEntrySize;
    uint64_t end = header_size_;  // end of what precedes the next section
    for (uint32_t i = 0; i < layout_.count; ++i) {
      const uint8_t* e = table + i * fmt::kSectionEntrySize;
      Section& sec = sections_[i];
      sec.kind = load_le32(e);
      sec.offset = load_le64(e + 8);
      sec.length = load_le64(e + 16);
      sec.crc = load_le32(e + 24);
      const uint32_t want_kind = layout_.kinds[i];
      const std::string what = std::string(fmt::section_name(want_kind)) + " section";
      if (sec.kind != want_kind)
        return fail("section table entry " + num(i) + " has kind " + num(sec.kind) + ", expected " + num(want_kind) +
                    " (" + fmt::section_name(want_kind) + ")");
      if (load_le32(e + 4) != 0 || load_le32(e + 28) != 0)
        return fail(what + ": reserved fields in its table entry are not zero");
      if (sec.offset % fmt::kAlign != 0)
        return fail(what + " offset " + num(sec.offset) + " is not a multiple of " + num(fmt::kAlign));
      if (sec.offset > file_size || sec.length > file_size - sec.offset)
        return fail(what + " at offset " + num(sec.offset) + " + " + num(sec.length) + " bytes runs past end of file (" +
                    num(file_size) + " bytes)");
      const uint64_t want_offset = fmt::align_up(end, fmt::kAlign);
      if (sec.offset != want_offset)
        return fail(what + " starts at offset " + num(sec.offset) + ", expected " + num(want_offset) +
                    " (sections follow each other at 64-byte boundaries)");
      for (uint64_t p = end; p < sec.offset && p < size(); ++p)
        if (data()[p] != 0) return fail("non-zero padding byte at offset " + num(p) + " before the " + what);
      if (i < layout_.head_sections && sec.offset + sec.length > size())
        return fail(what + " at offset " + num(sec.offset) + " + " + num(sec.length) + " bytes runs past the end of the " +
                    what_is_read() + " (" + num(size()) + " bytes)");
      if (s_.version_ == 2 && i == layout_.head_sections && sec.offset != s_.head_size_)
        return fail("head size field says " + num(s_.head_size_) + " bytes, but the head ends at offset " +
                    num(sec.offset));

      const uint64_t want = sec.kind == fmt::kSectionMetadata
                                ? sec.length
                                : fmt::fixed_section_length(s_.version_, sec.kind, count, dim);
      if (sec.length != want)
        return fail(what + " is " + num(sec.length) + " bytes, expected " + num(want) + " for " + num(count) +
                    " vectors of dim " + num(dim));
      if (sec.kind == fmt::kSectionMetadata && sec.length < count * fmt::kMinRecordSize)
        return fail(what + " of " + num(sec.length) + " bytes cannot hold " + num(count) + " records (at least " +
                    num(fmt::kMinRecordSize) + " bytes each)");
      if (sec.kind == fmt::kSectionMetadata && s_.version_ == 2 && sec.length > fmt::kMaxMetadataV2)
        return fail(what + " of " + num(sec.length) + " bytes is larger than version 2 can address");
      end = sec.offset + sec.length;
    }
    if (end != file_size)
      return fail("file is " + num(file_size) + " bytes but its last section ends at " + num(end) + " (trailing data)");
    if (s_.file_size_ != file_size)
      return fail("file is " + num(file_size) + " bytes but its header says " + num(s_.file_size_));
    return ok_status();
  }

  const Section& section(uint32_t kind) const {
    for (uint32_t i = 0; i + 1 < layout_.count; ++i)
      if (sections_[i].kind == kind) return sections_[i];
    return sections_[layout_.count - 1];
  }

  Status checksums() {
    for (uint32_t i = 0; i < layout_.count; ++i) {
      const Section& sec = sections_[i];
      if (!s_.whole_ && i >= layout_.head_sections) continue;  // not at hand: checked when fetched
      const uint32_t crc = crc32c(data() + sec.offset, size_t(sec.length));
      if (crc != sec.crc)
        return fail(std::string(fmt::section_name(sec.kind)) + " section at offset " + num(sec.offset) + " + " +
                    num(sec.length) + " bytes fails its CRC-32C check (stored " + hex32(sec.crc) + ", computed " +
                    hex32(crc) + "): the file is damaged");
    }
    const Section& vectors = section(fmt::kSectionVectors);
    s_.codes_at_ = size_t(vectors.offset);
    if (s_.version_ == 1) {
      s_.scales_at_ = size_t(vectors.offset + uint64_t(s_.count_) * s_.dim_);
    } else {
      s_.scales_at_ = size_t(section(fmt::kSectionScales).offset);
      s_.checks_at_ = size_t(section(fmt::kSectionRowChecks).offset);
      s_.offsets_at_ = size_t(section(fmt::kSectionRecordOffsets).offset);
      auto span = [](const Section& sec) { return FileSpan{sec.offset, sec.length, sec.crc}; };
      s_.vectors_ = span(vectors);
      s_.metadata_ = span(section(fmt::kSectionMetadata));
      s_.keys_ = span(section(fmt::kSectionKeys));
    }
    if (has_binary_) s_.binary_at_ = size_t(section(fmt::kSectionBinary).offset);
    return ok_status();
  }

  // Scores are built from the centre and the scales: a NaN or huge value
  // would poison the ranking. The centre is a mean of unit vectors, each
  // scale at most 2/127 (|x - centre| <= 2); [-1, 1] and [0, 1] leave room.
  Status centre_and_scales() {
    const uint64_t at = sections_[0].offset;
    s_.centre_.resize(s_.dim_);
    for (uint32_t i = 0; i < s_.dim_; ++i) {
      const float v = load_le_f32(data() + at + 4 * uint64_t(i));
      if (!(v >= -1.0f && v <= 1.0f))
        return fail("centre component " + num(i) + " is " + std::to_string(v) + " at offset " + num(at + 4 * uint64_t(i)) +
                    " (expected a finite value in [-1, 1])");
      s_.centre_[i] = v;
    }
    for (uint32_t r = 0; r < s_.count_; ++r) {
      const float sc = s_.scale(r);
      if (!(sc >= 0.0f && sc <= 1.0f))
        return fail("vector " + num(r) + " has scale " + std::to_string(sc) + " at offset " +
                    num(s_.scales_at_ + 4 * uint64_t(r)) + " (expected a finite value in [0, 1])");
    }
    return ok_status();
  }

  // Version 2: the records tile the metadata section in row order.
  Status record_offsets() {
    uint64_t expect = 0;
    for (uint32_t r = 0; r < s_.count_; ++r) {
      const FileSpan span = s_.record_span(r);
      const uint64_t offset = span.offset - s_.metadata_.offset;
      if (offset != expect)
        return fail("record " + num(r) + " starts at offset " + num(offset) + " of the metadata section, expected " +
                    num(expect) + " (records follow each other)");
      if (span.length < fmt::kMinRecordSize)
        return fail("record " + num(r) + " is " + num(span.length) + " bytes, less than the " +
                    num(fmt::kMinRecordSize) + " of an empty record");
      expect += span.length;
    }
    if (expect != s_.metadata_.length)
      return fail("records end at offset " + num(expect) + " of the metadata section, which is " +
                  num(s_.metadata_.length) + " bytes");
    return ok_status();
  }

  Status metadata() {
    const Section& sec = section(fmt::kSectionMetadata);
    ByteReader rd(ByteView(data() + sec.offset, size_t(sec.length)), sec.offset);
    s_.records_.resize(s_.count_);  // bounded: the section holds count minimal records
    for (uint32_t r = 0; r < s_.count_; ++r) {
      const std::string where = "metadata record " + num(r) + " at offset " + num(rd.offset());
      CLIP_TRY(read_record(rd, s_.name_ + ": " + where, "metadata section", sec.offset, sec.length, &s_.records_[r]));
      if (s_.version_ == 2 && rd.offset() != s_.record_span(r).offset + s_.record_span(r).length)
        return fail(where + " ends at offset " + num(rd.offset()) + ", but the record offsets say " +
                    num(s_.record_span(r).offset + s_.record_span(r).length));
    }
    if (!rd.at_end())
      return fail("metadata section has " + num(rd.remaining()) + " bytes after its last record, at offset " +
                  num(rd.offset()));
    return ok_status();
  }

  // Version 2, whole file: what a reader of the head would check row by row
  // holds for every row, so both readers accept the same files.
  Status row_checks_and_keys() {
    for (uint32_t r = 0; r < s_.count_; ++r) {
      CLIP_TRY(s_.check_vector(r, data() + s_.vector_offset(r)));
      const FileSpan rec = s_.record_span(r);
      const uint32_t crc = crc32c(data() + rec.offset, size_t(rec.length));
      if (crc != rec.crc)
        return fail("metadata record " + num(r) + " at offset " + num(rec.offset) + " fails its CRC-32C check (stored " +
                    hex32(rec.crc) + ", computed " + hex32(crc) + ")");
    }
    auto keys = s_.parse_keys(ByteView(data() + s_.keys_.offset, size_t(s_.keys_.length)));
    CLIP_TRY(keys);
    for (uint32_t r = 0; r < s_.count_; ++r) {
      if (keys->id[r] != id_key(s_.records_[r].id))
        return fail("keys section: the id key of row " + num(r) + " is not that of its id");
      if (keys->content[r] != content_key(s_.records_[r].content_sha256))
        return fail("keys section: the content key of row " + num(r) + " is not that of its SHA-256");
    }
    return ok_status();
  }

  Shard s_;
  bool has_binary_ = false;
  uint64_t header_size_ = 0;
  fmt::Layout layout_;
  Section sections_[fmt::kMaxSections];
};

Result<Shard> Shard::parse(std::vector<uint8_t> bytes, const std::string& name_for_errors) {
  return ShardParser(std::move(bytes), name_for_errors, true).run();
}

Result<Shard> Shard::parse_head(std::vector<uint8_t> bytes, const std::string& name_for_errors) {
  return ShardParser(std::move(bytes), name_for_errors, false).run();
}

FileSpan Shard::record_span(uint32_t row) const {
  const uint8_t* o = bytes_.data() + offsets_at_;
  return FileSpan{metadata_.offset + load_le32(o + 4 * size_t(row)), load_le32(o + 4 * (size_t(count_) + row)),
                  load_le32(bytes_.data() + checks_at_ + 4 * (size_t(count_) + row))};
}

Status Shard::check_vector(uint32_t row, const uint8_t* codes) const {
  const uint32_t stored = load_le32(bytes_.data() + checks_at_ + 4 * size_t(row));
  const uint32_t crc = crc32c(codes, dim_);
  if (crc != stored)
    return make_error(name_ + ": vector " + std::to_string(row) + " at offset " + std::to_string(vector_offset(row)) +
                      " fails its CRC-32C check (stored " + hex32(stored) + ", computed " + hex32(crc) + ")");
  return ok_status();
}

Result<ImageRecord> Shard::parse_record(uint32_t row, ByteView bytes) const {
  const FileSpan span = record_span(row);
  const std::string where = name_ + ": metadata record " + std::to_string(row) + " at offset " + std::to_string(span.offset);
  if (bytes.size != span.length)
    return make_error(where + " is " + std::to_string(span.length) + " bytes, got " + std::to_string(bytes.size));
  const uint32_t crc = crc32c(bytes.data, bytes.size);
  if (crc != span.crc)
    return make_error(where + " fails its CRC-32C check (stored " + hex32(span.crc) + ", computed " + hex32(crc) + ")");
  ByteReader rd(bytes, span.offset);
  ImageRecord rec;
  CLIP_TRY(read_record(rd, where, "record", metadata_.offset, metadata_.length, &rec));
  if (!rd.at_end()) return make_error(where + ": " + std::to_string(rd.remaining()) + " bytes after the record");
  return rec;
}

Result<ShardKeys> Shard::parse_keys(ByteView bytes) const {
  const std::string where = name_ + ": keys section at offset " + std::to_string(keys_.offset);
  if (bytes.size != keys_.length)
    return make_error(where + " is " + std::to_string(keys_.length) + " bytes, got " + std::to_string(bytes.size));
  const uint32_t crc = crc32c(bytes.data, bytes.size);
  if (crc != keys_.crc)
    return make_error(where + " fails its CRC-32C check (stored " + hex32(keys_.crc) + ", computed " + hex32(crc) + ")");
  ShardKeys k;
  k.id.resize(count_);
  k.content.resize(count_);
  for (uint32_t r = 0; r < count_; ++r) {
    k.id[r] = load_le32(bytes.data + 4 * size_t(r));
    k.content[r] = load_le32(bytes.data + 4 * (size_t(count_) + r));
  }
  return k;
}

}  // namespace clip
