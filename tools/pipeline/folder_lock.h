// One writer per index folder. `clipsearch index`, an import, merge and
// upgrade hold an exclusive flock(2) on the folder while they write it, so a
// second run into the same folder is refused at once instead of racing the
// first (each removing the other's temporary files, both writing one
// journal). The kernel drops the lock when the process ends, however it
// ends, so a killed run leaves nothing stale behind, and the folder gains no
// lock file.
#pragma once
#include <string>

#include "core/util/result.h"

namespace clipsearch {

class FolderLock {
 public:
  // Locks `dir` (which exists), or says that another run is writing it.
  // Where the file system cannot lock, the run goes on unlocked.
  static clip::Result<FolderLock> acquire(const std::string& dir);

  FolderLock() = default;
  FolderLock(FolderLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FolderLock& operator=(FolderLock&& other) noexcept;
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  ~FolderLock();

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace clipsearch
