// A real sd-bus round trip without a running systemd: the systemd collector's ConnectSystemdBus
// against a fake org.freedesktop.systemd1 on a private dbus-daemon (tests/support/fake_systemd.h).
// It checks the D-Bus side (ListUnits' a(ssssssouso), Properties.Get of 's', 'u' and 't' values,
// refused properties, a bus without systemd) that the fake SystemdBus in systemd_test.cc cannot.
#include <gtest/gtest.h>

#include <optional>

#include "exporter/collectors/systemd.h"
#include "exporter/collectors/systemd_dbus.h"
#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/support/fake_systemd.h"

namespace buildfarm::exporter {
namespace {

TEST(SystemdDbus, RoundTripAgainstAFakeSystemdOnAPrivateBus) {
  testing::TempDir dir;
  testing::PrivateBus bus(dir);
  ASSERT_TRUE(bus.ok()) << bus.Log();
  const std::string address = bus.address();
  const testing::FakeSystemd fake = testing::SmallSystemdHost();
  std::optional<testing::FakeSystemdService> service(std::in_place, address, &fake);
  ASSERT_TRUE(service->ok()) << service->error() << "\n" << bus.Log();

  CollectorSpec spec = SpecWithFlags(MakeSystemdSpec([address] { return ConnectSystemdBus(address); }),
                                     {"--collector.systemd.enable-task-metrics",
                                      "--collector.systemd.enable-restarts-metrics",
                                      "--collector.systemd.enable-start-time-metrics"});
  auto families = CollectFromFixtures(std::move(spec));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_systemd_version", {{"version", "252.19-1~deb12u1"}}), 252.19);
  EXPECT_EQ(SampleValue(f, "node_systemd_system_running", {}), 1);
  EXPECT_EQ(SampleValue(f, "node_systemd_units", {{"state", "active"}}), 2);  // the mount counts in the summary
  EXPECT_EQ(SampleValue(f, "node_systemd_units", {{"state", "inactive"}}), 2);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_state", {{"name", "ssh.service"}, {"state", "active"}, {"type", "notify"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_state", {{"name", "ssh.socket"}, {"state", "failed"}, {"type", ""}}), 1);
  EXPECT_EQ(FindFamily(f, "node_systemd_unit_state")->metric.size(), 15u);  // no -.mount, no not-found unit
  EXPECT_EQ(SampleValue(f, "node_systemd_service_restart_total", {{"name", "ssh.service"}}), 4);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_tasks_current", {{"name", "ssh.service"}}), 3);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_tasks_max", {{"name", "ssh.service"}}), 4915);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_start_time_seconds", {{"name", "ssh.service"}}), 1700000000.25);
  EXPECT_EQ(SampleValue(f, "node_systemd_unit_start_time_seconds", {{"name", "apt.timer"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_systemd_socket_accepted_connections_total", {{"name", "ssh.socket"}}), 12);
  EXPECT_EQ(SampleValue(f, "node_systemd_socket_current_connections", {{"name", "ssh.socket"}}), 2);
  EXPECT_EQ(FindFamily(f, "node_systemd_socket_refused_connections_total"), nullptr);  // no NRefused
  EXPECT_EQ(SampleValue(f, "node_systemd_timer_last_trigger_seconds", {{"name", "apt.timer"}}), 1.5);

  // Once the fake systemd leaves the bus, the collector fails (node_scrape_collector_success 0).
  service.reset();
  auto gone = CollectFromFixtures(MakeSystemdSpec([address] { return ConnectSystemdBus(address); }));
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.status().message().find("ListUnits"), std::string::npos) << gone.status().ToString();
  auto absent = ConnectSystemdBus("unix:path=" + dir.Join("no-such-socket"));
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace buildfarm::exporter
