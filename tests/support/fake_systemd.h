// A fake systemd for tests: a private dbus-daemon (Debian's dbus package) on a socket in a temp dir,
// and org.freedesktop.systemd1 served on it with sd-bus from a thread of the test: ListUnits and
// org.freedesktop.DBus.Properties.Get of 's', 'u' and 't' values, from tables. Clients (our sd-bus
// collector, node_exporter's go-systemd through DBUS_SYSTEM_BUS_ADDRESS) see a real D-Bus peer.
// FakeSystemd must not change while a FakeSystemdService serves it; one test thread owns both.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

struct sd_bus;

namespace buildfarm::testing {

using FakeBusValue = std::variant<std::string, std::uint32_t, std::uint64_t>;

struct FakeUnit {
  std::string name, load, active, path;
};

// What the fake systemd knows: ListUnits rows, and properties by "path interface property".
struct FakeSystemd {
  std::vector<FakeUnit> units;
  std::map<std::string, FakeBusValue> properties;
};

// The object path systemd gives a unit: its name with bytes outside [A-Za-z0-9] as _xx.
std::string SystemdUnitPath(const std::string& name);

// Properties and units of a small systemd 252 host: ssh.service (notify, 4 restarts, tasks, active
// since 1700000000.25), ssh.socket (failed, 12 accepted, 2 connections, no NRefused), apt.timer
// (inactive, last trigger 1.5 s), -.mount (excluded by default), and a not-found unit.
FakeSystemd SmallSystemdHost();

// dbus-daemon --nofork on <dir>/bus with a policy that lets anyone own any name.
class PrivateBus {
 public:
  explicit PrivateBus(const TempDir& dir);
  bool ok() const { return ok_; }
  std::string Log() const { return daemon_ ? daemon_->Log() : error_; }
  const std::string& address() const { return address_; }

 private:
  std::unique_ptr<ChildProcess> daemon_;
  std::string address_;
  std::string error_;
  bool ok_ = false;
};

// Owns org.freedesktop.systemd1 on `address` and serves `fake` from a thread until destroyed.
class FakeSystemdService {
 public:
  FakeSystemdService(const std::string& address, const FakeSystemd* fake);
  ~FakeSystemdService();
  FakeSystemdService(const FakeSystemdService&) = delete;
  FakeSystemdService& operator=(const FakeSystemdService&) = delete;
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  void Serve();

  sd_bus* bus_ = nullptr;
  bool ok_ = false;
  std::string error_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace buildfarm::testing
