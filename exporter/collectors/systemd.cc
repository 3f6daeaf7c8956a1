#include "exporter/collectors/systemd.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <map>

#include "exporter/collectors/systemd_dbus.h"
#include "exporter/procfs/field_regex_filter.h"

namespace buildfarm::exporter {

SystemdVersion ParseSystemdVersion(std::string_view version) {
  auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  std::size_t i = 0;
  while (i < version.size()) {
    if (!is_digit(version[i])) {
      ++i;
      continue;
    }
    std::size_t run_end = i;
    while (run_end < version.size() && is_digit(version[run_end])) ++run_end;
    if (run_end - i < 3) {
      i = run_end;
      continue;
    }
    std::size_t end = run_end;
    if (end + 1 < version.size() && version[end] == '.' && is_digit(version[end + 1])) {
      ++end;
      while (end < version.size() && is_digit(version[end])) ++end;
    }
    std::string number(version.substr(i, end - i));
    errno = 0;
    double value = std::strtod(number.c_str(), nullptr);
    if (errno == ERANGE) return {};  // Go's ParseFloat fails on out-of-range numbers: version 0
    return SystemdVersion{value, std::string(version)};
  }
  return {};
}

Result<SystemdUnitFilter> SystemdUnitFilter::Create(const std::string& include, const std::string& exclude) {
  // Anchored as node_exporter anchors them; an empty pattern then matches only the empty name.
  auto included = CompileFlagRegex("collector.systemd.unit-include", "^(?:" + include + ")$");
  if (!included.ok()) return included.status();
  auto excluded = CompileFlagRegex("collector.systemd.unit-exclude", "^(?:" + exclude + ")$");
  if (!excluded.ok()) return excluded.status();
  SystemdUnitFilter filter;
  filter.include_ = std::move(**included);
  filter.exclude_ = std::move(**excluded);
  return filter;
}

bool SystemdUnitFilter::Selected(const SystemdUnit& unit) const {
  return unit.load_state == "loaded" && std::regex_match(unit.name, include_) &&
         !std::regex_match(unit.name, exclude_);
}

namespace {

const char* const kUnitStates[] = {"active", "activating", "deactivating", "inactive", "failed"};

bool EndsWith(const std::string& name, std::string_view suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Adds one {name}-labelled family with a sample per unit for which `value` has something.
void AddPerUnit(Families& out, const std::vector<const SystemdUnit*>& units, const std::string& name,
                const std::string& help, prometheus::MetricType type,
                const std::function<std::optional<double>(const SystemdUnit&)>& value) {
  prometheus::MetricFamily* family = nullptr;
  for (const SystemdUnit* unit : units) {
    auto v = value(*unit);
    if (!v) continue;
    if (!family) family = &AddFamily(out, name, help, type);
    AddSample(*family, {{"name", unit->name}}, *v);
  }
}

std::optional<double> Seconds(const std::optional<std::uint64_t>& usec) {
  if (!usec) return std::nullopt;
  return static_cast<double>(*usec) / 1e6;
}

std::optional<double> Number(const std::optional<std::uint64_t>& n) {
  if (!n) return std::nullopt;
  return static_cast<double>(*n);
}

// systemd reports "no limit" / "not counted" as UINT64_MAX; node_exporter leaves those out.
std::optional<double> Tasks(const std::optional<std::uint64_t>& n) {
  if (!n || *n == std::numeric_limits<std::uint64_t>::max()) return std::nullopt;
  return static_cast<double>(*n);
}

}  // namespace

void MapSystemd(const SystemdSnapshot& snapshot, const std::vector<const SystemdUnit*>& selected,
                const SystemdMetricOptions& options, Families& out) {
  SystemdVersion version = ParseSystemdVersion(snapshot.version.value_or(""));
  AddSample(AddFamily(out, "node_systemd_version", "Detected systemd version", kGauge), {{"version", version.label}},
            version.number);

  std::map<std::string, double> summary;
  for (const char* state : kUnitStates) summary[state] = 0;
  for (const SystemdUnit& unit : snapshot.units) summary[unit.active_state] += 1;
  auto& units = AddFamily(out, "node_systemd_units", "Summary of systemd unit states", kGauge);
  for (const auto& [state, count] : summary) AddSample(units, {{"state", state}}, count);

  if (!selected.empty()) {
    auto& states = AddFamily(out, "node_systemd_unit_state", "Systemd unit", kGauge);
    for (const SystemdUnit* unit : selected) {
      for (const char* state : kUnitStates) {
        AddSample(states, {{"name", unit->name}, {"state", state}, {"type", unit->type}},
                  unit->active_state == state ? 1 : 0);
      }
    }
  }
  if (options.restart_metrics) {
    AddPerUnit(out, selected, "node_systemd_service_restart_total", "Service unit count of Restart triggers", kCounter,
               [](const SystemdUnit& u) { return Number(u.restarts); });
  }
  AddPerUnit(out, selected, "node_systemd_socket_accepted_connections_total",
             "Total number of accepted socket connections", kCounter,
             [](const SystemdUnit& u) { return Number(u.accepted_connections); });
  AddPerUnit(out, selected, "node_systemd_socket_current_connections", "Current number of socket connections", kGauge,
             [](const SystemdUnit& u) { return Number(u.current_connections); });
  // A gauge in node_exporter 1.5 despite the _total suffix.
  AddPerUnit(out, selected, "node_systemd_socket_refused_connections_total",
             "Total number of refused socket connections", kGauge,
             [](const SystemdUnit& u) { return Number(u.refused_connections); });
  AddPerUnit(out, selected, "node_systemd_timer_last_trigger_seconds", "Seconds since epoch of last trigger.", kGauge,
             [](const SystemdUnit& u) { return Seconds(u.last_trigger_usec); });
  if (options.start_time_metrics) {
    AddPerUnit(out, selected, "node_systemd_unit_start_time_seconds",
               "Start time of the unit since unix epoch in seconds.", kGauge,
               [](const SystemdUnit& u) { return Seconds(u.active_enter_usec); });
  }
  if (options.task_metrics) {
    AddPerUnit(out, selected, "node_systemd_unit_tasks_current", "Current number of tasks per Systemd unit", kGauge,
               [](const SystemdUnit& u) { return Tasks(u.tasks_current); });
    AddPerUnit(out, selected, "node_systemd_unit_tasks_max", "Maximum number of tasks per Systemd unit", kGauge,
               [](const SystemdUnit& u) { return Tasks(u.tasks_max); });
  }
  if (snapshot.system_state) {
    AddSingle(out, "node_systemd_system_running",
              "Whether the system is operational (see 'systemctl is-system-running')", kGauge,
              *snapshot.system_state == "running" ? 1 : 0);
  }
}

Result<SystemdSnapshot> ReadSystemdSnapshot(SystemdBus& bus, const SystemdUnitFilter& filter,
                                            const SystemdMetricOptions& options) {
  SystemdSnapshot snapshot;
  if (auto version = bus.ManagerString("Version"); version.ok()) snapshot.version = *version;
  bool modern = ParseSystemdVersion(snapshot.version.value_or("")).number >= kMinSystemdVersionSystemState;
  if (modern) {
    auto state = bus.ManagerString("SystemState");
    if (!state.ok()) return state.status().WithContext("systemd SystemState");
    snapshot.system_state = *state;
  }
  auto units = bus.ListUnits();
  if (!units.ok()) return units.status().WithContext("systemd ListUnits");
  snapshot.units = std::move(units).value();

  // A property the bus refuses is left out, as node_exporter logs it at debug level and skips it.
  auto number = [&](const SystemdUnit& unit, const char* interface, const char* property) {
    auto value = bus.UnitNumber(unit, interface, property);
    return value.ok() ? std::optional<std::uint64_t>(*value) : std::nullopt;
  };
  for (SystemdUnit& unit : snapshot.units) {
    if (!filter.Selected(unit)) continue;
    bool service = EndsWith(unit.name, ".service");
    if (service || EndsWith(unit.name, ".mount")) {
      auto type = bus.UnitString(unit, service ? "Service" : "Mount", "Type");
      if (type.ok()) unit.type = *type;
    }
    if (service && options.restart_metrics) unit.restarts = number(unit, "Service", "NRestarts");
    if (EndsWith(unit.name, ".socket")) {
      unit.accepted_connections = number(unit, "Socket", "NAccepted");
      if (unit.accepted_connections) unit.current_connections = number(unit, "Socket", "NConnections");
      if (unit.current_connections) unit.refused_connections = number(unit, "Socket", "NRefused");
    }
    if (modern && EndsWith(unit.name, ".timer")) unit.last_trigger_usec = number(unit, "Timer", "LastTriggerUSec");
    if (options.start_time_metrics) {
      unit.active_enter_usec =
          unit.active_state == "active" ? number(unit, "Unit", "ActiveEnterTimestamp") : std::optional<std::uint64_t>(0);
    }
    if (service && options.task_metrics) {
      unit.tasks_current = number(unit, "Service", "TasksCurrent");
      unit.tasks_max = number(unit, "Service", "TasksMax");
    }
  }
  return snapshot;
}

namespace {

struct SystemdOptions {
  std::string include = ".+";
  // node_exporter 1.5's default (Debian's package adds "target" to the list).
  std::string exclude = ".+\\.(automount|device|mount|scope|slice)";
  SystemdMetricOptions metrics;
};

class SystemdCollector : public Collector {
 public:
  SystemdCollector(SystemdBusFactory bus, SystemdUnitFilter filter, SystemdMetricOptions options)
      : bus_(std::move(bus)), filter_(std::move(filter)), options_(options) {}
  std::string_view name() const override { return "systemd"; }

