// clip::Index: every check a shard must pass before it is searchable, the
// damage report, the model check and the search policy, as the CLI and the
// page meet them. Each refusal names the shard and leaves the rest searchable.
#include "core/index/index.h"

#include <gtest/gtest.h>

#include "core/util/sha256.h"
#include "tests/native/index/shard_fixtures.h"

namespace clip {
namespace {

using test::encode_or_die;
using test::make_contents;

std::string sha_hex(const std::vector<uint8_t>& b) { return to_hex(sha256(b.data(), b.size())); }

// An index of three 5-row shards of dim 16, as the writer lists them.
struct ThreeShards {
  std::vector<std::vector<uint8_t>> files;
  IndexManifest manifest;

  ThreeShards() {
    manifest.model_name = "demo";
    manifest.model_fingerprint = make_contents(1, 16).model_fingerprint;
    manifest.dim = 16;
    for (uint32_t s = 0; s < 3; ++s) {
      files.push_back(encode_or_die(make_contents(5, 16, true, s + 1)));
      add_entry("shard-0000" + std::to_string(s) + ".bin", files.back(), 5);
    }
  }
  // Shard s's file replaced, and listed as the writer would list it, keeping its count.
  void replace_file(size_t s, std::vector<uint8_t> bytes) {
    files[s] = std::move(bytes);
    const uint32_t count = manifest.shards[s].count;
    manifest.shards[s] = describe_shard(manifest.shards[s].file, files[s]);
    manifest.shards[s].count = count;
  }
  void add_entry(const std::string& file, const std::vector<uint8_t>& bytes, uint32_t count) {
    manifest.shards.push_back(describe_shard(file, bytes));
    manifest.shards.back().count = count;
    manifest.count += count;
  }
  // Round-trips the manifest through its JSON, as readers get it.
  Index index() const {
    auto i = Index::from_manifest_json(serialize_index_manifest(manifest));
    EXPECT_TRUE(i) << i.message();
    return std::move(i).value();
  }
};

TEST(Index, AcceptsShardsThatMatchTheirEntries) {
  ThreeShards t;
  Index index = t.index();
  for (size_t i = 0; i < 3; ++i) {
    Status st = index.add_shard(i, t.files[i], sha_hex(t.files[i]));
    ASSERT_TRUE(st) << st.message();
  }
  EXPECT_EQ(index.searchable_count(), 15u);
  EXPECT_EQ(index.accepted_shards(), 3u);
  EXPECT_EQ(index.settled_shards(), 3u);
  EXPECT_TRUE(index.refusals().empty());
  EXPECT_EQ(index.damage_report(), "");
  uint32_t shard = 9, row = 9;
  ASSERT_TRUE(index.find_id("img-2-3", &shard, &row));
  EXPECT_EQ(shard, 1u);
  EXPECT_EQ(row, 3u);
  EXPECT_EQ(index.shard_entry(1), 1u);
}

// Each check refuses the shard, names it, and keeps the others searchable.
struct Refusal {
  const char* what;
  void (*damage)(ThreeShards&);
  const char* message_part;
};

void wrong_size(ThreeShards& t) { t.manifest.shards[1].bytes += 64; }
void wrong_sha(ThreeShards& t) { t.manifest.shards[1].sha256 = std::string(64, 'a'); }
void damaged_bytes(ThreeShards& t) {
  t.files[1][t.files[1].size() - 3] ^= 1;  // in the metadata: only the section CRC can tell
  t.manifest.shards[1].sha256 = sha_hex(t.files[1]);
}
void wrong_count(ThreeShards& t) {
  t.manifest.shards[1].count += 1;
  t.manifest.count += 1;
}
void wrong_dim(ThreeShards& t) { t.replace_file(1, encode_or_die(make_contents(5, 24, true, 2))); }
void wrong_model(ThreeShards& t) {
  ShardContents c = make_contents(5, 16, true, 2);
  c.model_fingerprint = "another-model";
  t.replace_file(1, encode_or_die(c));
}
// The whole file is right, but a tiered reader would be told another head.
void wrong_head_sha(ThreeShards& t) { t.manifest.shards[1].head_sha256 = std::string(64, 'c'); }
void wrong_head_size(ThreeShards& t) { t.manifest.shards[1].head_bytes += 64; }
void duplicate_ids(ThreeShards& t) {
  t.replace_file(1, t.files[0]);  // same ids as shard 0
}

class IndexRefuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(IndexRefuses, NamesTheShardAndKeepsTheRestSearchable) {
  ThreeShards t;
  GetParam().damage(t);
  Index index = t.index();
  ASSERT_TRUE(index.add_shard(0, t.files[0], sha_hex(t.files[0])));
  Status st = index.add_shard(1, t.files[1], sha_hex(t.files[1]));
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("shard-00001.bin"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(GetParam().message_part), std::string::npos) << st.message();
  ASSERT_TRUE(index.add_shard(2, t.files[2], sha_hex(t.files[2])));

