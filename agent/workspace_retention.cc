#include "agent/workspace_retention.h"

#include <algorithm>
#include <filesystem>
#include <optional>

namespace buildfarm::agent {
namespace {

namespace fs = std::filesystem;

// A job's workspace or log name ends in "-<attempt>" (agent.h AttemptDirName).
bool IsAttemptName(const std::string& name) {
  auto dash = name.rfind('-');
  return dash != std::string::npos && dash > 0 && dash + 1 < name.size() &&
         std::all_of(name.begin() + static_cast<std::ptrdiff_t>(dash) + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::chrono::system_clock::time_point> LastWrite(const fs::path& path) {
  std::error_code ec;
  auto time = fs::last_write_time(path, ec);
  if (ec) return std::nullopt;
  // file_time_type's epoch differs from system_clock's: translate through both clocks' "now".
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      time - fs::file_time_type::clock::now() + std::chrono::system_clock::now());
}

// Retention 0 still keeps entries this recent: their attempt may have started after `running` was taken.
constexpr auto kNewEntryMargin = std::chrono::seconds(2);

}  // namespace

SweepCounts SweepWorkspaces(const std::string& root, const RetentionPolicy& policy, const std::set<std::string>& running,
                            std::chrono::system_clock::time_point now) {
  SweepCounts counts;
  std::error_code ec;
  auto expired = [&](std::chrono::system_clock::time_point written, double retention_seconds) {
    auto age = now - written;
    return age >= kNewEntryMargin && age >= std::chrono::duration<double>(retention_seconds);
  };
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const fs::path& path = entry.path();
    std::string name = path.filename().string();
    const bool is_log = path.extension() == ".log" && entry.is_regular_file(ec);
    if (is_log) name = path.stem().string();
    if (!IsAttemptName(name) || running.count(name)) continue;
    if (is_log) {
      auto written = LastWrite(path);
      if (written && expired(*written, policy.log_seconds) && fs::remove(path, ec)) ++counts.logs;
      continue;
    }
    if (!entry.is_directory(ec) || entry.is_symlink(ec)) continue;
    auto written = LastWrite(fs::path(root) / (name + ".log"));
    if (!written) written = LastWrite(path);
    if (written && expired(*written, policy.workspace_seconds) && fs::remove_all(path, ec) > 0) ++counts.workspaces;
  }
  return counts;
}

void RemoveAttemptFiles(const std::string& root, const std::string& name, const RetentionPolicy& policy) {
  std::error_code ec;
  if (policy.workspace_seconds <= 0) fs::remove_all(fs::path(root) / name, ec);
  if (policy.log_seconds <= 0) fs::remove(fs::path(root) / (name + ".log"), ec);
}

double SweepIntervalSeconds(const RetentionPolicy& policy) {
  return std::clamp(std::min(policy.workspace_seconds, policy.log_seconds) / 4, 1.0, 600.0);
}

}  // namespace buildfarm::agent
