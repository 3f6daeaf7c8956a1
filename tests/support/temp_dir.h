// TempDir: a fresh directory under the build tree's tmp/ (or the system's temporary directory), removed
// with its contents on destruction.
// Each TempDir has a unique name, so tests in parallel processes never share one; one object is for
// one thread.
#pragma once

#include <string>
#include <string_view>

namespace buildfarm::testing {

// Where a TempDir is made. kBuildTree keeps test files inside the build (removed with it). kSystemTemp is
// the system's temporary directory ($TMPDIR, else /tmp), which every user may traverse: for directories
// that jobs must reach — as root the agent runs them as unprivileged uids — wherever the checkout lives
// (a clone under a 0700 `mktemp -d` directory, as a CI machine's may be, is out of their reach).
enum class TempDirBase { kBuildTree, kSystemTemp };

class TempDir {
 public:
  explicit TempDir(TempDirBase base = TempDirBase::kBuildTree);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Join(std::string_view name) const { return path_ + "/" + std::string(name); }
  // Writes a file (creating parent directories) and returns its path.
  std::string WriteFile(std::string_view relative, std::string_view contents) const;
  // The same, readable by its owner alone (mode 0600), as token files must be.
  std::string WriteSecretFile(std::string_view relative, std::string_view contents) const;
  // Creates a directory (and parents) and returns its path.
  std::string MakeDir(std::string_view relative) const;
  // Creates a symlink at `relative` pointing to `target`.
  void Symlink(std::string_view target, std::string_view relative) const;

 private:
  std::string path_;
};

}  // namespace buildfarm::testing
