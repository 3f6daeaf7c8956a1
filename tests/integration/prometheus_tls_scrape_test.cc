// Real Prometheus (Debian's) scrapes buildfarm-exporter over TLS with basic auth, with certificates made at
// test time with openssl: the right CA and password scrape, a wrong password gets 401, and a CA that did not
// sign the exporter's certificate fails the scrape.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <string>

#include "tests/integration/exporter_harness.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace buildfarm::testing {
namespace {

constexpr char kPrometheus[] = "/usr/bin/prometheus";
// bcrypt of "s3cret" (cost 4), made with libxcrypt.
constexpr char kHash[] = "$2b$04$g/4M1ytLFQaYmLrKbQBhBex7.zmaW6ZCAYhVSoBsWPGODd28agjGi";

// The scrape job `job`'s target health and last error from Prometheus's /api/v1/targets.
bool TargetState(const std::string& prometheus, const std::string& job, std::string* health, std::string* error) {
  HttpReply reply = HttpGet(prometheus, "/api/v1/targets", {}, 10);
  if (reply.status != 200) return false;
  auto doc = nlohmann::json::parse(reply.body, nullptr, false);
  if (doc.is_discarded()) return false;
  for (const auto& target : doc["data"]["activeTargets"]) {
    if (target["labels"].value("job", "") != job) continue;
    *health = target.value("health", "");
    *error = target.value("lastError", "");
    return *health != "unknown";
  }
  return false;
}

std::string Job(const std::string& name, const std::string& target, const std::string& ca, const std::string& password) {
  return "  - job_name: " + name + "\n    scheme: https\n    tls_config: {ca_file: '" + ca + "'}\n" +
         "    basic_auth: {username: prometheus, password: '" + password + "'}\n" +
         "    static_configs: [{targets: ['" + target + "']}]\n";
}

TEST(PrometheusTlsScrape, RightCaAndPasswordScrapeWrongOnesFail) {
  ASSERT_TRUE(HaveProgram(kPrometheus)) << "prometheus is missing; deploy/install-deps.sh installs it";
  TempDir dir;
  TestPki pki;
  std::string error;
  ASSERT_TRUE(GenerateTestPki(dir.MakeDir("pki"), "prometheus", &pki, &error)) << error;
  std::string web = dir.WriteFile("web.yml", "tls_server_config:\n  cert_file: " + pki.server_cert +
                                                 "\n  key_file: " + pki.server_key +
                                                 "\nbasic_auth_users:\n  prometheus: " + kHash + "\n");
  std::vector<std::string> args = FixturePathFlags();
  args.push_back("--web.config.file=" + web);
  RunningProgram exporter = StartExporter(args);
  ASSERT_FALSE(exporter.address.empty());

  // The exporter itself: 401 for a wrong password, plain HTTP gets nothing.
  httplib::SSLClient client("127.0.0.1", std::stoi(exporter.address.substr(exporter.address.rfind(':') + 1)));
  client.set_ca_cert_path(pki.ca_cert.c_str());
  client.enable_server_certificate_verification(true);
  client.set_basic_auth("prometheus", "wrong");
  auto wrong = client.Get("/metrics");
  ASSERT_TRUE(wrong) << httplib::to_string(wrong.error());
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(HttpGet(exporter.address, "/metrics", {}, 10).status, -1);

  std::string config = dir.WriteFile("prometheus.yml", "global:\n  scrape_interval: 1s\nscrape_configs:\n" +
                                                           Job("good", exporter.address, pki.ca_cert, "s3cret") +
                                                           Job("badpass", exporter.address, pki.ca_cert, "wrong") +
                                                           Job("badca", exporter.address, pki.other_ca_cert, "s3cret"));
  RunningProgram prometheus = StartOnPortZero({kPrometheus, "--config.file=" + config,
                                               "--storage.tsdb.path=" + dir.MakeDir("data"),
                                               "--web.listen-address=127.0.0.1:0"});
  ASSERT_FALSE(prometheus.address.empty());
  std::string health, last_error;
  ASSERT_TRUE(Eventually([&] { return TargetState(prometheus.address, "good", &health, &last_error); }, 60,
                         "Prometheus scraping the good job"));
  EXPECT_EQ(health, "up") << last_error;
  ASSERT_TRUE(Eventually([&] { return TargetState(prometheus.address, "badpass", &health, &last_error); }, 60,
                         "Prometheus scraping the wrong-password job"));
  EXPECT_EQ(health, "down");
  EXPECT_NE(last_error.find("401"), std::string::npos) << last_error;
  ASSERT_TRUE(Eventually([&] { return TargetState(prometheus.address, "badca", &health, &last_error); }, 60,
                         "Prometheus scraping the wrong-CA job"));
  EXPECT_EQ(health, "down");
  EXPECT_NE(last_error.find("certificate"), std::string::npos) << last_error;
}

}  // namespace
}  // namespace buildfarm::testing
