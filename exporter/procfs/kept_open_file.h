// KeptOpenFile: a /proc or /sys file opened once and re-read from offset 0 on every Read().
//
// seq_file and sysfs files regenerate their contents on a read at offset 0, so keeping the
// descriptor saves the open/close pair and the path lookup on every scrape. Use it only for files
// that are never replaced (a file swapped by rename keeps being read through the old inode). The
// file is opened lazily, and again after a failed read. Thread-safe: reads of one file serialize on
// a mutex (the kernel serializes them on the seq_file anyway).
#pragma once

#include <cstddef>
#include <string>

#include "common/file_reader.h"
#include "common/mutex.h"
#include "common/status.h"

namespace buildfarm {

class KeptOpenFile {
 public:
  explicit KeptOpenFile(std::string path, std::size_t max_bytes = kDefaultMaxFileBytes);
  ~KeptOpenFile();
  KeptOpenFile(const KeptOpenFile&) = delete;
  KeptOpenFile& operator=(const KeptOpenFile&) = delete;

  // The whole file as ReadFileCapped would return it, with the same errors.
  Result<std::string> Read();

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  const std::size_t max_bytes_;
  Mutex mu_;
  int fd_ GUARDED_BY(mu_) = -1;
  std::size_t last_size_ GUARDED_BY(mu_) = 0;  // sizes the next read's buffer
};

}  // namespace buildfarm
