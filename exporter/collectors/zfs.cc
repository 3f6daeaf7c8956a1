#include "exporter/collectors/zfs.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <memory>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

constexpr std::string_view kKstatUint64 = "4";

std::string Quote(std::string_view s) { return "\"" + std::string(s.substr(0, 60)) + "\""; }

}  // namespace

Result<Kstats> ParseKstats(std::string_view text) {
  Kstats kstats;
  bool in_table = false;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto fields = text::Fields(line);
    if (!in_table) {
      in_table = fields.size() == 3 && fields[0] == "name" && fields[1] == "type" && fields[2] == "data";
      continue;
    }
    if (fields.size() < 3) continue;
    if (fields[0] == "dataset_name") {
      kstats.dataset = std::string(fields[2]);
      continue;
    }
    if (fields[1] != kKstatUint64) continue;  // node_exporter 1.5 skips int64, string, 32-bit, ... rows
    auto value = ParseGoUint(fields[2]);
    if (!value) {
      return ParseError("line " + std::to_string(lines.line_number()) + ": value " + Quote(fields[2]) + " of " +
                        Quote(fields[0]) + " is not an unsigned 64-bit integer");
    }
    kstats.values.push_back({std::string(fields[0]), *value});
  }
  if (!in_table) return ParseError("no \"name type data\" header row");
  return kstats;
}

Result<std::vector<KstatValue>> ParseZpoolIo(std::string_view text) {
  std::vector<std::string_view> header;
  std::vector<KstatValue> values;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto fields = text::Fields(line);
    if (header.empty()) {
      if (fields.size() >= 12 && fields[0] == "nread") header = fields;
      continue;
    }
    if (fields.size() < header.size()) {
      return ParseError("line " + std::to_string(lines.line_number()) + " has " + std::to_string(fields.size()) +
                        " values for " + std::to_string(header.size()) + " columns");
    }
    for (std::size_t i = 0; i < header.size(); ++i) {
      auto value = ParseGoUint(fields[i]);
      if (!value) {
        return ParseError("line " + std::to_string(lines.line_number()) + ": " + Quote(header[i]) + " value " +
                          Quote(fields[i]) + " is not an unsigned 64-bit integer");
      }
      values.push_back({std::string(header[i]), *value});
    }
  }
  return values;
}

namespace {

// node_exporter 1.5's subsystem (after node_) and the kstat file it reads; it does not read
// dbufstats (later releases do).
constexpr std::pair<std::string_view, std::string_view> kSubsystems[] = {
    {"zfs_abd", "abdstats"},       {"zfs_arc", "arcstats"},
    {"zfs_dmu_tx", "dmu_tx"},
    {"zfs_dnode", "dnodestats"},   {"zfs_fm", "fm"},
    {"zfs_vdev_cache", "vdev_cache_stats"}, {"zfs_vdev_mirror", "vdev_mirror_stats"},
    {"zfs_xuio", "xuio_stats"},    {"zfs_zfetch", "zfetchstats"},
    {"zfs_zil", "zil"},
};

constexpr std::string_view kPoolStates[] = {"online", "degraded", "faulted", "offline", "removed", "unavail"};

constexpr std::size_t kMaxKstatBytes = 1 << 20;

// Metric names replace the kstat's dashes (fm's "erpt-dropped").
std::string MetricPart(std::string_view kstat) {
  std::string part(kstat);
  std::replace(part.begin(), part.end(), '-', '_');
  return part;
}

// One family per metric name, whatever number of files contribute samples to it.
class FamilyIndex {
 public:
  explicit FamilyIndex(Families& out) : out_(out) {}
  prometheus::MetricFamily& Get(const std::string& name, const std::string& help, prometheus::MetricType type) {
    auto found = index_.find(name);
    if (found != index_.end()) return *found->second;
    auto& family = AddFamily(out_, name, help, type);
    index_[name] = &family;
    return family;
  }

 private:
  Families& out_;
  std::map<std::string, prometheus::MetricFamily*> index_;
};

class ZfsCollector : public Collector {
 public:
  explicit ZfsCollector(std::string kstat_dir) : kstat_dir_(std::move(kstat_dir)) {}
  std::string_view name() const override { return "zfs"; }

