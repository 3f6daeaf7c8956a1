#include "exporter/procfs/kept_open_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace buildfarm {
namespace {

Status ErrnoStatus(const char* what, const std::string& path, int err) {
  std::string message = std::string(what) + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(message));
  return IoError(std::move(message));
}

}  // namespace

KeptOpenFile::KeptOpenFile(std::string path, std::size_t max_bytes) : path_(std::move(path)), max_bytes_(max_bytes) {}

KeptOpenFile::~KeptOpenFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::string> KeptOpenFile::Read() {
  MutexLock lock(mu_);
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return ErrnoStatus("open", path_, errno);
  }
  // Room for the whole file in one read when it has not grown, plus one byte to see the cap.
  std::string out(std::min(std::max<std::size_t>(last_size_ + last_size_ / 4 + 256, 4096), max_bytes_ + 1), '\0');
  std::size_t used = 0;
  for (;;) {
    if (used == out.size()) out.resize(std::min(out.size() * 2, max_bytes_ + 1));
    ssize_t n = ::pread(fd_, out.data() + used, out.size() - used, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd_);
      fd_ = -1;  // reopened by the next Read, in case the descriptor went stale
      return ErrnoStatus("read", path_, err);
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (used > max_bytes_) return IoError("read " + path_ + ": larger than " + std::to_string(max_bytes_) + " bytes");
  }
  out.resize(used);
  last_size_ = used;
  return out;
}

}  // namespace buildfarm
