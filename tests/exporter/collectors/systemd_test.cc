// The systemd collector's pure layer (version parsing, the unit filter, the mapping to families),
// the D-Bus orchestration over a fake SystemdBus, and the real system bus where systemd runs.
#include "exporter/collectors/systemd.h"

#include <gtest/gtest.h>
#include <systemd/sd-daemon.h>

#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "exporter/collectors/systemd_dbus.h"
#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseSystemdVersion, FindsTheFirstThreeDigitNumber) {
  const struct {
    const char* text;
    double number;
    const char* label;
  } cases[] = {
      {"252.19-1~deb12u1", 252.19, "252.19-1~deb12u1"},
      {"255", 255, "255"},
      {"v25.1 systemd 249.11-0ubuntu3", 249.11, "v25.1 systemd 249.11-0ubuntu3"},
      {"239 (239-58.el8)", 239, "239 (239-58.el8)"},
      {"252.", 252, "252."},
      {"252.x", 252, "252.x"},
      {"99", 0, ""},
      {"", 0, ""},
      {"garbage", 0, ""},
      {"1.2.3", 0, ""},
  };
  for (const auto& c : cases) {
    SystemdVersion version = ParseSystemdVersion(c.text);
    EXPECT_DOUBLE_EQ(version.number, c.number) << c.text;
    EXPECT_EQ(version.label, c.label) << c.text;
  }
  EXPECT_EQ(ParseSystemdVersion(std::string(400, '9')).number, 0);  // out of float64 range, as Go's ParseFloat
  EXPECT_EQ(ParseSystemdVersion(std::string(1 << 20, 'x') + "300").number, 300);
}

SystemdUnit Unit(std::string name, std::string active = "active", std::string load = "loaded") {
  SystemdUnit unit;
  unit.name = std::move(name);
  unit.active_state = std::move(active);
  unit.load_state = std::move(load);
  unit.object_path = "/org/freedesktop/systemd1/unit/" + unit.name;
  return unit;
}

TEST(SystemdUnitFilter, DefaultsAndAnchoring) {
  auto defaults = SystemdUnitFilter::Create(".+", ".+\\.(automount|device|mount|scope|slice)");
  ASSERT_TRUE(defaults.ok());
  const struct {
    SystemdUnit unit;
    bool selected;
  } cases[] = {
      {Unit("ssh.service"), true},       {Unit("cron.timer"), true},
      {Unit("multi-user.target"), true},  // Debian's package excludes targets; upstream 1.5 does not
      {Unit("-.mount"), false},          {Unit("user.slice"), false},
      {Unit("dev-sda.device"), false},   {Unit("session-1.scope"), false},
      {Unit("gone.service", "inactive", "not-found"), false},
      {Unit("x.mounted"), true},  // the exclude is anchored at the end too
  };
  for (const auto& c : cases) EXPECT_EQ(defaults->Selected(c.unit), c.selected) << c.unit.name;

  auto only_ssh = SystemdUnitFilter::Create("ssh", "");
  ASSERT_TRUE(only_ssh.ok());
  EXPECT_FALSE(only_ssh->Selected(Unit("ssh.service")));  // anchored: "ssh" is not "ssh.service"
  EXPECT_TRUE(only_ssh->Selected(Unit("ssh")));

  auto bad = SystemdUnitFilter::Create("(", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("collector.systemd.unit-include"), std::string::npos);
}

std::vector<const SystemdUnit*> All(const SystemdSnapshot& snapshot) {
  std::vector<const SystemdUnit*> out;
  for (const auto& unit : snapshot.units) out.push_back(&unit);
  return out;
}

