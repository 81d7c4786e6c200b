#include "tools/pipeline/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace clipsearch {

clip::Result<FolderLock> FolderLock::acquire(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return FolderLock();  // the run's own reads and writes will say what is wrong
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return FolderLock(fd);
  const int err = errno;
  ::close(fd);
  if (err == EWOULDBLOCK)
    return clip::make_error(dir + " is being written by another clipsearch run (index, import, merge or upgrade); "
                            "wait for it to end, or choose another folder");
  return FolderLock();  // no locks here (ENOLCK and the like)
}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace clipsearch
