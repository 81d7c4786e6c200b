#include "tools/net/transfer.h"

namespace clipsearch::net {

clip::Result<std::vector<uint8_t>> download_to_memory(const std::string& url, const HttpLimits& limits) {
  std::vector<uint8_t> body;
  Transfer t(url);
  t.memory = &body;
  auto setup = setup_transfer(t, limits);
  CLIP_TRY(setup);
  std::string err = transfer_error(t, curl_easy_perform(t.curl));
  if (!err.empty()) return clip::make_error(err);
  return body;
}

clip::Result<uint64_t> probe_url(const std::string& url, const HttpLimits& limits) {
  Transfer t(url);
  std::vector<uint8_t> none;
  t.memory = &none;
  auto setup = setup_transfer(t, limits);
  CLIP_TRY(setup);
  curl_easy_setopt(t.curl, CURLOPT_NOBODY, 1L);
  std::string err = transfer_error(t, curl_easy_perform(t.curl));
  if (!err.empty()) return clip::make_error(err);
  curl_off_t length = -1;
  curl_easy_getinfo(t.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  return uint64_t(length > 0 ? length : 0);
}

}  // namespace clipsearch::net
