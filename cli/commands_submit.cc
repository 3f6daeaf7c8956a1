// submit: one job from flags, or a dependency graph from a JSON file.
#include "common/file_reader.h"
#include "common/text.h"
#include "cli/commands.h"
#include "cli/values.h"

namespace buildfarm::cli {
namespace {

using nlohmann::json;

struct SubmitFlags {
  std::string command, branch, commit, build_type, id, requester, file;
  std::vector<std::string> depends_on, selectors, profiles;
  std::int64_t priority = 0, max_retries = -1, timeout_seconds = 0, memory_bytes = -1, disk_bytes = -1;
  double cores = -1;
};

void AddSubmitFlags(FlagSet& flags, SubmitFlags& f) {
  flags.AddString("command", &f.command, "Shell command to run (/bin/sh -c); required unless --file");
  flags.AddStringList("depends-on", &f.depends_on, "Run only after this job has completed");
  AddOptionalInt(flags, "priority", &f.priority, 1, 10, "1 to 10, 10 most urgent (scheduler default 5)");
  flags.AddCustom("cores", "N", "", "CPU cores the job needs, e.g. 2 or 0.5", [&f](std::string_view v) {
    auto value = text::ParseDouble(v);
    if (!value || *value < 0 || *value > 1e6) return InvalidArgument("want a non-negative number, got \"" + std::string(v) + "\"");
    f.cores = *value;
    return Status::Ok();
  });
  auto bytes_flag = [&flags](const char* name, std::int64_t* target, const char* help) {
    flags.AddCustom(name, "BYTES", "", help, [target](std::string_view v) -> Status {
      auto value = ParseByteSize(v);
      if (!value.ok()) return value.status();
      *target = *value;
      return Status::Ok();
    });
  };
  bytes_flag("memory", &f.memory_bytes, "Memory the job needs: bytes or 512Mi, 2Gi, 1G");
  bytes_flag("disk", &f.disk_bytes, "Disk the job needs: bytes or 10Gi, 5G");
  flags.AddStringList("selector", &f.selectors, "Node label the job needs, LABEL=VALUE");
  flags.AddStringList("profile", &f.profiles, "Build profile the node must offer");
  flags.AddCustom("timeout", "SECONDS", "", "Kill the job after this long: seconds, or 30m, 2h (scheduler default 3600)",
                  [&f](std::string_view v) {
                    auto plain = text::ParseInt64(v);
                    std::optional<double> seconds = plain ? std::optional<double>(static_cast<double>(*plain))
                                                          : text::ParseDurationSeconds(v);
                    if (!seconds || *seconds < 1 || *seconds > 7 * 24 * 3600) {
                      return InvalidArgument("want seconds from 1 to 604800 (or 30m, 2h), got \"" + std::string(v) + "\"");
                    }
                    f.timeout_seconds = static_cast<std::int64_t>(*seconds);
                    return Status::Ok();
                  });
  AddOptionalInt(flags, "max-retries", &f.max_retries, 0, 100, "Attempts after a lost node before the job fails (scheduler default 2)");
  flags.AddString("branch", &f.branch, "Git branch");
  flags.AddString("commit", &f.commit, "Git commit");
  flags.AddCustom("build-type", "TYPE", "", "full, incremental, package or test (scheduler default full)",
                  [&f](std::string_view v) {
                    if (v != "full" && v != "incremental" && v != "package" && v != "test") {
                      return InvalidArgument("want full, incremental, package or test, got \"" + std::string(v) + "\"");
                    }
                    f.build_type = std::string(v);
                    return Status::Ok();
                  });
  flags.AddString("id", &f.id, "Job id to use (the scheduler picks one when empty)");
  flags.AddString("requester", &f.requester, "Who asked for the job (default $USER)");
  flags.AddString("file", &f.file, "Submit a graph from a JSON file: {\"jobs\": [job, ...]} or [job, ...]");
}

// The job object for POST /api/v1/jobs; only what was given, so the scheduler's defaults apply.
Result<json> JobFromFlags(const SubmitFlags& f) {
  json job = {{"command", f.command}};
  auto put = [&job](const char* key, const std::string& value) {
    if (!value.empty()) job[key] = value;
  };
  put("id", f.id);
  put("branch", f.branch);
  put("commit", f.commit);
  put("build_type", f.build_type);
  put("requester", f.requester);
  if (f.priority > 0) job["priority"] = f.priority;
  if (f.timeout_seconds > 0) job["timeout_seconds"] = f.timeout_seconds;
  if (f.max_retries >= 0) job["max_retries"] = f.max_retries;
  if (!f.depends_on.empty()) job["dependencies"] = f.depends_on;
  if (!f.profiles.empty()) job["profiles"] = f.profiles;
  json requirements = json::object();
  if (f.cores >= 0) requirements["cores"] = f.cores;
  if (f.memory_bytes >= 0) requirements["memory_bytes"] = f.memory_bytes;
  if (f.disk_bytes >= 0) requirements["disk_bytes"] = f.disk_bytes;
  if (!requirements.empty()) job["requirements"] = requirements;
  if (!f.selectors.empty()) {
    json selector = json::object();
    for (const auto& text : f.selectors) {
      auto pair = ParseSelector(text);
      if (!pair.ok()) return InvalidArgument("flag --selector: " + pair.status().message());
      selector[pair->first] = pair->second;
    }
    job["selector"] = selector;
  }
  return job;
}

// The body for a --file graph: {"jobs": [...]}; an array or a single job is wrapped, and each job
// gets the requester when it names none.
Result<json> GraphFromFile(const std::string& path, const std::string& requester) {
  auto text = ReadFileCapped(path, 1 << 20);
  if (!text.ok()) return InvalidArgument("flag --file: " + text.status().message());
  json body;
  try {
    body = json::parse(*text);
  } catch (const json::exception& e) {
    return InvalidArgument("flag --file: " + path + " is not JSON: " + e.what());
  }
  if (body.is_array()) body = json{{"jobs", body}};
  if (body.is_object() && !body.contains("jobs") && body.contains("command")) body = json{{"jobs", json::array({body})}};
  if (!body.is_object() || !body.contains("jobs") || !body["jobs"].is_array()) {
    return InvalidArgument("flag --file: " + path + " must hold {\"jobs\": [job, ...]}, [job, ...] or one job");
  }
  for (auto& job : body["jobs"]) {
    if (!job.is_object()) return InvalidArgument("flag --file: " + path + ": every job must be a JSON object");
    if (!requester.empty() && !job.contains("requester")) job["requester"] = requester;
  }
  return body;
}

int RunSubmit(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli submit", spec.summary);
  SubmitFlags f;
  AddSubmitFlags(flags, f);
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (!flags.WasSet("requester")) f.requester = ctx.env()("USER").value_or("");
  Result<json> body = json();
  if (!f.file.empty()) {
    for (const char* name : {"command", "depends-on", "priority", "cores", "memory", "disk", "selector", "profile",
                             "timeout", "max-retries", "branch", "commit", "build-type", "id"}) {
      if (flags.WasSet(name)) return ctx.UsageError(std::string("flag --") + name + " cannot be combined with --file");
    }
    body = GraphFromFile(f.file, f.requester);
  } else if (f.command.empty()) {
    return ctx.UsageError("flag --command is required (or --file for a graph)");
  } else {
    body = JobFromFlags(f);
  }
  if (!body.ok()) return ctx.UsageError(body.status().message());
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  if (int code = ctx.Call("POST", "/api/v1/jobs", &*body, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
  } else if (reply.is_object() && reply.contains("jobs") && reply["jobs"].is_array()) {
    for (const auto& job : reply["jobs"]) ctx.out() << Text(job, "id") << "\n";
  } else {
    ctx.out() << Text(reply, "id") << "\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> SubmitCommands() {
  return {{"submit", "", "Submit a job (prints its id), or a dependency graph with --file",
           "  build-cli submit --command 'make -j2' --branch main --commit abc123 --cores 2 --memory 2Gi\n"
           "  build-cli submit --command 'make test' --depends-on j-41 --priority 8 --selector os=linux --json\n"
           "  build-cli submit --file graph.json   # {\"jobs\": [{\"id\": \"a\", \"command\": \"make\"},\n"
           "                                       #  {\"id\": \"b\", \"command\": \"make test\", \"dependencies\": [\"a\"]}]}",
           RunSubmit}};
}

}  // namespace buildfarm::cli