TEST(MapSystemd, NodeExporterNamesAndValues) {
  SystemdSnapshot snapshot;
  snapshot.version = "252.19-1~deb12u1";
  snapshot.system_state = "degraded";
  SystemdUnit ssh = Unit("ssh.service");
  ssh.type = "notify";
  ssh.restarts = 3;
  ssh.tasks_current = 2;
  ssh.tasks_max = std::numeric_limits<std::uint64_t>::max();  // "infinity": left out
  ssh.active_enter_usec = 1'700'000'000'500'000;
  SystemdUnit sock = Unit("ssh.socket", "failed");
  sock.accepted_connections = 10;
  sock.current_connections = 1;
  sock.refused_connections = 4;
  SystemdUnit timer = Unit("apt.timer", "reloading");
  timer.last_trigger_usec = 2'500'000;
  snapshot.units = {ssh, sock, timer};

  Families f;
  MapSystemd(snapshot, All(snapshot), {true, true, true}, f);
  EXPECT_EQ(SampleValue(f, "node_systemd_version", {{"version", "252.19-1~deb12u1"}}), 252.19);
  EXPECT_EQ(SampleValue(f, "node_systemd_system_running", {}), 0);
  const std::map<std::string, double> summary = {{"active", 1}, {"activating", 0}, {"deactivating", 0},
                                                 {"inactive", 0}, {"failed", 1},     {"reloading", 1}};
  for (const auto& [state, count] : summary) {
    EXPECT_EQ(SampleValue(f, "node_systemd_units", {{"state", state}}), count) << state;
  }
  EXPECT_EQ(FindFamily(f, "node_systemd_units")->metric.size(), summary.size());
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_state", {{"name", "ssh.service"}, {"state", "active"}, {"type", "notify"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_state", {{"name", "ssh.socket"}, {"state", "failed"}, {"type", ""}}), 1);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_state", {{"name", "ssh.socket"}, {"state", "active"}, {"type", ""}}), 0);
  EXPECT_EQ(FindFamily(f, "node_systemd_unit_state")->metric.size(), 15u);  // 3 units x 5 states, not "reloading"
  EXPECT_EQ(SampleValue(f, "node_systemd_service_restart_total", {{"name", "ssh.service"}}), 3);
  EXPECT_EQ(FindFamily(f, "node_systemd_service_restart_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(SampleValue(f, "node_systemd_socket_accepted_connections_total", {{"name", "ssh.socket"}}), 10);
  EXPECT_EQ(SampleValue(f, "node_systemd_socket_current_connections", {{"name", "ssh.socket"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_systemd_socket_refused_connections_total", {{"name", "ssh.socket"}}), 4);
  EXPECT_EQ(FindFamily(f, "node_systemd_socket_refused_connections_total")->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(SampleValue(f, "node_systemd_timer_last_trigger_seconds", {{"name", "apt.timer"}}), 2.5);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_start_time_seconds", {{"name", "ssh.service"}}), 1700000000.5);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_tasks_current", {{"name", "ssh.service"}}), 2);
  EXPECT_EQ(FindFamily(f, "node_systemd_unit_tasks_max"), nullptr);
  EXPECT_EQ(FindFamily(f, "node_systemd_unit_state")->help, "Systemd unit");
  EXPECT_EQ(FindFamily(f, "node_systemd_system_running")->help,
            "Whether the system is operational (see 'systemctl is-system-running')");

  Families plain;  // the optional series need their flags; no units, no unit_state family
  SystemdSnapshot bare;
  MapSystemd(bare, {}, {}, plain);
  EXPECT_EQ(SampleValue(plain, "node_systemd_version", {{"version", ""}}), 0);
  EXPECT_EQ(FindFamily(plain, "node_systemd_unit_state"), nullptr);
  EXPECT_EQ(FindFamily(plain, "node_systemd_system_running"), nullptr);
  Families unflagged;
  MapSystemd(snapshot, All(snapshot), {}, unflagged);
  for (const char* name : {"node_systemd_service_restart_total", "node_systemd_unit_start_time_seconds",
                           "node_systemd_unit_tasks_current"}) {
    EXPECT_EQ(FindFamily(unflagged, name), nullptr) << name;
  }
}

// A SystemdBus from tables; a property missing from `numbers`/`strings` is refused, as a bus would.
class FakeBus : public SystemdBus {
 public:
  std::map<std::string, std::string> manager;
  std::optional<std::vector<SystemdUnit>> units;
  std::map<std::string, std::string> strings;       // "unit Interface.Property" -> value
  std::map<std::string, std::uint64_t> numbers;     // same keys
  std::set<std::string> asked;

  Result<std::string> ManagerString(const std::string& property) override {
    asked.insert("manager " + property);
    auto it = manager.find(property);
    if (it == manager.end()) return Unavailable("no " + property);
    return it->second;
  }
  Result<std::vector<SystemdUnit>> ListUnits() override {
    if (!units) return Unavailable("ListUnits refused");
    return *units;
  }
  Result<std::string> UnitString(const SystemdUnit& unit, const std::string& iface, const std::string& prop) override {
    std::string key = unit.name + " " + iface + "." + prop;
    asked.insert(key);
    auto it = strings.find(key);
    if (it == strings.end()) return Unavailable("no " + key);
    return it->second;
  }
  Result<std::uint64_t> UnitNumber(const SystemdUnit& unit, const std::string& iface, const std::string& prop) override {
    std::string key = unit.name + " " + iface + "." + prop;
    asked.insert(key);
    auto it = numbers.find(key);
    if (it == numbers.end()) return Unavailable("no " + key);
    return it->second;
  }
};

TEST(ReadSystemdSnapshot, AsksWhatNodeExporterAsks) {
  FakeBus bus;
  bus.manager = {{"Version", "252.19-1"}, {"SystemState", "running"}};
  bus.units = std::vector<SystemdUnit>{Unit("ssh.service"), Unit("idle.service", "inactive"), Unit("a.socket"),
                                       Unit("b.socket"), Unit("t.timer"), Unit("-.mount"),
                                       Unit("gone.service", "inactive", "not-found")};
  bus.strings = {{"ssh.service Service.Type", "notify"}};
  bus.numbers = {{"ssh.service Service.NRestarts", 2}, {"ssh.service Unit.ActiveEnterTimestamp", 5},
                 {"a.socket Socket.NAccepted", 7},     {"a.socket Socket.NConnections", 1},
                 {"b.socket Socket.NConnections", 9},  {"t.timer Timer.LastTriggerUSec", 3}};
  auto filter = SystemdUnitFilter::Create(".+", ".+\\.(automount|device|mount|scope|slice)");
  ASSERT_TRUE(filter.ok());
  auto snapshot = ReadSystemdSnapshot(bus, *filter, {false, true, true});
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(snapshot->system_state, "running");
  ASSERT_EQ(snapshot->units.size(), 7u);  // all of them, for the summary
  const auto& u = snapshot->units;
  EXPECT_EQ(u[0].type, "notify");
  EXPECT_EQ(u[0].restarts, 2u);
  EXPECT_EQ(u[0].active_enter_usec, 5u);
  EXPECT_EQ(u[1].active_enter_usec, 0u);  // not active: 0 without asking
  EXPECT_FALSE(u[1].restarts.has_value());
  EXPECT_EQ(u[2].accepted_connections, 7u);
  EXPECT_EQ(u[2].current_connections, 1u);
  EXPECT_FALSE(u[2].refused_connections.has_value());  // systemd < 239 has no NRefused
  EXPECT_FALSE(u[3].current_connections.has_value());  // no NAccepted: the socket's series are skipped
  EXPECT_EQ(u[4].last_trigger_usec, 3u);
  EXPECT_FALSE(bus.asked.count("-.mount Mount.Type"));  // excluded units are not asked about
  EXPECT_FALSE(bus.asked.count("gone.service Service.Type"));
  EXPECT_FALSE(bus.asked.count("ssh.service Service.TasksCurrent"));  // task metrics are off

  FakeBus old;  // before 212: no SystemState, no timer property
  old.manager = {{"Version", "208"}};
  old.units = std::vector<SystemdUnit>{Unit("t.timer")};
  auto old_snapshot = ReadSystemdSnapshot(old, *filter, {});
  ASSERT_TRUE(old_snapshot.ok());
  EXPECT_FALSE(old_snapshot->system_state.has_value());
  EXPECT_FALSE(old.asked.count("manager SystemState"));
  EXPECT_FALSE(old.asked.count("t.timer Timer.LastTriggerUSec"));

  FakeBus no_units;
  no_units.manager = {{"Version", "252"}, {"SystemState", "running"}};
  EXPECT_FALSE(ReadSystemdSnapshot(no_units, *filter, {}).ok());
  FakeBus no_state;
  no_state.manager = {{"Version", "252"}};
  no_state.units = std::vector<SystemdUnit>{};
  auto refused = ReadSystemdSnapshot(no_state, *filter, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("SystemState"), std::string::npos);
}

TEST(SystemdCollector, OffByDefaultAndFailsWithoutABus) {
  EXPECT_FALSE(MakeSystemdSpec().enabled_by_default);
  auto failed = CollectFromFixtures(MakeSystemdSpec([]() -> Result<std::unique_ptr<SystemdBus>> {
    return Unavailable("couldn't get dbus connection");
  }));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("dbus"), std::string::npos);
  EXPECT_FALSE(CollectFromFixtures(SpecWithFlags(MakeSystemdSpec(), {"--collector.systemd.unit-exclude=("})).ok());
}

// The real systemd over the real system bus, where there is one.
TEST(SystemdLive, RealSystemBus) {
  if (sd_booted() <= 0) {
    std::string init;
    std::ifstream("/proc/1/comm") >> init;
    GTEST_SKIP() << "systemd is not running as PID 1 here (PID 1 is \"" << init
                 << "\", /run/systemd/system is absent: a container), so there is no systemd D-Bus API to test "
                    "against; the pure layer is tested above and a fake systemd on a private dbus-daemon in "
                    "systemd_dbus_test.cc";
  }
  auto families = CollectFromFixtures(MakeSystemdSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto* version = FindFamily(*families, "node_systemd_version");
  ASSERT_NE(version, nullptr);
  EXPECT_GE(version->metric.at(0).gauge.value, kMinSystemdVersionSystemState);
  EXPECT_NE(FindFamily(*families, "node_systemd_system_running"), nullptr);
  EXPECT_NE(FindFamily(*families, "node_systemd_unit_state"), nullptr);
}

}  // namespace
}  // namespace buildfarm::exporter
