// systemd collector (off by default, as in node_exporter 1.5): node_systemd_unit_state{name,state,type},
// node_systemd_units{state}, node_systemd_system_running, node_systemd_version{version}, socket and
// timer series, and behind node_exporter's flags the restart, task and start-time series.
//
// Two layers. SystemdBus is the D-Bus side (systemd_dbus.h: sd-bus against org.freedesktop.systemd1);
// everything else here is pure and table-tested: ParseSystemdVersion, the unit filter, and
// MapSystemd, which turns a SystemdSnapshot (what the bus said) into families exactly as
// node_exporter does. The collector connects per scrape, so it is thread-safe; its options are
// immutable after startup.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"
#include "exporter/metrics.h"

namespace buildfarm::exporter {

// One ListUnits row plus the per-unit properties the collector asked for (absent: not asked, or
// the bus refused, which node_exporter logs at debug level and skips).
struct SystemdUnit {
  std::string name;
  std::string load_state;    // "loaded", "not-found", ...
  std::string active_state;  // "active", "failed", ...
  std::string object_path;   // where its properties live
  std::string type;          // Service.Type / Mount.Type; "" for other unit kinds
  std::optional<std::uint64_t> restarts, tasks_current, tasks_max, active_enter_usec, last_trigger_usec;
  std::optional<std::uint64_t> accepted_connections, current_connections, refused_connections;
};

struct SystemdSnapshot {
  std::optional<std::string> version;       // Manager.Version; absent when the bus refused
  std::optional<std::string> system_state;  // Manager.SystemState; read only for systemd >= 212
  std::vector<SystemdUnit> units;           // every unit ListUnits returned
};

struct SystemdVersion {
  double number = 0;  // "252.19-1~deb12u1" -> 252.19; 0 when there is no 3+-digit number in it
  std::string label;  // the string as systemd reports it; "" when number is 0
};

// node_exporter's rule: the first match of [0-9]{3,}(\.[0-9]+)? is the number.
SystemdVersion ParseSystemdVersion(std::string_view version);

// The version from which SystemState and Timer.LastTriggerUSec exist.
inline constexpr double kMinSystemdVersionSystemState = 212;

// --collector.systemd.unit-include / unit-exclude, both anchored as node_exporter anchors them
// (^(?:pattern)$); a unit must match include, not match exclude, and be "loaded".
class SystemdUnitFilter {
 public:
  static Result<SystemdUnitFilter> Create(const std::string& include, const std::string& exclude);
  bool Selected(const SystemdUnit& unit) const;

 private:
  std::regex include_, exclude_;
};

struct SystemdMetricOptions {
  bool task_metrics = false;        // --collector.systemd.enable-task-metrics
  bool restart_metrics = false;     // --collector.systemd.enable-restarts-metrics
  bool start_time_metrics = false;  // --collector.systemd.enable-start-time-metrics
};

// The families for one scrape. `selected` are the snapshot's units that passed the filter (the
// node_systemd_units summary counts all of them).
void MapSystemd(const SystemdSnapshot& snapshot, const std::vector<const SystemdUnit*>& selected,
                const SystemdMetricOptions& options, Families& out);

// The D-Bus side, one connection per scrape. Property readers name the interface suffix
// ("Service", "Socket", "Timer", "Unit", "Mount") under org.freedesktop.systemd1.
class SystemdBus {
 public:
  virtual ~SystemdBus() = default;
  virtual Result<std::string> ManagerString(const std::string& property) = 0;
  virtual Result<std::vector<SystemdUnit>> ListUnits() = 0;
  virtual Result<std::string> UnitString(const SystemdUnit& unit, const std::string& interface,
                                         const std::string& property) = 0;
  // 'u' (uint32) and 't' (uint64) properties both arrive widened.
  virtual Result<std::uint64_t> UnitNumber(const SystemdUnit& unit, const std::string& interface,
                                           const std::string& property) = 0;
};

using SystemdBusFactory = std::function<Result<std::unique_ptr<SystemdBus>>()>;

// Asks `bus` for everything MapSystemd needs about the units `filter` selects.
Result<SystemdSnapshot> ReadSystemdSnapshot(SystemdBus& bus, const SystemdUnitFilter& filter,
                                            const SystemdMetricOptions& options);

// `bus_factory` replaces the system bus (tests); empty means sd-bus on the system bus.
CollectorSpec MakeSystemdSpec(SystemdBusFactory bus_factory = nullptr);

}  // namespace buildfarm::exporter
