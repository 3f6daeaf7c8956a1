#include "exporter/collectors/fibrechannel.h"

#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

#include "common/file_reader.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

using StringField = std::string FibreChannelHost::*;
using CounterField = std::uint64_t FibreChannelHost::*;

struct HostAttribute {
  std::string_view file;
  StringField field;
  bool strip_hex_prefix;
};

constexpr HostAttribute kHostAttributes[] = {
    {"speed", &FibreChannelHost::speed, false},
    {"port_state", &FibreChannelHost::port_state, false},
    {"port_type", &FibreChannelHost::port_type, false},
    {"node_name", &FibreChannelHost::node_name, true},
    {"port_id", &FibreChannelHost::port_id, true},
    {"port_name", &FibreChannelHost::port_name, true},
    {"fabric_name", &FibreChannelHost::fabric_name, true},
    {"dev_loss_tmo", &FibreChannelHost::dev_loss_tmo, false},
    {"symbolic_name", &FibreChannelHost::symbolic_name, false},
    {"supported_classes", &FibreChannelHost::supported_classes, false},
    {"supported_speeds", &FibreChannelHost::supported_speeds, false},
};

// Statistics file, metric name suffix and HELP, in node_exporter's order.
struct Counter {
  std::string_view file;
  CounterField field;
  std::string_view metric;
  std::string_view help;
};

constexpr Counter kCounters[] = {
    {"dumped_frames", &FibreChannelHost::dumped_frames, "dumped_frames_total", "Number of dumped frames"},
    {"error_frames", &FibreChannelHost::error_frames, "error_frames_total", "Number of errors in frames"},
    {"invalid_crc_count", &FibreChannelHost::invalid_crc_count, "invalid_crc_total",
     "Invalid Cyclic Redundancy Check count"},
    {"rx_frames", &FibreChannelHost::rx_frames, "rx_frames_total", "Number of frames received"},
    {"rx_words", &FibreChannelHost::rx_words, "rx_words_total", "Number of words received by host port"},
    {"tx_frames", &FibreChannelHost::tx_frames, "tx_frames_total", "Number of frames transmitted by host port"},
    {"tx_words", &FibreChannelHost::tx_words, "tx_words_total", "Number of words transmitted by host port"},
    {"seconds_since_last_reset", &FibreChannelHost::seconds_since_last_reset, "seconds_since_last_reset_total",
     "Number of seconds since last host port reset"},
    {"invalid_tx_word_count", &FibreChannelHost::invalid_tx_word_count, "invalid_tx_words_total",
     "Number of invalid words transmitted by host port"},
    {"link_failure_count", &FibreChannelHost::link_failure_count, "link_failure_total",
     "Number of times the host port link has failed"},
    {"loss_of_sync_count", &FibreChannelHost::loss_of_sync_count, "loss_of_sync_total",
     "Number of failures on either bit or transmission word boundaries"},
    {"loss_of_signal_count", &FibreChannelHost::loss_of_signal_count, "loss_of_signal_total",
     "Number of times signal has been lost"},
    {"nos_count", &FibreChannelHost::nos_count, "nos_total",
     "Number Not_Operational Primitive Sequence received by host port"},
    {"fcp_packet_aborts", &FibreChannelHost::fcp_packet_aborts, "fcp_packet_aborts_total", "Number of aborted packets"},
};

constexpr std::string_view kStatisticsPrefix = "statistics/";

bool IsCounterFile(std::string_view file) {
  for (const Counter& counter : kCounters) {
    if (counter.file == file) return true;
  }
  return false;
}

}  // namespace

Status ParseFibreChannelAttribute(std::string_view file, std::string_view value, FibreChannelHost& host) {
  if (file.substr(0, kStatisticsPrefix.size()) == kStatisticsPrefix) {
    std::string_view statistic = file.substr(kStatisticsPrefix.size());
    for (const Counter& counter : kCounters) {
      if (counter.file != statistic) continue;
      auto parsed = ParseGoUint64(value);
      if (!parsed) {
        return ParseError(std::string(file) + ": \"" + std::string(value.substr(0, 64)) +
                          "\" is not an unsigned integer");
      }
      host.*counter.field = *parsed;
    }
    return Status::Ok();
  }
  for (const HostAttribute& attribute : kHostAttributes) {
    if (attribute.file != file) continue;
    // "0x21000024ff7a2c5e" is served without its prefix; procfs drops the first two bytes blindly.
    host.*attribute.field = std::string(attribute.strip_hex_prefix && value.size() > 2 ? value.substr(2) : value);
  }
  return Status::Ok();
}

