// Silences file descriptor 2 for a scope. Dawn (inside ORT's WebGPU EP) and
// Vulkan drivers print adapter-probing chatter straight to stderr; the tool
// reports the outcome itself in one line. CLIPSEARCH_ORT_LOG=1 keeps it all.
#pragma once

namespace clipsearch {

class QuietStderr {
 public:
  QuietStderr();
  ~QuietStderr();
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  int saved_ = -1;
};

// True when CLIPSEARCH_ORT_LOG asks for ORT's (and Dawn's) own messages.
bool ort_log_verbose();

}  // namespace clipsearch
