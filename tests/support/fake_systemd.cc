#include "tests/support/fake_systemd.h"

#include <systemd/sd-bus.h>

#include <cctype>
#include <cstdio>
#include <cstring>

namespace buildfarm::testing {
namespace {

int HandleCall(sd_bus_message* m, void* userdata, sd_bus_error* error) {
  const auto* fake = static_cast<const FakeSystemd*>(userdata);
  if (sd_bus_message_is_method_call(m, "org.freedesktop.systemd1.Manager", "ListUnits")) {
    sd_bus_message* reply = nullptr;
    int r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0) r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(ssssssouso)");
    for (const auto& u : fake->units) {
      if (r >= 0) {
        r = sd_bus_message_append(reply, "(ssssssouso)", u.name.c_str(), "a unit", u.load.c_str(), u.active.c_str(),
                                  "running", "", u.path.c_str(), 0u, "", "/");
      }
    }
    if (r >= 0) r = sd_bus_message_close_container(reply);
    if (r >= 0) r = sd_bus_send(nullptr, reply, nullptr);
    sd_bus_message_unref(reply);
    return r;
  }
  if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Get")) {
    const char *interface = nullptr, *property = nullptr;
    int r = sd_bus_message_read(m, "ss", &interface, &property);
    if (r < 0) return r;
    auto it = fake->properties.find(std::string(sd_bus_message_get_path(m)) + " " + interface + " " + property);
    if (it == fake->properties.end()) {
      return sd_bus_error_setf(error, "org.freedesktop.DBus.Error.UnknownProperty", "no property %s", property);
    }
    if (auto* s = std::get_if<std::string>(&it->second)) return sd_bus_reply_method_return(m, "v", "s", s->c_str());
    if (auto* u = std::get_if<std::uint32_t>(&it->second)) return sd_bus_reply_method_return(m, "v", "u", *u);
    return sd_bus_reply_method_return(m, "v", "t", std::get<std::uint64_t>(it->second));
  }
  return 0;  // not ours: sd-bus answers UnknownMethod
}

constexpr char kBusConfig[] = R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path=SOCKET</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
    <allow user="*"/>
  </policy>
</busconfig>
)";

}  // namespace

std::string SystemdUnitPath(const std::string& name) {
  std::string path = "/org/freedesktop/systemd1/unit/";
  for (unsigned char c : name) {
    if (std::isalnum(c)) {
      path += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof(escaped), "_%02x", c);
      path += escaped;
    }
  }
  return path;
}

FakeSystemd SmallSystemdHost() {
  const std::string ssh = SystemdUnitPath("ssh.service");
  const std::string sock = SystemdUnitPath("ssh.socket");
  const std::string timer = SystemdUnitPath("apt.timer");
  FakeSystemd fake;
  fake.units = {{"ssh.service", "loaded", "active", ssh},
                {"ssh.socket", "loaded", "failed", sock},
                {"apt.timer", "loaded", "inactive", timer},
                {"-.mount", "loaded", "active", SystemdUnitPath("-.mount")},
                {"gone.service", "not-found", "inactive", SystemdUnitPath("gone.service")}};
  const std::string manager = "/org/freedesktop/systemd1 org.freedesktop.systemd1.Manager ";
  fake.properties = {
      {manager + "Version", std::string("252.19-1~deb12u1")},
      {manager + "SystemState", std::string("running")},
      {ssh + " org.freedesktop.systemd1.Service Type", std::string("notify")},
      {ssh + " org.freedesktop.systemd1.Service NRestarts", std::uint32_t{4}},
      {ssh + " org.freedesktop.systemd1.Service TasksCurrent", std::uint64_t{3}},
      {ssh + " org.freedesktop.systemd1.Service TasksMax", std::uint64_t{4915}},
      {ssh + " org.freedesktop.systemd1.Unit ActiveEnterTimestamp", std::uint64_t{1'700'000'000'250'000}},
      {sock + " org.freedesktop.systemd1.Socket NAccepted", std::uint32_t{12}},
      {sock + " org.freedesktop.systemd1.Socket NConnections", std::uint32_t{2}},
      {timer + " org.freedesktop.systemd1.Timer LastTriggerUSec", std::uint64_t{1'500'000}},
  };
  return fake;
}

PrivateBus::PrivateBus(const TempDir& dir) {
  std::string config = kBusConfig;
  const std::string socket = dir.Join("bus");
  config.replace(config.find("SOCKET"), 6, socket);
  daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{
      "dbus-daemon", "--nofork", "--print-address", "--config-file=" + dir.WriteFile("bus.conf", config)});
  if (!daemon_->Start(&error_)) {
    error_ = "dbus-daemon (Debian package dbus; deploy/install-deps.sh installs it): " + error_;
    daemon_.reset();
    return;
  }
  ok_ = daemon_->WaitForLogLine("unix:path=", 20).has_value();
  address_ = "unix:path=" + socket;
}

FakeSystemdService::FakeSystemdService(const std::string& address, const FakeSystemd* fake) {
  int r = sd_bus_new(&bus_);
  if (r >= 0) r = sd_bus_set_address(bus_, address.c_str());
  if (r >= 0) r = sd_bus_set_bus_client(bus_, 1);
  if (r >= 0) r = sd_bus_start(bus_);
  if (r >= 0) {
    r = sd_bus_add_fallback(bus_, nullptr, "/org/freedesktop/systemd1", HandleCall, const_cast<FakeSystemd*>(fake));
  }
  if (r >= 0) r = sd_bus_request_name(bus_, "org.freedesktop.systemd1", 0);
  ok_ = r >= 0;
  if (!ok_) error_ = std::strerror(-r);
  if (ok_) thread_ = std::thread([this] { Serve(); });
}

FakeSystemdService::~FakeSystemdService() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  sd_bus_flush_close_unref(bus_);
}

void FakeSystemdService::Serve() {
  while (!stop_) {
    int r = sd_bus_process(bus_, nullptr);
    if (r < 0) return;
    if (r == 0) sd_bus_wait(bus_, 50'000);  // wakes on traffic; the timeout only bounds shutdown
  }
}

}  // namespace buildfarm::testing