  EXPECT_EQ(index.searchable_count(), 10u);
  EXPECT_EQ(index.settled_shards(), 3u);
  ASSERT_EQ(index.refusals().size(), 1u);
  EXPECT_EQ(index.refusals()[0].entry, 1u);
  EXPECT_EQ(index.refusals()[0].file, "shard-00001.bin");
  const std::string report = index.damage_report();
  EXPECT_EQ(report.find("shard-00001.bin"), 0u) << report;
  EXPECT_NE(report.find(" 10 of " + std::to_string(t.manifest.count) + " images are searchable."), std::string::npos)
      << report;
  // The refused shard's ids were not taken: the rows of shard 2 are found.
  uint32_t shard, row;
  EXPECT_TRUE(index.find_id("img-3-0", &shard, &row));
  EXPECT_EQ(index.shard_entry(shard), 2u);
  if (std::string(GetParam().what) != "duplicate_ids") EXPECT_FALSE(index.find_id("img-2-0", &shard, &row));
  // A refused shard cannot be offered again.
  EXPECT_FALSE(index.add_shard(1, t.files[1], ""));
  EXPECT_EQ(index.refusals().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    EachCheck, IndexRefuses,
    ::testing::Values(Refusal{"wrong_size", wrong_size, "bytes, but manifest.json says"},
                      Refusal{"wrong_sha", wrong_sha, "SHA-256"},
                      Refusal{"damaged_bytes", damaged_bytes, "CRC-32C"},
                      Refusal{"wrong_count", wrong_count, "holds 5 images, but manifest.json says 6"},
                      Refusal{"wrong_dim", wrong_dim, "holds 24-d vectors, but manifest.json says 16-d"},
                      Refusal{"wrong_model", wrong_model, "fingerprint another-mod"},
                      Refusal{"wrong_head_sha", wrong_head_sha, "differs from manifest.json's cccccccccccc"},
                      Refusal{"wrong_head_size", wrong_head_size, "its head is"},
                      Refusal{"duplicate_ids", duplicate_ids, "is already used by shard-00000.bin"}),
    [](const ::testing::TestParamInfo<Refusal>& info) { return std::string(info.param.what); });

TEST(Index, WithoutAHashOnlyTheHashIsNotChecked) {
  ThreeShards t;
  wrong_count(t);
  Index index = t.index();
  EXPECT_TRUE(index.add_shard(0, t.files[0], ""));
  EXPECT_FALSE(index.add_shard(1, t.files[1], ""));  // the count is still checked
}

TEST(Index, ShardsThatCannotBeReadAreReported) {
  ThreeShards t;
  Index index = t.index();
  ASSERT_TRUE(index.add_shard(0, t.files[0], ""));
  Error e = index.refuse_shard(2, "shard-00002.bin could not be downloaded: HTTP 404");
  EXPECT_EQ(e.message, "shard-00002.bin could not be downloaded: HTTP 404");
  EXPECT_FALSE(index.check_size(1, t.files[1].size() + 1));
  EXPECT_EQ(index.damage_report(),
            "shard-00002.bin could not be downloaded: HTTP 404. shard-00001.bin is " +
                std::to_string(t.files[1].size() + 1) + " bytes, but manifest.json says " +
                std::to_string(t.files[1].size()) + ". 5 of 15 images are searchable.");
  EXPECT_FALSE(index.add_shard(7, t.files[0], ""));  // no such entry
}

TEST(Index, ModelCheckNamesBothModels) {
  ThreeShards t;
  Index index = t.index();
  EXPECT_TRUE(index.check_model({"demo", t.manifest.model_fingerprint, 16}, "--model m"));
  Status other = index.check_model({"other", "0123456789abcdef0123", 16}, "--model m");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.message(),
            "This index was built with another model: it needs \"demo\" (fingerprint demo-model-f…) but --model m is "
            "\"other\" (fingerprint 0123456789ab…), whose embeddings would not match.");
  Status dim = index.check_model({"demo", t.manifest.model_fingerprint, 32}, "--model m");
  ASSERT_FALSE(dim);
  EXPECT_NE(dim.message().find("holds 16-d vectors but --model m \"demo\" makes 32-d embeddings"), std::string::npos)
      << dim.message();
}

TEST(Index, PolicyUsesSignBitsFromTwoHundredThousandVectors) {
  IndexQuery q;
  q.k = 24;
  EXPECT_FALSE(search_policy(q, kBinaryPassMinVectors - 1, true).binary_first_pass);
  EXPECT_TRUE(search_policy(q, kBinaryPassMinVectors, true).binary_first_pass);
  EXPECT_FALSE(search_policy(q, 10 * kBinaryPassMinVectors, false).binary_first_pass);  // no sign bits
  EXPECT_EQ(search_policy(q, 100000, true).oversample, 10u);
  EXPECT_EQ(search_policy(q, 1000000, true).oversample, 50u);
  q.first_pass = FirstPass::kBinary;
  EXPECT_TRUE(search_policy(q, 10, true).binary_first_pass);
  q.first_pass = FirstPass::kInt8;
  EXPECT_FALSE(search_policy(q, 10 * kBinaryPassMinVectors, true).binary_first_pass);
  q.oversample = 7;
  EXPECT_EQ(search_policy(q, 1000000, true).oversample, 7u);
}

TEST(Index, SearchesWhatWasAcceptedAndLeavesOutTheQueryImage) {
  ThreeShards t;
  Index index = t.index();
  IndexQuery q;
  std::vector<float> x(16, 0.5f);
  auto none = index.search(x.data(), x.size(), q);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());  // nothing loaded yet: no results, not an error
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(index.add_shard(i, t.files[i], ""));

