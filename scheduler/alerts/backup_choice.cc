#include "scheduler/alerts/backup_choice.h"

#include <tuple>

namespace buildfarm::scheduler {

bool IsPoolLabel(std::string_view backup) {
  auto eq = backup.find('=');
  return eq != std::string_view::npos && eq > 0 && eq + 1 < backup.size();
}

std::string ChooseBackup(std::string_view source, std::string_view backup,
                         const std::vector<BackupCandidate>& candidates) {
  if (backup.empty()) return "";
  if (!IsPoolLabel(backup)) {
    for (const BackupCandidate& c : candidates) {
      if (c.name == backup && c.name != source && c.healthy) return c.name;
    }
    return "";
  }
  const auto eq = backup.find('=');
  const std::string key(backup.substr(0, eq));
  const std::string value(backup.substr(eq + 1));
  const BackupCandidate* best = nullptr;
  // Unknown CPU ranks after any known value: a node without metrics is not known to be idle.
  auto rank = [](const BackupCandidate& c) {
    return std::make_tuple(c.active_jobs, c.cpu_utilisation.has_value() ? 0 : 1, c.cpu_utilisation.value_or(0.0),
                           c.name);
  };
  for (const BackupCandidate& c : candidates) {
    if (c.name == source || !c.healthy) continue;
    auto label = c.labels.find(key);
    if (label == c.labels.end() || label->second != value) continue;
    if (best == nullptr || rank(c) < rank(*best)) best = &c;
  }
  return best == nullptr ? "" : best->name;
}

}  // namespace buildfarm::scheduler
