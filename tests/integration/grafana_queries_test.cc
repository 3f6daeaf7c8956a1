// Every PromQL expression of every Grafana dashboard (dashboards/grafana/) against a real Prometheus
// that scrapes a quickstart-style farm (tests/integration/farm_harness.h with real_prometheus: one
// buildfarm-exporter, buildfarm-scheduler, one buildfarm-agent, recording rules loaded). Grafana's
// variables are substituted as Grafana would ($node -> the farm's node, $__rate_interval -> 4 scrapes
// and more, $__range -> 1h). Each expression must parse and evaluate (Prometheus answers 400 bad_data on
// a parse error), and each panel marked [core] must return data once jobs have run through the farm.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/dashboards/dashboard_model.h"
#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

class GrafanaQueries : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    FarmOptions options;
    options.agents = 1;
    options.real_prometheus = true;
    farm_ = new Farm(options);
    std::string error;
    if (!farm_->Start(&error)) {
      start_error_ = new std::string(error);
      return;
    }
    // The scheduler creates a node's completion counters at 0 when the node registers, so that
    // increase() (which counts from a series' second sample) sees the node's very first build. Wait for
    // Prometheus to hold that 0 before the one batch, so the test shows the first builds are counted.
    if (!WaitForSample(R"(buildfarm_jobs_completed_total{result="completed"} == 0)", &error)) {
      start_error_ = new std::string(error);
      return;
    }
    RunBatch("first");
    SendMessage();
  }

  static void TearDownTestSuite() {
    delete farm_;
    farm_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  static bool WaitForSample(const std::string& expr, std::string* error) {
    auto held = Eventually(
        [&] {
          int status = 0;
          nlohmann::json body = farm_->real_prometheus()->Query(expr, &status);
          return status == 200 && !body.value("/data/result"_json_pointer, nlohmann::json::array()).empty();
        },
        30, "a sample of " + expr + " in Prometheus");
    if (!held) *error = std::string(held.message()) + "\n" + farm_->Logs();
    return held;
  }

  // One job that succeeds and one that fails (no retry). The failure waits 3 s so that Prometheus
  // scrapes the branch's counter at 0 (created at submission) before it counts.
  static void RunBatch(const std::string& name) {
    nlohmann::json jobs = nlohmann::json::array();
    jobs.push_back({{"id", name + "-ok"}, {"command", "sleep 1"}, {"branch", "main"}});
    jobs.push_back({{"id", name + "-fails"}, {"command", "sleep 3; exit 3"}, {"branch", "release/1.0"}, {"max_retries", 0}});
    int status = 0;
    auto reply = farm_->Call("POST", "/api/v1/jobs", nlohmann::json{{"jobs", jobs}}.dump(), &status);
    EXPECT_EQ(status, 201) << reply.dump();
    auto done = farm_->WaitTerminal({name + "-ok", name + "-fails"}, 60);
    EXPECT_EQ(done[name + "-ok"].value("status", ""), "completed") << farm_->Logs();
    EXPECT_EQ(done[name + "-fails"].value("status", ""), "failed") << farm_->Logs();
  }

  // One unread message of high priority to the farm's node (the agent does not read messages).
  static void SendMessage() {
    int status = 0;
    nlohmann::json message{{"from", "ops"}, {"to", farm_->node_name(0)}, {"subject", "disk swap tonight"},
                           {"priority", "high"}};
    auto reply = farm_->Call("POST", "/api/v1/messages", message.dump(), &status);
    EXPECT_EQ(status, 201) << reply.dump();
  }

  void SetUp() override { ASSERT_EQ(start_error_, nullptr) << *start_error_; }

  static std::map<std::string, std::string> Variables() {
    return {{"node", farm_->node_name(0)}, {"__rate_interval", "20s"}, {"__interval", "15s"}, {"__range", "1h"}};
  }

  // Runs the substituted expression; `error` is set unless Prometheus answered success.
  static nlohmann::json Run(const Expression& e, std::string* error) {
    const std::string expr = SubstituteVariables(e.expr, Variables());
    int status = 0;
    nlohmann::json body = farm_->real_prometheus()->Query(expr, &status);
    if (status != 200 || !body.is_object() || body.value("status", "") != "success") {
      *error = e.where + ": " + expr + " -> HTTP " + std::to_string(status) + " " +
               (body.is_discarded() ? std::string("(no JSON)") : body.dump());
    }
    return body;
  }

  static size_t ResultSize(const nlohmann::json& body) {
    const auto& result = body.value("/data/result"_json_pointer, nlohmann::json::array());
    return result.is_array() ? result.size() : 1;  // scalar results are a single value
  }

  // The values of a panel's first target, by the value of `label` (empty when the panel has no data), found
  // by dashboard file and panel title.
  static std::map<std::string, double> PanelValues(const std::string& file, const std::string& title,
                                                   const std::string& label = "") {
    for (const Dashboard& d : LoadDashboards()) {
      if (d.file != file) continue;
      for (const Expression& e : Expressions(d)) {
        if (e.where.find("panel '" + title + "'") == std::string::npos) continue;
        std::string error;
        nlohmann::json body = Run(e, &error);
        std::map<std::string, double> values;
        if (!error.empty() || ResultSize(body) == 0) return values;
        for (const auto& series : body["data"]["result"]) {
          values[series["metric"].value(label, "")] = std::stod(series["value"][1].get<std::string>());
        }
        return values;
      }
    }
    ADD_FAILURE() << "no panel '" << title << "' in " << file;
    return {};
  }

  // The first sample value of a panel's first target.
  static std::optional<double> PanelValue(const std::string& file, const std::string& title) {
    auto values = PanelValues(file, title);
    if (values.empty()) return std::nullopt;
    return values.begin()->second;
  }

  static Farm* farm_;
  static std::string* start_error_;
};

