// HttpServer with a web config's tls_server_config over real loopback sockets, against certificates made at
// test time with openssl: HTTPS with HSTS and the configured headers, plain HTTP and TLS 1.0/1.1 refused, the
// handshake bound by the header deadline, basic auth, client certificates (mTLS) and their identity.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/http_client.h"
#include "common/http_server.h"
#include "common/tls_server.h"
#include "common/web_config.h"
#include "tests/support/process.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace buildfarm {
namespace {

using testing::TestPki;

int PortOf(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

class TlsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    pki_ = new TestPki();
    std::string error;
    pki_ok_ = testing::GenerateTestPki(dir_->path(), "node-7", pki_, &error);
    if (!pki_ok_) pki_error_ = new std::string(error);
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(pki_ok_) << *pki_error_; }

  // Starts a server on 127.0.0.1:0 with `web` (TLS on the test PKI's server certificate unless changed).
  void StartServer(WebConfig web, HttpServerOptions options = {}) {
    options.listen_addresses = {"127.0.0.1:0"};
    options.web_config = std::make_shared<WebConfig>(std::move(web));
    server_ = std::make_unique<HttpServer>(log_, options);
    server_->Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    server_->Get("/whoami", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(VerifiedClientName(req).value_or("(none)"), "text/plain");
    });
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    port_ = PortOf(server_->BoundAddresses()[0]);
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
      server_->Wait();
    }
  }

  static WebConfig Tls() {
    WebConfig web;
    web.tls_enabled = true;
    web.tls.cert_file = pki_->server_cert;
    web.tls.key_file = pki_->server_key;
    return web;
  }

  std::unique_ptr<httplib::SSLClient> Client(const std::string& ca, bool with_client_cert = false) {
    auto client = with_client_cert ? std::make_unique<httplib::SSLClient>("127.0.0.1", port_, pki_->client_cert,
                                                                          pki_->client_key)
                                   : std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
    client->set_ca_cert_path(ca.c_str());
    client->enable_server_certificate_verification(true);
    client->set_read_timeout(std::chrono::seconds(30));
    return client;
  }

  // Runs openssl s_client against the server with `args`; returns its exit code and output.
  int SClient(const std::vector<std::string>& args, std::string* output) {
    std::vector<std::string> argv = {"sh", "-c", ""};
    std::string command = "openssl s_client -connect 127.0.0.1:" + std::to_string(port_) + " -CAfile " +
                          pki_->ca_cert + " -verify_return_error";
    for (const auto& arg : args) command += " " + arg;
    argv[2] = command + " </dev/null 2>&1";
    return testing::RunCommand(argv, output, 60);
  }

  Logger log_{LogLevel::kError};
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  static testing::TempDir* dir_;
  static TestPki* pki_;
  static bool pki_ok_;
  static std::string* pki_error_;
};

testing::TempDir* TlsServerTest::dir_ = nullptr;
TestPki* TlsServerTest::pki_ = nullptr;
bool TlsServerTest::pki_ok_ = false;
std::string* TlsServerTest::pki_error_ = nullptr;

TEST_F(TlsServerTest, ServesHttpsWithHstsAndConfiguredHeaders) {
  WebConfig web = Tls();
  web.headers = {{"X-Frame-Options", "deny"}};
  StartServer(web);
  auto result = Client(pki_->ca_cert)->Get("/");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "ok\n");
  EXPECT_EQ(result->get_header_value("Strict-Transport-Security"), "max-age=31536000");
  EXPECT_EQ(result->get_header_value("X-Frame-Options"), "deny");
  // Also on answers httplib writes itself.
  auto missing = Client(pki_->ca_cert)->Get("/no-such-page");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("Strict-Transport-Security"), "max-age=31536000");
}

TEST_F(TlsServerTest, PlainHttpToTheTlsPortGetsNoHttpAnswer) {
  StartServer(Tls());
  std::string answer = testing::RawHttpExchange(port_, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(answer.find("HTTP/"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("ok"), std::string::npos) << answer;
  httplib::Client plain("127.0.0.1", port_);
  plain.set_read_timeout(std::chrono::seconds(30));
  EXPECT_FALSE(plain.Get("/"));
}

TEST_F(TlsServerTest, RefusesTls10And11) {
  StartServer(Tls());
  std::string output;
  // SECLEVEL=0 lets the client offer the old versions, so a refusal is the server's (a protocol_version alert).
  for (const std::string version : {"-tls1", "-tls1_1"}) {
    EXPECT_NE(SClient({version, "-cipher", "DEFAULT@SECLEVEL=0"}, &output), 0) << version << ": " << output;
    EXPECT_NE(output.find("alert protocol version"), std::string::npos) << version << ": " << output;
  }
  EXPECT_EQ(SClient({"-tls1_2"}, &output), 0) << output;
  EXPECT_NE(output.find("TLSv1.2"), std::string::npos) << output;
  EXPECT_EQ(SClient({"-tls1_3"}, &output), 0) << output;
}

TEST_F(TlsServerTest, MinVersionTls13RefusesTls12) {
  WebConfig web = Tls();
  web.tls.min_tls13 = true;
  StartServer(web);
  std::string output;
  EXPECT_NE(SClient({"-tls1_2"}, &output), 0) << output;
  EXPECT_EQ(SClient({"-tls1_3"}, &output), 0) << output;
}

TEST_F(TlsServerTest, SlowHandshakeIsClosedAtTheHeaderDeadline) {
  HttpServerOptions options;
  options.read_timeout_seconds = 120;  // far beyond the client's wait: only the header deadline can close it
  options.transport.header_timeout_seconds = 1;
  StartServer(Tls(), options);
  testing::RawClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(std::string("\x16\x03\x01", 3)));  // the first bytes of a ClientHello, then nothing
  bool closed = false;
  std::string answer = client.ReadAll(std::chrono::seconds(60), &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(answer.empty()) << answer;
}

TEST_F(TlsServerTest, ClientWithAnotherCaFailsVerification) {
  StartServer(Tls());
  auto result = Client(pki_->other_ca_cert)->Get("/");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), httplib::Error::SSLServerVerification);
}

