#include "exporter/collectors/filesystem.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <tuple>
#include <set>

#include "common/file_reader.h"
#include "common/mutex.h"
#include "exporter/procfs/mountinfo.h"

namespace buildfarm::exporter {
namespace {

using Labels = std::vector<prometheus::ClientMetric::Label>;

// The mounts one mountinfo text yields after exclusion and de-duplication.
struct MountTargets {
  std::string mountinfo_text;    // the text these were derived from
  std::vector<Labels> labels;    // {device, fstype, mountpoint}, sorted by name as node_exporter prints them
  std::vector<bool> read_only;
  std::vector<std::string> stat_paths;  // rootfs + mount point
};

// node_exporter strips a leading --path.rootfs from mount points (a plain string prefix).
std::string StripRootfs(const std::string& rootfs, std::string mount_point) {
  if (rootfs == "/" || mount_point.compare(0, rootfs.size(), rootfs) != 0) return mount_point;
  mount_point.erase(0, rootfs.size());
  return mount_point.empty() ? "/" : mount_point;
}

class FilesystemCollector : public Collector {
 public:
  FilesystemCollector(const HostPaths& paths, std::regex mount_points_exclude, std::regex fs_types_exclude,
                      StatFunction stat, StatfsRunnerOptions runner_options, const Logger* log)
      : paths_(paths),
        mount_points_exclude_(std::move(mount_points_exclude)),
        fs_types_exclude_(std::move(fs_types_exclude)),
        runner_(std::move(stat), runner_options),
        log_(log) {}

  std::string_view name() const override { return "filesystem"; }

  Status Collect(Families& out) override {
    auto targets = CurrentTargets();
    if (!targets.ok()) return targets.status();
    const MountTargets& mounts = **targets;
    std::vector<StatfsRunner::Answer> answers = runner_.StatAll(mounts.stat_paths);

    auto& size = AddFamily(out, "node_filesystem_size_bytes", "Filesystem size in bytes.", kGauge);
    auto& free = AddFamily(out, "node_filesystem_free_bytes", "Filesystem free space in bytes.", kGauge);
    auto& avail = AddFamily(out, "node_filesystem_avail_bytes",
                            "Filesystem space available to non-root users in bytes.", kGauge);
    auto& files = AddFamily(out, "node_filesystem_files", "Filesystem total file nodes.", kGauge);
    auto& files_free = AddFamily(out, "node_filesystem_files_free", "Filesystem total free file nodes.", kGauge);
    auto& readonly = AddFamily(out, "node_filesystem_readonly", "Filesystem read-only status.", kGauge);
    auto& device_error = AddFamily(out, "node_filesystem_device_error",
                                   "Whether an error occurred while getting statistics for the given device.", kGauge);
    for (std::size_t i = 0; i < answers.size(); ++i) {
      const Labels& labels = mounts.labels[i];
      const StatfsRunner::Answer& answer = answers[i];
      const bool ok = answer.outcome == StatfsRunner::Outcome::kOk;
      AddSample(device_error, labels, ok ? 0 : 1);
      // Like node_exporter, a mount with an error gets device_error and nothing else, not even readonly.
      if (!ok) {
        if (answer.outcome == StatfsRunner::Outcome::kTimedOut && log_ != nullptr) {
          log_->Warn("statfs timed out; skipping the mount point until the call returns",
                     {{"mountpoint", labels[2].value}});
        }
        continue;
      }
      // Same arithmetic as node_exporter: float64(blocks) * float64(bsize).
      const StatfsValues& v = answer.values;
      const double block_size = static_cast<double>(v.block_size);
      AddSample(size, labels, static_cast<double>(v.blocks) * block_size);
      AddSample(free, labels, static_cast<double>(v.blocks_free) * block_size);
      AddSample(avail, labels, static_cast<double>(v.blocks_avail) * block_size);
      AddSample(files, labels, static_cast<double>(v.files));
      AddSample(files_free, labels, static_cast<double>(v.files_free));
      AddSample(readonly, labels, mounts.read_only[i] ? 1 : 0);
    }
    return Status::Ok();
  }

