#include "exporter/collectors/bcache.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s.substr(0, 60)) + "\""; }

std::optional<double> ParseNumber(std::string_view s) {
  if (s.empty() || s.find_first_of(" \t\n") != std::string_view::npos) return std::nullopt;
  return text::ParseDouble(s);
}

// bch_hprint's "<integer>.<tenths>", where the tenths digit is 1024ths scaled by 10.24.
std::optional<double> ParsePseudoFloat(std::string_view s) {
  std::size_t dot = s.find('.');
  auto integer = ParseNumber(s.substr(0, dot));
  if (!integer || dot == std::string_view::npos) return integer;
  std::string_view rest = s.substr(dot + 1);
  auto fraction = ParseNumber(rest.substr(0, rest.find('.')));  // procfs ignores any further dot part
  if (!fraction) return std::nullopt;
  return *integer + *fraction / 10.24;
}

// Go's uint64(float64) for the values bcache prints; out-of-range results saturate instead of being
// undefined.
std::uint64_t ToUint64(double value) {
  if (!(value > 0)) return 0;
  if (value >= 18446744073709551615.0) return ~0ULL;
  return static_cast<std::uint64_t>(value);
}

}  // namespace

Result<std::uint64_t> ParseBcacheValue(std::string_view text) {
  if (text.empty()) return ParseError("empty value");
  char last = text.back();
  if (last > '9') {
    double multiplier = 0;  // an unknown suffix gives 0, as in procfs
    constexpr std::string_view kSuffixes = "kMGTPEZY";
    std::size_t power = kSuffixes.find(last);
    if (power != std::string_view::npos) multiplier = std::ldexp(1.0, 10 * static_cast<int>(power + 1));
    auto mantissa = ParsePseudoFloat(text.substr(0, text.size() - 1));
    if (!mantissa) return ParseError("value " + Quote(text) + " is not a bcache size");
    return ToUint64(*mantissa * multiplier);
  }
  auto value = ParseNumber(text);
  if (!value) return ParseError("value " + Quote(text) + " is not a number");
  return ToUint64(*value);
}

Result<std::int64_t> ParseBcacheSignedValue(std::string_view text) {
  bool negative = !text.empty() && text.front() == '-';
  auto magnitude = ParseBcacheValue(negative ? text.substr(1) : text);
  if (!magnitude.ok()) return magnitude.status();
  auto value = static_cast<std::int64_t>(*magnitude);  // Go's int64(uint64) conversion wraps
  return negative ? static_cast<std::int64_t>(0ULL - static_cast<std::uint64_t>(value)) : value;
}

Result<BcacheWritebackRate> ParseBcacheWritebackRateDebug(std::string_view text) {
  BcacheWritebackRate rate;
  struct Field {
    std::string_view prefix, suffix;
    std::int64_t BcacheWritebackRate::*target;
  };
  static constexpr Field kFields[] = {{"rate:", "/sec", &BcacheWritebackRate::rate},
                                      {"dirty:", "", &BcacheWritebackRate::dirty},
                                      {"target:", "", &BcacheWritebackRate::target},
                                      {"proportional:", "", &BcacheWritebackRate::proportional},
                                      {"integral:", "", &BcacheWritebackRate::integral},
                                      {"change:", "/sec", &BcacheWritebackRate::change}};
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto fields = text::Fields(line);
    if (fields.empty()) continue;
    std::string_view value = fields.back();
    if (line.rfind("next io:", 0) == 0) {
      if (value.size() >= 2 && value.substr(value.size() - 2) == "ms") value.remove_suffix(2);
      auto ms = text::ParseInt64(value);
      if (!ms) return ParseError("next io " + Quote(fields.back()) + " is not a number of ms");
      rate.next_io_ms = *ms;
      continue;
    }
    for (const Field& field : kFields) {
      if (line.rfind(field.prefix, 0) != 0) continue;
      if (!field.suffix.empty() && value.size() >= field.suffix.size() &&
          value.substr(value.size() - field.suffix.size()) == field.suffix) {
        value.remove_suffix(field.suffix.size());
      }
      auto parsed = ParseBcacheSignedValue(value);
      if (!parsed.ok()) return parsed.status().WithContext("writeback_rate_debug " + std::string(field.prefix));
      rate.*field.target = *parsed;
    }
  }
  return rate;
}

Result<BcachePriorityStats> ParseBcachePriorityStats(std::string_view text) {
  BcachePriorityStats stats;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    bool unused = line.rfind("Unused:", 0) == 0;
    if (!unused && line.rfind("Metadata:", 0) != 0) continue;
    std::string_view value = text::Fields(line).back();
    if (!value.empty() && value.back() == '%') value.remove_suffix(1);
    auto percent = ParseGoUint(value);
    if (!percent) return ParseError("priority_stats line " + Quote(line) + " has no percentage");
    (unused ? stats.unused_percent : stats.metadata_percent) = *percent;
  }
  return stats;
}

