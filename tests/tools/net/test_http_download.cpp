#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <random>

#include "core/util/sha256.h"
#include "test_server.h"
#include "tools/net/http.h"

namespace fs = std::filesystem;
using namespace clipsearch::net;

namespace {

std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::vector<uint8_t>& b) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

std::string sha_hex(const std::vector<uint8_t>& b) { return clip::to_hex(clip::sha256(b.data(), b.size())); }

// Each test gets a served folder holding a 300 KB pseudo-random "model" and
// a small text file, a download folder, and its own server.
class HttpDownload : public testing::Test {
 protected:
  void SetUp() override {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(testing::TempDir()) / (std::string("net_") + info->name());
    fs::remove_all(dir_);
    std::mt19937 rng(1234);
    model_.resize(300 * 1024);
    for (auto& b : model_) b = uint8_t(rng());
    write_bytes(dir_ / "www/onnx/model.onnx", model_);
    small_ = {'h', 'e', 'l', 'l', 'o', '\n'};
    write_bytes(dir_ / "www/hello.txt", small_);
    fs::create_directories(dir_ / "out");
    server_ = std::make_unique<TestHttpServer>((dir_ / "www").string(), (dir_ / "requests.jsonl").string());
    ASSERT_TRUE(server_->ok()) << "the test HTTP server did not start";
  }

  DownloadOptions fast_retries() const {
    DownloadOptions o;
    o.retry_delay_ms = 10;
    return o;
  }

  fs::path dir_;
  std::vector<uint8_t> model_, small_;
  std::unique_ptr<TestHttpServer> server_;
};

}  // namespace

TEST_F(HttpDownload, MemoryDownloadReturnsTheBody) {
  auto body = download_to_memory(server_->url("hello.txt"));
  ASSERT_TRUE(body.ok()) << body.message();
  EXPECT_EQ(*body, small_);
}

TEST_F(HttpDownload, ErrorStatusesAreReportedWithTheUrl) {
  std::string url = server_->url("missing.onnx");
  auto body = download_to_memory(url);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.message(), url + ": HTTP 404");
  url = server_->url("status/503/hello.txt");
  body = download_to_memory(url);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.message(), url + ": HTTP 503");

  DownloadOptions o = fast_retries();
  auto file = download_to_file(server_->url("onnx/missing.onnx"), (dir_ / "out/m.onnx").string(), o);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.message(), server_->url("onnx/missing.onnx") + ": HTTP 404");
  EXPECT_FALSE(fs::exists(dir_ / "out/m.onnx.part"));  // no empty leftovers
}

TEST_F(HttpDownload, ProbeGivesTheSizeWithoutTheBody) {
  auto size = probe_url(server_->url("redirect/onnx/model.onnx"));
  ASSERT_TRUE(size.ok()) << size.message();
  EXPECT_EQ(*size, model_.size());
  auto missing = probe_url(server_->url("onnx/missing.onnx"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message(), server_->url("onnx/missing.onnx") + ": HTTP 404");
  for (const auto& r : server_->requests(3)) EXPECT_EQ(r["sent"], 0) << r.dump();
}

TEST_F(HttpDownload, RedirectsAreFollowed) {
  auto body = download_to_memory(server_->url("redirect/hello.txt"));
  ASSERT_TRUE(body.ok()) << body.message();
  EXPECT_EQ(*body, small_);
}

TEST_F(HttpDownload, MaxBytesIsEnforced) {
  HttpLimits limits;
  limits.max_bytes = 1000;
  std::string url = server_->url("onnx/model.onnx");
  auto body = download_to_memory(url, limits);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.message(), url + ": larger than the 1000-byte limit");
  limits.max_bytes = small_.size();  // exactly at the limit is fine
  EXPECT_TRUE(download_to_memory(server_->url("hello.txt"), limits).ok());
}

TEST_F(HttpDownload, OnlyHttpAndHttpsUrls) {
  auto body = download_to_memory("file:///etc/passwd");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.message(), "file:///etc/passwd: only http:// and https:// URLs are supported");
}

TEST_F(HttpDownload, RefusedConnectionIsAClearError) {
  // A port nobody listens on: bind one, then close it.
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/x.onnx";
  auto body = download_to_memory(url);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.message().rfind(url + ": ", 0), 0u) << body.message();
}

TEST_F(HttpDownload, FileDownloadIsVerifiedThenRenamed) {
  DownloadOptions o = fast_retries();
  o.expected_sha256 = sha_hex(model_);
  o.expected_bytes = model_.size();
  uint64_t last_done = 0, last_total = 0;
  o.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
  };
  fs::path out = dir_ / "out/model.onnx";
  auto r = download_to_file(server_->url("onnx/model.onnx"), out.string(), o);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->bytes, model_.size());
  EXPECT_EQ(r->sha256, sha_hex(model_));
  EXPECT_EQ(r->resumed_from, 0u);
  EXPECT_EQ(read_bytes(out), model_);
  EXPECT_FALSE(fs::exists(out.string() + ".part"));
  EXPECT_EQ(last_done, model_.size());
  EXPECT_EQ(last_total, model_.size());
}

