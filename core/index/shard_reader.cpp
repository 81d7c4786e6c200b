// Shard parsing. The file is untrusted: each step checks what the next one
// relies on (sizes before offsets, bounds before CRCs, CRCs before content),
// with overflow-free arithmetic (all in u64, every value bounded first).
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

}  // namespace

class ShardParser {
 public:
  ShardParser(std::vector<uint8_t> bytes, const std::string& name) {
    s_.bytes_ = std::move(bytes);
    s_.name_ = name;
  }

  Result<Shard> run() {
    if (Status st = header(); !st) return st.error();
    if (Status st = section_table(); !st) return st.error();
    if (Status st = checksums(); !st) return st.error();
    if (Status st = centre_and_scales(); !st) return st.error();
    if (Status st = metadata(); !st) return st.error();
    return std::move(s_);
  }

 private:
  Error fail(const std::string& what) const { return make_error(s_.name_ + ": " + what); }
  const uint8_t* data() const { return s_.bytes_.data(); }
  uint64_t size() const { return s_.bytes_.size(); }

  Status header() {
    if (size() < fmt::kFixedHeaderSize)
      return fail("file is " + num(size()) + " bytes, shorter than the " + num(fmt::kFixedHeaderSize) +
                  "-byte shard header (truncated?)");
    const uint8_t* h = data();
    if (std::memcmp(h + fmt::kOffMagic, fmt::kMagic, 8) != 0)
      return fail("not a clipsearch shard (the first 8 bytes are not \"CLIPSHRD\")");
    const uint32_t version = load_le32(h + fmt::kOffVersion);
    if (version != kShardVersion)
      return fail("shard format version " + num(version) + " is not supported (this build reads version " +
                  num(kShardVersion) + ")");

    const uint32_t header_size = load_le32(h + fmt::kOffHeaderSize);
    const uint32_t flags = load_le32(h + fmt::kOffFlags);
    const uint32_t sections = load_le32(h + fmt::kOffSectionCount);
    const uint32_t fp_len = load_le32(h + fmt::kOffFingerprintLength);
    if (flags & ~fmt::kKnownFlags) return fail("unknown flag bits " + hex32(flags & ~fmt::kKnownFlags) + " in header");
    has_binary_ = (flags & fmt::kFlagBinaryCodes) != 0;
    if (fp_len > kShardMaxFingerprint)
      return fail("model fingerprint length " + num(fp_len) + " exceeds the limit of " + num(kShardMaxFingerprint));
    const uint32_t want_sections = has_binary_ ? 4 : 3;
    if (sections != want_sections)
      return fail("header lists " + num(sections) + " sections, expected " + num(want_sections) +
                  (has_binary_ ? " (binary codes flag set)" : " (binary codes flag clear)"));
    header_size_ = fmt::header_size(fp_len, sections);
    if (header_size != header_size_)
      return fail("header size field says " + num(header_size) + " bytes, expected " + num(header_size_) + " for a " +
                  num(fp_len) + "-byte fingerprint and " + num(sections) + " sections");
    if (header_size_ > size())
      return fail("header of " + num(header_size_) + " bytes runs past end of file (" + num(size()) + " bytes)");

    const uint32_t zero = 0;
    uint32_t crc = crc32c(h, fmt::kOffHeaderCrc);
    crc = crc32c(&zero, 4, crc);
    crc = crc32c(h + fmt::kOffHeaderCrc + 4, size_t(header_size_) - fmt::kOffHeaderCrc - 4, crc);
    const uint32_t stored = load_le32(h + fmt::kOffHeaderCrc);
    if (crc != stored)
      return fail("header fails its CRC-32C check (stored " + hex32(stored) + ", computed " + hex32(crc) +
                  "): the file is damaged");

    // The CRC matched, but the writer may itself be hostile: keep checking.
    if (load_le32(h + fmt::kOffReserved0) != 0 || load_le64(h + fmt::kOffReserved1) != 0)
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
    return ok_status();
  }