namespace {

class FibrechannelCollector : public Collector {
 public:
  explicit FibrechannelCollector(std::string class_dir) : class_dir_(std::move(class_dir)) {}
  std::string_view name() const override { return "fibrechannel"; }

  Status Collect(Families& out) override {
    auto names = ListDirectory(class_dir_);
    if (!names.ok()) return names.status();  // kNotFound without an FC HBA: "no data"
    std::vector<std::pair<std::string, FibreChannelHost>> hosts;
    for (const std::string& name : *names) {
      auto host = ReadHost(JoinPath(class_dir_, name));
      // A host removed since the listing (an HBA unbound) is skipped.
      if (!host.ok() && host.status().code() == StatusCode::kNotFound) continue;
      if (!host.ok()) return host.status().WithContext(name);
      hosts.emplace_back(ToValidUtf8(name), std::move(host).value());
    }
    if (hosts.empty()) return Status::Ok();
    auto& info = AddFamily(out, "node_fibrechannel_info",
                           "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.", kGauge);
    for (const auto& [name, host] : hosts) {
      // In label-name order, as node_exporter writes them; sysfs strings may be anything, labels are UTF-8.
      AddSample(info,
                {{"dev_loss_tmo", ToValidUtf8(host.dev_loss_tmo)},
                 {"fabric_name", ToValidUtf8(host.fabric_name)},
                 {"fc_host", name},
                 {"port_id", ToValidUtf8(host.port_id)},
                 {"port_name", ToValidUtf8(host.port_name)},
                 {"port_state", ToValidUtf8(host.port_state)},
                 {"port_type", ToValidUtf8(host.port_type)},
                 {"speed", ToValidUtf8(host.speed)},
                 {"supported_classes", ToValidUtf8(host.supported_classes)},
                 {"supported_speeds", ToValidUtf8(host.supported_speeds)},
                 {"symbolic_name", ToValidUtf8(host.symbolic_name)}},
                1);
    }
    for (const Counter& counter : kCounters) {
      prometheus::MetricFamily family;
      family.name = "node_fibrechannel_" + std::string(counter.metric);
      family.help = std::string(counter.help);
      family.type = kCounter;
      for (const auto& [name, host] : hosts) {
        std::uint64_t value = host.*counter.field;
        // All ones is the HBA firmware's "not implemented".
        if (value == std::numeric_limits<std::uint64_t>::max()) continue;
        AddSample(family, {{"fc_host", name}}, static_cast<double>(value));
      }
      if (!family.metric.empty()) out.push_back(std::move(family));
    }
    return Status::Ok();
  }

 private:
  // kNotFound when the host directory (or its statistics directory) has gone.
  static Result<FibreChannelHost> ReadHost(const std::string& dir) {
    FibreChannelHost host;
    for (const HostAttribute& attribute : kHostAttributes) {
      std::string path = JoinPath(dir, attribute.file);
      SysfsAttribute read = ReadSysfsAttribute(path);
      if (read.error == ENOENT) continue;  // drivers leave some attributes out
      if (read.error != 0) return IoError("read " + path + ": " + std::strerror(read.error));
      Status parsed = ParseFibreChannelAttribute(attribute.file, read.value, host);
      if (!parsed.ok()) return parsed;
    }
    // reset_statistics is write-only; the wanted-list leaves it and the other files out.
    auto statistics = ReadRegularAttributes(JoinPath(dir, "statistics"), IsCounterFile);
    if (!statistics.ok()) return statistics.status();
    for (const auto& [file, value] : *statistics) {
      Status parsed = ParseFibreChannelAttribute(std::string(kStatisticsPrefix) + file, value, host);
      if (!parsed.ok()) return parsed;
    }
    return host;
  }

  std::string class_dir_;
};

}  // namespace

CollectorSpec MakeFibrechannelSpec() {
  CollectorSpec spec;
  spec.name = "fibrechannel";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<FibrechannelCollector>(env.paths.Sys("class/fc_host")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