namespace {

constexpr std::string_view kPeriodFiles[] = {"bypassed",         "cache_bypass_hits",     "cache_bypass_misses",
                                             "cache_hits",       "cache_miss_collisions", "cache_misses",
                                             "cache_readaheads"};
constexpr std::size_t kPeriodCount = std::size(kPeriodFiles);

struct BcacheBackingDevice {
  std::string name;
  std::uint64_t dirty_data = 0;
  std::uint64_t total[kPeriodCount] = {};
  BcacheWritebackRate writeback;
};

struct BcacheCacheDevice {
  std::string name;
  std::uint64_t io_errors = 0, metadata_written = 0, written = 0;
  BcachePriorityStats priority;
};

struct BcacheSet {
  std::string uuid;
  std::uint64_t average_key_size = 0, btree_cache_size = 0, cache_available_percent = 0, congested = 0,
                root_usage_percent = 0, tree_depth = 0, active_journal_entries = 0, btree_nodes = 0,
                btree_read_average_duration_us = 0, cache_read_races = 0;
  std::vector<BcacheBackingDevice> backing;
  std::vector<BcacheCacheDevice> caches;
};

// Reads files under one cache set, keeping the first failure (node_exporter fails the whole scrape
// on any unreadable or malformed file).
class SetReader {
 public:
  explicit SetReader(std::string dir) : dir_(std::move(dir)) {}