  auto stored = index.embedding("img-2-3");
  ASSERT_TRUE(stored);
  q.k = 1;
  auto first = index.search(stored->data(), stored->size(), q);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(index.record((*first)[0]).id, "img-2-3");
  q.exclude_id = "img-2-3";
  auto others = index.search(stored->data(), stored->size(), q);
  ASSERT_TRUE(others);
  ASSERT_EQ(others->size(), 1u);
  EXPECT_NE(index.record((*others)[0]).id, "img-2-3");
  EXPECT_FALSE(index.embedding("no-such-id"));

  const ImageRecord& r = index.shard(1).record(3);
  EXPECT_EQ(index.find_content(r.content_sha256), "img-2-3");
}

TEST(Index, GroupsThousands) {
  EXPECT_EQ(group_thousands(0), "0");
  EXPECT_EQ(group_thousands(999), "999");
  EXPECT_EQ(group_thousands(1000), "1,000");
  EXPECT_EQ(group_thousands(1234567), "1,234,567");
}

}  // namespace
}  // namespace clip

namespace clip {
namespace {

// The page's tiered loading, driven natively: shard heads first, then the
// int8 rows of each query's candidates and the records of its hits, each
// checked against the head. The answers must equal a search over the whole
// shards with the same first pass.
struct Tiered {
  ThreeShards t;
  Index whole = t.index(), heads = t.index();

