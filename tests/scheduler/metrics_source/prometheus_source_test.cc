// PrometheusMetricsSource against a stub Prometheus (cpp-httplib on 127.0.0.1) that serves chosen
// answers per query: values per node, sample ages, and what happens when Prometheus is down, slow or
// answers garbage.
#include "scheduler/metrics_source/prometheus_source.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "tests/support/eventually.h"

namespace buildfarm::scheduler {
namespace {

using namespace std::chrono_literals;

struct Answer {
  int status = 200;
  std::string body;
  bool hold = false;  // block in the handler until Release()
};

class StubPrometheus {
 public:
  StubPrometheus() {
    server_.Get("/api/v1/query", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string query = req.get_param_value("query");
      Answer answer;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++requests_;
        auto it = answers_.find(query);
        if (it != answers_.end()) answer = it->second;
        if (answer.hold) {
          ++held_;
          held_cv_.notify_all();
          held_cv_.wait_for(lock, 20s, [this] { return released_; });
        }
      }
      res.status = answer.status;
      res.set_content(answer.body.empty() ? EmptyVector() : answer.body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    EXPECT_TRUE(testing::Eventually([this] { return server_.is_running(); }, 10, "the stub Prometheus running"));
  }
  ~StubPrometheus() { Shutdown(); }

  static std::string EmptyVector() { return R"({"status":"success","data":{"resultType":"vector","result":[]}})"; }

  void Set(const std::string& query, Answer answer) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[query] = std::move(answer);
  }
  bool WaitHeld() {
    std::unique_lock<std::mutex> lock(mu_);
    return held_cv_.wait_for(lock, 20s, [this] { return held_ > 0; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    held_cv_.notify_all();
  }
  void Shutdown() {
    Release();
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable held_cv_;
  std::map<std::string, Answer> answers_;
  int requests_ = 0;
  int held_ = 0;
  bool released_ = false;
};

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Fixed(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// One result entry: labels as JSON members, e.g. R"("node":"n1")".
std::string Entry(const std::string& labels, double ts, const std::string& value) {
  return R"({"metric":{)" + labels + R"(},"value":[)" + Fixed(ts) + R"(,")" + value + R"("]})";
}
std::string VectorOf(std::initializer_list<std::string> entries) {
  std::string joined;
  for (const auto& e : entries) joined += (joined.empty() ? "" : ",") + e;
  return R"({"status":"success","data":{"resultType":"vector","result":[)" + joined + "]}}";
}

PrometheusSourceOptions OptionsFor(const StubPrometheus& stub) {
  PrometheusSourceOptions options;
  options.url = stub.url();
  options.timeout_seconds = 1;
  options.refresh_seconds = 0.1;
  return options;
}

Logger QuietLogger() { return Logger(LogLevel::kError); }

// Two healthy nodes, n1 with a temperature and two probes, n2 without sensors or probes.
void ServeTwoNodes(StubPrometheus& stub, double ts) {
  PrometheusQueries q;
  stub.Set(q.cpu_utilisation, {200, VectorOf({Entry(R"("node":"n1")", ts, "0.25"), Entry(R"("node":"n2")", ts, "0.75")})});
  stub.Set(q.memory_available,
           {200, VectorOf({Entry(R"("node":"n1")", ts, "4000000000"), Entry(R"("node":"n2")", ts, "8000000000")})});
  stub.Set(q.build_fs_available,
           {200, VectorOf({Entry(R"("node":"n1")", ts, "100000000000"), Entry(R"("node":"n2")", ts, "5e10")})});
  stub.Set(q.max_temperature, {200, VectorOf({Entry(R"("node":"n1")", ts, "71.5")})});
  stub.Set(q.probe_rtt, {200, VectorOf({Entry(R"("node":"n1","target":"git")", ts, "0.0125"),
                                        Entry(R"("node":"n1","target":"api")", ts, "0.5"),
                                        Entry(R"("target":"git")", ts, "9")})});  // no node: ignored
}

TEST(PrometheusMetricsSource, ValuesLandPerNode) {
  StubPrometheus stub;
  const double ts = NowSeconds() - 3;
  ServeTwoNodes(stub, ts);
  PrometheusMetricsSource source(OptionsFor(stub), QuietLogger());
  const auto before = std::chrono::system_clock::now();
  ASSERT_TRUE(source.RefreshOnce().ok()) << source.Latest()->last_error;

  auto snapshot = source.Latest();
  EXPECT_TRUE(snapshot->last_attempt_ok);
  EXPECT_EQ(snapshot->last_error, "");
  EXPECT_GE(snapshot->fetched_at, before);
  EXPECT_EQ(snapshot->fetched_at, snapshot->last_attempt_at);
  ASSERT_EQ(snapshot->nodes.size(), 2u);
  const NodeMetrics& n1 = snapshot->nodes.at("n1");
  EXPECT_DOUBLE_EQ(n1.cpu_utilisation, 0.25);
  EXPECT_EQ(n1.memory_available_bytes, 4000000000);
  EXPECT_EQ(n1.build_fs_available_bytes, 100000000000);
  ASSERT_TRUE(n1.max_temperature_celsius.has_value());
  EXPECT_DOUBLE_EQ(*n1.max_temperature_celsius, 71.5);
  ASSERT_EQ(n1.probe_rtt_seconds.size(), 2u);
  EXPECT_DOUBLE_EQ(n1.probe_rtt_seconds.at("git"), 0.0125);
  EXPECT_DOUBLE_EQ(n1.probe_rtt_seconds.at("api"), 0.5);
  EXPECT_NEAR(std::chrono::duration<double>(n1.sample_time.time_since_epoch()).count(), ts, 0.01);

  const NodeMetrics& n2 = snapshot->nodes.at("n2");
  EXPECT_DOUBLE_EQ(n2.cpu_utilisation, 0.75);
  EXPECT_EQ(n2.memory_available_bytes, 8000000000);
  EXPECT_EQ(n2.build_fs_available_bytes, 50000000000);
  EXPECT_FALSE(n2.max_temperature_celsius.has_value());
  EXPECT_TRUE(n2.probe_rtt_seconds.empty());
}

TEST(PrometheusMetricsSource, SampleTimeIsTheOldestSampleTimestamp) {
  StubPrometheus stub;
  const double now = NowSeconds();
  ServeTwoNodes(stub, now);
  PrometheusQueries q;
  // n1's memory series was last recorded 120 s ago: Prometheus stamps the instant query with the query
  // time, but timestamp() reveals the recorded sample's time.
  stub.Set("timestamp(" + q.memory_available + ")",
           {200, VectorOf({Entry(R"("node":"n1")", now, Fixed(now - 120)), Entry(R"("node":"n2")", now, Fixed(now - 1))})});
  // n2's CPU value itself carries an old stamp (a custom query with an explicit evaluation time).
  stub.Set(q.cpu_utilisation, {200, VectorOf({Entry(R"("node":"n1")", now, "0.25"), Entry(R"("node":"n2")", now - 30, "0.5")})});
  PrometheusMetricsSource source(OptionsFor(stub), QuietLogger());
  ASSERT_TRUE(source.RefreshOnce().ok()) << source.Latest()->last_error;
  auto snapshot = source.Latest();
  auto seconds = [](Time t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); };
  EXPECT_NEAR(seconds(snapshot->nodes.at("n1").sample_time), now - 120, 0.01);
  EXPECT_NEAR(seconds(snapshot->nodes.at("n2").sample_time), now - 30, 0.01);
}

TEST(PrometheusMetricsSource, NodeWithoutCoreValuesIsLeftOut) {
  StubPrometheus stub;
  const double ts = NowSeconds();
  ServeTwoNodes(stub, ts);
  PrometheusQueries q;
  stub.Set(q.build_fs_available, {200, VectorOf({Entry(R"("node":"n1")", ts, "1000")})});
  stub.Set(q.cpu_utilisation, {200, VectorOf({Entry(R"("node":"n1")", ts, "NaN"), Entry(R"("node":"n1")", ts, "0.5"),
                                              Entry(R"("node":"n2")", ts, "0.5")})});
  PrometheusMetricsSource source(OptionsFor(stub), QuietLogger());
  ASSERT_TRUE(source.RefreshOnce().ok());
  auto snapshot = source.Latest();
  ASSERT_EQ(snapshot->nodes.count("n1"), 1u);
  EXPECT_DOUBLE_EQ(snapshot->nodes.at("n1").cpu_utilisation, 0.5);  // NaN skipped
  EXPECT_EQ(snapshot->nodes.count("n2"), 0u);  // no build filesystem value
}

TEST(PrometheusMetricsSource, PrometheusDownKeepsLastSnapshot) {
  auto stub = std::make_unique<StubPrometheus>();
  ServeTwoNodes(*stub, NowSeconds());
  PrometheusMetricsSource source(OptionsFor(*stub), QuietLogger());
  ASSERT_TRUE(source.RefreshOnce().ok());
  auto good = source.Latest();
  stub.reset();  // nothing listens on the port any more

  Status status = source.RefreshOnce();
  EXPECT_FALSE(status.ok());
  auto after = source.Latest();
  EXPECT_FALSE(after->last_attempt_ok);
  EXPECT_NE(after->last_error, "");
  EXPECT_EQ(after->fetched_at, good->fetched_at);
  EXPECT_GE(after->last_attempt_at, good->fetched_at);
  ASSERT_EQ(after->nodes.size(), 2u);
  EXPECT_EQ(after->nodes.at("n1").memory_available_bytes, 4000000000);
  EXPECT_EQ(after->nodes.at("n1").sample_time, good->nodes.at("n1").sample_time);
  // The snapshot handed out earlier is unchanged.
  EXPECT_TRUE(good->last_attempt_ok);
}

TEST(PrometheusMetricsSource, NeverFetchedAndDownGivesEmptyFailedSnapshot) {
  PrometheusSourceOptions options;
  {
    StubPrometheus stub;
    options = OptionsFor(stub);
  }
  PrometheusMetricsSource source(options, QuietLogger());
  EXPECT_TRUE(source.Latest()->nodes.empty());
  EXPECT_FALSE(source.RefreshOnce().ok());
  auto snapshot = source.Latest();
  EXPECT_TRUE(snapshot->nodes.empty());
  EXPECT_EQ(snapshot->fetched_at, Time{});
  EXPECT_FALSE(snapshot->last_attempt_ok);
  EXPECT_NE(snapshot->last_attempt_at, Time{});
}

TEST(PrometheusMetricsSource, SlowServerDoesNotBlockLatest) {
  StubPrometheus stub;
  ServeTwoNodes(stub, NowSeconds());
  PrometheusSourceOptions options = OptionsFor(stub);
  options.timeout_seconds = 0.5;
  PrometheusMetricsSource source(options, QuietLogger());
  ASSERT_TRUE(source.RefreshOnce().ok());
  const Time good_fetch = source.Latest()->fetched_at;

  // The CPU query now hangs until the test releases it, long after the client's timeout.
  stub.Set(PrometheusQueries{}.cpu_utilisation, {200, "", /*hold=*/true});
  ASSERT_TRUE(source.Start().ok());
  ASSERT_TRUE(stub.WaitHeld());
  // A refresh is stuck inside the server; Latest() must answer now (if it waited for the refresh it
  // would deadlock, since the release comes only after it returns).
  auto during = source.Latest();
  EXPECT_EQ(during->nodes.size(), 2u);
  EXPECT_EQ(during->fetched_at, good_fetch);

  // The client gives up after its timeout and records the failure, keeping the old values.
  auto observed = testing::EventuallyValue([&] { return source.Latest(); },
                                           [](const auto& snapshot) { return !snapshot->last_attempt_ok; }, 10,
                                           "the stuck refresh timing out");
  EXPECT_TRUE(observed.result);
  const std::shared_ptr<const MetricsSnapshot>& failed = observed.value;
  EXPECT_EQ(failed->fetched_at, good_fetch);
  EXPECT_EQ(failed->nodes.size(), 2u);
  stub.Release();
  source.Stop();
}

TEST(PrometheusMetricsSource, MalformedBodyKeepsSnapshotAndError) {
  StubPrometheus stub;
  ServeTwoNodes(stub, NowSeconds());
  PrometheusMetricsSource source(OptionsFor(stub), QuietLogger());
  ASSERT_TRUE(source.RefreshOnce().ok());
  const Time good_fetch = source.Latest()->fetched_at;

  struct Case {
    std::string name;
    Answer answer;
    std::string want_in_error;
  };
  const Case cases[] = {
      {"garbage", {200, "{\"status\":\"succ"}, "not valid JSON"},
      {"matrix", {200, R"({"status":"success","data":{"resultType":"matrix","result":[]}})"}, "want \"vector\""},
      {"bad value", {200, VectorOf({Entry(R"("node":"n1")", 1, "lots")})}, "not a number: \"lots\""},
      {"query error", {400, R"({"status":"error","errorType":"bad_data","error":"parse error"})"}, "HTTP 400"},
      {"server error", {503, "Service Unavailable"}, "HTTP 503"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    stub.Set(PrometheusQueries{}.memory_available, c.answer);
    EXPECT_FALSE(source.RefreshOnce().ok());
    auto snapshot = source.Latest();
    EXPECT_FALSE(snapshot->last_attempt_ok);
    EXPECT_NE(snapshot->last_error.find(c.want_in_error), std::string::npos) << snapshot->last_error;
    EXPECT_NE(snapshot->last_error.find(PrometheusQueries{}.memory_available), std::string::npos);
    EXPECT_EQ(snapshot->fetched_at, good_fetch);
    EXPECT_EQ(snapshot->nodes.size(), 2u);
  }
  // Recovery: the next good answer replaces the snapshot and clears the error.
  ServeTwoNodes(stub, NowSeconds());
  ASSERT_TRUE(source.RefreshOnce().ok());
  EXPECT_TRUE(source.Latest()->last_attempt_ok);
  EXPECT_EQ(source.Latest()->last_error, "");
  EXPECT_GT(source.Latest()->fetched_at, good_fetch);
}

TEST(PrometheusMetricsSource, BackgroundThreadRefreshes) {
  StubPrometheus stub;
  ServeTwoNodes(stub, NowSeconds());
  PrometheusMetricsSource source(OptionsFor(stub), QuietLogger());
  ASSERT_TRUE(source.Start().ok());
  EXPECT_EQ(source.Start().code(), StatusCode::kFailedPrecondition);
  auto first = testing::EventuallyValue([&] { return source.Latest(); },
                                        [](const auto& snapshot) { return !snapshot->nodes.empty(); }, 10,
                                        "a first background refresh");
  ASSERT_EQ(first.value->nodes.size(), 2u);
  // Later refreshes publish new snapshots.
  EXPECT_TRUE(testing::Eventually([&] { return source.Latest()->fetched_at > first.value->fetched_at; }, 10,
                                  "a later background refresh"));
  source.Stop();
  source.Stop();  // idempotent
}

TEST(PrometheusMetricsSource, BadUrlIsRejectedAtStart) {
  PrometheusSourceOptions options;
  options.url = "ftp://nowhere";
  PrometheusMetricsSource source(options, QuietLogger());
  EXPECT_FALSE(source.Start().ok());
  EXPECT_FALSE(source.RefreshOnce().ok());
  EXPECT_FALSE(source.Latest()->last_attempt_ok);
}

}  // namespace
}  // namespace buildfarm::scheduler