  std::string Text(const std::string& relative) {
    if (!status_.ok()) return "";
    std::string path = JoinPath(dir_, relative);
    auto text = ReadFileCapped(path, 64 * 1024);
    if (!text.ok()) {
      status_ = text.status();
      return "";
    }
    return std::move(text).value();
  }
  std::uint64_t Value(const std::string& relative) {
    std::string text = Text(relative);
    if (!status_.ok()) return 0;
    if (text.empty()) {
      status_ = ParseError(JoinPath(dir_, relative) + ": empty file");
      return 0;
    }
    text.pop_back();  // procfs drops the last byte, the newline
    auto value = ParseBcacheValue(text);
    if (!value.ok()) status_ = value.status().WithContext(JoinPath(dir_, relative));
    return value.ok() ? *value : 0;
  }
  template <typename T>
  T Parsed(const std::string& relative, Result<T> (*parse)(std::string_view)) {
    std::string text = Text(relative);
    if (!status_.ok()) return T{};
    auto parsed = parse(text);
    if (!parsed.ok()) status_ = parsed.status().WithContext(JoinPath(dir_, relative));
    return parsed.ok() ? *parsed : T{};
  }
  // Entries named <prefix><digit>..., sorted, as node_exporter globs "bdev[0-9]*".
  std::vector<std::string> Matching(std::string_view prefix) {
    std::vector<std::string> out;
    auto names = ListDirectory(dir_);
    if (!names.ok()) {
      if (status_.ok()) status_ = names.status();
      return out;
    }
    for (const auto& name : *names) {
      if (name.size() > prefix.size() && name.rfind(prefix, 0) == 0 && name[prefix.size()] >= '0' &&
          name[prefix.size()] <= '9') {
        out.push_back(name);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  const Status& status() const { return status_; }

 private:
  std::string dir_;
  Status status_ = Status::Ok();
};

Result<BcacheSet> ReadCacheSet(const std::string& dir, bool priority_stats) {
  SetReader reader(dir);
  BcacheSet set;
  set.average_key_size = reader.Value("average_key_size");
  set.btree_cache_size = reader.Value("btree_cache_size");
  set.cache_available_percent = reader.Value("cache_available_percent");
  set.congested = reader.Value("congested");
  set.root_usage_percent = reader.Value("root_usage_percent");
  set.tree_depth = reader.Value("tree_depth");
  set.active_journal_entries = reader.Value("internal/active_journal_entries");
  set.btree_nodes = reader.Value("internal/btree_nodes");
  set.btree_read_average_duration_us = reader.Value("internal/btree_read_average_duration_us");
  set.cache_read_races = reader.Value("internal/cache_read_races");
  // The set's own period counters are read (and must be valid) but node_exporter 1.5 serves none.
  for (std::string_view period : {"stats_five_minute/", "stats_total/"}) {
    for (std::string_view file : kPeriodFiles) (void)reader.Value(std::string(period) + std::string(file));
  }
  for (const std::string& name : reader.Matching("bdev")) {
    BcacheBackingDevice device;
    device.name = ToValidUtf8(name);
    device.dirty_data = reader.Value(name + "/dirty_data");
    for (std::string_view file : kPeriodFiles) (void)reader.Value(name + "/stats_five_minute/" + std::string(file));
    for (std::size_t i = 0; i < kPeriodCount; ++i) {
      device.total[i] = reader.Value(name + "/stats_total/" + std::string(kPeriodFiles[i]));
    }
    device.writeback = reader.Parsed(name + "/writeback_rate_debug", &ParseBcacheWritebackRateDebug);
    set.backing.push_back(std::move(device));
  }
  for (const std::string& name : reader.Matching("cache")) {
    BcacheCacheDevice cache;
    cache.name = ToValidUtf8(name);
    cache.io_errors = reader.Value(name + "/io_errors");
    cache.metadata_written = reader.Value(name + "/metadata_written");
    cache.written = reader.Value(name + "/written");
    if (priority_stats) cache.priority = reader.Parsed(name + "/priority_stats", &ParseBcachePriorityStats);
    set.caches.push_back(std::move(cache));
  }
  if (!reader.status().ok()) return reader.status();
  return set;
}

class BcacheCollector : public Collector {
 public:
  BcacheCollector(std::string bcache_dir, bool priority_stats)
      : bcache_dir_(std::move(bcache_dir)), priority_stats_(priority_stats) {}
  std::string_view name() const override { return "bcache"; }

  Status Collect(Families& out) override {
    const std::size_t first_family = out.size();
    auto entries = ListDirectory(bcache_dir_);
    if (!entries.ok()) return entries.status();  // kNotFound without the bcache module: "no data"
    std::sort(entries->begin(), entries->end());
    std::vector<BcacheSet> sets;
    for (const std::string& entry : *entries) {
      if (entry.find('-') == std::string::npos) continue;  // node_exporter globs "*-*" (not "register")
      std::string dir = JoinPath(bcache_dir_, entry);
      auto set = ReadCacheSet(dir, priority_stats_);
      // A cache set stopped since the listing is skipped (node_exporter fails the scrape then).
      struct stat info;
      if (!set.ok() && set.status().code() == StatusCode::kNotFound && ::stat(dir.c_str(), &info) != 0) continue;
      if (!set.ok()) return set.status();
      set->uuid = ToValidUtf8(entry);
      sets.push_back(std::move(set).value());
    }
    if (sets.empty()) return Status::Ok();
    using Set = BcacheSet;
    struct SetMetric {
      const char* name;
      const char* help;
      std::uint64_t Set::*field;
      prometheus::MetricType type;
      double scale;
    };
    static const SetMetric kSetMetrics[] = {
        {"average_key_size_sectors", "Average data per key in the btree (sectors).", &Set::average_key_size, kGauge, 1},
        {"btree_cache_size_bytes", "Amount of memory currently used by the btree cache.", &Set::btree_cache_size,
         kGauge, 1},
        {"cache_available_percent",
         "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).",
         &Set::cache_available_percent, kGauge, 1},
        {"congested", "Congestion.", &Set::congested, kGauge, 1},
        {"root_usage_percent", "Percentage of the root btree node in use (tree depth increases if too high).",
         &Set::root_usage_percent, kGauge, 1},
        {"tree_depth", "Depth of the btree.", &Set::tree_depth, kGauge, 1},
        {"active_journal_entries", "Number of journal entries that are newer than the index.",
         &Set::active_journal_entries, kGauge, 1},
        {"btree_nodes", "Total nodes in the btree.", &Set::btree_nodes, kGauge, 1},
        // node_exporter takes the microseconds for nanoseconds: its value is 1000 times too small.
        {"btree_read_average_duration_seconds", "Average btree read duration.", &Set::btree_read_average_duration_us,
         kGauge, 1e-9},
        {"cache_read_races_total",
         "Counts instances where while data was being read from the cache, the bucket was reused and invalidated - "
         "i.e. where the pointer was stale after the read completed.",
         &Set::cache_read_races, kCounter, 1},
    };
    for (const SetMetric& metric : kSetMetrics) {
      auto& family = AddFamily(out, std::string("node_bcache_") + metric.name, metric.help, metric.type);
      for (const BcacheSet& set : sets) {
        AddSample(family, {{"uuid", set.uuid}}, static_cast<double>(set.*metric.field) * metric.scale);
      }
    }
    AddBackingMetrics(sets, out);
    AddCacheMetrics(sets, out);
    DropEmptyFamilies(out, first_family);  // a set without backing or cache devices
    return Status::Ok();
  }

 private:
  static void AddBackingMetrics(const std::vector<BcacheSet>& sets, Families& out) {
    using Rate = BcacheWritebackRate;
    auto& dirty = AddFamily(out, "node_bcache_dirty_data_bytes",
                            "Amount of dirty data for this backing device in the cache.", kGauge);
    struct RateMetric {
      const char* name;
      const char* help;
      std::int64_t Rate::*field;
    };
    static const RateMetric kRateMetrics[] = {
        {"dirty_target_bytes", "Current dirty data target threshold for this backing device in bytes.", &Rate::target},
        {"writeback_rate", "Current writeback rate for this backing device in bytes.", &Rate::rate},
        {"writeback_rate_proportional_term", "Current result of proportional controller, part of writeback rate",
         &Rate::proportional},
        {"writeback_rate_integral_term", "Current result of integral controller, part of writeback rate",
         &Rate::integral},
        {"writeback_change", "Last writeback rate change step for this backing device.", &Rate::change},
    };
    static const char* const kPeriodMetrics[][2] = {
        {"bypassed_bytes_total", "Amount of IO (both reads and writes) that has bypassed the cache."},
        {"cache_bypass_hits_total", "Hits for IO intended to skip the cache."},
        {"cache_bypass_misses_total", "Misses for IO intended to skip the cache."},
        {"cache_hits_total", "Hits counted per individual IO as bcache sees them."},
        {"cache_miss_collisions_total",
         "Instances where data insertion from cache miss raced with write (data already present)."},
        {"cache_misses_total", "Misses counted per individual IO as bcache sees them."},
        {"cache_readaheads_total", "Count of times readahead occurred."},
    };
    for (const BcacheSet& set : sets) {
      for (const auto& device : set.backing) {
        AddSample(dirty, {{"backing_device", device.name}, {"uuid", set.uuid}}, static_cast<double>(device.dirty_data));
      }
    }
    for (const RateMetric& metric : kRateMetrics) {
      auto& family = AddFamily(out, std::string("node_bcache_") + metric.name, metric.help, kGauge);
      for (const BcacheSet& set : sets) {
        for (const auto& device : set.backing) {
          AddSample(family, {{"backing_device", device.name}, {"uuid", set.uuid}},
                    static_cast<double>(device.writeback.*metric.field));
        }
      }
    }
    for (std::size_t i = 0; i < kPeriodCount; ++i) {
      auto& family = AddFamily(out, std::string("node_bcache_") + kPeriodMetrics[i][0], kPeriodMetrics[i][1], kCounter);
      for (const BcacheSet& set : sets) {
        for (const auto& device : set.backing) {
          AddSample(family, {{"backing_device", device.name}, {"uuid", set.uuid}}, static_cast<double>(device.total[i]));
        }
      }
    }
  }

  void AddCacheMetrics(const std::vector<BcacheSet>& sets, Families& out) const {
    using Cache = BcacheCacheDevice;
    struct CacheMetric {
      const char* name;
      const char* help;
      std::uint64_t Cache::*field;
      prometheus::MetricType type;
    };
    static const CacheMetric kCacheMetrics[] = {
        {"io_errors", "Number of errors that have occurred, decayed by io_error_halflife.", &Cache::io_errors, kGauge},
        {"metadata_written_bytes_total", "Sum of all non data writes (btree writes and all other metadata).",
         &Cache::metadata_written, kCounter},
        {"written_bytes_total", "Sum of all data that has been written to the cache.", &Cache::written, kCounter},
    };
    auto add = [&](const char* name, const char* help, prometheus::MetricType type, auto value_of) {
      auto& family = AddFamily(out, std::string("node_bcache_") + name, help, type);
      for (const BcacheSet& set : sets) {
        for (const auto& cache : set.caches) {
          AddSample(family, {{"cache_device", cache.name}, {"uuid", set.uuid}}, static_cast<double>(value_of(cache)));
        }
      }
    };
    for (const CacheMetric& metric : kCacheMetrics) {
      add(metric.name, metric.help, metric.type, [&](const Cache& cache) { return cache.*metric.field; });
    }
    if (!priority_stats_) return;
    add("priority_stats_unused_percent", "The percentage of the cache that doesn't contain any data.", kGauge,
        [](const Cache& cache) { return cache.priority.unused_percent; });
    add("priority_stats_metadata_percent", "Bcache's metadata overhead.", kGauge,
        [](const Cache& cache) { return cache.priority.metadata_percent; });
  }

  std::string bcache_dir_;
  bool priority_stats_;
};

}  // namespace

CollectorSpec MakeBcacheSpec() {
  auto priority_stats = std::make_shared<bool>(false);
  CollectorSpec spec;
  spec.name = "bcache";
  spec.add_flags = [priority_stats](FlagSet& flags) {
    flags.AddBool("collector.bcache.priorityStats", priority_stats.get(),
                  "Expose expensive priority stats.");
  };
  spec.create = [priority_stats](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<BcacheCollector>(env.paths.Sys("fs/bcache"), *priority_stats));
  };
  return spec;
}

}  // namespace buildfarm::exporter
