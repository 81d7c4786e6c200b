#include "tools/pipeline/journal.h"

#include <nlohmann/json.hpp>

#include "tools/pipeline/file_io.h"
#include "tools/pipeline/index_folder.h"

namespace clipsearch {

namespace {

using json = nlohmann::json;
constexpr int kJournalVersion = 1;

json skipped_json(const SkippedInput& s) {
  return {{"id", s.id}, {"source", s.source}, {"origin", s.origin}, {"reason", s.reason}};
}

}  // namespace

clip::Status write_journal(const std::string& index_dir, const Journal& journal) {
  json j;
  j["journal"] = kJournalVersion;
  j["fingerprint"] = journal.fingerprint;
  j["first_shard"] = journal.first_shard;
  j["chunks"] = json::array();
  for (const auto& c : journal.chunks) {
    json jc = {{"chunk", c.chunk},   {"file", c.shard.file},       {"bytes", c.shard.bytes},
               {"sha256", c.shard.sha256}, {"count", c.shard.count}, {"unchanged", c.unchanged},
               {"version", c.shard.version}};
    if (c.shard.version == 2) {
      jc["head_bytes"] = c.shard.head_bytes;
      jc["head_sha256"] = c.shard.head_sha256;
    }
    jc["skipped"] = json::array();
    for (const auto& s : c.skipped) jc["skipped"].push_back(skipped_json(s));
    j["chunks"].push_back(std::move(jc));
  }
  if (!journal.final_manifest_sha256.empty()) j["final_manifest_sha256"] = journal.final_manifest_sha256;
  return write_file_atomic(join_path(index_dir, kJournalFile),
                           j.dump(1, ' ', false, json::error_handler_t::replace) + "\n");
}

clip::Result<Journal> read_journal(const std::string& index_dir) {
  const std::string path = join_path(index_dir, kJournalFile);
  auto text = read_text_file(path, uint64_t(1) << 30);
  CLIP_TRY(text);
  const json j = json::parse(*text, nullptr, false);
  auto bad = [&](const std::string& what) { return clip::make_error(path + ": " + what); };
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("journal") || j["journal"] != kJournalVersion) return bad("unknown journal version");
  Journal out;
  // The file is our own; a wrong type here means damage, reported as such.
  try {
    out.fingerprint = j.at("fingerprint").get<std::string>();
    out.first_shard = j.at("first_shard").get<uint32_t>();
    for (const auto& jc : j.at("chunks")) {
      JournalChunk c;
      c.chunk = jc.at("chunk").get<uint32_t>();
      c.shard.file = jc.at("file").get<std::string>();
      c.shard.bytes = jc.at("bytes").get<uint64_t>();
      c.shard.sha256 = jc.at("sha256").get<std::string>();
      c.shard.count = jc.at("count").get<uint32_t>();
      // Journals of builds before shard format 2 name version-1 shards.
      c.shard.version = jc.value("version", 1u);
      if (c.shard.version == 2) {
        c.shard.head_bytes = jc.at("head_bytes").get<uint64_t>();
        c.shard.head_sha256 = jc.at("head_sha256").get<std::string>();
      }
      c.unchanged = jc.at("unchanged").get<uint32_t>();
      for (const auto& s : jc.at("skipped"))
        c.skipped.push_back({s.at("id").get<std::string>(), s.at("source").get<std::string>(),
                             s.at("origin").get<std::string>(), s.at("reason").get<std::string>()});
      out.chunks.push_back(std::move(c));
    }
    if (j.contains("final_manifest_sha256")) out.final_manifest_sha256 = j["final_manifest_sha256"].get<std::string>();
  } catch (const json::exception& e) {
    return bad(std::string("damaged: ") + e.what());
  }
  return out;
}

}  // namespace clipsearch
