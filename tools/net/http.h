// HTTP(S) downloads with libcurl, for `clipsearch fetch-model` (large files,
// resumed, verified) and for URL rows in `clipsearch index` (many small
// files at once). Errors read "<url>: HTTP 404", "<url>: timed out ...".
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace clipsearch::net {

struct HttpLimits {
  long connect_timeout_s = 20;
  long timeout_s = 0;                 // whole transfer; 0 = no limit (model files are large)
  long low_speed_bytes_per_s = 1024;  // abort a transfer slower than this ...
  long low_speed_time_s = 60;         // ... for this many seconds
  uint64_t max_bytes = 0;             // refuse bodies larger than this; 0 = no limit
  std::string user_agent = "clipsearch";
};

struct DownloadOptions {
  HttpLimits limits;
  std::string expected_sha256;  // lowercase hex; "" = not checked
  uint64_t expected_bytes = 0;  // 0 = unknown
  bool resume = true;           // continue PATH.part with an HTTP Range request
  int attempts = 4;             // dropped connections, timeouts and 5xx are retried (resuming)
  int retry_delay_ms = 1000;    // doubled after each failed attempt
  // Called while bytes arrive; total is 0 while unknown.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct Downloaded {
  uint64_t bytes = 0;
  std::string sha256;         // of the whole file, computed while it arrived
  uint64_t resumed_from = 0;  // bytes kept from an earlier PATH.part
  int attempts = 0;
};

// Downloads into PATH.part and renames it to PATH only once it is complete and
// matches expected_bytes / expected_sha256. An interrupted download leaves
// PATH.part for the next call to resume; a download that arrived but fails
// verification is deleted, never left as PATH.
clip::Result<Downloaded> download_to_file(const std::string& url, const std::string& path,
                                          const DownloadOptions& options = {});

// The whole body in memory; limits.max_bytes is enforced while it arrives.
clip::Result<std::vector<uint8_t>> download_to_memory(const std::string& url, const HttpLimits& limits = {});

// Whether a URL is there, without its body (a HEAD request): the size from
// Content-Length, 0 when the server does not say. A missing file is an error
// ("<url>: HTTP 404").
clip::Result<uint64_t> probe_url(const std::string& url, const HttpLimits& limits = {});

// Fetches `urls` with up to `concurrency` transfers in flight (one libcurl
// multi handle, on the calling thread). on_done(index, body or error) runs on
// the calling thread as each transfer ends, in completion order; returning
// false stops early (transfers still in flight are dropped unreported).
using FetchDone = std::function<bool(size_t index, clip::Result<std::vector<uint8_t>> body)>;
void fetch_many(const std::vector<std::string>& urls, int concurrency, const HttpLimits& limits,
                const FetchDone& on_done);

}  // namespace clipsearch::net
