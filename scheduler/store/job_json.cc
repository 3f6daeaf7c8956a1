#include "scheduler/store/job_json.h"

#include <cmath>
#include <ctime>
#include <set>

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

Status FieldError(const std::string& field, const std::string& what) { return InvalidArgument(field + ": " + what); }

Status ReadString(const json& body, const char* field, std::string* out, bool required = false) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    return required ? FieldError(field, "required") : Status::Ok();
  }
  if (!it->is_string()) return FieldError(field, "want a string");
  *out = it->get<std::string>();
  if (required && out->empty()) return FieldError(field, "must not be empty");
  return Status::Ok();
}

template <typename T>
Status ReadInteger(const json& body, const char* field, T* out, std::int64_t min, std::int64_t max) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return Status::Ok();
  if (!it->is_number_integer()) return FieldError(field, "want an integer");
  auto value = it->get<std::int64_t>();
  if (value < min || value > max) {
    return FieldError(field, "want an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  *out = static_cast<T>(value);
  return Status::Ok();
}

Status ReadStringList(const json& body, const char* field, std::vector<std::string>* out) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return FieldError(field, "want a list of strings");
  out->clear();
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) return FieldError(std::string(field) + "/" + std::to_string(i), "want a string");
    out->push_back((*it)[i].get<std::string>());
  }
  return Status::Ok();
}

Status ReadRequirements(const json& body, Requirements* out) {
  auto it = body.find("requirements");
  if (it == body.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return FieldError("requirements", "want an object");
  for (const auto& [key, value] : it->items()) {
    if (key != "cores" && key != "memory_bytes" && key != "disk_bytes") {
      return FieldError("requirements/" + key, "unknown field");
    }
    // The upper bound keeps the byte counts' conversion to int64 defined.
    if (!value.is_number() || value.get<double>() < 0 || !(value.get<double>() < 9.2e18)) {
      return FieldError("requirements/" + key, "want a non-negative number");
    }
    // Cores may be fractional (a share of a core); a byte count is whole.
    if (key != "cores" && !value.is_number_integer()) {
      return FieldError("requirements/" + key, "want a whole number of bytes");
    }
  }
  out->cores = it->value("cores", 0.0);
  if (it->contains("memory_bytes")) out->memory_bytes = (*it)["memory_bytes"].get<std::int64_t>();
  if (it->contains("disk_bytes")) out->disk_bytes = (*it)["disk_bytes"].get<std::int64_t>();
  return Status::Ok();
}

Status ReadSelector(const json& body, std::map<std::string, std::string>* out) {
  auto it = body.find("selector");
  if (it == body.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return FieldError("selector", "want an object of label: value");
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string()) return FieldError("selector/" + key, "want a string");
    (*out)[key] = value.get<std::string>();
  }
  return Status::Ok();
}

}  // namespace

Result<JobSpec> JobSpecFromJson(const json& body) {
  if (!body.is_object()) return InvalidArgument("body: want a JSON object");
  static const std::set<std::string> kKnown = {
      "id", "command", "branch", "commit", "priority", "build_type", "profiles", "requirements", "selector",
      "dependencies", "timeout_seconds", "max_retries", "requester"};
  for (const auto& [key, value] : body.items()) {
    if (kKnown.count(key) == 0) return FieldError(key, "unknown field");
  }
  JobSpec spec;
  BUILDFARM_RETURN_IF_ERROR(ReadString(body, "id", &spec.id));
  BUILDFARM_RETURN_IF_ERROR(ReadString(body, "command", &spec.command, /*required=*/true));
  BUILDFARM_RETURN_IF_ERROR(ReadString(body, "branch", &spec.branch));
  BUILDFARM_RETURN_IF_ERROR(ReadString(body, "commit", &spec.commit));
  BUILDFARM_RETURN_IF_ERROR(ReadInteger(body, "priority", &spec.priority, 1, 10));
  BUILDFARM_RETURN_IF_ERROR(ReadString(body, "build_type", &spec.build_type));
  if (spec.build_type != "full" && spec.build_type != "incremental" && spec.build_type != "package" &&
      spec.build_type != "test") {
    return FieldError("build_type", "want full, incremental, package or test");
  }
  BUILDFARM_RETURN_IF_ERROR(ReadStringList(body, "profiles", &spec.profiles));
  BUILDFARM_RETURN_IF_ERROR(ReadRequirements(body, &spec.requirements));
  BUILDFARM_RETURN_IF_ERROR(ReadSelector(body, &spec.selector));
  BUILDFARM_RETURN_IF_ERROR(ReadStringList(body, "dependencies", &spec.dependencies));
  BUILDFARM_RETURN_IF_ERROR(ReadInteger(body, "timeout_seconds", &spec.timeout_seconds, 1, 7 * 24 * 3600));
  BUILDFARM_RETURN_IF_ERROR(ReadInteger(body, "max_retries", &spec.max_retries, 0, 100));
  BUILDFARM_RETURN_IF_ERROR(ReadString(body, "requester", &spec.requester));
  if (spec.id.size() > 128) return FieldError("id", "longer than 128 characters");
  return spec;
}

json JobSpecToJson(const JobSpec& spec) {
  json out = {
      {"id", spec.id},
      {"command", spec.command},
      {"branch", spec.branch},
      {"commit", spec.commit},
      {"priority", spec.priority},
      {"build_type", spec.build_type},
      {"profiles", spec.profiles},
      {"requirements",
       {{"cores", spec.requirements.cores},
        {"memory_bytes", spec.requirements.memory_bytes},
        {"disk_bytes", spec.requirements.disk_bytes}}},
      {"selector", spec.selector},
      {"dependencies", spec.dependencies},
      {"timeout_seconds", spec.timeout_seconds},
      {"max_retries", spec.max_retries},
      {"requester", spec.requester},
  };
  return out;
}

std::string FormatTimestamp(double unix_seconds) {
  auto whole = static_cast<std::time_t>(std::floor(unix_seconds));
  int millis = static_cast<int>(std::lround((unix_seconds - static_cast<double>(whole)) * 1000));
  if (millis == 1000) {
    ++whole;
    millis = 0;
  }
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char buffer[40];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(buffer, n);
  if (millis != 0) {
    char ms[8];
    std::snprintf(ms, sizeof ms, ".%03d", millis);
    out += ms;
  }
  return out + "Z";
}

json JobToJson(const Job& job) {
  json out = JobSpecToJson(job.spec);
  out["status"] = std::string(JobStateName(job.state));
  out["attempt"] = job.attempt;
  out["retry_count"] = job.retry_count;
  out["created_at"] = FormatTimestamp(job.created_at);
  if (!job.node.empty()) out["assigned_to"] = job.node;
  if (!job.pinned_node.empty()) out["pinned_node"] = job.pinned_node;
  if (job.assigned_at) out["assigned_at"] = FormatTimestamp(*job.assigned_at);
  if (job.started_at) out["started_at"] = FormatTimestamp(*job.started_at);
  if (job.completed_at) out["completed_at"] = FormatTimestamp(*job.completed_at);
  if (job.exit_code) out["exit_code"] = *job.exit_code;
  if (job.duration_seconds) out["duration_seconds"] = *job.duration_seconds;
  if (!job.error_message.empty()) out["error_message"] = job.error_message;
  if (job.log_expired_at) out["log_expired_at"] = FormatTimestamp(*job.log_expired_at);
  return out;
}

}  // namespace buildfarm::scheduler
