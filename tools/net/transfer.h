// One libcurl transfer and its sink (memory or file), shared by the three
// download functions: option setup, body and header callbacks, size limits
// and the wording of errors.
#pragma once
#include <curl/curl.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/util/sha256.h"
#include "tools/net/http.h"

namespace clipsearch::net {

struct Transfer {
  explicit Transfer(std::string url_) : url(std::move(url_)) {}
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  std::string url;
  CURL* curl = nullptr;

  // Sink: exactly one of these is set.
  std::vector<uint8_t>* memory = nullptr;
  FILE* file = nullptr;
  clip::Sha256* hash = nullptr;  // optional, fed with every body byte

  uint64_t offset = 0;     // bytes already held (resume); the request asks for offset..end
  uint64_t received = 0;   // body bytes of this response
  uint64_t max_bytes = 0;  // limit on offset + received; 0 = none
  std::function<void(uint64_t, uint64_t)> progress;

  // What happened.
  bool checked_start = false;   // first body byte seen and the response judged
  bool restarted = false;       // server ignored the Range request: started over from 0
  bool too_big = false;
  bool bad_range = false;       // 206 for a different range than asked
  bool write_failed = false;
  std::string content_range;    // of the final response
  char errbuf[CURL_ERROR_SIZE] = {};
};

// Once per process; thread-safe.
void ensure_curl_initialized();

// Creates t.curl with limits, redirects (http/https only), callbacks and, when
// t.offset > 0, a Range request. Fails for a URL that is not http(s).
clip::Status setup_transfer(Transfer& t, const HttpLimits& limits);

// The HTTP status of the final response (0 when none arrived).
long response_status(const Transfer& t);

// nullopt-like: empty string when the transfer succeeded with a 2xx status,
// else the one-line error ("<url>: HTTP 404").
std::string transfer_error(const Transfer& t, CURLcode code);

// Worth another attempt: dropped or timed-out connections and 5xx / 408 / 429.
bool transfer_retryable(const Transfer& t, CURLcode code);

}  // namespace clipsearch::net
