// jobs, job, cancel, retry, assign, logs, explain.
#include <cstdio>
#include <optional>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "cli/values.h"

namespace buildfarm::cli {
namespace {

using nlohmann::json;

const std::set<std::string>& JobStates() {
  static const std::set<std::string> kStates = {"blocked", "queued", "assigned", "running",
                                                "completed", "failed", "cancelled"};
  return kStates;
}

std::string JobPath(const std::string& id) { return "/api/v1/jobs/" + UrlEncode(id); }

std::string ItemText(const json& item) {
  if (item.is_string()) return item.get<std::string>();
  if (item.is_number_float()) {
    std::ostringstream out;
    out << item.get<double>();
    return out.str();
  }
  return item.dump();
}

std::string JoinJson(const json& value) {
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) out += (out.empty() ? "" : ",") + ItemText(item);
    return out;
  }
  if (value.is_object()) {
    std::string out;
    for (const auto& [key, item] : value.items()) {
      out += (out.empty() ? "" : ",") + key + "=" + ItemText(item);
    }
    return out;
  }
  return value.is_null() ? "" : value.dump();
}

// Scores and totals are often fractional: one decimal, none when whole.
std::string Score(const json& object, const char* key) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", Number(object, key));
  std::string text = buffer;
  if (text.size() > 2 && text.substr(text.size() - 2) == ".0") text.resize(text.size() - 2);
  return text;
}

void PrintJobTable(CommandContext& ctx, const json& jobs) {
  std::vector<std::vector<std::string>> rows{{"ID", "STATUS", "PRI", "NODE", "BRANCH", "CREATED", "COMMAND"}};
  for (const auto& job : jobs) {
    rows.push_back({Text(job, "id"), Text(job, "status"), Text(job, "priority"), Text(job, "assigned_to"),
                    Text(job, "branch"), Text(job, "created_at"), Ellipsize(Text(job, "command"), 60)});
  }
  if (rows.size() == 1) {
    ctx.out() << "no jobs\n";
    return;
  }
  ctx.PrintTable(rows);
}

int RunJobs(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli jobs", spec.summary);
  std::string status, node, branch, cursor;
  std::int64_t limit = 0;
  bool all = false;
  flags.AddCustom("status", "STATUS", "", "Only jobs in this state: blocked, queued, assigned, running, completed, failed, cancelled",
                  [&status](std::string_view v) {
                    if (JobStates().count(std::string(v)) == 0) {
                      return InvalidArgument("want blocked, queued, assigned, running, completed, failed or cancelled, got \"" +
                                             std::string(v) + "\"");
                    }
                    status = std::string(v);
                    return Status::Ok();
                  });
  flags.AddString("node", &node, "Only jobs assigned to this node");
  flags.AddString("branch", &branch, "Only jobs of this branch");
  AddOptionalInt(flags, "limit", &limit, 1, 1000, "Jobs per page (the scheduler's default is 100)");
  flags.AddString("cursor", &cursor, "Start at this page (next_cursor of a previous answer)");
  flags.AddBool("all", &all, "Follow next_cursor until the last page");
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json jobs = json::array();
  json page;
  std::set<std::string> seen_cursors;
  for (;;) {
    std::string query;
    auto add = [&query](const char* key, const std::string& value) {
      if (!value.empty()) query += (query.empty() ? "?" : "&") + std::string(key) + "=" + UrlEncode(value);
    };
    add("status", status);
    add("node", node);
    add("branch", branch);
    add("limit", limit > 0 ? std::to_string(limit) : "");
    add("cursor", cursor);
    if (int code = ctx.Call("GET", "/api/v1/jobs" + query, nullptr, &page); code != kExitOk) return code;
    if (page.is_object() && page.contains("jobs") && page["jobs"].is_array()) {
      for (const auto& job : page["jobs"]) jobs.push_back(job);
    }
    cursor = Text(page, "next_cursor");
    if (!all || cursor.empty() || !seen_cursors.insert(cursor).second) break;
  }
  if (ctx.json_output()) {
    ctx.PrintJson(all ? json{{"jobs", jobs}} : page);
    return kExitOk;
  }
  PrintJobTable(ctx, jobs);
  if (!all && !cursor.empty()) ctx.err() << "more jobs: add --cursor " << cursor << " for the next page, or --all\n";
  return kExitOk;
}

