#include "common/git_publisher/secret_guard.h"

#include <gtest/gtest.h>

#include <string>

namespace buildfarm::git_publisher {
namespace {

struct Case {
  const char* name;
  std::string text;
  const char* reason;  // nullptr: must not be refused
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

// Built from pieces so that this file itself does not look like it holds a credential.
std::string Repeat(const std::string& unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += unit;
  return out;
}

const Case kCases[] = {
    {"password_yaml", "db:\n  password: hunter2\n", "password"},
    {"password_equals", "export DB_PASSWORD=s3cr3t!", "password"},
    {"password_json", R"({"user": "ci", "password": "correct-horse"})", "password"},
    {"password_in_url_query", "https://host/login?user=a&password=letmein", "password"},
    {"github_classic", "token ghp_" + Repeat("aB3d", 9) + " in a message", "github_token"},
    {"github_oauth", "gho_" + Repeat("Z9y8", 9), "github_token"},
    {"github_server", "\"ghs_" + Repeat("q1W2", 10) + "\"", "github_token"},
    {"github_user", "ghu_" + Repeat("0a", 18), "github_token"},
    {"github_fine_grained", "github_pat_11ABCDEFG0" + Repeat("x_Y1", 12), "github_token"},
    {"aws_access_key_id", "aws key AKIA" + std::string("IOSFODNN7EXAMPLE") + " here", "aws_access_key_id"},
    {"aws_session_key_id", "ASIA" + std::string("Z2X3C4V5B6N7M8Q9"), "aws_access_key_id"},
    {"aws_secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_key"},
    {"slack_bot", "xoxb-" + std::string("123456789012-1234567890123-AbCdEfGhIjKl"), "slack_token"},
    {"slack_user", "see xoxp-" + std::string("98765-43210-abcdef"), "slack_token"},
    {"rsa_private_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----\n", "private_key"},
    {"openssh_private_key", "x\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", "private_key"},
    {"labelled_token", R"({"api_token": "f3a9c1e07b5d4a2c9e8f7a6b5c4d3e2f"})", "labelled_token"},
    {"labelled_secret", "client_secret: 9Zq3mT7vXk2LpR8sWn4Yb6Hc", "labelled_token"},
    {"labelled_api_key", "API_KEY=Ab12Cd34Ef56Gh78Ij90Kl12", "labelled_token"},

    // Ordinary text that must pass.
    {"password_policy_prose", "Our password policy requires 12 characters; rotate your password yearly.", nullptr},
    {"password_colon_prose", "Forgot your password: ask the admin on call.", nullptr},
    {"password_key_in_json_name", R"({"password_policy": "strong", "passwordless": true})", nullptr},
    {"password_placeholder", "password: ********\npassword=\npassword: null\npassword: $DB_PASSWORD", nullptr},
    {"token_bucket_prose", "The token bucket refills at 10 tokens per second.", nullptr},
    {"low_entropy_token_value", "token: aaaaaaaaaaaaaaaaaaaaaaaaaaaa", nullptr},
    {"short_token_value", "token_count: 12", nullptr},
    {"words_as_secret", "secret: the-build-cache-lives-in-vault", nullptr},
    {"github_prefix_too_short", "ghp_short and gho_ are prefixes", nullptr},
    {"akia_in_word", "XAKIAIOSFODNN7EXAMPLEX", nullptr},
    {"begin_certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", nullptr},
    {"status_document", R"({"server_id":"build1","status":"online","timestamp":"2026-11-27T00:00:00Z",)"
                        R"("system":{"cpu_usage":12.5}})", nullptr},
    {"git_commit_ids", "merged 3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a into main", nullptr},
};

class SecretGuardTest : public ::testing::TestWithParam<Case> {};

TEST_P(SecretGuardTest, FindsTheShapeOrPassesTheText) {
  const Case& c = GetParam();
  auto finding = FindLikelySecret(c.text);
  if (c.reason == nullptr) {
    EXPECT_FALSE(finding.has_value()) << c.text << " refused as " << finding->reason;
  } else {
    ASSERT_TRUE(finding.has_value()) << c.text;
    EXPECT_EQ(finding->reason, c.reason) << c.text;
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, SecretGuardTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SecretGuard, EveryReasonIsListedForTheMetrics) {
  for (const Case& c : kCases) {
    if (c.reason == nullptr) continue;
    bool listed = false;
    for (const auto& reason : SecretReasons()) listed = listed || reason == c.reason;
    EXPECT_TRUE(listed) << c.reason;
  }
}

TEST(SecretGuard, ReportsWhereTheSecretStarts) {
  std::string text = "note: ghp_" + Repeat("aB3d", 9);
  auto finding = FindLikelySecret(text);
  ASSERT_TRUE(finding.has_value());
  EXPECT_EQ(finding->offset, 6u);
}

}  // namespace
}  // namespace buildfarm::git_publisher
