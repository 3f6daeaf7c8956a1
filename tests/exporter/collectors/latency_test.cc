#include "exporter/collectors/latency.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/http_server.h"
#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace buildfarm::exporter {
namespace {

const Logger& QuietLog() {
  static const Logger log(LogLevel::kError);
  return log;
}

// A TCP socket bound to 127.0.0.1 on a free port; listening when `backlog` >= 0.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(int backlog) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (backlog >= 0) EXPECT_EQ(::listen(fd_, backlog), 0);
  }
  ~LoopbackSocket() { ::close(fd_); }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

ProbeSettings Settings(std::vector<ProbeTarget> targets, double timeout_seconds = 2) {
  ProbeSettings settings;
  settings.interval_seconds = 3600;  // one round, then the prober sleeps until destroyed
  settings.timeout_seconds = timeout_seconds;
  settings.targets = std::move(targets);
  return settings;
}

ProbeTarget Tcp(std::string name, std::string address) { return {std::move(name), ProbeKind::kTcp, std::move(address), ""}; }
ProbeTarget Http(std::string name, std::string url) { return {std::move(name), ProbeKind::kHttp, "", std::move(url)}; }

Families CollectLatency(const std::shared_ptr<Prober>& prober) {
  Families out;
  auto collector = MakeLatencyCollector(prober);
  EXPECT_TRUE(collector->Collect(out).ok());
  return out;
}