void PrintJobDetail(CommandContext& ctx, const json& job) {
  static const char* kFields[] = {"id", "status", "command", "branch", "commit", "build_type", "priority", "requester",
                                  "profiles", "requirements", "selector", "dependencies", "timeout_seconds",
                                  "attempt", "retry_count", "max_retries", "assigned_to", "created_at", "assigned_at",
                                  "started_at", "completed_at", "exit_code", "duration_seconds", "error_message"};
  std::vector<std::vector<std::string>> rows;
  for (const char* key : kFields) {
    if (!job.is_object() || !job.contains(key) || job[key].is_null()) continue;
    const json& value = job[key];
    std::string text = value.is_array() || value.is_object() ? JoinJson(value) : Text(job, key);
    if (text.empty()) continue;
    rows.push_back({std::string(key) + ":", text});
  }
  ctx.PrintTable(rows);
}

int RunJob(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli job ID", spec.summary);
  std::vector<std::string> ids;
  if (auto done = ParseCommandLine(ctx, spec, flags, args, &ids, 1, 1)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json job;
  if (int code = ctx.Call("GET", JobPath(ids[0]), nullptr, &job); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(job);
  } else {
    PrintJobDetail(ctx, job);
  }
  return kExitOk;
}

int RunJobAction(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli " + spec.name + " ID", spec.summary);
  std::vector<std::string> ids;
  if (auto done = ParseCommandLine(ctx, spec, flags, args, &ids, 1, 1)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json body = json::object();
  json reply;
  if (int code = ctx.Call("POST", JobPath(ids[0]) + "/" + spec.name, &body, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  std::string status = Text(reply, "status");
  if (status.empty()) status = spec.name == "cancel" ? "cancelled" : "queued";
  ctx.out() << "job " << ids[0] << ": " << status << "\n";
  return kExitOk;
}

int RunAssign(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli assign JOB NODE", spec.summary);
  std::vector<std::string> words;
  if (auto done = ParseCommandLine(ctx, spec, flags, args, &words, 2, 2)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json body = {{"node", words[1]}};
  json reply;
  if (int code = ctx.Call("POST", JobPath(words[0]) + "/assign", &body, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  ctx.out() << "job " << words[0] << " pinned to " << words[1] << " (" << Text(reply, "status")
            << "): it runs there once the node is up and has room\n";
  return kExitOk;
}

// The scheduler answers a log read with at most 1 MiB (its largest `limit`); a full page means there may be more.
constexpr std::int64_t kLogPageBytes = 1 << 20;

std::string LogPath(const std::string& id, std::int64_t offset, bool follow) {
  return JobPath(id) + "/log?offset=" + std::to_string(offset) + (follow ? "&follow=1" : "&limit=" + std::to_string(kLogPageBytes));
}

// `logs TARGET` where TARGET named no job (the log was a 404): when TARGET is a node, the job running
// there. Sets `job`, or returns the exit code after saying why there is nothing to show.
std::optional<int> JobRunningOn(CommandContext& ctx, const std::string& target, std::string* job) {
  auto node = ctx.client().Get("/api/v1/nodes/" + UrlEncode(target));
  if (!node.ok() || node->status != 200) return std::nullopt;
  json reply = json::parse(node->body, nullptr, false);
  const json running = reply.is_object() ? reply.value("running_jobs", json::array()) : json::array();
  if (!running.is_array() || running.empty() || !running[0].is_string()) {
    return ctx.Refused("node " + target + " is running no job now (its past jobs: build-cli jobs --node " + target + ")");
  }
  *job = running[0].get<std::string>();
  if (running.size() > 1) {
    ctx.err() << "node " << target << " runs " << running.size() << " jobs (" << JoinJson(running) << "); showing " << *job
              << "\n";
  }
  return std::nullopt;
}

int RunLogs(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli logs NODE|JOB", spec.summary);
  bool follow = false;
  std::int64_t offset = 0;
  flags.AddBool("follow", &follow, "Keep printing as the log grows, until the job finishes (also -f)");
  flags.AddInt("offset", &offset, 0, INT64_MAX, "Start at this byte of the log");
  std::vector<std::string> words;
  for (const auto& arg : args) words.push_back(arg == "-f" ? "--follow" : arg);
  std::vector<std::string> targets;
  if (auto done = ParseCommandLine(ctx, spec, flags, words, &targets, 1, 1)) return *done;
  if (follow && ctx.json_output()) return ctx.UsageError("logs: --json cannot be combined with --follow");
  if (auto failed = ctx.Connect()) return *failed;
  // The first part is fetched without follow, so a refusal (401, 404) comes back as an error
  // answer rather than as a stream that would be printed as if it were the log.
  std::string id = targets[0];
  auto first = ctx.client().Get(LogPath(id, offset, false));
  if (first.ok() && first->status == 404) {
    std::string job;
    if (auto done = JobRunningOn(ctx, targets[0], &job)) return *done;
    if (!job.empty()) {
      id = job;
      first = ctx.client().Get(LogPath(id, offset, false));
    }
  }
  if (int code = ctx.Check("GET", LogPath(id, offset, false), first); code != kExitOk) return code;
  const std::int64_t start = offset;
  std::string log;  // --json: every page, printed at the end
  std::string page = std::move(first->body);
  // Page by page: each read is at most kLogPageBytes; a shorter one is the end of the log so far.
  for (;;) {
    const auto size = static_cast<std::int64_t>(page.size());
    if (ctx.json_output()) {
      log += page;
    } else {
      ctx.out() << page;
      ctx.out().flush();
    }
    offset += size;
    if (size < kLogPageBytes) break;
    auto more = ctx.client().Get(LogPath(id, offset, false));
    if (int code = ctx.Check("GET", LogPath(id, offset, false), more); code != kExitOk) return code;
    page = std::move(more->body);
  }
  if (ctx.json_output()) {
    ctx.PrintJson({{"job", id}, {"offset", start}, {"log", log}});
    return kExitOk;
  }
  if (!follow) return kExitOk;
  ctx.client().set_read_timeout(24 * 3600);
  Spinner spinner(ctx.err(), "following the log of job " + id + " until it ends (Ctrl-C stops)", ctx.terminal().stderr_tty);
  auto status = ctx.client().GetStreaming(LogPath(id, offset, true), [&ctx, &spinner](std::string_view chunk) {
    spinner.Print(ctx.out(), chunk);
    return true;
  });
  spinner.Stop();
  if (!status.ok()) return ctx.Refused("log stream ended: " + status.status().message());
  if (*status < 200 || *status >= 300) return ctx.Refused(DescribeRefusal(*status, "", "GET " + JobPath(id) + "/log"));
  return kExitOk;
}

int RunExplain(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli explain ID", spec.summary);
  std::vector<std::string> ids;
  if (auto done = ParseCommandLine(ctx, spec, flags, args, &ids, 1, 1)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  if (int code = ctx.Call("GET", JobPath(ids[0]) + "/explain", nullptr, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"NODE", "FEASIBLE", "TOTAL", "WHY"}};
  const json& nodes = reply.is_object() && reply.contains("nodes") ? reply["nodes"] : json::array();
  for (const auto& node : nodes) {
    bool feasible = node.is_object() && node.value("feasible", false);
    std::string why;
    if (!feasible && node.contains("filters") && node["filters"].is_array()) {
      for (const auto& filter : node["filters"]) {
        if (Text(filter, "verdict") == "fits") continue;
        why = Text(filter, "plugin") + " " + Text(filter, "verdict") + ": " + Text(filter, "reason");
        break;
      }
    } else if (node.contains("scores") && node["scores"].is_array()) {
      for (const auto& score : node["scores"]) {
        why += (why.empty() ? "" : " ") + Text(score, "plugin") + "=" + Score(score, "score") + "x" + Score(score, "weight");
      }
    }
    rows.push_back({Text(node, "node"), feasible ? "yes" : "no", feasible ? Score(node, "total") : "-", why});
  }
  ctx.out() << "job " << Text(reply, "job") << "\n";
  if (rows.size() == 1) {
    ctx.out() << "no nodes registered\n";
  } else {
    ctx.PrintTable(rows);
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> JobCommands() {
  return {
      {"jobs", "", "List jobs, filtered and paginated",
       "  build-cli jobs --status running\n  build-cli jobs --branch main --all --json", RunJobs},
      {"job", "ID", "Show one job", "  build-cli job j-42", RunJob},
      {"cancel", "ID", "Cancel a job and its unfinished dependents", "  build-cli cancel j-42", RunJobAction},
      {"retry", "ID", "Queue a failed or cancelled job again", "  build-cli retry j-42", RunJobAction},
      {"assign", "JOB NODE", "Pin a queued or blocked job to a node (admin); it runs once that node is up",
       "  build-cli assign j-42 build2", RunAssign},
      {"logs", "NODE|JOB", "Print a job's log, or the log of the job running on a node; -f follows it",
       "  build-cli logs j-42\n  build-cli logs -f build2", RunLogs},
      {"explain", "ID", "Why a job is (not) scheduled: each node's filter verdicts and scores",
       "  build-cli explain j-42", RunExplain},
  };
}

}  // namespace buildfarm::cli