  Status section_table() {
    uint32_t kinds[4];
    n_sections_ = 0;
    kinds[n_sections_++] = fmt::kSectionCentre;
    kinds[n_sections_++] = fmt::kSectionVectors;
    if (has_binary_) kinds[n_sections_++] = fmt::kSectionBinary;
    kinds[n_sections_++] = fmt::kSectionMetadata;
    const uint64_t count = s_.count_, dim = s_.dim_;  // bounded: products fit easily in u64
    const uint8_t* table = data() + header_size_ - n_sections_ * fmt::kSectionEntrySize;
    uint64_t end = header_size_;  // end of what precedes the next section
    for (size_t i = 0; i < n_sections_; ++i) {
      const uint8_t* e = table + i * fmt::kSectionEntrySize;
      Section& sec = sections_[i];
      sec.kind = load_le32(e);
      sec.offset = load_le64(e + 8);
      sec.length = load_le64(e + 16);
      sec.crc = load_le32(e + 24);
      const std::string what = std::string(fmt::section_name(kinds[i])) + " section";
      if (sec.kind != kinds[i])
        return fail("section table entry " + num(i) + " has kind " + num(sec.kind) + ", expected " + num(kinds[i]) +
                    " (" + fmt::section_name(kinds[i]) + ")");
      if (load_le32(e + 4) != 0 || load_le32(e + 28) != 0)
        return fail(what + ": reserved fields in its table entry are not zero");
      if (sec.offset % fmt::kAlign != 0)
        return fail(what + " offset " + num(sec.offset) + " is not a multiple of " + num(fmt::kAlign));
      if (sec.offset > size() || sec.length > size() - sec.offset)
        return fail(what + " at offset " + num(sec.offset) + " + " + num(sec.length) + " bytes runs past end of file (" +
                    num(size()) + " bytes)");
      const uint64_t want_offset = fmt::align_up(end, fmt::kAlign);
      if (sec.offset != want_offset)
        return fail(what + " starts at offset " + num(sec.offset) + ", expected " + num(want_offset) +
                    " (sections follow each other at 64-byte boundaries)");
      for (uint64_t p = end; p < sec.offset; ++p)
        if (data()[p] != 0) return fail("non-zero padding byte at offset " + num(p) + " before the " + what);

      uint64_t want = 0;
      switch (sec.kind) {
        case fmt::kSectionCentre: want = dim * 4; break;
        case fmt::kSectionVectors: want = count * (dim + 4); break;
        case fmt::kSectionBinary: want = count * (dim / 8); break;
        default: want = sec.length; break;
      }
      if (sec.length != want)
        return fail(what + " is " + num(sec.length) + " bytes, expected " + num(want) + " for " + num(count) +
                    " vectors of dim " + num(dim));
      if (sec.kind == fmt::kSectionMetadata && sec.length < count * fmt::kMinRecordSize)
        return fail(what + " of " + num(sec.length) + " bytes cannot hold " + num(count) + " records (at least " +
                    num(fmt::kMinRecordSize) + " bytes each)");
      end = sec.offset + sec.length;
    }
    if (end != size())
      return fail("file is " + num(size()) + " bytes but its last section ends at " + num(end) + " (trailing data)");
    const uint64_t declared = load_le64(data() + fmt::kOffFileSize);
    if (declared != size())
      return fail("file is " + num(size()) + " bytes but its header says " + num(declared));
    return ok_status();
  }

  Status checksums() {
    for (size_t i = 0; i < n_sections_; ++i) {
      const Section& sec = sections_[i];
      const uint32_t crc = crc32c(data() + sec.offset, size_t(sec.length));
      if (crc != sec.crc)
        return fail(std::string(fmt::section_name(sec.kind)) + " section at offset " + num(sec.offset) + " + " +
                    num(sec.length) + " bytes fails its CRC-32C check (stored " + hex32(sec.crc) + ", computed " +
                    hex32(crc) + "): the file is damaged");
    }
    s_.codes_at_ = size_t(sections_[1].offset);
    s_.scales_at_ = size_t(sections_[1].offset + uint64_t(s_.count_) * s_.dim_);
    if (has_binary_) s_.binary_at_ = size_t(sections_[2].offset);
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

  Status metadata() {
    const Section& sec = sections_[n_sections_ - 1];
    ByteReader rd(ByteView(data() + sec.offset, size_t(sec.length)), sec.offset);
    s_.records_.resize(s_.count_);  // bounded: the section holds count minimal records
    static const char* const kFields[4] = {"id", "caption", "source", "thumb"};
    for (uint32_t r = 0; r < s_.count_; ++r) {
      ImageRecord& rec = s_.records_[r];
      std::string* fields[4] = {&rec.id, &rec.caption, &rec.source, &rec.thumb};
      const uint64_t record_at = rd.offset();
      const std::string where = "metadata record " + num(r) + " at offset " + num(record_at);
      for (int f = 0; f < 4; ++f) {
        uint32_t len = 0;
        const uint8_t* p = nullptr;
        if (!rd.u32(&len)) return fail(where + ": " + kFields[f] + " length runs past the end of the metadata section");
        if (len > kShardMaxString)
          return fail(where + ": " + kFields[f] + " length " + num(len) + " exceeds the limit of " +
                      num(kShardMaxString) + " bytes");
        const uint64_t at = rd.offset();
        if (!rd.bytes(len, &p))
          return fail(where + ": " + kFields[f] + " at offset " + num(at) + " + " + num(len) +
                      " bytes runs past the end of the metadata section (offset " + num(sec.offset) + " + " +
                      num(sec.length) + " bytes)");
        fields[f]->assign(reinterpret_cast<const char*>(p), len);
      }
      const uint8_t* sha = nullptr;
      if (!rd.u32(&rec.width) || !rd.u32(&rec.height) || !rd.bytes(32, &sha))
        return fail(where + ": size and hash run past the end of the metadata section");
      std::memcpy(rec.content_sha256.data(), sha, 32);
    }
    if (!rd.at_end())
      return fail("metadata section has " + num(rd.remaining()) + " bytes after its last record, at offset " +
                  num(rd.offset()));
    return ok_status();
  }

  Shard s_;
  bool has_binary_ = false;
  uint64_t header_size_ = 0;
  Section sections_[4];
  size_t n_sections_ = 0;
};

Result<Shard> Shard::parse(std::vector<uint8_t> bytes, const std::string& name_for_errors) {
  return ShardParser(std::move(bytes), name_for_errors).run();
}

}  // namespace clip