  Status Collect(Families& out) override {
    struct stat info;
    if (::stat(kstat_dir_.c_str(), &info) != 0) return NotFound(kstat_dir_ + ": ZFS statistics are not available");
    Families collected;
    FamilyIndex families(collected);
    for (const auto& [subsystem, file] : kSubsystems) {
      std::string path = JoinPath(kstat_dir_, file);
      auto text = ReadFileCapped(path, kMaxKstatBytes);
      if (!text.ok() && text.status().code() == StatusCode::kNotFound) continue;  // added with newer ZFS releases
      if (!text.ok()) return text.status();
      auto kstats = ParseKstats(*text);
      if (!kstats.ok()) return kstats.status().WithContext(path);
      for (const KstatValue& kstat : kstats->values) {
        std::string help = "kstat.zfs.misc." + std::string(file) + "." + kstat.name;
        auto& family = families.Get("node_" + std::string(subsystem) + "_" + MetricPart(kstat.name), help, kUntyped);
        if (family.metric.empty()) AddSample(family, std::vector<prometheus::ClientMetric::Label>{}, static_cast<double>(kstat.value));
      }
    }
    Status pools = CollectPools(families);
    if (!pools.ok()) return pools;
    for (auto& family : collected) out.push_back(std::move(family));
    return Status::Ok();
  }

 private:
  Status CollectPools(FamilyIndex& families) {
    auto pools = ListDirectory(kstat_dir_);
    if (!pools.ok()) return pools.status();
    std::sort(pools->begin(), pools->end());
    for (const std::string& pool : *pools) {
      std::string pool_dir = JoinPath(kstat_dir_, pool);
      struct stat info;
      if (::stat(pool_dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) continue;
      // A pool exported since the listing loses its files; it is skipped (node_exporter fails the scrape).
      Status status = CollectPool(pool, pool_dir, families);
      if (!status.ok() && status.code() != StatusCode::kNotFound) return status;
    }
    return Status::Ok();
  }

  static Status CollectPool(const std::string& pool_name, const std::string& pool_dir, FamilyIndex& families) {
    const std::string pool = ToValidUtf8(pool_name);
    auto io = ReadFileCapped(JoinPath(pool_dir, "io"), kMaxKstatBytes);
    if (io.ok()) {
      auto values = ParseZpoolIo(*io);
      if (!values.ok()) return values.status().WithContext(JoinPath(pool_dir, "io"));
      for (const KstatValue& value : *values) {
        auto& family = families.Get("node_zfs_zpool_" + MetricPart(value.name), "kstat.zfs.misc.io." + value.name, kUntyped);
        AddSample(family, {{"zpool", pool}}, static_cast<double>(value.value));
      }
    } else if (io.status().code() != StatusCode::kNotFound) {
      return io.status();
    }
    auto entries = ListDirectory(pool_dir);
    if (!entries.ok()) return entries.status();
    std::sort(entries->begin(), entries->end());
    for (const std::string& entry : *entries) {
      if (entry.rfind("objset-", 0) != 0) continue;
      std::string path = JoinPath(pool_dir, entry);
      auto text = ReadFileCapped(path, kMaxKstatBytes);
      if (!text.ok() && text.status().code() == StatusCode::kNotFound) continue;  // dataset destroyed meanwhile
      if (!text.ok()) return text.status();
      auto kstats = ParseKstats(*text);
      if (!kstats.ok()) return kstats.status().WithContext(path);
      const std::string dataset = ToValidUtf8(kstats->dataset);
      for (const KstatValue& kstat : kstats->values) {
        auto& family = families.Get("node_zfs_zpool_dataset_" + MetricPart(kstat.name),
                                    "kstat.zfs.misc.objset." + kstat.name, kUntyped);
        AddSample(family, {{"dataset", dataset}, {"zpool", pool}}, static_cast<double>(kstat.value));
      }
    }
    auto state = ReadFileCapped(JoinPath(pool_dir, "state"), 4096);
    if (!state.ok() && state.status().code() == StatusCode::kNotFound) return Status::Ok();
    if (!state.ok()) return state.status();
    std::string_view first_line = std::string_view(*state).substr(0, state->find('\n'));
    std::string lower(first_line);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    auto& family = families.Get("node_zfs_zpool_state", "kstat.zfs.misc.state", kGauge);
    for (std::string_view name : kPoolStates) {
      AddSample(family, {{"state", name}, {"zpool", pool}}, lower == name ? 1 : 0);
    }
    return Status::Ok();
  }

  std::string kstat_dir_;
};

}  // namespace

CollectorSpec MakeZfsSpec() {
  CollectorSpec spec;
  spec.name = "zfs";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<ZfsCollector>(env.paths.Proc("spl/kstat/zfs")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