TEST_F(TlsServerTest, BasicAuthOverTls) {
  WebConfig web = Tls();
  // bcrypt of "s3cret" (cost 4), made with libxcrypt.
  web.basic_auth_users = {{"prometheus", "$2b$04$g/4M1ytLFQaYmLrKbQBhBex7.zmaW6ZCAYhVSoBsWPGODd28agjGi"}};
  StartServer(web);
  auto client = Client(pki_->ca_cert);
  auto anonymous = client->Get("/");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_NE(anonymous->get_header_value("WWW-Authenticate").find("Basic"), std::string::npos);
  client->set_basic_auth("prometheus", "wrong");
  auto wrong = client->Get("/");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->body.find("ok"), std::string::npos);
  client->set_basic_auth("prometheus", "s3cret");
  auto right = client->Get("/");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
}

TEST_F(TlsServerTest, RequiredClientCertificateNamesTheClient) {
  WebConfig web = Tls();
  web.tls.client_auth_type = ClientAuthType::kRequireAndVerifyClientCert;
  web.tls.client_ca_file = pki_->ca_cert;
  StartServer(web);
  EXPECT_FALSE(Client(pki_->ca_cert)->Get("/whoami"));  // no certificate: no handshake
  auto result = Client(pki_->ca_cert, /*with_client_cert=*/true)->Get("/whoami");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->body, "node-7");
}

TEST_F(TlsServerTest, UnverifiedClientCertificateIsNoIdentity) {
  WebConfig web = Tls();
  web.tls.client_auth_type = ClientAuthType::kRequireAnyClientCert;
  StartServer(web);
  auto result = Client(pki_->ca_cert, /*with_client_cert=*/true)->Get("/whoami");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->body, "(none)");
}

TEST_F(TlsServerTest, BadCertificateFileIsAStartErrorNamingIt) {
  WebConfig web = Tls();
  web.tls.cert_file = dir_->Join("missing.crt");
  HttpServerOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.web_config = std::make_shared<WebConfig>(web);
  HttpServer server(log_, options);
  Status started = server.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.ToString().find("missing.crt"), std::string::npos) << started.ToString();
  EXPECT_NE(started.ToString().find("cert_file"), std::string::npos) << started.ToString();
}

TEST_F(TlsServerTest, HttpClientVerifiesAgainstItsCaFile) {
  StartServer(Tls());
  const std::string url = "https://127.0.0.1:" + std::to_string(port_);
  auto trusted = HttpClient::Create(url, "", 5, 30, 30, TlsClientOptions{.ca_file = pki_->ca_cert});
  ASSERT_TRUE(trusted.ok()) << trusted.status().ToString();
  auto ok = (*trusted)->Get("/");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);

  auto wrong_ca = HttpClient::Create(url, "", 5, 30, 30, TlsClientOptions{.ca_file = pki_->other_ca_cert});
  ASSERT_TRUE(wrong_ca.ok());
  auto refused = (*wrong_ca)->Get("/");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("CA file " + pki_->other_ca_cert), std::string::npos)
      << refused.status().ToString();

  // Without a CA file the system store is used, which does not know the test CA.
  auto system_store = HttpClient::Create(url, "");
  ASSERT_TRUE(system_store.ok());
  auto unknown = (*system_store)->Get("/");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("system CA store"), std::string::npos) << unknown.status().ToString();
}

TEST_F(TlsServerTest, HttpClientMissingFilesAreNamed) {
  auto missing = HttpClient::Create("https://127.0.0.1:1", "", 5, 30, 30,
                                    TlsClientOptions{.ca_file = dir_->Join("nope.crt")});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("ca_file " + dir_->Join("nope.crt")), std::string::npos);
  auto half = HttpClient::Create("https://127.0.0.1:1", "", 5, 30, 30, TlsClientOptions{.cert_file = pki_->client_cert});
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("key_file"), std::string::npos);
}

TEST_F(TlsServerTest, HttpClientPresentsItsClientCertificate) {
  WebConfig web = Tls();
  web.tls.client_auth_type = ClientAuthType::kRequireAndVerifyClientCert;
  web.tls.client_ca_file = pki_->ca_cert;
  StartServer(web);
  const std::string url = "https://127.0.0.1:" + std::to_string(port_);
  auto with_cert = HttpClient::Create(
      url, "", 5, 30, 30,
      TlsClientOptions{.ca_file = pki_->ca_cert, .cert_file = pki_->client_cert, .key_file = pki_->client_key});
  ASSERT_TRUE(with_cert.ok());
  auto who = (*with_cert)->Get("/whoami");
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->body, "node-7");
  auto without = HttpClient::Create(url, "", 5, 30, 30, TlsClientOptions{.ca_file = pki_->ca_cert});
  ASSERT_TRUE(without.ok());
  auto refused = (*without)->Get("/whoami");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("client certificate"), std::string::npos) << refused.status().ToString();
}

}  // namespace
}  // namespace buildfarm
