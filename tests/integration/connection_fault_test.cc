// The real buildfarm-scheduler under connection abuse (issue 11, items 2 and 13): hundreds of slow-head
// and idle connections from many source addresses, and one agent token holding hundreds of long polls.
// Through all of it the agents' heartbeats must keep being accepted, no node may be declared down or
// failed over, and a job must still run.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/farm_harness.h"
#include "tests/support/raw_client.h"

namespace buildfarm::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

int PortOf(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

// Opens `count` connections from `source(i)`, each sending `head(i)`, from several threads: a server
// that is refusing and closing connections makes single connects slow (its accept backlog overflows).
std::vector<std::unique_ptr<RawClient>> OpenMany(int port, int count, const std::function<std::string(int)>& source,
                                                 const std::function<std::string(int)>& head) {
  constexpr int kThreads = 10;
  std::vector<std::unique_ptr<RawClient>> clients(static_cast<std::size_t>(count));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < count; i += kThreads) {
        clients[static_cast<std::size_t>(i)] = std::make_unique<RawClient>(port, source(i));
        if (!head(i).empty()) clients[static_cast<std::size_t>(i)]->Send(head(i));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return clients;
}

// Watches the farm for `duration` (several leases), checking that it stays healthy throughout.
void ExpectFarmStaysHealthy(Farm& farm, seconds duration, const std::function<void()>& keep_pressure) {
  const auto until = std::chrono::steady_clock::now() + duration;
  std::map<std::string, std::string> first_heartbeat;
  std::map<std::string, std::string> last_heartbeat;
  int answered = 0;
  while (std::chrono::steady_clock::now() < until) {
    keep_pressure();
    int status = 0;
    nlohmann::json nodes = farm.Call("GET", "/api/v1/nodes", "", &status);
    if (status == 200) {
      ++answered;
      for (const auto& node : nodes["nodes"]) {
        const std::string name = node["name"];
        EXPECT_EQ(node["state"], "ready") << name << " during the abuse\n" << farm.Logs();
        const std::string heartbeat = node["last_heartbeat"].dump();
        if (!first_heartbeat.count(name)) first_heartbeat[name] = heartbeat;
        last_heartbeat[name] = heartbeat;
      }
    }
    std::this_thread::sleep_for(milliseconds(500));  // the observation interval, not a synchronisation
  }
  EXPECT_GT(answered, 0) << "the API never answered during the abuse";
  for (const auto& [name, first] : first_heartbeat) {
    EXPECT_NE(last_heartbeat[name], first) << name << "'s heartbeats stopped being accepted";
  }
  nlohmann::json failovers = farm.Call("GET", "/api/v1/failovers");
  EXPECT_TRUE(failovers["failovers"].empty()) << failovers.dump();
}

void ExpectAJobStillRuns(Farm& farm) {
  int status = 0;
  nlohmann::json job = farm.Call("POST", "/api/v1/jobs",
                                 R"({"id": "after-abuse", "command": "echo $BUILDFARM_JOB_ID >> )" +
                                     farm.shared_file() + R"("})",
                                 &status);
  ASSERT_EQ(status, 201) << job.dump();
  auto done = farm.WaitTerminal({"after-abuse"}, 60);
  EXPECT_EQ(done["after-abuse"]["status"], "completed") << done["after-abuse"].dump() << farm.Logs();
}

// A two-node farm on loopback (lease 3 s, heartbeat 1 s).
class ConnectionFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(farm.Start(&error)) << error;
    port = PortOf(farm.address());
  }
  Farm farm{FarmOptions{.agents = 2}};
  int port = 0;
};

TEST_F(ConnectionFaultTest, SlowAndIdleConnectionsFromManyAddressesDoNotStopHeartbeats) {

  // 300 connections that trickle a head, and 300 that never send a byte, from 60 addresses.
  auto slow = OpenMany(
      port, 300, [](int i) { return "127.0.2." + std::to_string(2 + i % 30); },
      [](int) { return std::string("GET /api/v1/nodes HTTP/1.1\r\nHost: x\r\nX-Slow: "); });
  auto idle = OpenMany(
      port, 300, [](int i) { return "127.0.3." + std::to_string(2 + i % 30); }, [](int) { return std::string(); });
  // Three leases (3 s each) of abuse: a node whose heartbeats were refused that long would be down.
  ExpectFarmStaysHealthy(farm, seconds(10), [&slow] {
    for (auto& client : slow) client->Send("a");
  });
  ExpectAJobStillRuns(farm);
}

TEST_F(ConnectionFaultTest, OneAgentTokenCannotHoldEveryThreadWithLongPolls) {

  // n1's token, 250 long polls at once (the agent itself holds one more).
  auto polls = OpenMany(
      port, 250, [](int i) { return "127.0.4." + std::to_string(2 + i % 100); },
      [](int) {
        return std::string("GET /api/v1/agents/n1/assignments?wait_seconds=30 HTTP/1.1\r\nHost: x\r\n"
                           "Authorization: Bearer agent-token-1\r\n\r\n");
      });
  int refused = 0;
  for (auto& poll : polls) {
    if (poll->ReadUntil("\r\n\r\n", milliseconds(500)).find(" 429 ") != std::string::npos) ++refused;
  }
  EXPECT_GE(refused, 240) << "one token held more than a handful of long polls";
  ExpectFarmStaysHealthy(farm, seconds(10), [] {});
  ExpectAJobStillRuns(farm);
}

}  // namespace
}  // namespace buildfarm::testing
