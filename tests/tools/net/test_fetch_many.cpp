#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "test_server.h"
#include "tools/net/http.h"

namespace fs = std::filesystem;
using namespace clipsearch::net;

namespace {

// 30 small "images" served from one folder, as URL rows of an index input.
class FetchMany : public testing::Test {
 protected:
  void SetUp() override {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(testing::TempDir()) / (std::string("fetch_many_") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "www/img");
    for (int i = 0; i < 30; ++i) {
      std::string body = "image " + std::to_string(i) + " " + std::string(size_t(i) * 997, char('a' + i % 26));
      std::ofstream(dir_ / "www/img" / (std::to_string(i) + ".jpg"), std::ios::binary) << body;
      bodies_.push_back(body);
    }
    server_ = std::make_unique<TestHttpServer>((dir_ / "www").string(), (dir_ / "requests.jsonl").string());
    ASSERT_TRUE(server_->ok()) << "the test HTTP server did not start";
  }

  fs::path dir_;
  std::vector<std::string> bodies_;
  std::unique_ptr<TestHttpServer> server_;
};

}  // namespace

TEST_F(FetchMany, ReportsEveryUrlOnceWithItsBodyOrError) {
  std::vector<std::string> urls;
  for (int i = 0; i < 30; ++i)
    urls.push_back(i % 7 == 3 ? server_->url("img/missing-" + std::to_string(i) + ".jpg")
                              : server_->url("img/" + std::to_string(i) + ".jpg"));
  urls.push_back("ftp://127.0.0.1/x.jpg");
  std::map<size_t, int> seen;
  fetch_many(urls, 4, HttpLimits{}, [&](size_t i, clip::Result<std::vector<uint8_t>> body) {
    ++seen[i];
    if (i == 30) {
      EXPECT_FALSE(body.ok());
    } else if (i % 7 == 3) {
      EXPECT_FALSE(body.ok());
      if (!body.ok()) {
        EXPECT_EQ(body.message(), urls[i] + ": HTTP 404");
      }
    } else {
      EXPECT_TRUE(body.ok()) << body.message();
      if (body.ok()) {
        EXPECT_EQ(std::string(body->begin(), body->end()), bodies_[i]);
      }
    }
    return true;
  });
  EXPECT_EQ(seen.size(), urls.size());
  for (const auto& [i, n] : seen) EXPECT_EQ(n, 1) << i;
}

TEST_F(FetchMany, LimitsApplyToEachTransfer) {
  HttpLimits limits;
  limits.max_bytes = 5000;
  std::vector<std::string> urls;
  for (int i = 0; i < 10; ++i) urls.push_back(server_->url("img/" + std::to_string(i) + ".jpg"));
  size_t ok = 0, too_big = 0;
  fetch_many(urls, 3, limits, [&](size_t i, clip::Result<std::vector<uint8_t>> body) {
    if (bodies_[i].size() <= limits.max_bytes) {
      EXPECT_TRUE(body.ok()) << body.message();
      ok += body.ok();
    } else {
      EXPECT_FALSE(body.ok());
      too_big += !body.ok();
    }
    return true;
  });
  EXPECT_GT(ok, 0u);
  EXPECT_GT(too_big, 0u);
  EXPECT_EQ(ok + too_big, urls.size());
}

TEST_F(FetchMany, StopsWhenTheCallbackSaysSo) {
  std::vector<std::string> urls;
  for (int i = 0; i < 30; ++i) urls.push_back(server_->url("img/" + std::to_string(i) + ".jpg"));
  int calls = 0;
  fetch_many(urls, 2, HttpLimits{}, [&](size_t, clip::Result<std::vector<uint8_t>>) { return ++calls < 3; });
  EXPECT_EQ(calls, 3);
  EXPECT_LT(server_->requests().size(), urls.size());
}

TEST_F(FetchMany, KeepsAtMostConcurrencyTransfersInFlight) {
  // 100-byte bodies trickle out in ~0.5 s, so transfers overlap; the server's
  // log says when each one started and ended.
  std::ofstream(dir_ / "www/img/slow.jpg", std::ios::binary) << std::string(100, 's');
  std::vector<std::string> urls(7, server_->url("slow/img/slow.jpg"));
  size_t done = 0;
  fetch_many(urls, 3, HttpLimits{}, [&](size_t, clip::Result<std::vector<uint8_t>> body) {
    EXPECT_TRUE(body.ok()) << body.message();
    ++done;
    return true;
  });
  EXPECT_EQ(done, urls.size());
  auto log = server_->requests(urls.size());
  ASSERT_EQ(log.size(), urls.size());
  size_t most = 0;
  for (const auto& a : log) {
    size_t overlapping = 0;  // requests open at the moment `a` started
    for (const auto& b : log)
      if (b["t0"].get<double>() <= a["t0"].get<double>() && a["t0"].get<double>() < b["t1"].get<double>())
        ++overlapping;
    most = std::max(most, overlapping);
  }
  EXPECT_EQ(most, 3u);
}
