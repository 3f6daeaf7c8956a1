#include "tests/support/temp_dir.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace buildfarm::testing {

TempDir::TempDir(TempDirBase where) {
  std::filesystem::path base = where == TempDirBase::kSystemTemp ? std::filesystem::temp_directory_path()
                                                                 : std::filesystem::path(BUILDFARM_BINARY_DIR) / "tmp";
  std::filesystem::create_directories(base);
  std::string pattern = (base / "test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::WriteFile(std::string_view relative, std::string_view contents) const {
  std::filesystem::path file = std::filesystem::path(path_) / relative;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  return file.string();
}

std::string TempDir::WriteSecretFile(std::string_view relative, std::string_view contents) const {
  std::string file = WriteFile(relative, contents);
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  return file;
}

std::string TempDir::MakeDir(std::string_view relative) const {
  std::filesystem::path dir = std::filesystem::path(path_) / relative;
  std::filesystem::create_directories(dir);
  return dir.string();
}

void TempDir::Symlink(std::string_view target, std::string_view relative) const {
  std::filesystem::path link = std::filesystem::path(path_) / relative;
  std::filesystem::create_directories(link.parent_path());
  std::filesystem::create_symlink(std::filesystem::path(target), link);
}

}  // namespace buildfarm::testing
