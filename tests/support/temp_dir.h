// TempDir: a fresh directory under the build tree's tmp/, removed with its contents on destruction.
// Each TempDir has a unique name, so tests in parallel processes never share one; one object is for
// one thread.
#pragma once

#include <string>
#include <string_view>

namespace buildfarm::testing {

class TempDir {
 public:
  TempDir();
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
