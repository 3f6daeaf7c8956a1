// The web page in a real browser: Debian's headless chromium, driven by tests/browser/page.test.mjs
// (playwright-core), against a farm with real jobs: the scheduler, two agents and a stub Prometheus.
// The script checks every feature with a click or a keypress and stops the scheduler itself to watch
// the connection indicator and the retry backoff. Screenshots land in <build>/browser-screenshots/.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

nlohmann::json Submit(Farm& farm, const std::string& job) {
  int status = 0;
  nlohmann::json stored = farm.Call("POST", "/api/v1/jobs", job, &status);
  EXPECT_EQ(status, 201) << stored.dump();
  return stored;
}

TEST(BrowserPageTest, EveryFeatureOfThePageInHeadlessChromium) {
  ASSERT_TRUE(HaveProgram("chromium")) << "Debian's chromium is missing: run deploy/install-deps.sh";
  ASSERT_TRUE(HaveProgram("node")) << "node is missing: run deploy/install-deps.sh";
  ASSERT_TRUE(std::filesystem::exists(SourcePath("tests/browser/node_modules/playwright-core")))
      << "playwright-core is missing: run deploy/install-deps.sh (npm ci in tests/browser)";

  Farm farm(FarmOptions{.agents = 2});
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  farm.prometheus()->SetCpu("n1", 0.62);
  farm.prometheus()->SetCpu("n2", 0.18);
  // Below the agents' real memory (MemTotal of this machine), so the page shows a believable share in use.
  farm.prometheus()->SetMemoryAvailable("n1", 6e9);
  farm.prometheus()->SetMemoryAvailable("n2", 3e9);

  Submit(farm, R"({"id": "web-build-ok", "command": "echo compiling web-build-ok; echo done", "branch": "main"})");
  Submit(farm, R"({"id": "web-build-fail", "command": "echo broken >&2; exit 3", "branch": "feature/x",
                   "max_retries": 0})");
  Submit(farm, R"({"id": "web-long", "command": "sleep 300", "branch": "release/2.0", "timeout_seconds": 240})");
  Submit(farm, R"({"id": "web-queued", "command": "true", "branch": "main", "selector": {"os": "plan9"}})");
  auto done = farm.WaitTerminal({"web-build-ok", "web-build-fail"}, 60);
  ASSERT_EQ(done["web-build-ok"]["status"], "completed") << farm.Logs();
  ASSERT_EQ(done["web-build-fail"]["status"], "failed") << farm.Logs();
  ASSERT_TRUE(Eventually([&] { return farm.Job("web-long")["status"] == "running"; }, 10, "web-long running"))
      << farm.Logs();

  // The low-priority message is sent first, so the page's order (unread by priority) is its own doing.
  int low = 0;
  int high = 0;
  farm.Call("POST", "/api/v1/messages",
            R"({"from": "system", "to": "all", "subject": "Nightly cache rebuild", "priority": "low"})", &low);
  farm.Call("POST", "/api/v1/messages",
            R"({"from": "system", "to": "all", "subject": "Disk cleanup tonight", "priority": "high",
                "body": "build nodes restart at 02:00"})",
            &high);
  ASSERT_EQ(low, 201) << farm.Logs();
  ASSERT_EQ(high, 201) << farm.Logs();
  const std::string expect_messages = "Disk cleanup tonight|Nightly cache rebuild";

  const std::string shots = std::string(BUILDFARM_BINARY_DIR) + "/browser-screenshots";
  std::filesystem::create_directories(shots);
  std::string output;
  int code = RunCommand({"/usr/bin/env", "BUILDFARM_URL=http://" + farm.address() + "/",
                         "BUILDFARM_VIEWER_TOKEN=" + farm.viewer_token(),
                         "BUILDFARM_SCHEDULER_PID=" + std::to_string(farm.scheduler().pid()),
                         "BUILDFARM_SCREENSHOT_DIR=" + shots, "BUILDFARM_EXPECT_MESSAGES=" + expect_messages,
                         "BUILDFARM_WEB_DIR=" + SourcePath("dashboards/web"),
                         "node", SourcePath("tests/browser/page.test.mjs")},
                        &output, 200);
  EXPECT_EQ(code, 0) << output;
  std::cout << output;
  EXPECT_TRUE(std::filesystem::exists(shots + "/desktop.png"));
  EXPECT_TRUE(std::filesystem::exists(shots + "/phone.png"));
}

}  // namespace
}  // namespace buildfarm::testing
