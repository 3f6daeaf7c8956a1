// ReadSecretFile: a token file is read only when its owner alone can read it.
#include "common/secret_file.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace buildfarm {
namespace {

struct ModeCase {
  mode_t mode;
  bool accepted;
};

TEST(SecretFileTest, OnlyOwnerReadableFilesAreRead) {
  const ModeCase cases[] = {{0600, true}, {0400, true}, {0700, true}, {0640, false},
                            {0604, false}, {0644, false}, {0660, false}, {0666, false}};
  testing::TempDir dir;
  for (const ModeCase& c : cases) {
    SCOPED_TRACE(c.mode);
    std::string path = dir.WriteFile("token", "  s3cret-value \n");
    ASSERT_EQ(::chmod(path.c_str(), c.mode), 0);
    auto secret = ReadSecretFile(path, "--scheduler.token-file");
    EXPECT_EQ(secret.ok(), c.accepted) << (secret.ok() ? "" : secret.status().message());
    if (secret.ok()) {
      EXPECT_EQ(*secret, "s3cret-value");
    } else {
      EXPECT_NE(secret.status().message().find("--scheduler.token-file " + path), std::string::npos);
      EXPECT_NE(secret.status().message().find("chmod 600"), std::string::npos);
      EXPECT_EQ(secret.status().message().find("s3cret"), std::string::npos);
    }
  }
}

TEST(SecretFileTest, MissingEmptyAndDirectoryAreNamed) {
  testing::TempDir dir;
  auto missing = ReadSecretFile(dir.Join("nope"), "publish.token_file");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("publish.token_file " + dir.Join("nope")), std::string::npos);

  std::string empty = dir.WriteFile("empty", " \n");
  ::chmod(empty.c_str(), 0600);
  auto blank = ReadSecretFile(empty, "token file");
  ASSERT_FALSE(blank.ok());
  EXPECT_NE(blank.status().message().find("is empty"), std::string::npos);

  auto folder = ReadSecretFile(dir.path(), "token file");
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.status().message().find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace buildfarm
