#include "exporter/procfs/kept_open_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace buildfarm {
namespace {

TEST(KeptOpenFile, RereadsTheFileFromTheStartEachTime) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("loadavg", "0.1 0.2 0.3\n");
  KeptOpenFile file(path);
  EXPECT_EQ(file.Read().value(), "0.1 0.2 0.3\n");
  EXPECT_EQ(file.Read().value(), "0.1 0.2 0.3\n");
  std::ofstream(path, std::ios::trunc) << std::string(10000, 'x');  // rewritten in place, and grown
  EXPECT_EQ(file.Read().value(), std::string(10000, 'x'));
  std::ofstream(path, std::ios::trunc) << "short";
  EXPECT_EQ(file.Read().value(), "short");
}

TEST(KeptOpenFile, MissingFileIsNotFoundAndIsRetried) {
  testing::TempDir dir;
  KeptOpenFile file(dir.path() + "/later");
  auto missing = file.Read();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("later"), std::string::npos);
  dir.WriteFile("later", "now\n");
  EXPECT_EQ(file.Read().value(), "now\n");
}

TEST(KeptOpenFile, FileOverTheCapIsAnError) {
  testing::TempDir dir;
  KeptOpenFile file(dir.WriteFile("huge", std::string(5000, 'y')), 4096);
  auto result = file.Read();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("larger than 4096"), std::string::npos);
}

}  // namespace
}  // namespace buildfarm