  Tiered() {
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_TRUE(whole.add_shard(i, t.files[i], sha_hex(t.files[i])));
      const ShardEntry& e = t.manifest.shards[i];
      std::vector<uint8_t> head(t.files[i].begin(), t.files[i].begin() + long(e.head_bytes));
      Status st = heads.add_shard_head(i, head, sha_hex(head));
      EXPECT_TRUE(st) << st.message();
    }
  }
  // What the page does with a byte range of shard `s`'s file.
  ByteView file_bytes(uint32_t s, uint64_t offset, uint64_t length) const {
    return ByteView(t.files[heads.shard_entry(s)].data() + offset, size_t(length));
  }
  std::vector<Hit> search_heads(const std::vector<float>& x, const IndexQuery& q) {
    auto plan = heads.plan(x.data(), x.size(), q);
    EXPECT_TRUE(plan) << plan.message();
    for (const RowRef& at : heads.missing_vectors(*plan)) {
      const FileSpan span = heads.vector_span(at);
      Status st = heads.add_vector(at, file_bytes(at.shard, span.offset, span.length));
      EXPECT_TRUE(st) << st.message();
    }
    EXPECT_TRUE(heads.missing_vectors(*plan).empty());
    size_t unscored = 99;
    std::vector<Hit> hits = heads.finish(*plan, &unscored);
    EXPECT_EQ(unscored, 0u);
    for (const RowRef& at : heads.missing_records(hits)) {
      const FileSpan span = heads.record_span(at);
      Status st = heads.add_record(at, file_bytes(at.shard, span.offset, span.length));
      EXPECT_TRUE(st) << st.message();
    }
    EXPECT_TRUE(heads.missing_records(hits).empty());
    return hits;
  }
};

TEST(IndexTiers, HeadsSearchLikeWholeShardsWithTheSignBitPass) {
  Tiered tiered;
  EXPECT_EQ(tiered.heads.searchable_count(), 15u);
  EXPECT_FALSE(tiered.heads.shard(0).whole());
  IndexQuery q;
  q.k = 4;
  q.first_pass = FirstPass::kBinary;
  q.oversample = 2;
  for (const char* id : {"img-1-0", "img-2-4", "img-3-2"}) {
    const std::vector<float> x = *tiered.whole.embedding(id);
    auto want = tiered.whole.search(x.data(), x.size(), q);
    ASSERT_TRUE(want);
    const std::vector<Hit> got = tiered.search_heads(x, q);
    ASSERT_EQ(got.size(), want->size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].shard, (*want)[i].shard);
      EXPECT_EQ(got[i].row, (*want)[i].row);
      EXPECT_EQ(got[i].score, (*want)[i].score);  // bit for bit
      const ImageRecord* rec = tiered.heads.record_at(RowRef{got[i].shard, got[i].row});
      ASSERT_NE(rec, nullptr);
      EXPECT_EQ(rec->id, tiered.whole.record((*want)[i]).id);
    }
  }
  // A repeat query needs nothing new.
  const std::vector<float> x = *tiered.whole.embedding("img-1-0");
  auto again = tiered.heads.plan(x.data(), x.size(), q);
  ASSERT_TRUE(again);
  EXPECT_TRUE(tiered.heads.missing_vectors(*again).empty());
}

TEST(IndexTiers, RowsThatFailTheirChecksAreRefusedAndLeftUnscored) {
  Tiered tiered;
  IndexQuery q;
  q.k = 3;
  const std::vector<float> x = *tiered.whole.embedding("img-2-1");
  auto plan = tiered.heads.plan(x.data(), x.size(), q);
  ASSERT_TRUE(plan);
  const std::vector<RowRef> missing = tiered.heads.missing_vectors(*plan);
  ASSERT_FALSE(missing.empty());
  const RowRef bad = missing[0];
  std::vector<uint8_t> wrong(16, 7);  // e.g. a server that sent other bytes
  const Status st = tiered.heads.add_vector(bad, ByteView(wrong.data(), wrong.size()));
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("fails its CRC-32C check"), std::string::npos) << st.message();
  EXPECT_FALSE(tiered.heads.add_vector(bad, ByteView(wrong.data(), 15)));  // short
  for (size_t i = 1; i < missing.size(); ++i) {
    const FileSpan span = tiered.heads.vector_span(missing[i]);
    ASSERT_TRUE(tiered.heads.add_vector(missing[i], tiered.file_bytes(missing[i].shard, span.offset, span.length)));
  }
  size_t unscored = 0;
  const std::vector<Hit> hits = tiered.heads.finish(*plan, &unscored);
  EXPECT_EQ(unscored, 1u);
  for (const Hit& h : hits) EXPECT_FALSE(h.shard == bad.shard && h.row == bad.row);
  // A record from the wrong offset is refused too.
  const FileSpan r0 = tiered.heads.record_span(RowRef{0, 0}), r1 = tiered.heads.record_span(RowRef{0, 1});
  EXPECT_FALSE(tiered.heads.add_record(RowRef{0, 0}, tiered.file_bytes(0, r1.offset, r0.length)));
  EXPECT_EQ(tiered.heads.record_at(RowRef{0, 0}), nullptr);
}

