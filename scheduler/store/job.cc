#include "scheduler/store/job.h"

#include <string>

namespace buildfarm::scheduler {

namespace {

Status FieldError(std::string_view field, const std::string& what) {
  return InvalidArgument(std::string(field) + ": " + what);
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// The first control character as "\x01" for the error message, or "" when there is none.
std::string FirstControl(std::string_view text, std::string_view also_allowed = {}) {
  for (unsigned char c : text) {
    if (!IsControl(c) || also_allowed.find(static_cast<char>(c)) != std::string_view::npos) continue;
    static const char kHex[] = "0123456789abcdef";
    return std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
  }
  return "";
}

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

constexpr std::pair<JobState, std::string_view> kStateNames[] = {
    {JobState::kBlocked, "blocked"},     {JobState::kQueued, "queued"}, {JobState::kAssigned, "assigned"},
    {JobState::kRunning, "running"},     {JobState::kCompleted, "completed"}, {JobState::kFailed, "failed"},
    {JobState::kCancelled, "cancelled"},
};
}  // namespace

std::string_view JobStateName(JobState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<JobState> ParseJobState(std::string_view name) {
  for (const auto& [s, n] : kStateNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

bool IsTerminal(JobState state) {
  return state == JobState::kCompleted || state == JobState::kFailed || state == JobState::kCancelled;
}

Status CheckJobId(std::string_view id, std::string_view field) {
  const std::string kAllowed = "want 1-128 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit";
  if (id.empty() || id.size() > 128 || !IsAlnum(id[0])) return FieldError(field, kAllowed);
  for (char c : id) {
    if (!IsAlnum(c) && c != '.' && c != '_' && c != '-') return FieldError(field, kAllowed);
  }
  return Status::Ok();
}

Status CheckNodeName(std::string_view name, std::string_view field) {
  const std::string kAllowed = "want a node name (a DNS label: 1-63 of a-z, 0-9 and '-', not starting or ending with '-')";
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return FieldError(field, kAllowed);
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return FieldError(field, kAllowed);
  }
  return Status::Ok();
}

Status CheckBranch(std::string_view branch, std::string_view field) {
  if (branch.empty()) return Status::Ok();
  const std::string kAllowed = "want a git branch name (printable ASCII without spaces or ~^:?*[\\, no '..', "
                               "not starting with '-' or '/', at most 255 characters)";
  if (branch.size() > 255 || branch.front() == '-' || branch.front() == '/' || branch.back() == '/' ||
      branch.back() == '.' || branch.find("..") != std::string_view::npos ||
      branch.find("//") != std::string_view::npos || branch.find("@{") != std::string_view::npos ||
      (branch.size() >= 5 && branch.substr(branch.size() - 5) == ".lock")) {
    return FieldError(field, kAllowed);
  }
  for (unsigned char c : branch) {
    if (c <= ' ' || c >= 0x7f || std::string_view("~^:?*[\\").find(static_cast<char>(c)) != std::string_view::npos) {
      return FieldError(field, kAllowed);
    }
  }
  return Status::Ok();
}

Status CheckCommit(std::string_view commit, std::string_view field) {
  if (commit.empty()) return Status::Ok();
  const std::string kAllowed = "want a hex commit id of 4 to 64 digits";
  if (commit.size() < 4 || commit.size() > 64) return FieldError(field, kAllowed);
  for (char c : commit) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return FieldError(field, kAllowed);
  }
  return Status::Ok();
}

Status CheckCommand(std::string_view command, std::string_view field) {
  if (command.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return FieldError(field, "must not be blank");
  }
  if (std::string bad = FirstControl(command, "\t\n"); !bad.empty()) {
    return FieldError(field, "contains the control character " + bad + " (only tab and newline are allowed)");
  }
  return Status::Ok();
}

Status CheckPrintable(std::string_view text, std::string_view field) {
  if (std::string bad = FirstControl(text); !bad.empty()) {
    return FieldError(field, "contains the control character " + bad);
  }
  return Status::Ok();
}

Status CheckJobSpec(const JobSpec& spec, std::string_view prefix) {
  const std::string at(prefix);
  if (!spec.id.empty()) BUILDFARM_RETURN_IF_ERROR(CheckJobId(spec.id, at + "id"));
  BUILDFARM_RETURN_IF_ERROR(CheckCommand(spec.command, at + "command"));
  BUILDFARM_RETURN_IF_ERROR(CheckBranch(spec.branch, at + "branch"));
  BUILDFARM_RETURN_IF_ERROR(CheckCommit(spec.commit, at + "commit"));
  BUILDFARM_RETURN_IF_ERROR(CheckPrintable(spec.requester, at + "requester"));
  for (std::size_t i = 0; i < spec.dependencies.size(); ++i) {
    BUILDFARM_RETURN_IF_ERROR(CheckJobId(spec.dependencies[i], at + "dependencies/" + std::to_string(i)));
  }
  for (std::size_t i = 0; i < spec.profiles.size(); ++i) {
    BUILDFARM_RETURN_IF_ERROR(CheckPrintable(spec.profiles[i], at + "profiles/" + std::to_string(i)));
  }
  for (const auto& [label, value] : spec.selector) {
    BUILDFARM_RETURN_IF_ERROR(CheckPrintable(label, at + "selector"));
    BUILDFARM_RETURN_IF_ERROR(CheckPrintable(value, at + "selector/" + label));
  }
  return Status::Ok();
}

}  // namespace buildfarm::scheduler
