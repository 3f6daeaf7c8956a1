// The web-config.yml parser (exporter-toolkit format): a table of bad inputs, each refused with an error
// naming its key; good files parse; basic auth is checked against real bcrypt hashes with libxcrypt.
#include "common/web_config.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.h"

namespace buildfarm {
namespace {

// bcrypt of "s3cret" (cost 4), made once with libxcrypt (python3 crypt.METHOD_BLOWFISH).
constexpr char kHash2b[] = "$2b$04$g/4M1ytLFQaYmLrKbQBhBex7.zmaW6ZCAYhVSoBsWPGODd28agjGi";
constexpr char kHash2y[] = "$2y$04$g/4M1ytLFQaYmLrKbQBhBex7.zmaW6ZCAYhVSoBsWPGODd28agjGi";

struct BadCase {
  const char* name;
  const char* yaml;
  const char* key;  // must appear in the error
};

class WebConfigBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(WebConfigBadInput, IsRefusedNamingTheKey) {
  auto parsed = ParseWebConfig(GetParam().yaml, "web.yml");
  ASSERT_FALSE(parsed.ok()) << GetParam().name;
  EXPECT_NE(parsed.status().message().find(GetParam().key), std::string::npos)
      << GetParam().name << ": " << parsed.status().message();
  EXPECT_NE(parsed.status().message().find("web.yml"), std::string::npos) << parsed.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, WebConfigBadInput,
    ::testing::Values(
        BadCase{"unknown_top", "tls_config: {}\n", "tls_config"},
        BadCase{"not_a_map", "- a\n- b\n", "(document)"},
        BadCase{"tls_not_map", "tls_server_config: 3\n", "tls_server_config"},
        BadCase{"tls_unknown", "tls_server_config: {cert_file: a, key_file: b, cipher: x}\n", "tls_server_config.cipher"},
        BadCase{"no_cert", "tls_server_config: {key_file: b}\n", "tls_server_config.cert_file"},
        BadCase{"no_key", "tls_server_config: {cert_file: a}\n", "tls_server_config.key_file"},
        BadCase{"cert_list", "tls_server_config: {cert_file: [a], key_file: b}\n", "tls_server_config.cert_file"},
        BadCase{"bad_auth_type", "tls_server_config: {cert_file: a, key_file: b, client_auth_type: Always}\n",
                "tls_server_config.client_auth_type"},
        BadCase{"verify_without_ca",
                "tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireAndVerifyClientCert}\n",
                "tls_server_config.client_ca_file"},
        BadCase{"ca_without_verify", "tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}\n",
                "tls_server_config.client_auth_type"},
        BadCase{"tls11", "tls_server_config: {cert_file: a, key_file: b, min_version: TLS11}\n",
                "tls_server_config.min_version"},
        BadCase{"tls10", "tls_server_config: {cert_file: a, key_file: b, min_version: TLS10}\n",
                "tls_server_config.min_version"},
        BadCase{"http_unknown", "http_server_config: {http2: true}\n", "http_server_config.http2"},
        BadCase{"headers_list", "http_server_config: {headers: [a]}\n", "http_server_config.headers"},
        BadCase{"header_name", "http_server_config: {headers: {\"X Bad\": v}}\n", "http_server_config.headers.X Bad"},
        BadCase{"header_reserved", "http_server_config: {headers: {Content-Length: \"3\"}}\n",
                "http_server_config.headers.Content-Length"},
        BadCase{"header_hsts", "http_server_config: {headers: {Strict-Transport-Security: max-age=1}}\n",
                "http_server_config.headers.Strict-Transport-Security"},
        BadCase{"header_newline", "http_server_config: {headers: {X-A: \"a\\r\\nSet-Cookie: x\"}}\n",
                "http_server_config.headers.X-A"},
        BadCase{"users_list", "basic_auth_users: [alice]\n", "basic_auth_users"},
        BadCase{"plain_password", "basic_auth_users: {alice: s3cret}\n", "basic_auth_users.alice"},
        BadCase{"md5_hash", "basic_auth_users: {alice: \"$1$abc$0123456789012345678901\"}\n", "basic_auth_users.alice"},
        BadCase{"user_colon", "basic_auth_users: {\"a:b\": \"$2b$04$g/4M1ytLFQaYmLrKbQBhBex7.zmaW6ZCAYhVSoBsWPGODd28agjGi\"}\n",
                "basic_auth_users.a:b"},
        BadCase{"not_yaml", "tls_server_config: {cert_file: [\n", "not valid YAML"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(WebConfig, EmptyFileIsPlainHttp) {
  auto parsed = ParseWebConfig("", "web.yml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE(parsed->tls_enabled);
  EXPECT_TRUE(parsed->basic_auth_users.empty());
}

TEST(WebConfig, FullFileParses) {
  auto parsed = ParseWebConfig(std::string("tls_server_config:\n  cert_file: s.crt\n  key_file: s.key\n"
                                           "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n"
                                           "  min_version: TLS13\n"
                                           "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
                                           "basic_auth_users:\n  alice: ") + kHash2b + "\n",
                               "web.yml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->tls_enabled);
  EXPECT_EQ(parsed->tls.client_auth_type, ClientAuthType::kVerifyClientCertIfGiven);
  EXPECT_TRUE(parsed->tls.min_tls13);
  EXPECT_EQ(parsed->headers.at("X-Frame-Options"), "deny");
  EXPECT_EQ(parsed->basic_auth_users.at("alice"), kHash2b);
}

TEST(WebConfig, FileResolvesPathsNextToIt) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("conf/web.yml", "tls_server_config: {cert_file: s.crt, key_file: /abs/s.key}\n");
  auto loaded = LoadWebConfigFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->tls.cert_file, dir.Join("conf/s.crt"));
  EXPECT_EQ((*loaded)->tls.key_file, "/abs/s.key");
}

TEST(WebConfig, MissingFileNamesIt) {
  auto loaded = LoadWebConfigFile("/nonexistent/web.yml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().ToString().find("/nonexistent/web.yml"), std::string::npos);
}

TEST(WebConfig, BasicAuthChecksBcrypt) {
  WebConfig config;
  config.basic_auth_users = {{"alice", kHash2b}, {"bob", kHash2y}};
  // base64("alice:s3cret"), base64("bob:s3cret"), base64("alice:wrong"), base64("carol:s3cret")
  EXPECT_TRUE(CheckBasicAuth(config, "Basic YWxpY2U6czNjcmV0"));
  EXPECT_TRUE(CheckBasicAuth(config, "Basic Ym9iOnMzY3JldA=="));
  EXPECT_FALSE(CheckBasicAuth(config, "Basic YWxpY2U6d3Jvbmc="));
  EXPECT_FALSE(CheckBasicAuth(config, "Basic Y2Fyb2w6czNjcmV0"));
  EXPECT_FALSE(CheckBasicAuth(config, "Bearer YWxpY2U6czNjcmV0"));
  EXPECT_FALSE(CheckBasicAuth(config, "Basic !!!!"));
  EXPECT_FALSE(CheckBasicAuth(config, ""));
}

}  // namespace
}  // namespace buildfarm
