#include "common/git_publisher/secret_redaction.h"

#include <gtest/gtest.h>

#include "common/git_publisher/secret_guard.h"

namespace buildfarm::git_publisher {
namespace {

using nlohmann::json;

// Built from pieces so that this file itself does not look like it holds a credential.
const std::string kPassword = "hunter2" + std::string("x");
const std::string kGithub = "ghp_" + std::string("aB3daB3daB3daB3daB3daB3daB3daB3daB3d");

TEST(SecretRedaction, CleanEntryIsLeftAsItIs) {
  json entry{{"id", "j1"}, {"command", "make test"}, {"selector", {{"os", "linux"}}}};
  const json before = entry;
  EXPECT_TRUE(RedactLikelySecrets(entry).empty());
  EXPECT_EQ(entry, before);
}

TEST(SecretRedaction, StringFieldBecomesTheMarkerOtherFieldsGo) {
  json entry{{"id", "j2"},
             {"command", "PGPASSWORD=" + kPassword + " psql"},
             {"selector", {{"token", kGithub}}},
             {"branch", "main"}};
  auto redactions = RedactLikelySecrets(entry);
  ASSERT_EQ(redactions.size(), 2u);
  EXPECT_EQ(redactions[0].field, "command");
  EXPECT_EQ(redactions[0].reason, "password");
  EXPECT_EQ(redactions[1].field, "selector");
  EXPECT_EQ(redactions[1].reason, "github_token");
  EXPECT_EQ(entry.value("command", ""), RedactedMarker("password"));
  EXPECT_FALSE(entry.contains("selector"));
  EXPECT_EQ(entry.value("branch", ""), "main");
  EXPECT_EQ(entry.value("id", ""), "j2");
  EXPECT_FALSE(FindLikelySecret(entry.dump(2)).has_value());
}

// A key and a value that only together read as a secret: "password" as a key in an object.
TEST(SecretRedaction, SecretInAKeyRemovesTheField) {
  json entry{{"id", "j3"}, {"selector", {{"password", kPassword}}}};
  auto redactions = RedactLikelySecrets(entry);
  ASSERT_EQ(redactions.size(), 1u);
  EXPECT_EQ(redactions[0].field, "selector");
  EXPECT_FALSE(entry.contains("selector"));
}

TEST(SecretRedaction, EntryThatIsNotAnObjectMustBeDropped) {
  json entry = "token: " + std::string("Ab12Cd34Ef56Gh78Ij90Kl12");
  auto redactions = RedactLikelySecrets(entry);
  ASSERT_EQ(redactions.size(), 1u);
  EXPECT_TRUE(redactions[0].field.empty());
  EXPECT_EQ(redactions[0].reason, "labelled_token");
}

}  // namespace
}  // namespace buildfarm::git_publisher
