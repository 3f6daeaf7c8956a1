// buildfarm-scheduler on HTTPS (--web.config.file), with certificates made at test time with openssl: the
// refusal to serve plain HTTP beyond loopback, HSTS next to the page's security headers, an agent and
// build-cli verifying the scheduler against their CA file, and a wrong CA failing with an error naming it.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/eventually.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace buildfarm::testing {
namespace {

std::string Scheduler() { return BinaryPath("scheduler/server/buildfarm-scheduler"); }

// Starts buildfarm-scheduler on 127.0.0.1:0 with `web_yaml` as its web config (paths relative to `dir`) and
// `extra_config` in its config file; the address it listens on, or nullopt (the test then fails naming the log).
std::optional<std::string> StartScheduler(const TempDir& dir, const std::string& web_yaml, const std::string& extra_config,
                                          std::unique_ptr<ChildProcess>* scheduler) {
  std::string web = dir.WriteFile("web.yml", web_yaml);
  std::string config = dir.WriteFile("s.yaml", "store: {path: " + dir.Join("s.db") + "}\nweb_config_file: " + web +
                                                   "\n" + extra_config);
  *scheduler = std::make_unique<ChildProcess>(
      std::vector<std::string>{Scheduler(), "--config.file=" + config, "--web.listen-address=127.0.0.1:0"},
      dir.Join("scheduler.log"));
  std::string error;
  if (!(*scheduler)->Start(&error)) return std::nullopt;
  return (*scheduler)->WaitForListenAddress();
}

constexpr char kServerTls[] = "tls_server_config: {cert_file: pki/server.crt, key_file: pki/server.key}\n";

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
  std::unique_ptr<ChildProcess> scheduler;
  auto address = StartScheduler(dir, kServerTls, "", &scheduler);
  ASSERT_TRUE(address) << scheduler->Log();
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
  std::string sha;
  RunCommand({"/bin/sh", "-c", "printf %s b1tok | sha256sum | cut -d' ' -f1"}, &sha);
  sha.resize(64);
  std::unique_ptr<ChildProcess> scheduler;
  auto address =
      StartScheduler(dir, kServerTls, "tokens:\n  - {name: b1, role: agent, node: b1, sha256: " + sha + "}\n", &scheduler);
  ASSERT_TRUE(address) << scheduler->Log();

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

TEST(SchedulerTls, AgentWithAClientCertificateNeedsNoToken) {
  TempDir dir;
  TestPki pki;
  std::string error;
  ASSERT_TRUE(GenerateTestPki(dir.MakeDir("pki"), "b7", &pki, &error)) << error;
  std::unique_ptr<ChildProcess> scheduler;
  auto address = StartScheduler(dir,
                                "tls_server_config: {cert_file: pki/server.crt, key_file: pki/server.key,"
                                " client_auth_type: VerifyClientCertIfGiven, client_ca_file: pki/ca.crt}\n",
                                "", &scheduler);
  ASSERT_TRUE(address) << scheduler->Log();
  // No token file, no BUILDFARM_AGENT_TOKEN: the certificate (CN and SAN b7) is the node's identity.
  ChildProcess agent({BinaryPath("agent/buildfarm-agent"), "--scheduler.url=https://" + *address,
                      "--scheduler.ca-file=" + pki.ca_cert, "--scheduler.cert-file=" + pki.client_cert,
                      "--scheduler.key-file=" + pki.client_key, "--node.name=b7", "--workspace=" + dir.Join("ws"),
                      "--heartbeat.interval=200ms", "--web.listen-address=", "--log.level=debug"},
                     dir.Join("agent.log"));
  ASSERT_TRUE(agent.Start(&error)) << error;
  EXPECT_TRUE(agent.WaitForLogLine("msg=registered", 30)) << agent.Log() << scheduler->Log();
  // The certificate names b7 only: registering as another node is refused.
  ChildProcess impostor({BinaryPath("agent/buildfarm-agent"), "--scheduler.url=https://" + *address,
                         "--scheduler.ca-file=" + pki.ca_cert, "--scheduler.cert-file=" + pki.client_cert,
                         "--scheduler.key-file=" + pki.client_key, "--node.name=b8", "--workspace=" + dir.Join("ws8"),
                         "--web.listen-address=", "--log.level=debug"},
                        dir.Join("impostor.log"));
  ASSERT_TRUE(impostor.Start(&error)) << error;
  EXPECT_TRUE(impostor.WaitForLogLine("register failed", 30)) << impostor.Log();
  EXPECT_FALSE(impostor.WaitForLogLine("msg=registered", 1)) << impostor.Log();
}

}  // namespace
}  // namespace buildfarm::testing
