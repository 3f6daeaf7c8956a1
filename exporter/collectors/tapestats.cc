#include "exporter/collectors/tapestats.h"

#include <memory>

#include "common/file_reader.h"
#include "exporter/procfs/device_regex_filter.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

using CounterField = std::uint64_t TapeCounters::*;

constexpr std::pair<std::string_view, CounterField> kStatFiles[] = {
    {"in_flight", &TapeCounters::in_flight},         {"io_ns", &TapeCounters::io_ns},
    {"other_cnt", &TapeCounters::other_cnt},         {"read_byte_cnt", &TapeCounters::read_byte_cnt},
    {"read_cnt", &TapeCounters::read_cnt},           {"read_ns", &TapeCounters::read_ns},
    {"resid_cnt", &TapeCounters::resid_cnt},         {"write_byte_cnt", &TapeCounters::write_byte_cnt},
    {"write_cnt", &TapeCounters::write_cnt},         {"write_ns", &TapeCounters::write_ns},
};

bool IsStatFile(std::string_view file) {
  for (const auto& [name, field] : kStatFiles) {
    if (name == file) return true;
  }
  return false;
}

}  // namespace

Status ParseTapeStat(std::string_view file, std::string_view value, TapeCounters& counters) {
  for (const auto& [name, field] : kStatFiles) {
    if (name != file) continue;
    auto parsed = ParseGoUint64(value);
    if (!parsed) {
      return ParseError("stats/" + std::string(file) + ": \"" + std::string(value.substr(0, 64)) +
                        "\" is not an unsigned integer");
    }
    counters.*field = *parsed;
    return Status::Ok();
  }
  return Status::Ok();
}

bool IsTapeDeviceName(std::string_view name) {
  if (name.size() < 3 || name.substr(0, 2) != "st") return false;
  for (char c : name.substr(2)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

namespace {

struct TapestatsOptions {
  std::string ignored_devices = "^$";
};

struct TapeMetric {
  std::string_view name;
  CounterField field;
  prometheus::MetricType type;
  bool nanoseconds;  // served as seconds
  std::string_view help;
};

const TapeMetric kTapeMetrics[] = {
    {"node_tape_io_now", &TapeCounters::in_flight, kGauge, false,
     "The number of I/Os currently outstanding to this device."},
    {"node_tape_io_time_seconds_total", &TapeCounters::io_ns, kCounter, true,
     "The amount of time spent waiting for all I/O to complete (including read and write). This includes tape "
     "movement commands such as seeking between file or set marks and implicit tape movement such as when rewind on "
     "close tape devices are used."},
    {"node_tape_io_others_total", &TapeCounters::other_cnt, kCounter, false,
     "The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete "
     "these commands uses the following calculation "
     "io_time_seconds_total-read_time_seconds_total-write_time_seconds_total"},
    {"node_tape_read_bytes_total", &TapeCounters::read_byte_cnt, kCounter, false,
     "The number of bytes read from the tape drive."},
    {"node_tape_reads_completed_total", &TapeCounters::read_cnt, kCounter, false,
     "The number of read requests issued to the tape drive."},
    {"node_tape_read_time_seconds_total", &TapeCounters::read_ns, kCounter, true,
     "The amount of time spent waiting for read requests to complete."},
    {"node_tape_residual_total", &TapeCounters::resid_cnt, kCounter, false,
     // node_exporter's spelling ("thean") is kept: HELP texts must match.
     "The number of times during a read or write we found the residual amount to be non-zero. This should mean that "
     "a program is issuing a read larger thean the block size on tape. For write not all data made it to tape."},
    {"node_tape_written_bytes_total", &TapeCounters::write_byte_cnt, kCounter, false,
     "The number of bytes written to the tape drive."},
    {"node_tape_writes_completed_total", &TapeCounters::write_cnt, kCounter, false,
     "The number of write requests issued to the tape drive."},
    {"node_tape_write_time_seconds_total", &TapeCounters::write_ns, kCounter, true,
     "The amount of time spent waiting for write requests to complete."},
};

class TapestatsCollector : public Collector {
 public:
  TapestatsCollector(std::string class_dir, std::unique_ptr<DeviceRegexFilter> ignored)
      : class_dir_(std::move(class_dir)), ignored_(std::move(ignored)) {}
  std::string_view name() const override { return "tapestats"; }

  Status Collect(Families& out) override {
    auto names = ListDirectory(class_dir_);
    if (!names.ok()) return names.status();  // kNotFound without the st driver: "no data"
    std::vector<std::pair<std::string, TapeCounters>> tapes;
    for (const std::string& device : *names) {
      if (!IsTapeDeviceName(device) || ignored_->Ignored(device)) continue;
      std::string stats_dir = JoinPath(JoinPath(class_dir_, device), "stats");
      auto attributes = ReadRegularAttributes(stats_dir, IsStatFile);
      // A drive detached since the listing is skipped.
      if (!attributes.ok() && attributes.status().code() == StatusCode::kNotFound) continue;
      if (!attributes.ok()) return attributes.status();
      TapeCounters counters;
      for (const auto& [file, value] : *attributes) {
        Status parsed = ParseTapeStat(file, value, counters);
        if (!parsed.ok()) return parsed.WithContext(device);
      }
      tapes.emplace_back(device, counters);
    }
    if (tapes.empty()) return Status::Ok();
    for (const TapeMetric& metric : kTapeMetrics) {
      auto& family = AddFamily(out, std::string(metric.name), std::string(metric.help), metric.type);
      for (const auto& [device, counters] : tapes) {
        double value = static_cast<double>(counters.*metric.field);
        // node_exporter multiplies by 1e-9 rather than dividing; the same operation gives the same bits.
        if (metric.nanoseconds) value *= 0.000000001;
        AddSample(family, {{"device", device}}, value);
      }
    }
    return Status::Ok();
  }

 private:
  std::string class_dir_;
  std::unique_ptr<DeviceRegexFilter> ignored_;
};

}  // namespace

CollectorSpec MakeTapestatsSpec() {
  auto options = std::make_shared<TapestatsOptions>();
  CollectorSpec spec;
  spec.name = "tapestats";
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddString("collector.tapestats.ignored-devices", &options->ignored_devices,
                    "Regexp of devices to ignore for tapestats.");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto ignored = DeviceRegexFilter::CreateIgnoring("collector.tapestats.ignored-devices", options->ignored_devices);
    if (!ignored.ok()) return ignored.status();
    return std::unique_ptr<Collector>(
        std::make_unique<TapestatsCollector>(env.paths.Sys("class/scsi_tape"), std::move(ignored).value()));
  };
  return spec;
}

}  // namespace buildfarm::exporter