// An httplib server on 127.0.0.1 with /ok (200), /fail (500) and /slow (answers when released).
class TestHttpServer {
 public:
  TestHttpServer() {
    server_.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    server_.Get("/fail", [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
    server_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mutex_);
      slow_requests_++;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TestHttpServer() {
    Release();
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  bool WaitForSlowRequest() {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30), [this] { return slow_requests_ > 0; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int slow_requests_ = 0;
  bool released_ = false;
};

TEST(LatencyCollector, TcpConnectToListenerSucceedsAndClosedPortFails) {
  LoopbackSocket listener(16);
  LoopbackSocket closed(-1);  // bound but not listening: connect is refused
  auto prober = std::make_shared<Prober>(Settings({Tcp("up", listener.address()), Tcp("down", closed.address())}),
                                         QuietLog());
  ASSERT_TRUE(prober->WaitForRounds(1, 60));
  Families families = CollectLatency(prober);
  EXPECT_EQ(SampleValue(families, "buildfarm_probe_success", {{"target", "up"}, {"kind", "tcp"}}), 1);
  EXPECT_EQ(SampleValue(families, "buildfarm_probe_success", {{"target", "down"}, {"kind", "tcp"}}), 0);
  EXPECT_GE(SampleValue(families, "buildfarm_probe_last_duration_seconds", {{"target", "up"}, {"kind", "tcp"}}), 0);
  const auto* up = FindSample(families, "buildfarm_probe_duration_seconds", {{"target", "up"}, {"kind", "tcp"}});
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->histogram.sample_count, 1u);
  ASSERT_EQ(up->histogram.bucket.size(), ProbeDurationBuckets().size() + 1);
  EXPECT_EQ(up->histogram.bucket.back().cumulative_count, 1u);
  EXPECT_TRUE(std::isinf(up->histogram.bucket.back().upper_bound));
  // A failed probe is not a latency observation.
  const auto* down = FindSample(families, "buildfarm_probe_duration_seconds", {{"target", "down"}, {"kind", "tcp"}});
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->histogram.sample_count, 0u);
}

TEST(LatencyCollector, HttpStatusDecidesSuccess) {
  TestHttpServer server;
  auto prober = std::make_shared<Prober>(Settings({Http("ok", server.Url("/ok")), Http("fail", server.Url("/fail"))}),
                                         QuietLog());
  ASSERT_TRUE(prober->WaitForRounds(1, 60));
  Families families = CollectLatency(prober);
  EXPECT_EQ(SampleValue(families, "buildfarm_probe_success", {{"target", "ok"}, {"kind", "http"}}), 1);
  EXPECT_EQ(SampleValue(families, "buildfarm_probe_success", {{"target", "fail"}, {"kind", "http"}}), 0);
}

TEST(LatencyCollector, HttpsProbeVerifiesAgainstCaFile) {
  testing::TempDir dir;
  testing::TestPki pki;
  std::string error;
  ASSERT_TRUE(testing::GenerateTestPki(dir.path(), "prober", &pki, &error)) << error;
  auto web = std::make_shared<WebConfig>();
  web->tls_enabled = true;
  web->tls.cert_file = pki.server_cert;
  web->tls.key_file = pki.server_key;
  HttpServer server(QuietLog(), HttpServerOptions{.listen_addresses = {"127.0.0.1:0"}, .web_config = web});
  server.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  ASSERT_TRUE(server.Start().ok());
  const std::string url = "https://" + server.BoundAddresses()[0] + "/ok";
  for (const auto& [ca, success] : {std::pair{pki.ca_cert, 1.0}, std::pair{pki.other_ca_cert, 0.0}}) {
    ProbeSettings settings = Settings({Http("sched", url)});
    settings.ca_file = ca;
    auto prober = std::make_shared<Prober>(settings, QuietLog());
    ASSERT_TRUE(prober->WaitForRounds(1, 60));
    EXPECT_EQ(SampleValue(CollectLatency(prober), "buildfarm_probe_success", {{"target", "sched"}, {"kind", "http"}}),
              success)
        << ca;
  }
  server.Stop();
  server.Wait();
}

TEST(LatencyCollector, ScrapeDoesNotWaitForAHangingHttpProbe) {
  TestHttpServer server;
  auto prober = std::make_shared<Prober>(Settings({Http("slow", server.Url("/slow"))}, /*timeout_seconds=*/300),
                                         QuietLog());
  ASSERT_TRUE(server.WaitForSlowRequest());
  // The probe is outstanding (the server holds it); a scrape still returns, without that target yet.
  Families families = CollectLatency(prober);
  EXPECT_EQ(FindSample(families, "buildfarm_probe_success", {{"target", "slow"}, {"kind", "http"}}), nullptr);
  EXPECT_EQ(prober->Snapshot().at(0).has_result, false);
  server.Release();
  ASSERT_TRUE(prober->WaitForRounds(1, 60));
  families = CollectLatency(prober);
  EXPECT_EQ(SampleValue(families, "buildfarm_probe_success", {{"target", "slow"}, {"kind", "http"}}), 1);
}

// A listener whose accept queue is full drops further SYNs, so connect hangs: the scrape must not
// wait for it, and destroying the prober must interrupt it.
TEST(LatencyCollector, ScrapeDoesNotWaitForAStalledTcpPeerAndStopInterruptsIt) {
  LoopbackSocket listener(0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {  // fill the accept queue (nobody accepts)
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(listener.port()));
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(fd);
  }
  {
    auto prober = std::make_shared<Prober>(Settings({Tcp("stalled", listener.address())}, /*timeout_seconds=*/300),
                                           QuietLog());
    // The peer never answers, so no round completes; scrapes meanwhile return at once, empty.
    EXPECT_FALSE(prober->WaitForRounds(1, 0.5));
    Families families = CollectLatency(prober);
    EXPECT_EQ(prober->Snapshot().at(0).has_result, false);
    EXPECT_TRUE(families.empty());
  }  // ~Prober returns without waiting out the 300 s timeout (else the test times out)
  for (int fd : fillers) ::close(fd);
}

TEST(LatencyCollector, IcmpEchoToLoopback) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  if (fd < 0) fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (fd < 0) GTEST_SKIP() << "no ping or raw socket allowed here (net.ipv4.ping_group_range, CAP_NET_RAW)";
  ::close(fd);
  auto prober = std::make_shared<Prober>(
      Settings({ProbeTarget{"lo", ProbeKind::kIcmp, "127.0.0.1", ""}, ProbeTarget{"lo2", ProbeKind::kIcmp, "127.0.0.1", ""}}),
      QuietLog());
  ASSERT_TRUE(prober->WaitForRounds(1, 60));
  Families families = CollectLatency(prober);
  EXPECT_EQ(SampleValue(families, "buildfarm_probe_success", {{"target", "lo"}, {"kind", "icmp"}}), 1)
      << prober->Snapshot().at(0).last.error;
  EXPECT_EQ(SampleValue(families, "buildfarm_probe_success", {{"target", "lo2"}, {"kind", "icmp"}}), 1)
      << prober->Snapshot().at(1).last.error;
}

TEST(LatencyCollector, UnresolvableTargetIsAFailedProbe) {
  auto prober = std::make_shared<Prober>(Settings({Tcp("bad", "256.256.256.256:1"), Http("badurl", "http://[::1")}),
                                         QuietLog());
  ASSERT_TRUE(prober->WaitForRounds(1, 60));
  Families families = CollectLatency(prober);
  EXPECT_EQ(SampleValue(families, "buildfarm_probe_success", {{"target", "bad"}, {"kind", "tcp"}}), 0);
  EXPECT_EQ(SampleValue(families, "buildfarm_probe_success", {{"target", "badurl"}, {"kind", "http"}}), 0);
}

TEST(LatencyCollector, NoTargetsExportsNothing) {
  auto families = CollectFromFixtures(MakeLatencySpec());
  ASSERT_TRUE(families.ok());
  EXPECT_TRUE(families->empty());
}

TEST(LatencyFamilies, BucketsAreCumulative) {
  ProbeTargetState state;
  state.name = "t";
  state.kind = ProbeKind::kTcp;
  state.has_result = true;
  state.last = {true, 0.003, ""};
  state.bucket_counts.assign(ProbeDurationBuckets().size() + 1, 0);
  state.bucket_counts[0] = 2;  // <= 0.0005
  state.bucket_counts[3] = 1;  // <= 0.005
  state.count = 3;
  state.sum = 0.004;
  Families families = LatencyFamilies({state});
  const auto* metric = FindSample(families, "buildfarm_probe_duration_seconds", {{"target", "t"}, {"kind", "tcp"}});
  ASSERT_NE(metric, nullptr);
  EXPECT_EQ(metric->histogram.bucket[0].cumulative_count, 2u);
  EXPECT_EQ(metric->histogram.bucket[2].cumulative_count, 2u);
  EXPECT_EQ(metric->histogram.bucket[3].cumulative_count, 3u);
  EXPECT_EQ(metric->histogram.bucket.back().cumulative_count, 3u);
  EXPECT_DOUBLE_EQ(SampleValue(families, "buildfarm_probe_last_duration_seconds", {{"target", "t"}, {"kind", "tcp"}}),
                   0.003);
}

}  // namespace
}  // namespace buildfarm::exporter