  Status Collect(Families& out) override {
    auto bus = bus_();
    if (!bus.ok()) return bus.status();
    auto snapshot = ReadSystemdSnapshot(**bus, filter_, options_);
    if (!snapshot.ok()) return snapshot.status();
    std::vector<const SystemdUnit*> selected;
    for (const SystemdUnit& unit : snapshot->units) {
      if (filter_.Selected(unit)) selected.push_back(&unit);
    }
    MapSystemd(*snapshot, selected, options_, out);
    return Status::Ok();
  }

 private:
  SystemdBusFactory bus_;
  SystemdUnitFilter filter_;
  SystemdMetricOptions options_;
};

}  // namespace

CollectorSpec MakeSystemdSpec(SystemdBusFactory bus_factory) {
  if (!bus_factory) bus_factory = [] { return ConnectSystemdBus(""); };
  auto options = std::make_shared<SystemdOptions>();
  CollectorSpec spec;
  spec.name = "systemd";
  spec.enabled_by_default = false;
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddString("collector.systemd.unit-include", &options->include,
                    "Regexp of systemd units to include. Units must both match include and not match exclude to be "
                    "included.");
    flags.AddString("collector.systemd.unit-exclude", &options->exclude,
                    "Regexp of systemd units to exclude. Units must both match include and not match exclude to be "
                    "included.");
    flags.AddBool("collector.systemd.enable-task-metrics", &options->metrics.task_metrics,
                  "Enables service unit tasks metrics unit_tasks_current and unit_tasks_max");
    flags.AddBool("collector.systemd.enable-restarts-metrics", &options->metrics.restart_metrics,
                  "Enables service unit metric service_restart_total");
    flags.AddBool("collector.systemd.enable-start-time-metrics", &options->metrics.start_time_metrics,
                  "Enables service unit metric unit_start_time_seconds");
  };
  spec.create = [options, bus_factory](const CollectorEnv&) -> Result<std::unique_ptr<Collector>> {
    auto filter = SystemdUnitFilter::Create(options->include, options->exclude);
    if (!filter.ok()) return filter.status();
    return std::unique_ptr<Collector>(
        std::make_unique<SystemdCollector>(bus_factory, std::move(filter).value(), options->metrics));
  };
  return spec;
}

}  // namespace buildfarm::exporter
