#include "tools/ort/quiet_stderr.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace clipsearch {

bool ort_log_verbose() {
  const char* v = std::getenv("CLIPSEARCH_ORT_LOG");
  return v && *v && std::strcmp(v, "0") != 0;
}

QuietStderr::QuietStderr() {
  if (ort_log_verbose()) return;
  std::fflush(stderr);
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd < 0) return;
  saved_ = ::dup(STDERR_FILENO);
  if (saved_ >= 0) ::dup2(null_fd, STDERR_FILENO);
  ::close(null_fd);
}

QuietStderr::~QuietStderr() {
  if (saved_ < 0) return;
  std::fflush(stderr);
  ::dup2(saved_, STDERR_FILENO);
  ::close(saved_);
}

}  // namespace clipsearch
