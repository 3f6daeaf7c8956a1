// buildfarm-scheduler on HTTPS (--web.config.file), with certificates made at test time with openssl: the
// refusal to serve plain HTTP beyond loopback, HSTS next to the page's security headers, an agent and
// build-cli verifying the scheduler against their CA file, and a wrong CA failing with an error naming it.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/eventually.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace buildfarm::testing {
namespace {

std::string Scheduler() { return BinaryPath("scheduler/server/buildfarm-scheduler"); }

TEST(SchedulerTls, PlainHttpBeyondLoopbackIsRefusedWithoutInsecureHttp) {
  TempDir dir;
  std::string config = dir.WriteFile("s.yaml", "store: {path: " + dir.Join("s.db") + "}\n");
  std::string output;
  // Refused before anything is bound.
  EXPECT_EQ(RunCommand({Scheduler(), "--config.file=" + config, "--web.listen-address=:0"}, &output), 2);
  EXPECT_NE(output.find("--insecure-http"), std::string::npos) << output;
}

TEST(SchedulerTls, ServesHttpsWithHstsAndThePageHeaders) {
  TempDir dir;
  TestPki pki;
  std::string error;
  ASSERT_TRUE(GenerateTestPki(dir.MakeDir("pki"), "b1", &pki, &error)) << error;
  std::string web = dir.WriteFile("web.yml", "tls_server_config: {cert_file: pki/server.crt, key_file: pki/server.key}\n");
  std::string config = dir.WriteFile("s.yaml", "store: {path: " + dir.Join("s.db") + "}\nweb_config_file: " + web + "\n");
  ChildProcess scheduler({Scheduler(), "--config.file=" + config, "--web.listen-address=127.0.0.1:0"},
                         dir.Join("scheduler.log"));
  ASSERT_TRUE(scheduler.Start(&error)) << error;
  auto address = scheduler.WaitForListenAddress();
  ASSERT_TRUE(address) << scheduler.Log();
  const int port = std::stoi(address->substr(address->rfind(':') + 1));

  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(pki.ca_cert.c_str());
  client.enable_server_certificate_verification(true);
  auto page = client.Get("/");
  ASSERT_TRUE(page) << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Strict-Transport-Security"), "max-age=31536000");
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->get_header_value("Referrer-Policy"), "no-referrer");
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->get_header_value("Strict-Transport-Security"), "max-age=31536000");
  EXPECT_EQ(RawHttpExchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").find("HTTP/"), std::string::npos);

  // build-cli: with the right CA the scheduler is reached (and refuses the unknown token); another CA fails
  // naming the file.
  const std::string url = "https://" + *address;
  std::string output;
  EXPECT_EQ(RunCommand({BinaryPath("cli/build-cli"), "nodes", "--url", url, "--token", "x", "--ca-file", pki.ca_cert},
                       &output),
            1);
  EXPECT_NE(output.find("token rejected (401)"), std::string::npos) << output;
  EXPECT_EQ(RunCommand({BinaryPath("cli/build-cli"), "nodes", "--url", url, "--token", "x", "--ca-file",
                        pki.other_ca_cert},
                       &output),
            1);
  EXPECT_NE(output.find("CA file " + pki.other_ca_cert), std::string::npos) << output;
}

TEST(SchedulerTls, AgentRegistersOverHttpsVerifyingItsCaFile) {
  TempDir dir;
  TestPki pki;
  std::string error;
  ASSERT_TRUE(GenerateTestPki(dir.MakeDir("pki"), "b1", &pki, &error)) << error;
  std::string web = dir.WriteFile("web.yml", "tls_server_config: {cert_file: pki/server.crt, key_file: pki/server.key}\n");
  std::string sha;
  RunCommand({"/bin/sh", "-c", "printf %s b1tok | sha256sum | cut -d' ' -f1"}, &sha);
  sha.resize(64);
  std::string config = dir.WriteFile("s.yaml", "store: {path: " + dir.Join("s.db") + "}\nweb_config_file: " + web +
                                                   "\ntokens:\n  - {name: b1, role: agent, node: b1, sha256: " + sha +
                                                   "}\n");
  ChildProcess scheduler({Scheduler(), "--config.file=" + config, "--web.listen-address=127.0.0.1:0"},
                         dir.Join("scheduler.log"));
  ASSERT_TRUE(scheduler.Start(&error)) << error;
  auto address = scheduler.WaitForListenAddress();
  ASSERT_TRUE(address) << scheduler.Log();

  std::string token = dir.WriteSecretFile("b1.token", "b1tok\n");
  auto start_agent = [&](const std::string& ca, const std::string& log) {
    std::string agent_config = dir.WriteFile("agent-" + log + ".yml",
                                             "scheduler_url: https://" + *address + "\ntoken_file: " + token +
                                                 "\nscheduler_ca_file: " + ca + "\nnode_name: b1\nworkspace: " +
                                                 dir.Join("ws-" + log) + "\nheartbeat_interval: 200ms\n");
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{BinaryPath("agent/buildfarm-agent"), "--config.file=" + agent_config,
                                 "--web.listen-address=", "--log.level=debug"},
        dir.Join(log + ".log"));
  };
  auto wrong = start_agent(pki.other_ca_cert, "wrong-ca");
  ASSERT_TRUE(wrong->Start(&error)) << error;
  EXPECT_TRUE(wrong->WaitForLogLine("CA file " + pki.other_ca_cert, 30)) << wrong->Log();
  wrong->Stop();

  auto agent = start_agent(pki.ca_cert, "right-ca");
  ASSERT_TRUE(agent->Start(&error)) << error;
  EXPECT_TRUE(agent->WaitForLogLine("msg=registered", 30)) << agent->Log();
}

}  // namespace
}  // namespace buildfarm::testing