TEST_F(HttpDownload, DroppedConnectionResumesWithARangeRequest) {
  DownloadOptions o = fast_retries();
  o.expected_sha256 = sha_hex(model_);
  fs::path out = dir_ / "out/model.onnx";
  auto r = download_to_file(server_->url("drop-once/onnx/model.onnx"), out.string(), o);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(r->resumed_from, model_.size() / 2);
  EXPECT_EQ(read_bytes(out), model_);
  auto log = server_->requests(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(log[0]["range"].is_null());
  EXPECT_EQ(log[1]["range"], "bytes=" + std::to_string(model_.size() / 2) + "-");
  EXPECT_EQ(log[1]["status"], 206);
  // Nothing was fetched twice.
  EXPECT_EQ(log[0]["sent"].get<uint64_t>() + log[1]["sent"].get<uint64_t>(), model_.size());
}

TEST_F(HttpDownload, AnInterruptedRunIsResumedByTheNextOne) {
  DownloadOptions o = fast_retries();
  o.attempts = 1;
  fs::path out = dir_ / "out/model.onnx";
  std::string url = server_->url("drop-once/onnx/model.onnx");
  auto first = download_to_file(url, out.string(), o);
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.message().find("run again to resume"), std::string::npos) << first.message();
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(fs::file_size(out.string() + ".part"), model_.size() / 2);

  o.expected_sha256 = sha_hex(model_);
  auto second = download_to_file(url, out.string(), o);
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_EQ(second->resumed_from, model_.size() / 2);
  EXPECT_EQ(second->sha256, sha_hex(model_));  // covers the bytes of both runs
  EXPECT_EQ(read_bytes(out), model_);
}

TEST_F(HttpDownload, CorruptedDownloadIsDiscarded) {
  DownloadOptions o = fast_retries();
  o.expected_sha256 = sha_hex(model_);
  fs::path out = dir_ / "out/model.onnx";
  std::string url = server_->url("corrupt/onnx/model.onnx");
  auto r = download_to_file(url, out.string(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message().rfind(url + ": SHA-256 mismatch: expected " + sha_hex(model_) + ", got ", 0), 0u)
      << r.message();
  EXPECT_NE(r.message().find("(the download was discarded)"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".part"));
}

TEST_F(HttpDownload, WrongSizeIsDiscarded) {
  DownloadOptions o = fast_retries();
  o.expected_bytes = model_.size() + 1;
  fs::path out = dir_ / "out/model.onnx";
  auto r = download_to_file(server_->url("onnx/model.onnx"), out.string(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("got " + std::to_string(model_.size()) + " bytes, expected "), std::string::npos)
      << r.message();
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".part"));
}

TEST_F(HttpDownload, ServerIgnoringRangeStartsOver) {
  fs::path out = dir_ / "out/model.onnx";
  write_bytes(out.string() + ".part", std::vector<uint8_t>(model_.begin(), model_.begin() + 5000));
  DownloadOptions o = fast_retries();
  o.expected_sha256 = sha_hex(model_);
  auto r = download_to_file(server_->url("norange/onnx/model.onnx"), out.string(), o);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->resumed_from, 0u);
  EXPECT_EQ(read_bytes(out), model_);
}

TEST_F(HttpDownload, StalePartFileFromAnotherVersionIsNotTrusted) {
  // A .part as long as the whole file: the server answers 416; the .part is
  // dropped and the file fetched again.
  fs::path out = dir_ / "out/model.onnx";
  write_bytes(out.string() + ".part", std::vector<uint8_t>(model_.size(), 0));
  DownloadOptions o = fast_retries();
  auto r = download_to_file(server_->url("onnx/model.onnx"), out.string(), o);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(read_bytes(out), model_);
  // A shorter one that is not a prefix is caught by the hash and discarded,
  // so the next run starts clean.
  fs::remove(out);
  write_bytes(out.string() + ".part", std::vector<uint8_t>(1000, 0));
  o.expected_sha256 = sha_hex(model_);
  r = download_to_file(server_->url("onnx/model.onnx"), out.string(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(fs::exists(out.string() + ".part"));
  r = download_to_file(server_->url("onnx/model.onnx"), out.string(), o);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(read_bytes(out), model_);
}

TEST_F(HttpDownload, StalledTransferIsAbandoned) {
  HttpLimits limits;
  limits.low_speed_bytes_per_s = 100000;
  limits.low_speed_time_s = 1;
  std::string url = server_->url("slow/onnx/model.onnx");
  auto body = download_to_memory(url, limits);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.message().rfind(url + ": timed out", 0), 0u) << body.message();
}
