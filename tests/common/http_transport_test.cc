// HttpServer's connection layer over real loopback sockets, driven byte by byte as an attacker would:
// bodies refused from their head, slow heads closed, connections per source address and waiting
// connections bounded, a bounded queue, and long requests (long polls, streams) counted per token apart
// from short ones.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/http_server.h"
#include "tests/support/eventually.h"
#include "tests/support/gate.h"
#include "tests/support/raw_client.h"

namespace buildfarm {
namespace {

using testing::Gate;
using testing::RawClient;

using std::chrono::milliseconds;
using std::chrono::steady_clock;

int PortOf(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

int GetStatus(int port, const std::string& path, const std::string& token = "") {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(30));
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  auto result = client.Get(path, headers);
  return result ? result->status : -1;
}

class HttpTransportTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options) {
    options.listen_addresses = {"127.0.0.1:0"};
    server_ = std::make_unique<HttpServer>(log_, options);
    server_->Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      handled_.fetch_add(1);
      res.set_content(std::to_string(req.body.size()), "text/plain");
    });
    server_->Get("/fast", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    server_->Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      gate_.Enter();
      res.set_content("done", "text/plain");
    });
    server_->GetLong("/poll", [this](const httplib::Request&, httplib::Response& res, HttpServer::LongPermit) {
      gate_.Enter();
      res.set_content("polled", "text/plain");
    });
    // A stream that keeps its permit until the gate opens.
    server_->GetLong("/stream", [this](const httplib::Request&, httplib::Response& res, HttpServer::LongPermit permit) {
      res.set_chunked_content_provider("text/plain", [this, permit](std::size_t, httplib::DataSink& sink) {
        gate_.Enter();
        sink.done();
        return true;
      });
    });
    ASSERT_TRUE(server_->Start().ok());
    port_ = PortOf(server_->BoundAddresses()[0]);
  }
  void TearDown() override {
    if (!released_) gate_.Release();
    if (server_) {
      server_->Stop();
      server_->Wait();
    }
  }
  void ReleaseGate() {
    released_ = true;
    gate_.Release();
  }

  Logger log_{LogLevel::kError};
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  Gate gate_;
  bool released_ = false;
  std::atomic<int> handled_{0};
};

struct RefusedHead {
  std::string name;
  std::string head;
  std::string status_line;
  std::string field;
};

TEST_F(HttpTransportTest, BodiesAreRefusedFromTheirHeadBeforeAnyByteIsRead) {
  HttpServerOptions options;
  options.transport.max_body_bytes = 1024;
  StartServer(options);
  const std::vector<RefusedHead> table = {
      {"over the limit", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n", "HTTP/1.1 413", "body"},
      {"chunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 411",
       "Transfer-Encoding"},
      {"gzip", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 20\r\n\r\n", "HTTP/1.1 415",
       "Content-Encoding"},
      {"gzip on a path that does not exist",
       "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 900000\r\n\r\n", "HTTP/1.1 415",
       "Content-Encoding"},
      {"no length", "POST /echo HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 411", "Content-Length"},
      {"garbled length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n", "HTTP/1.1 400",
       "Content-Length"},
  };
  for (const RefusedHead& row : table) {
    SCOPED_TRACE(row.name);
    RawClient client(port_);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.Send(row.head));  // the body is never sent: the answer must not wait for it
    bool closed = false;
    std::string response = client.ReadAll(std::chrono::seconds(20), &closed);
    EXPECT_EQ(response.rfind(row.status_line, 0), 0u) << response;
    EXPECT_NE(response.find("\"field\":\"" + row.field + "\""), std::string::npos) << response;
    EXPECT_TRUE(closed) << "the unread body must not be parsed as a next request";
  }
  EXPECT_EQ(handled_.load(), 0);
  // A body within the limit still arrives whole.
  RawClient ok(port_);
  ASSERT_TRUE(ok.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"));
  std::string response = ok.ReadAll(std::chrono::seconds(20));
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(HttpTransportTest, AHeadSentByteByByteIsClosedAtItsDeadline) {
  HttpServerOptions options;
  options.transport.header_timeout_seconds = 1;
  StartServer(options);
  RawClient client(port_);
  ASSERT_TRUE(client.Send("GET /fast HTTP/1.1\r\n"));
  // Each byte comes well within the per-receive timeout (10 s), so only a whole-head deadline ends this.
  bool closed = false;
  for (int i = 0; i < 200 && !closed; ++i) {
    if (!client.Send("X")) break;
    client.ReadAll(milliseconds(100), &closed);
  }
  EXPECT_TRUE(closed) << "a 20 s trickle of header bytes was still being read";
  EXPECT_EQ(GetStatus(port_, "/fast"), 200);
}

TEST_F(HttpTransportTest, ConnectionsPerSourceAddressAreBounded) {
  HttpServerOptions options;
  options.transport.max_connections_per_source = 3;
  StartServer(options);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(port_, "127.0.0.2"));
    ASSERT_TRUE(held.back()->Send("GET /fast HTTP/1.1\r\n"));  // an unfinished head holds the connection
  }
  // The server counts a connection once its thread picks it up; the 4th is refused from then on.
  std::string refused;
  for (int attempt = 0; attempt < 100 && refused.find(" 503 ") == std::string::npos; ++attempt) {
    RawClient fourth(port_, "127.0.0.2");
    fourth.Send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    refused = fourth.ReadAll(std::chrono::seconds(5));
  }
  EXPECT_NE(refused.find(" 503 "), std::string::npos) << refused;
  EXPECT_NE(refused.find("too many connections from 127.0.0.2"), std::string::npos) << refused;
  EXPECT_EQ(GetStatus(port_, "/fast"), 200);  // other addresses are served
}