TEST(IndexTiers, LocatingAnIdOrAPhotoAsksForKeysThenRecords) {
  Tiered tiered;
  Lookup l = tiered.heads.locate_id("img-2-3");
  EXPECT_FALSE(l.found);
  EXPECT_EQ(l.need_keys.size(), 3u);
  for (uint32_t s : l.need_keys) {
    const FileSpan span = tiered.heads.keys_span(s);
    ASSERT_TRUE(tiered.heads.add_keys(s, tiered.file_bytes(s, span.offset, span.length)));
  }
  l = tiered.heads.locate_id("img-2-3");
  EXPECT_FALSE(l.found);
  ASSERT_EQ(l.need_records.size(), 1u);  // the one row whose id key matches
  const RowRef at = l.need_records[0];
  const FileSpan span = tiered.heads.record_span(at);
  ASSERT_TRUE(tiered.heads.add_record(at, tiered.file_bytes(at.shard, span.offset, span.length)));
  l = tiered.heads.locate_id("img-2-3");
  ASSERT_TRUE(l.found);
  EXPECT_EQ(tiered.heads.record_at(l.at)->id, "img-2-3");
  EXPECT_FALSE(tiered.heads.locate_id("no-such-id").found);
  EXPECT_TRUE(tiered.heads.locate_id("no-such-id").complete());

  const ImageRecord& photo = tiered.whole.shard(2).record(4);
  Lookup c = tiered.heads.locate_content(photo.content_sha256);
  ASSERT_EQ(c.need_records.size(), 1u);
  const FileSpan cs = tiered.heads.record_span(c.need_records[0]);
  ASSERT_TRUE(tiered.heads.add_record(c.need_records[0], tiered.file_bytes(c.need_records[0].shard, cs.offset, cs.length)));
  c = tiered.heads.locate_content(photo.content_sha256);
  ASSERT_TRUE(c.found);
  EXPECT_EQ(tiered.heads.record_at(c.at)->id, photo.id);

  // "Similar": its vector, then a search that leaves it out by location.
  EXPECT_FALSE(tiered.heads.embedding_at(l.at));
  const FileSpan v = tiered.heads.vector_span(l.at);
  ASSERT_TRUE(tiered.heads.add_vector(l.at, tiered.file_bytes(l.at.shard, v.offset, v.length)));
  auto x = tiered.heads.embedding_at(l.at);
  ASSERT_TRUE(x);
  EXPECT_EQ(*x, *tiered.whole.embedding("img-2-3"));
  IndexQuery q;
  q.k = 15;
  q.exclude_at = l.at;
  for (const Hit& h : tiered.search_heads(*x, q)) EXPECT_FALSE(h.shard == l.at.shard && h.row == l.at.row);

}

TEST(IndexTiers, HeadsAreCheckedAgainstTheManifest) {
  ThreeShards t;
  Index index = t.index();
  const ShardEntry& e = t.manifest.shards[0];
  std::vector<uint8_t> head(t.files[0].begin(), t.files[0].begin() + long(e.head_bytes));
  std::vector<uint8_t> shorter(head.begin(), head.end() - 1);
  Status st = index.add_shard_head(0, shorter, "");
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("shard-00000.bin: its head is"), std::string::npos) << st.message();
  st = index.add_shard_head(1, head, sha_hex(head));  // shard 0's head offered as shard 1's
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("SHA-256 of its head"), std::string::npos) << st.message();
  EXPECT_EQ(index.refusals().size(), 2u);
  EXPECT_NE(index.damage_report().find("0 of 15 images are searchable."), std::string::npos);
}

