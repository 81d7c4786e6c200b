#include "tools/pipeline/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace clipsearch {

namespace {

std::string errno_text() { return std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

clip::Status write_all(int fd, const uint8_t* p, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return clip::make_error(path + ": write failed: " + errno_text());
    }
    p += w;
    n -= size_t(w);
  }
  return clip::ok_status();
}

clip::Status write_then_rename(const std::string& path, const std::vector<clip::ByteView>& parts, bool durable) {
  // The pid keeps two processes writing one folder from sharing a temp file.
  const std::string tmp = path + "." + std::to_string(::getpid()) + kTempSuffix;
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return clip::make_error(tmp + ": cannot create: " + errno_text());
  for (const clip::ByteView& bytes : parts)
    if (auto s = write_all(fd.get(), bytes.data, bytes.size, tmp); !s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
  if (durable && ::fsync(fd.get()) != 0) {
    ::unlink(tmp.c_str());
    return clip::make_error(tmp + ": fsync failed: " + errno_text());
  }
  if (::close(fd.release()) != 0) {
    ::unlink(tmp.c_str());
    return clip::make_error(tmp + ": close failed: " + errno_text());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return clip::make_error(path + ": rename from temporary file failed: " + errno_text());
  }
  if (!durable) return clip::ok_status();
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return sync_directory(dir.empty() ? "." : dir);
}

}  // namespace

clip::Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return clip::make_error(path + ": cannot open: " + errno_text());
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return clip::make_error(path + ": cannot stat: " + errno_text());
  if (S_ISDIR(st.st_mode)) return clip::make_error(path + ": is a folder, expected a file");
  if (uint64_t(st.st_size) > max_bytes)
    return clip::make_error(path + ": " + std::to_string(st.st_size) + " bytes exceeds the limit of " +
                            std::to_string(max_bytes));
  std::vector<uint8_t> out;
  out.reserve(size_t(st.st_size));
  uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t r = ::read(fd.get(), buf, sizeof(buf));
    if (r < 0) {
      if (errno == EINTR) continue;
      return clip::make_error(path + ": read failed: " + errno_text());
    }
    if (r == 0) break;
    if (out.size() + size_t(r) > max_bytes)  // the file grew while being read
      return clip::make_error(path + ": exceeds the limit of " + std::to_string(max_bytes) + " bytes");
    out.insert(out.end(), buf, buf + r);
  }
  return out;
}

clip::Result<std::string> read_text_file(const std::string& path, uint64_t max_bytes) {
  auto bytes = read_file(path, max_bytes);
  CLIP_TRY(bytes);
  return std::string(bytes->begin(), bytes->end());
}

clip::Status write_file_atomic(const std::string& path, clip::ByteView bytes) {
  return write_then_rename(path, {bytes}, true);
}

clip::Status write_file_atomic(const std::string& path, const std::vector<clip::ByteView>& parts) {
  return write_then_rename(path, parts, true);
}

clip::Status write_file_replace(const std::string& path, clip::ByteView bytes) {
  return write_then_rename(path, {bytes}, false);
}

clip::Result<std::unique_ptr<MappedFile>> MappedFile::open(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return clip::make_error(path + ": cannot open: " + errno_text());
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return clip::make_error(path + ": cannot stat: " + errno_text());
  if (!S_ISREG(st.st_mode)) return clip::make_error(path + ": not a regular file");
  std::unique_ptr<MappedFile> m(new MappedFile());
  m->size_ = size_t(st.st_size);
  if (m->size_ == 0) return m;
  void* p = ::mmap(nullptr, m->size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (p == MAP_FAILED) return clip::make_error(path + ": cannot map: " + errno_text());
  m->data_ = static_cast<const uint8_t*>(p);
  return m;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

clip::Status sync_directory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return clip::make_error(dir + ": cannot open folder: " + errno_text());
  if (::fsync(fd.get()) != 0 && errno != EINVAL)  // some file systems cannot sync folders
    return clip::make_error(dir + ": fsync failed: " + errno_text());
  return clip::ok_status();
}

clip::Status sync_filesystem(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return clip::make_error(path + ": cannot open: " + errno_text());
#if defined(__linux__)
  if (::syncfs(fd.get()) != 0) return clip::make_error(path + ": syncfs failed: " + errno_text());
#else
  ::sync();
#endif
  return clip::ok_status();
}

bool is_temp_file_name(const std::string& name) {
  const std::string suffix = kTempSuffix;
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool empty_but_for_temp_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> leftovers;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec) || !is_temp_file_name(it->path().filename().string())) return false;
    leftovers.push_back(it->path());
  }
  if (ec) return false;
  for (const auto& p : leftovers) fs::remove(p, ec);
  return true;
}

}  // namespace clipsearch
