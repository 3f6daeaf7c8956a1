// The systemd collector's D-Bus side: SystemdBus over libsystemd's sd-bus, talking to
// org.freedesktop.systemd1 on the system bus (or on `address`, which the tests point at a private
// dbus-daemon hosting a fake systemd). One connection per scrape, used by one thread; method calls
// time out after 5 seconds so a stuck bus cannot hold a scrape forever.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "exporter/collectors/systemd.h"

namespace buildfarm::exporter {

// `address` is a D-Bus address ("unix:path=/run/dbus/system_bus_socket"); empty means the system bus
// (sd-bus honours DBUS_SYSTEM_BUS_ADDRESS). Fails with kUnavailable when no bus answers.
Result<std::unique_ptr<SystemdBus>> ConnectSystemdBus(const std::string& address);

}  // namespace buildfarm::exporter