// The page's Duplicates view over a tiered index: each head completed by its
// whole file, checked like a whole shard; a wrong file leaves the head.
TEST(IndexTiers, HeadsAreCompletedByTheirWholeFiles) {
  Tiered tiered;
  Index& index = tiered.heads;
  EXPECT_FALSE(index.all_whole());
  uint32_t shard, row;
  EXPECT_FALSE(index.find_id("img-2-3", &shard, &row));  // a head's ids are not known
  // Another shard's file, a damaged copy with the SHA-256 left unchecked
  // (only the shard's own checks can tell), a wrong hash: each refused,
  // naming the file; the head stays.
  Status st = index.complete_shard(1, tiered.t.files[2], sha_hex(tiered.t.files[2]));
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("shard-00001.bin"), std::string::npos) << st.message();
  std::vector<uint8_t> damaged = tiered.t.files[1];
  damaged[damaged.size() - 3] ^= 1;
  st = index.complete_shard(1, damaged, "");
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("CRC-32C"), std::string::npos) << st.message();
  st = index.complete_shard(1, tiered.t.files[1], std::string(64, 'b'));
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("SHA-256"), std::string::npos) << st.message();
  EXPECT_FALSE(index.shard(1).whole());
  EXPECT_TRUE(index.refusals().empty());
  EXPECT_EQ(index.searchable_count(), 15u);

  for (uint32_t i = 0; i < 3; ++i) {
    const std::vector<uint8_t>& file = tiered.t.files[index.shard_entry(i)];
    st = index.complete_shard(i, file, sha_hex(file));
    ASSERT_TRUE(st) << st.message();
  }
  EXPECT_TRUE(index.all_whole());
  ASSERT_TRUE(index.find_id("img-2-3", &shard, &row));
  EXPECT_EQ(index.record(Hit{shard, row, 0}).id, "img-2-3");
  // Now it searches exactly as the index loaded whole.
  IndexQuery q;
  q.k = 5;
  const std::vector<float> x = *tiered.whole.embedding("img-3-1");
  auto got = index.search(x.data(), x.size(), q);
  auto want = tiered.whole.search(x.data(), x.size(), q);
  ASSERT_TRUE(got && want);
  ASSERT_EQ(got->size(), want->size());
  for (size_t i = 0; i < got->size(); ++i) EXPECT_EQ((*got)[i].score, (*want)[i].score);
}

// Issue 16: a manifest whose row count or dim for a shard is wrong, while
// the head's SHA-256 matches, is refused for heads as for whole shards.
TEST(IndexTiers, HeadsWithTheWrongCountOrDimAreRefused) {
  for (const bool count : {true, false}) {
    ThreeShards t;
    if (count) {
      t.manifest.shards[1].count += 1;
      t.manifest.count += 1;
    } else {
      t.files[1] = encode_or_die(make_contents(5, 24, true, 2));
      t.manifest.shards[1] = describe_shard("shard-00001.bin", t.files[1]);
    }
    Index index = t.index();
    for (size_t i = 0; i < 3; ++i) {
      const ShardEntry& e = t.manifest.shards[i];
      std::vector<uint8_t> head(t.files[i].begin(), t.files[i].begin() + long(e.head_bytes));
      Status st = index.add_shard_head(i, head, sha_hex(head));
      EXPECT_EQ(bool(st), i != 1) << st.message();
      if (i == 1)
        EXPECT_NE(st.message().find(count ? "shard-00001.bin holds 5 images, but manifest.json says 6"
                                          : "shard-00001.bin holds 24-d vectors, but manifest.json says 16-d"),
                  std::string::npos)
            << st.message();
    }
    EXPECT_EQ(index.searchable_count(), 10u);
    EXPECT_NE(index.damage_report().find("shard-00001.bin"), std::string::npos);
  }
}

TEST(IndexTiers, LoadingPlanTiersLargeIndexesWhenRangesWork) {
  ThreeShards t;
  IndexManifest m = t.manifest;
  Index small(m);
  EXPECT_FALSE(small.loading_plan(true, uint64_t(1) << 30).tiered);  // too small to need tiers
  for (ShardEntry& e : m.shards) e.count = 100000;  // as if each held 100k rows
  m.count = 300000;
  Index large(m);
  const LoadingPlan ranged = large.loading_plan(true, uint64_t(1) << 30);
  EXPECT_TRUE(ranged.tiered);
  EXPECT_EQ(ranged.download_bytes, m.shards[0].head_bytes * 3);
  const LoadingPlan plain = large.loading_plan(false, uint64_t(1) << 30);
  EXPECT_FALSE(plain.tiered);
  EXPECT_TRUE(plain.range_would_fit);
  uint64_t whole = 0;
  for (const ShardEntry& e : m.shards) whole += e.bytes;
  EXPECT_EQ(plain.download_bytes, whole);
  EXPECT_FALSE(large.loading_plan(false, 100).fits);
}

}  // namespace
}  // namespace clip
