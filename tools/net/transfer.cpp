#include "tools/net/transfer.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string_view>

namespace clipsearch::net {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

// "bytes 100-199/1000" -> 100.
bool content_range_start(std::string_view v, uint64_t* start) {
  if (!starts_with_nocase(v, "bytes ")) return false;
  v.remove_prefix(6);
  uint64_t n = 0;
  size_t i = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9' && i < 19; ++i) n = n * 10 + uint64_t(v[i] - '0');
  if (i == 0 || i >= v.size() || v[i] != '-') return false;
  *start = n;
  return true;
}

// The server ignored our Range request and sends the whole file: start over.
bool restart_sink(Transfer& t) {
  if (t.memory) t.memory->clear();
  if (t.file) {
    if (std::fflush(t.file) != 0 || ftruncate(fileno(t.file), 0) != 0) return false;
    std::rewind(t.file);
  }
  if (t.hash) *t.hash = clip::Sha256();
  t.offset = 0;
  t.restarted = true;
  return true;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  Transfer& t = *static_cast<Transfer*>(user);
  const size_t len = size * count;
  if (!t.checked_start) {
    t.checked_start = true;
    long status = response_status(t);
    if (status < 200 || status >= 300) return 0;  // an error page is not kept; the status is reported
    if (t.offset > 0 && status == 200 && !restart_sink(t)) {
      t.write_failed = true;
      return 0;
    }
    uint64_t start = 0;
    if (t.offset > 0 && status == 206 && (!content_range_start(t.content_range, &start) || start != t.offset)) {
      t.bad_range = true;
      return 0;
    }
  }
  if (t.max_bytes && t.offset + t.received + len > t.max_bytes) {
    t.too_big = true;
    return 0;
  }
  if (t.memory) {
    t.memory->insert(t.memory->end(), data, data + len);
  } else if (t.file && std::fwrite(data, 1, len, t.file) != len) {
    t.write_failed = true;
    return 0;
  }
  if (t.hash) t.hash->update(data, len);
  t.received += len;
  return len;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  Transfer& t = *static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (starts_with_nocase(line, "http/")) t.content_range.clear();  // a new response (after a redirect)
  else if (starts_with_nocase(line, "content-range:")) t.content_range = std::string(trim(line.substr(14)));
  return size * count;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  Transfer& t = *static_cast<Transfer*>(user);
  if (t.progress && t.checked_start)
    t.progress(t.offset + uint64_t(dlnow), dltotal > 0 ? t.offset + uint64_t(dltotal) : 0);
  return 0;
}

}  // namespace

Transfer::~Transfer() {
  if (curl) curl_easy_cleanup(curl);
}

void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

clip::Status setup_transfer(Transfer& t, const HttpLimits& limits) {
  ensure_curl_initialized();
  if (!starts_with_nocase(t.url, "http://") && !starts_with_nocase(t.url, "https://"))
    return clip::make_error(t.url + ": only http:// and https:// URLs are supported");
  t.curl = curl_easy_init();
  if (!t.curl) return clip::make_error(t.url + ": could not start a libcurl transfer");
  CURL* c = t.curl;
  curl_easy_setopt(c, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);  // Hugging Face redirects to its CDN
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, limits.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, limits.timeout_s);
  if (limits.low_speed_bytes_per_s > 0 && limits.low_speed_time_s > 0) {
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, limits.low_speed_bytes_per_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, limits.low_speed_time_s);
  }
  t.max_bytes = limits.max_bytes;
  if (t.max_bytes && t.offset < t.max_bytes)  // refused up front when Content-Length says so
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(t.max_bytes - t.offset));
  if (!limits.user_agent.empty()) curl_easy_setopt(c, CURLOPT_USERAGENT, limits.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t.errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  if (t.progress) {
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  }
  // CURLOPT_RANGE rather than RESUME_FROM: libcurl fails outright when a
  // server ignores a resume request; on_body starts over instead.
  if (t.offset > 0) curl_easy_setopt(c, CURLOPT_RANGE, (std::to_string(t.offset) + "-").c_str());
  curl_easy_setopt(c, CURLOPT_PRIVATE, &t);
  return clip::ok_status();
}

long response_status(const Transfer& t) {
  long status = 0;
  if (t.curl) curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

std::string transfer_error(const Transfer& t, CURLcode code) {
  if (t.too_big || code == CURLE_FILESIZE_EXCEEDED)
    return t.url + ": larger than the " + std::to_string(t.max_bytes) + "-byte limit";
  if (t.bad_range) return t.url + ": the server sent another range than asked for (" + t.content_range + ")";
  if (t.write_failed) return t.url + ": could not write the download (" + std::strerror(errno) + ")";
  long status = response_status(t);
  if (status >= 300 && (code == CURLE_OK || code == CURLE_WRITE_ERROR))
    return t.url + ": HTTP " + std::to_string(status);
  if (code == CURLE_OK) return "";
  std::string detail = t.errbuf[0] ? t.errbuf : curl_easy_strerror(code);
  if (code == CURLE_OPERATION_TIMEDOUT) return t.url + ": timed out (" + detail + ")";
  return t.url + ": " + detail;
}

bool transfer_retryable(const Transfer& t, CURLcode code) {
  if (t.too_big || t.write_failed || t.bad_range) return false;
  long status = response_status(t);
  if (status >= 500 || status == 408 || status == 429) return true;
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace clipsearch::net
