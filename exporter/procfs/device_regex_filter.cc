#include "exporter/procfs/device_regex_filter.h"

#include "exporter/procfs/field_regex_filter.h"

namespace buildfarm::exporter {
namespace {

constexpr std::size_t kMaxMemoizedNames = 4096;  // bounds memory when interfaces churn (veth, tap)

}  // namespace

Result<std::unique_ptr<DeviceRegexFilter>> DeviceRegexFilter::Create(const std::string& flag_prefix,
                                                                     const std::string& exclude,
                                                                     const std::string& include) {
  std::unique_ptr<DeviceRegexFilter> filter(new DeviceRegexFilter());
  auto excluded = CompileFlagRegex(flag_prefix + ".device-exclude", exclude);
  if (!excluded.ok()) return excluded.status();
  auto included = CompileFlagRegex(flag_prefix + ".device-include", include);
  if (!included.ok()) return included.status();
  filter->exclude_ = std::move(*excluded);
  filter->include_ = std::move(*included);
  return filter;
}

Result<std::unique_ptr<DeviceRegexFilter>> DeviceRegexFilter::CreateIgnoring(const std::string& flag,
                                                                             const std::string& pattern) {
  std::unique_ptr<DeviceRegexFilter> filter(new DeviceRegexFilter());
  auto ignored = CompileFlagRegex(flag, pattern);
  if (!ignored.ok()) return ignored.status();
  filter->exclude_ = std::move(*ignored);
  return filter;
}

bool DeviceRegexFilter::Evaluate(const std::string& device) const {
  if (exclude_ && std::regex_search(device, *exclude_)) return true;
  if (include_ && !std::regex_search(device, *include_)) return true;
  return false;
}

bool DeviceRegexFilter::Ignored(std::string_view device) const {
  if (!exclude_ && !include_) return false;
  std::string key(device);
  MutexLock lock(mutex_);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  if (memo_.size() >= kMaxMemoizedNames) memo_.clear();
  bool ignored = Evaluate(key);
  memo_.emplace(std::move(key), ignored);
  return ignored;
}

void DeviceFilterFlags::Register(FlagSet& flags, const std::string& what) {
  flags.AddCustom(prefix + ".device-exclude", "REGEX", exclude, "Regexp of " + what + " devices to exclude.",
                  [this](std::string_view v) {
                    exclude = std::string(v);
                    exclude_set = true;
                    return Status::Ok();
                  });
  flags.AddString(prefix + ".device-include", &include, "Regexp of " + what + " devices to include.");
}

Result<std::unique_ptr<DeviceRegexFilter>> DeviceFilterFlags::Build() const {
  std::string effective_exclude = exclude;
  if (!include.empty() && !exclude.empty()) {
    if (exclude_set) {
      return InvalidArgument("flags --" + prefix + ".device-exclude and --" + prefix +
                             ".device-include are mutually exclusive");
    }
    effective_exclude.clear();  // only the default was there: the explicit include wins
  }
  return DeviceRegexFilter::Create(prefix, effective_exclude, include);
}

}  // namespace buildfarm::exporter
