#include "exporter/collectors/diskstats.h"

#include <memory>
#include <string>
#include <unordered_set>

#include "common/file_reader.h"
#include "exporter/procfs/kept_open_file.h"
#include "common/text.h"
#include "exporter/procfs/device_regex_filter.h"

namespace buildfarm::exporter {
namespace {

// Splits off the next run of non-blank characters; empty when none is left.
std::string_view NextField(std::string_view& rest) {
  std::size_t start = rest.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  std::size_t end = rest.find_first_of(" \t\r", start);
  std::string_view field = rest.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  return field;
}

constexpr int kMinValues = 11;  // the pre-4.18 layout; node_exporter skips anything shorter

}  // namespace

Result<std::vector<DiskStatsLine>> ParseDiskstats(std::string_view text) {
  std::vector<DiskStatsLine> out;
  std::size_t line_number = 0;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;

    auto bad = [&](std::string_view what, std::string_view field) {
      return ParseError("diskstats line " + std::to_string(line_number) + ": " + std::string(what) + " \"" +
                        std::string(field.substr(0, 64)) + "\" is not an unsigned integer");
    };
    DiskStatsLine entry;
    std::string_view rest = line;
    std::string_view major = NextField(rest);
    if (major.empty()) continue;  // blank line
    std::string_view minor = NextField(rest);
    std::string_view device = NextField(rest);
    auto major_value = text::ParseUint64(major);
    if (!major_value) return bad("major number", major);
    if (minor.empty()) continue;
    auto minor_value = text::ParseUint64(minor);
    if (!minor_value) return bad("minor number", minor);
    if (device.empty()) continue;
    entry.major = *major_value;
    entry.minor = *minor_value;
    entry.device = device;
    while (entry.value_count < kDiskStatValues) {
      std::string_view field = NextField(rest);
      if (field.empty()) break;
      auto value = text::ParseUint64(field);
      if (!value) return bad("counter " + std::to_string(entry.value_count + 1), field);
      entry.values[entry.value_count++] = *value;
    }
    if (entry.value_count < kMinValues) continue;
    out.push_back(entry);
  }
  return out;
}

bool UdevProperties::Has(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.first == key) return true;
  }
  return false;
}

std::string_view UdevProperties::Get(std::string_view key) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->first == key) return it->second;
  }
  return {};
}

UdevProperties ParseUdevData(std::string_view text) {
  UdevProperties props;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() < 2 || line[0] != 'E' || line[1] != ':') continue;
    line.remove_prefix(2);
    std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    props.entries.emplace_back(line.substr(0, equals), line.substr(equals + 1));
  }
  return props;
}

namespace {

struct CounterDesc {
  const char* name;
  const char* help;
  double scale;
  prometheus::MetricType type;
};

// node_exporter's names, help texts and units, in /proc/diskstats field order.
constexpr double kSectorBytes = 512;  // the kernel counts 512-byte sectors whatever the device's
constexpr double kTickSeconds = 0.001;
const CounterDesc kCounters[kDiskStatValues] = {
    {"node_disk_reads_completed_total", "The total number of reads completed successfully.", 1, kCounter},
    {"node_disk_reads_merged_total", "The total number of reads merged.", 1, kCounter},
    {"node_disk_read_bytes_total", "The total number of bytes read successfully.", kSectorBytes, kCounter},
    {"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.", kTickSeconds, kCounter},
    {"node_disk_writes_completed_total", "The total number of writes completed successfully.", 1, kCounter},
    {"node_disk_writes_merged_total", "The number of writes merged.", 1, kCounter},
    {"node_disk_written_bytes_total", "The total number of bytes written successfully.", kSectorBytes, kCounter},
    {"node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.", kTickSeconds,
     kCounter},
    {"node_disk_io_now", "The number of I/Os currently in progress.", 1, kGauge},
    {"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", kTickSeconds, kCounter},
    {"node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", kTickSeconds, kCounter},
    {"node_disk_discards_completed_total", "The total number of discards completed successfully.", 1, kCounter},
    {"node_disk_discards_merged_total", "The total number of discards merged.", 1, kCounter},
    {"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.", 1, kCounter},
    {"node_disk_discard_time_seconds_total", "This is the total number of seconds spent by all discards.",
     kTickSeconds, kCounter},
    {"node_disk_flush_requests_total", "The total number of flush requests completed successfully", 1, kCounter},
    {"node_disk_flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.",
     kTickSeconds, kCounter},
};

struct AtaDesc {
  const char* udev_key;
  const char* name;
  const char* help;
};
const AtaDesc kAtaGauges[] = {
    {"ID_ATA_ROTATION_RATE_RPM", "node_disk_ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs)."},
    {"ID_ATA_WRITE_CACHE", "node_disk_ata_write_cache", "ATA disk has a write cache."},
    {"ID_ATA_WRITE_CACHE_ENABLED", "node_disk_ata_write_cache_enabled", "ATA disk has its write cache enabled."},
};

constexpr std::size_t kMaxUdevFileBytes = 1 << 16;

using Label = prometheus::ClientMetric::Label;

struct DiskstatsOptions {
  DeviceFilterFlags filter{"collector.diskstats", "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$"};
  std::string udev_data_path = "/run/udev/data";
};

class DiskstatsCollector : public Collector {
 public:
  DiskstatsCollector(std::string diskstats_path, std::string udev_dir, std::unique_ptr<DeviceRegexFilter> filter)
      : diskstats_file_(std::move(diskstats_path)), udev_dir_(std::move(udev_dir)), filter_(std::move(filter)) {}
  std::string_view name() const override { return "diskstats"; }

