// HttpServer over real loopback sockets: the in-flight limit (--web.max-requests) answers 503 while
// the allowed requests are busy, and frees the slot when they finish; bound addresses are reported.
#include "common/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "tests/support/gate.h"

namespace buildfarm {
namespace {

using testing::Gate;

int PortOf(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

int GetStatus(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(30));
  auto result = client.Get(path);
  return result ? result->status : -1;
}

class HttpServerTest : public ::testing::Test {
 protected:
  Logger log_{LogLevel::kError};
};

TEST_F(HttpServerTest, RequestsBeyondTheLimitGet503) {
  HttpServerOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.max_requests = 1;
  HttpServer server(log_, options);
  Gate gate;
  server.Get("/slow", [&gate](const httplib::Request&, httplib::Response& res) {
    gate.Enter();
    res.set_content("done\n", "text/plain");
  });
  server.Get("/fast", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  ASSERT_TRUE(server.Start().ok());
  ASSERT_EQ(server.BoundAddresses().size(), 1u);
  const int port = PortOf(server.BoundAddresses()[0]);

  auto slow = std::async(std::launch::async, [port] { return GetStatus(port, "/slow"); });
  ASSERT_TRUE(gate.WaitEntered(1));
  EXPECT_EQ(GetStatus(port, "/fast"), 503);
  EXPECT_EQ(GetStatus(port, "/slow"), 503);  // rejected before its handler runs, so it does not block
  gate.Release();
  EXPECT_EQ(slow.get(), 200);
  EXPECT_EQ(GetStatus(port, "/fast"), 200);  // the slot is free again
  server.Stop();
  server.Wait();
}

TEST_F(HttpServerTest, ZeroMeansUnlimited) {
  HttpServerOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.max_requests = 0;
  HttpServer server(log_, options);
  Gate gate;
  server.Get("/slow", [&gate](const httplib::Request&, httplib::Response& res) {
    gate.Enter();
    res.set_content("done\n", "text/plain");
  });
  ASSERT_TRUE(server.Start().ok());
  const int port = PortOf(server.BoundAddresses()[0]);
  auto first = std::async(std::launch::async, [port] { return GetStatus(port, "/slow"); });
  auto second = std::async(std::launch::async, [port] { return GetStatus(port, "/slow"); });
  ASSERT_TRUE(gate.WaitEntered(2));
  gate.Release();
  EXPECT_EQ(first.get(), 200);
  EXPECT_EQ(second.get(), 200);
  server.Stop();
  server.Wait();
}

TEST_F(HttpServerTest, ReportsEveryBoundAddress) {
  HttpServerOptions options;
  options.listen_addresses = {"127.0.0.1:0", "127.0.0.1:0"};
  HttpServer server(log_, options);
  ASSERT_TRUE(server.Start().ok());
  auto bound = server.BoundAddresses();
  ASSERT_EQ(bound.size(), 2u);
  EXPECT_NE(bound[0], bound[1]);
  EXPECT_EQ(bound[0].rfind("127.0.0.1:", 0), 0u);
  server.Stop();
  server.Wait();
}

TEST_F(HttpServerTest, BusyPortIsAnErrorNotASharedPort) {
  HttpServerOptions first_options;
  first_options.listen_addresses = {"127.0.0.1:0"};
  HttpServer first(log_, first_options);
  ASSERT_TRUE(first.Start().ok());
  HttpServerOptions second_options;
  second_options.listen_addresses = {first.BoundAddresses()[0]};
  HttpServer second(log_, second_options);
  Status started = second.Start();
  EXPECT_FALSE(started.ok());
  EXPECT_NE(started.message().find(first.BoundAddresses()[0]), std::string::npos) << started.message();
  first.Stop();
  first.Wait();
}

TEST(SplitHostPortTest, Forms) {
  std::string host;
  int port = -1;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:9100", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9100);
  ASSERT_TRUE(SplitHostPort(":9100", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");  // every interface
  EXPECT_EQ(port, 9100);
  ASSERT_TRUE(SplitHostPort("[::1]:0", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  EXPECT_FALSE(SplitHostPort("127.0.0.1", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort("127.0.0.1:http", &host, &port).ok());
}

}  // namespace
}  // namespace buildfarm