Farm* GrafanaQueries::farm_ = nullptr;
std::string* GrafanaQueries::start_error_ = nullptr;

TEST_F(GrafanaQueries, PrometheusRejectsABrokenExpression) {
  // The check below is only as good as this: a parse error is an error.
  std::string error;
  Run({"control", "sum(rate(up[$__rate_interval])", -1, false}, &error);
  EXPECT_NE(error.find("HTTP 400"), std::string::npos) << error;
  EXPECT_NE(error.find("bad_data"), std::string::npos) << error;
}

TEST_F(GrafanaQueries, EveryDashboardExpressionParsesAndEvaluates) {
  int checked = 0;
  for (const Dashboard& d : LoadDashboards()) {
    for (const Expression& e : Expressions(d)) {
      std::string error;
      Run(e, &error);
      EXPECT_TRUE(error.empty()) << error;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50) << "fewer expressions than the dashboards hold: the extraction is broken";
}

TEST_F(GrafanaQueries, EveryCorePanelReturnsData) {
  // Panels -> whether any of their targets returned a series; bounded wait for scrapes and rules.
  std::map<std::string, bool> has_data;
  PollUntil(
      [&] {
        for (const Dashboard& d : LoadDashboards()) {
          for (const Expression& e : Expressions(d)) {
            if (!e.core) continue;
            const std::string panel = e.where.substr(0, e.where.rfind(" target "));
            std::string error;
            nlohmann::json body = Run(e, &error);
            has_data[panel] = has_data[panel] || (error.empty() && ResultSize(body) > 0);
          }
        }
        bool all = true;
        for (const auto& [panel, data] : has_data) all = all && data;
        return all;
      },
      60);
  EXPECT_GT(has_data.size(), 20u) << "fewer core panels than the dashboards mark";
  for (const auto& [panel, data] : has_data) EXPECT_TRUE(data) << panel << " returned no data";
  if (HasFailure()) ADD_FAILURE() << farm_->Logs();
}

TEST_F(GrafanaQueries, NodeVariableListsTheFarmsNode) {
  int variables = 0;
  for (const Dashboard& d : LoadDashboards()) {
    for (const Expression& e : Expressions(d)) {
      if (e.where != d.file + ": variable node") continue;
      ++variables;
      std::string error;
      auto nodes = EventuallyValue(
          [&] {
            std::set<std::string> found;
            nlohmann::json body = Run(e, &error);
            for (const auto& series : body["data"]["result"]) found.insert(series["metric"].value("node", ""));
            return found;
          },
          [&](const std::set<std::string>& found) { return !found.empty() || !error.empty(); }, 30,
          e.where + " listing a node");
      ASSERT_TRUE(error.empty()) << error;
      EXPECT_EQ(nodes.value, std::set<std::string>{farm_->node_name(0)}) << e.where;
    }
  }
  EXPECT_EQ(variables, 4) << "every dashboard but messages-and-alerts has a node variable";
}

TEST_F(GrafanaQueries, BuildPanelsCountTheFirstJobsThatRan) {
  // The one batch (one completed, one failed) ran right after the node registered: the per-node and
  // per-branch series existed at 0 before it, so increase() counts both builds.
  std::optional<double> week, rate;
  std::map<std::string, double> branches;
  PollUntil(
      [&] {
        week = PanelValue("builds.json", "Builds this week");
        rate = PanelValue("builds.json", "Success rate");
        branches = PanelValues("builds.json", "Failures by branch", "branch");
        return week && *week >= 1.5 && rate && *rate > 0 && *rate < 1 && branches["release/1.0"] >= 0.5;
      },
      30);  // the assertions below say which value never came
  ASSERT_TRUE(week.has_value());
  EXPECT_GE(*week, 1.5);
  ASSERT_TRUE(rate.has_value());
  EXPECT_GT(*rate, 0.0);  // a completed job counted
  EXPECT_LT(*rate, 1.0);  // and a failed one
  EXPECT_GE(branches["release/1.0"], 0.5) << "the failed job's branch";
  EXPECT_LT(branches["main"], 0.5) << "main's job succeeded";
  auto ready = PanelValue("fleet-overview.json", "Nodes ready");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(*ready, 1.0);
}

TEST_F(GrafanaQueries, MessagePanelsCountTheUnreadMessage) {
  std::map<std::string, double> by_priority, by_recipient;
  PollUntil(
      [&] {
        by_priority = PanelValues("messages-and-alerts.json", "Unread messages by priority", "priority");
        by_recipient = PanelValues("messages-and-alerts.json", "Unread messages by recipient", "to");
        return by_priority["high"] == 1 && by_recipient[farm_->node_name(0)] == 1;
      },
      30);  // the assertions below say which value never came
  EXPECT_EQ(by_priority["high"], 1);
  EXPECT_EQ(by_priority["normal"], 0);
  EXPECT_EQ(by_recipient[farm_->node_name(0)], 1);
}

TEST_F(GrafanaQueries, RunningJobsGaugeCountsARunningJob) {
  // A job that runs long enough to be scraped while running: the metric behind the Nodes table's "Jobs
  // running" column counts it.
  int status = 0;
  farm_->Call("POST", "/api/v1/jobs", nlohmann::json{{"id", "long"}, {"command", "sleep 6"}}.dump(), &status);
  ASSERT_EQ(status, 201);
  const std::string expr = R"(buildfarm_scheduler_node_running_jobs{node=")" + farm_->node_name(0) + R"("} == 1)";
  std::string error;
  EXPECT_TRUE(WaitForSample(expr, &error)) << error;
  EXPECT_EQ(farm_->WaitTerminal({"long"}, 60)["long"].value("status", ""), "completed");
}

}  // namespace
}  // namespace buildfarm::testing
