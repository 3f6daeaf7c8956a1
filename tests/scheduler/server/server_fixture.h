// In-process scheduler for API tests: a SchedulerApp on 127.0.0.1:0 over a temporary store, a fake
// metrics source, and tokens admintok (admin), viewertok (viewer), b1tok/b2tok/b3tok (agents of b1..b3),
// webhooktok (webhook).
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>

#include "scheduler/server/auth.h"
#include "scheduler/server/metrics_source_factory.h"
#include "scheduler/server/scheduler_app.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {

struct Reply {
  int status = 0;
  nlohmann::json json;
  std::string body;
};

class ServerTest : public ::testing::Test {
 protected:
  // Override to change the config before start.
  virtual void Configure(SchedulerConfig& config) { (void)config; }
  // Override to set up the app (e.g. its secret check) before it starts.
  virtual void BeforeStart(SchedulerApp& app) { (void)app; }
  // Override to send the app's log elsewhere (e.g. a file a test reads back).
  virtual const Logger& AppLog() { return log_; }

  void SetUp() override {
    SchedulerConfig config;
    config.store_path = dir_.Join("scheduler.db");
    config.tokens = {{"ops", Role::kAdmin, "", Sha256Hex("admintok")},
                     {"grafana", Role::kViewer, "", Sha256Hex("viewertok")},
                     {"b1", Role::kAgent, "b1", Sha256Hex("b1tok")},
                     {"b2", Role::kAgent, "b2", Sha256Hex("b2tok")},
                     {"b3", Role::kAgent, "b3", Sha256Hex("b3tok")},
                     {"alertmanager", Role::kWebhook, "", Sha256Hex("webhooktok")}};
    config.prometheus.url = "http://fake.invalid";
    config.scheduling_yaml = "profiles: [{schedulerName: default}]";
    config.cycle_interval_seconds = 0.2;
    // Table counts on /metrics at every scrape, so a test sees each change at once (the bounded refresh
    // has its own tests, which set it back).
    config.metrics_refresh_seconds = 0;
    Configure(config);
    source_ = std::make_shared<StaticMetricsSource>();
    SetMetrics({{"b1", 0.1}, {"b2", 0.1}, {"b3", 0.1}});
    app_ = std::make_unique<SchedulerApp>(config, source_, AppLog());
    BeforeStart(*app_);
    Status started = app_->Start({"127.0.0.1:0"});
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = std::make_unique<httplib::Client>("http://" + app_->BoundAddresses().front());
    client_->set_read_timeout(40, 0);
  }

  void TearDown() override {
    if (app_) app_->Stop();
  }

  void SetMetrics(const std::map<std::string, double>& cpu) {
    std::map<std::string, NodeMetrics> nodes;
    for (const auto& [name, load] : cpu) {
      NodeMetrics m;
      m.sample_time = Clock::now();
      m.cpu_utilisation = load;
      m.memory_available_bytes = 16LL << 30;
      m.build_fs_available_bytes = 500LL << 30;
      nodes[name] = m;
    }
    source_->Set(nodes, Clock::now(), true);
  }

  Reply Call(const std::string& method, const std::string& path, const std::string& token,
             const std::string& body = "") {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result result = method == "GET" ? client_->Get(path, headers)
                                             : client_->Post(path, headers, body, "application/json");
    Reply reply;
    if (!result) return reply;
    reply.status = result->status;
    reply.body = result->body;
    reply.json = nlohmann::json::parse(result->body, nullptr, false);
    return reply;
  }
  Reply Get(const std::string& path, const std::string& token = "admintok") { return Call("GET", path, token); }
  Reply Post(const std::string& path, const std::string& body, const std::string& token = "admintok") {
    return Call("POST", path, token, body);
  }

  Reply RegisterNode(const std::string& name, double cores = 8) {
    nlohmann::json body{{"name", name}, {"labels", {{"os", "linux"}}}, {"profiles", {"linux"}},
                        {"capacity", {{"cores", cores}, {"memory_bytes", 32LL << 30}, {"disk_bytes", 1LL << 40}}}};
    return Post("/api/v1/agents/register", body.dump(), name + "tok");
  }

  std::string Submit(nlohmann::json job) {
    if (!job.contains("command")) job["command"] = "true";
    Reply reply = Post("/api/v1/jobs", job.dump());
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json.value("id", "");
  }

  nlohmann::json Job(const std::string& id) { return Get("/api/v1/jobs/" + id).json; }

  // Polls until `done` or 10 s pass (tests/support/eventually.h); the failure names `what`.
  static ::testing::AssertionResult Eventually(const std::function<bool()>& done,
                                               std::string_view what = "the awaited condition") {
    return testing::Eventually(done, 10, what);
  }

  testing::TempDir dir_;
  Logger log_{LogLevel::kWarn};
  std::shared_ptr<StaticMetricsSource> source_;
  std::unique_ptr<SchedulerApp> app_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace buildfarm::scheduler