TEST_F(HttpTransportTest, SlowAndIdleConnectionsFromManyAddressesCannotTakeEveryThread) {
  HttpServerOptions options;
  options.worker_threads = 16;
  options.max_requests = 8;
  options.transport.max_waiting_connections = 4;
  StartServer(options);
  std::vector<std::unique_ptr<RawClient>> attackers;
  for (int i = 0; i < 60; ++i) {
    attackers.push_back(std::make_unique<RawClient>(port_, "127.0.1." + std::to_string(i + 2)));
    if (i % 2 == 0) attackers.back()->Send("GET /fast HTTP/1.1\r\nX-Slow: ");  // slow head; others idle
  }
  for (int i = 0; i < 20; ++i) EXPECT_EQ(GetStatus(port_, "/fast"), 200) << "request " << i;
}

TEST_F(HttpTransportTest, AFullQueueRefusesAtOnceInsteadOfGrowing) {
  HttpServerOptions options;
  options.worker_threads = 2;
  options.max_queued_connections = 1;
  options.max_requests = 0;
  StartServer(options);
  auto first = std::async(std::launch::async, [this] { return GetStatus(port_, "/slow"); });
  auto second = std::async(std::launch::async, [this] { return GetStatus(port_, "/slow"); });
  ASSERT_TRUE(gate_.WaitEntered(2));
  RawClient queued(port_);
  ASSERT_TRUE(queued.Send("GET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string refused;
  for (int attempt = 0; attempt < 100 && refused.find(" 503 ") == std::string::npos; ++attempt) {
    RawClient beyond(port_);
    beyond.Send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    refused = beyond.ReadAll(std::chrono::seconds(5));
  }
  EXPECT_NE(refused.find("server busy"), std::string::npos) << refused;
  ReleaseGate();
  EXPECT_EQ(first.get(), 200);
  EXPECT_EQ(second.get(), 200);
  EXPECT_EQ(queued.ReadAll(std::chrono::seconds(20)).rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(HttpTransportTest, LongRequestsAreCountedPerTokenAndNeverTakeShortSlots) {
  HttpServerOptions options;
  options.max_requests = 1;
  options.max_long_requests = 10;
  options.max_long_requests_per_principal = 2;
  StartServer(options);
  auto poll1 = std::async(std::launch::async, [this] { return GetStatus(port_, "/poll", "agent-a"); });
  auto poll2 = std::async(std::launch::async, [this] { return GetStatus(port_, "/poll", "agent-a"); });
  ASSERT_TRUE(gate_.WaitEntered(2));
  EXPECT_EQ(GetStatus(port_, "/poll", "agent-a"), 429);   // a third for the same token
  EXPECT_EQ(GetStatus(port_, "/stream", "agent-a"), 429);  // a stream counts the same
  EXPECT_EQ(GetStatus(port_, "/fast", "agent-a"), 200);   // the one short slot is still free
  auto other = std::async(std::launch::async, [this] { return GetStatus(port_, "/poll", "agent-b"); });
  ASSERT_TRUE(gate_.WaitEntered(3));
  ReleaseGate();
  EXPECT_EQ(poll1.get(), 200);
  EXPECT_EQ(poll2.get(), 200);
  EXPECT_EQ(other.get(), 200);
  EXPECT_EQ(GetStatus(port_, "/poll", "agent-a"), 200);  // the permits were returned
}

TEST_F(HttpTransportTest, AStreamHoldsItsPermitUntilItEnds) {
  HttpServerOptions options;
  options.max_long_requests_per_principal = 1;
  StartServer(options);
  auto stream = std::async(std::launch::async, [this] { return GetStatus(port_, "/stream", "viewer"); });
  ASSERT_TRUE(gate_.WaitEntered(1));  // the handler has returned; its provider is streaming
  EXPECT_EQ(GetStatus(port_, "/stream", "viewer"), 429);
  ReleaseGate();
  EXPECT_EQ(stream.get(), 200);
  // The permit goes when the server drops the finished stream, which can be just after the client has read it.
  EXPECT_TRUE(testing::Eventually([this] { return GetStatus(port_, "/stream", "viewer") == 200; }, 10,
                                  "the stream's permit returned"));
}

TEST_F(HttpTransportTest, ShortRequestsPerTokenAreBounded) {
  HttpServerOptions options;
  options.max_requests = 10;
  options.max_requests_per_principal = 1;
  StartServer(options);
  auto held = std::async(std::launch::async, [this] { return GetStatus(port_, "/slow", "ci-bot"); });
  ASSERT_TRUE(gate_.WaitEntered(1));
  EXPECT_EQ(GetStatus(port_, "/fast", "ci-bot"), 429);
  EXPECT_EQ(GetStatus(port_, "/fast", "operator"), 200);
  ReleaseGate();
  EXPECT_EQ(held.get(), 200);
}

}  // namespace
}  // namespace buildfarm