  Status Collect(Families& out) override {
    auto text = diskstats_file_.Read();
    if (!text.ok()) return text.status();
    auto lines = ParseDiskstats(*text);
    if (!lines.ok()) return lines.status().WithContext(diskstats_file_.path());

    // Fixed slots so references stay valid; empty families are dropped at the end.
    enum Slot { kInfo = kDiskStatValues, kFilesystem, kMapper, kAta };
    Families families(kAta + std::size(kAtaGauges));
    for (int i = 0; i < kDiskStatValues; ++i) {
      families[i].name = kCounters[i].name;
      families[i].help = kCounters[i].help;
      families[i].type = kCounters[i].type;
    }
    auto init = [&](int slot, const char* name, const char* help) {
      families[slot].name = name;
      families[slot].help = help;
      families[slot].type = kGauge;
    };
    init(kInfo, "node_disk_info", "Info of /sys/block/<block_device>.");
    init(kFilesystem, "node_disk_filesystem_info", "Info about disk filesystem.");
    init(kMapper, "node_disk_device_mapper_info", "Info about disk device mapper.");
    for (std::size_t i = 0; i < std::size(kAtaGauges); ++i) init(kAta + i, kAtaGauges[i].name, kAtaGauges[i].help);

    std::unordered_set<std::string_view> seen;
    std::string udev_text;
    for (const DiskStatsLine& line : *lines) {
      if (filter_->Ignored(line.device) || !seen.insert(line.device).second) continue;
      std::string device(line.device);
      udev_text.clear();
      auto udev = ReadFileCapped(
          udev_dir_ + "/b" + std::to_string(line.major) + ":" + std::to_string(line.minor), kMaxUdevFileBytes);
      if (udev.ok()) udev_text = std::move(udev).value();  // missing udev data only empties the labels
      UdevProperties props = ParseUdevData(udev_text);

      std::string_view serial = props.Get("ID_SERIAL_SHORT");
      AddSample(families[kInfo],
                std::vector<Label>{{"device", device},
                                   {"major", std::to_string(line.major)},
                                   {"minor", std::to_string(line.minor)},
                                   {"path", std::string(props.Get("ID_PATH"))},
                                   {"wwn", std::string(props.Get("ID_WWN"))},
                                   {"model", std::string(props.Get("ID_MODEL"))},
                                   {"serial", std::string(serial)},
                                   {"revision", std::string(props.Get("ID_REVISION"))}},
                1);
      if (!props.Get("ID_FS_TYPE").empty()) {
        AddSample(families[kFilesystem],
                  std::vector<Label>{{"device", device},
                                     {"type", std::string(props.Get("ID_FS_TYPE"))},
                                     {"usage", std::string(props.Get("ID_FS_USAGE"))},
                                     {"uuid", std::string(props.Get("ID_FS_UUID"))},
                                     {"version", std::string(props.Get("ID_FS_VERSION"))}},
                  1);
      }
      if (!props.Get("DM_NAME").empty()) {
        AddSample(families[kMapper],
                  std::vector<Label>{{"device", device},
                                     {"name", std::string(props.Get("DM_NAME"))},
                                     {"uuid", std::string(props.Get("DM_UUID"))},
                                     {"vg_name", std::string(props.Get("DM_VG_NAME"))},
                                     {"lv_name", std::string(props.Get("DM_LV_NAME"))},
                                     {"lv_layer", std::string(props.Get("DM_LV_LAYER"))}},
                  1);
      }
      if (props.Has("ID_ATA")) {
        for (std::size_t i = 0; i < std::size(kAtaGauges); ++i) {
          if (!props.Has(kAtaGauges[i].udev_key)) continue;
          auto value = text::ParseDouble(props.Get(kAtaGauges[i].udev_key));
          if (value) AddSample(families[kAta + i], std::vector<Label>{{"device", device}}, *value);
        }
      }
      for (int i = 0; i < line.value_count; ++i) {
        AddSample(families[i], std::vector<Label>{{"device", device}},
                  static_cast<double>(line.values[i]) * kCounters[i].scale);
      }
    }
    for (auto& family : families) {
      if (!family.metric.empty()) out.push_back(std::move(family));
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile diskstats_file_;
  std::string udev_dir_;
  std::unique_ptr<DeviceRegexFilter> filter_;
};

}  // namespace

CollectorSpec MakeDiskstatsSpec() {
  auto options = std::make_shared<DiskstatsOptions>();
  CollectorSpec spec;
  spec.name = "diskstats";
  spec.add_flags = [options](FlagSet& flags) {
    options->filter.Register(flags, "diskstats");
    flags.AddString("path.udev.data", &options->udev_data_path, "udev data path.");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto filter = options->filter.Build();
    if (!filter.ok()) return filter.status();
    return std::unique_ptr<Collector>(std::make_unique<DiskstatsCollector>(
        env.paths.Proc("diskstats"), options->udev_data_path, std::move(filter).value()));
  };
  return spec;
}

}  // namespace buildfarm::exporter
