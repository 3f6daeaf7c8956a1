#include "exporter/collectors/systemd_dbus.h"

#include <systemd/sd-bus.h>

#include <cstring>

namespace buildfarm::exporter {
namespace {

constexpr char kDestination[] = "org.freedesktop.systemd1";
constexpr char kManagerPath[] = "/org/freedesktop/systemd1";
constexpr char kManagerInterface[] = "org.freedesktop.systemd1.Manager";
constexpr std::uint64_t kCallTimeoutUsec = 5'000'000;

struct BusUnref {
  void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
struct MessageUnref {
  void operator()(sd_bus_message* message) const { sd_bus_message_unref(message); }
};
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;

// An sd_bus_error that frees itself.
class BusError {
 public:
  BusError() = default;
  ~BusError() { sd_bus_error_free(&error_); }
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  sd_bus_error* get() { return &error_; }
  Status ToStatus(const std::string& what, int r) const {
    std::string why = sd_bus_error_is_set(&error_) && error_.message ? error_.message : std::strerror(-r);
    return Unavailable("systemd D-Bus " + what + ": " + why);
  }

 private:
  sd_bus_error error_{nullptr, nullptr, 0};  // SD_BUS_ERROR_NULL, without its C99 compound literal
};

std::string Interface(const std::string& suffix) { return std::string(kDestination) + "." + suffix; }

class SdBusSystemd : public SystemdBus {
 public:
  explicit SdBusSystemd(sd_bus* bus) : bus_(bus) {}

  Result<std::string> ManagerString(const std::string& property) override {
    return StringProperty(kManagerPath, kManagerInterface, property);
  }

  Result<std::vector<SystemdUnit>> ListUnits() override {
    BusError error;
    sd_bus_message* raw = nullptr;
    int r = sd_bus_call_method(bus_.get(), kDestination, kManagerPath, kManagerInterface, "ListUnits", error.get(),
                               &raw, "");
    MessagePtr reply(raw);
    if (r < 0) return error.ToStatus("ListUnits", r);
    if ((r = sd_bus_message_enter_container(reply.get(), SD_BUS_TYPE_ARRAY, "(ssssssouso)")) < 0) {
      return error.ToStatus("ListUnits reply", r);
    }
    std::vector<SystemdUnit> units;
    while (true) {
      const char *name, *description, *load, *active, *sub, *following, *path, *job_type, *job_path;
      std::uint32_t job_id;
      r = sd_bus_message_read(reply.get(), "(ssssssouso)", &name, &description, &load, &active, &sub, &following, &path,
                              &job_id, &job_type, &job_path);
      if (r < 0) return error.ToStatus("ListUnits reply", r);
      if (r == 0) break;
      SystemdUnit unit;
      unit.name = name;
      unit.load_state = load;
      unit.active_state = active;
      unit.object_path = path;
      units.push_back(std::move(unit));
    }
    return units;
  }

  Result<std::string> UnitString(const SystemdUnit& unit, const std::string& interface,
                                 const std::string& property) override {
    return StringProperty(unit.object_path, Interface(interface), property);
  }

  Result<std::uint64_t> UnitNumber(const SystemdUnit& unit, const std::string& interface,
                                   const std::string& property) override {
    BusError error;
    sd_bus_message* raw = nullptr;
    const std::string what = unit.name + " " + interface + "." + property;
    int r = sd_bus_call_method(bus_.get(), kDestination, unit.object_path.c_str(), "org.freedesktop.DBus.Properties",
                               "Get", error.get(), &raw, "ss", Interface(interface).c_str(), property.c_str());
    MessagePtr reply(raw);
    if (r < 0) return error.ToStatus(what, r);
    const char* contents = nullptr;
    if ((r = sd_bus_message_peek_type(reply.get(), nullptr, &contents)) < 0 || !contents) {
      return error.ToStatus(what, r < 0 ? r : -EBADMSG);
    }
    std::string signature = contents;
    if (signature != "u" && signature != "t") {
      return ParseError("systemd D-Bus " + what + ": want a 'u' or 't' value, got '" + signature + "'");
    }
    if ((r = sd_bus_message_enter_container(reply.get(), SD_BUS_TYPE_VARIANT, contents)) < 0) {
      return error.ToStatus(what, r);
    }
    if (signature == "u") {
      std::uint32_t value = 0;
      if ((r = sd_bus_message_read_basic(reply.get(), 'u', &value)) < 0) return error.ToStatus(what, r);
      return static_cast<std::uint64_t>(value);
    }
    std::uint64_t value = 0;
    if ((r = sd_bus_message_read_basic(reply.get(), 't', &value)) < 0) return error.ToStatus(what, r);
    return value;
  }

 private:
  Result<std::string> StringProperty(const std::string& path, const std::string& interface,
                                     const std::string& property) {
    BusError error;
    char* value = nullptr;
    int r = sd_bus_get_property_string(bus_.get(), kDestination, path.c_str(), interface.c_str(), property.c_str(),
                                       error.get(), &value);
    if (r < 0) return error.ToStatus(interface + "." + property, r);
    std::string out = value ? value : "";
    std::free(value);
    return out;
  }

  std::unique_ptr<sd_bus, BusUnref> bus_;
};

}  // namespace

Result<std::unique_ptr<SystemdBus>> ConnectSystemdBus(const std::string& address) {
  sd_bus* raw = nullptr;
  int r = 0;
  if (address.empty()) {
    r = sd_bus_open_system(&raw);
  } else if ((r = sd_bus_new(&raw)) >= 0) {
    std::unique_ptr<sd_bus, BusUnref> pending(raw);
    if ((r = sd_bus_set_address(raw, address.c_str())) >= 0 && (r = sd_bus_set_bus_client(raw, 1)) >= 0) {
      r = sd_bus_start(raw);
    }
    if (r >= 0) pending.release();
  }
  if (r < 0) {
    return Unavailable("couldn't get dbus connection to " + (address.empty() ? std::string("the system bus") : address) +
                       ": " + std::strerror(-r));
  }
  sd_bus_set_method_call_timeout(raw, kCallTimeoutUsec);
  return std::unique_ptr<SystemdBus>(std::make_unique<SdBusSystemd>(raw));
}

}  // namespace buildfarm::exporter