 private:
  // The filtered mount list for the current mountinfo text, rebuilt only when the text changes.
  Result<std::shared_ptr<const MountTargets>> CurrentTargets() {
    std::string path = paths_.Proc("1/mountinfo");
    auto text = ReadFileCapped(path);
    if (!text.ok()) {
      path = paths_.Proc("self/mountinfo");
      text = ReadFileCapped(path);
      if (!text.ok()) return text.status();
    }
    MutexLock lock(cache_mu_);
    if (cached_ && cached_->mountinfo_text == *text) return cached_;
    auto mounts = ParseMountinfo(*text);
    if (!mounts.ok()) return mounts.status().WithContext(path);
    auto targets = std::make_shared<MountTargets>();
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (MountEntry& mount : *mounts) {
      std::string mount_point = StripRootfs(paths_.rootfs, std::move(mount.mount_point));
      if (std::regex_search(mount_point, mount_points_exclude_)) continue;
      if (std::regex_search(mount.fstype, fs_types_exclude_)) continue;
      // node_exporter exposes each {device, mountpoint, fstype} once (the first one it meets).
      if (!seen.emplace(mount.device, mount_point, mount.fstype).second) continue;
      targets->stat_paths.push_back(paths_.Root(mount_point));
      targets->read_only.push_back(mount.read_only);
      targets->labels.push_back(
          Labels{{"device", mount.device}, {"fstype", mount.fstype}, {"mountpoint", std::move(mount_point)}});
    }
    targets->mountinfo_text = std::move(text).value();
    cached_ = std::move(targets);
    return cached_;
  }

  const HostPaths paths_;
  const std::regex mount_points_exclude_;
  const std::regex fs_types_exclude_;
  StatfsRunner runner_;
  const Logger* log_;
  Mutex cache_mu_;
  std::shared_ptr<const MountTargets> cached_ GUARDED_BY(cache_mu_);
};

Result<std::regex> CompileFlagRegex(const std::string& flag, const std::string& pattern) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return InvalidArgument("flag --" + flag + ": invalid regular expression: " + e.what());
  }
}

}  // namespace

Result<std::unique_ptr<Collector>> MakeFilesystemCollector(const HostPaths& paths, const FilesystemOptions& options,
                                                           StatFunction stat, const Logger* log) {
  auto mount_points = CompileFlagRegex("collector.filesystem.mount-points-exclude", options.mount_points_exclude);
  if (!mount_points.ok()) return mount_points.status();
  auto fs_types = CompileFlagRegex("collector.filesystem.fs-types-exclude", options.fs_types_exclude);
  if (!fs_types.ok()) return fs_types.status();
  if (!(options.mount_timeout_seconds > 0)) {
    return InvalidArgument("flag --collector.filesystem.mount-timeout: must be positive");
  }
  StatfsRunnerOptions runner;
  // Capped at a day: a larger flag value means "never give up", and the cast would overflow.
  runner.timeout = std::chrono::milliseconds(std::llround(std::min(options.mount_timeout_seconds, 86400.0) * 1000));
  if (runner.timeout.count() < 1) runner.timeout = std::chrono::milliseconds(1);
  runner.workers = static_cast<int>(options.stat_workers);
  runner.max_threads = runner.workers + 28;
  return std::unique_ptr<Collector>(std::make_unique<FilesystemCollector>(
      paths, std::move(mount_points).value(), std::move(fs_types).value(), std::move(stat), runner, log));
}

CollectorSpec MakeFilesystemSpec() {
  auto options = std::make_shared<FilesystemOptions>();
  CollectorSpec spec;
  spec.name = "filesystem";
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddString("collector.filesystem.mount-points-exclude", &options->mount_points_exclude,
                    "Regexp of mount points to exclude for filesystem collector.");
    flags.AddString("collector.filesystem.fs-types-exclude", &options->fs_types_exclude,
                    "Regexp of filesystem types to exclude for filesystem collector.");
    flags.AddDuration("collector.filesystem.mount-timeout", &options->mount_timeout_seconds,
                      "How long to wait for a mount to respond before marking it as stale.");
    flags.AddInt("collector.filesystem.stat-workers", &options->stat_workers, 1, 64,
                 "How many statfs calls to run in parallel (more threads start only to replace stuck ones).");
  };
  spec.create = [options](const CollectorEnv& env) {
    return MakeFilesystemCollector(env.paths, *options, SystemStatfs, &env.log);
  };
  return spec;
}

}  // namespace buildfarm::exporter
