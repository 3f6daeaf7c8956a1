// status, nodes, cordon, uncordon, drain.
#include <map>
#include <sstream>

#include "common/text.h"
#include "cli/commands.h"
#include "cli/values.h"

namespace buildfarm::cli {
namespace {

using nlohmann::json;

const json& Field(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string Fraction(const json& node, const char* key, bool bytes) {
  double reserved = Number(Field(node, "reservations"), key);
  double capacity = Number(Field(node, "capacity"), key);
  if (bytes) return HumanBytes(reserved) + "/" + HumanBytes(capacity);
  std::ostringstream out;
  out << reserved << "/" << capacity;
  return out.str();
}

std::string JoinList(const json& list);

std::string Temperature(const json& metrics) {
  if (!Field(metrics, "temperature_celsius").is_number()) return "-";
  return std::to_string(static_cast<int>(Number(metrics, "temperature_celsius") + 0.5)) + "C";
}

// One row per node: state, reservations, live metrics (CPU, memory, disk, temperature, their age)
// and the jobs running there, last so that a narrow terminal shortens it first.
void PrintNodeTable(CommandContext& ctx, const json& nodes) {
  std::vector<std::vector<std::string>> rows{{"NAME", "STATE", "CORES", "MEMORY", "CPU", "MEM AVAIL", "DISK AVAIL",
                                              "TEMP", "METRICS AGE", "RUNNING JOBS"}};
  for (const auto& node : nodes) {
    const json& metrics = Field(node, "metrics");
    bool has_metrics = metrics.is_object();
    std::string cpu = "-";
    if (has_metrics && Field(metrics, "cpu_utilization").is_number()) {
      cpu = std::to_string(static_cast<int>(Number(metrics, "cpu_utilization") * 100 + 0.5)) + "%";
    }
    std::string running = JoinList(Field(node, "running_jobs"));
    rows.push_back({Text(node, "name"), Text(node, "state"), Fraction(node, "cores", false),
                    Fraction(node, "memory_bytes", true), cpu,
                    has_metrics ? HumanBytes(Number(metrics, "memory_available_bytes")) : "-",
                    has_metrics ? HumanBytes(Number(metrics, "disk_available_bytes")) : "-",
                    has_metrics ? Temperature(metrics) : "-",
                    has_metrics ? HumanSeconds(Number(metrics, "age_seconds")) : "-", running.empty() ? "-" : running});
  }
  if (rows.size() == 1) {
    ctx.out() << "no nodes registered\n";
    return;
  }
  ctx.PrintTable(rows);
}

std::string JoinLabels(const json& labels) {
  std::string out;
  if (!labels.is_object()) return out;
  for (const auto& [key, value] : labels.items()) {
    if (!out.empty()) out += ",";
    out += key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

std::string JoinList(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!out.empty()) out += ",";
    out += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return out;
}

void PrintNodeDetail(CommandContext& ctx, const json& node) {
  const json& metrics = Field(node, "metrics");
  std::vector<std::vector<std::string>> rows{
      {"name:", Text(node, "name")},
      {"state:", Text(node, "state")},
      {"labels:", JoinLabels(Field(node, "labels"))},
      {"profiles:", JoinList(Field(node, "profiles"))},
      {"cores:", Fraction(node, "cores", false) + " reserved"},
      {"memory:", Fraction(node, "memory_bytes", true) + " reserved"},
      {"disk:", Fraction(node, "disk_bytes", true) + " reserved"},
      {"running jobs:", JoinList(Field(node, "running_jobs"))},
      {"last heartbeat:", Text(node, "last_heartbeat")},
      {"backup:", Text(node, "backup")}};
  if (metrics.is_object()) {
    rows.push_back({"cpu:", std::to_string(static_cast<int>(Number(metrics, "cpu_utilization") * 100 + 0.5)) + "%"});
    rows.push_back({"memory available:", HumanBytes(Number(metrics, "memory_available_bytes"))});
    rows.push_back({"disk available:", HumanBytes(Number(metrics, "disk_available_bytes"))});
    rows.push_back({"temperature:", Temperature(metrics)});
    const json& rtt = Field(metrics, "probe_rtt_seconds");
    if (rtt.is_object()) {
      for (const auto& [target, seconds] : rtt.items()) {
        rows.push_back({"probe rtt " + target + ":", seconds.is_number() ? HumanSeconds(seconds.get<double>()) : "-"});
      }
    }
    rows.push_back({"metrics sampled:", Text(metrics, "sampled_at") + " (" + HumanSeconds(Number(metrics, "age_seconds")) + " ago)"});
  } else {
    rows.push_back({"metrics:", "none"});
  }
  ctx.PrintTable(rows);
}

// Job counts by status from the scheduler's buildfarm_scheduler_jobs{status} gauge.
std::map<std::string, double> ParseJobCounts(std::string_view metrics_text) {
  std::map<std::string, double> counts;
  constexpr std::string_view kPrefix = "buildfarm_scheduler_jobs{";
  for (std::string_view line : text::Lines(metrics_text)) {
    if (line.substr(0, kPrefix.size()) != kPrefix) continue;
    auto label = line.find("status=\"");
    auto close = line.find('}');
    if (label == std::string_view::npos || close == std::string_view::npos) continue;
    auto value_start = label + 8;
    auto value_end = line.find('"', value_start);
    if (value_end == std::string_view::npos) continue;
    auto fields = text::Fields(line.substr(close + 1));
    if (fields.empty()) continue;
    if (auto value = text::ParseDouble(fields[0])) {
      counts[std::string(line.substr(value_start, value_end - value_start))] = *value;
    }
  }
  return counts;
}

// Counted now by GET /api/v1/summary; a scheduler from before that route has only /metrics (whose counts
// may be up to metrics.store_refresh old on newer schedulers, so it is the fallback, not the source).
std::pair<bool, std::map<std::string, double>> FetchJobCounts(CommandContext& ctx) {
  std::map<std::string, double> counts;
  auto summary = ctx.client().Get("/api/v1/summary");
  if (summary.ok() && summary->status == 200) {
    const json body = json::parse(summary->body, nullptr, false);
    const json& jobs = Field(body, "jobs");
    if (!jobs.is_object()) return {false, counts};
    for (const auto& [state, count] : jobs.items()) {
      if (count.is_number()) counts[state] = count.get<double>();
    }
    return {true, counts};
  }
  if (!summary.ok() || summary->status != 404) return {false, counts};
  auto metrics = ctx.client().Get("/metrics");
  if (!metrics.ok() || metrics->status != 200) return {false, counts};
  return {true, ParseJobCounts(metrics->body)};
}

int RunStatus(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli status", spec.summary);
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json nodes;
  if (int code = ctx.Call("GET", "/api/v1/nodes", nullptr, &nodes); code != kExitOk) return code;
  auto [have_counts, counts] = FetchJobCounts(ctx);
  static const char* kStates[] = {"blocked", "queued", "assigned", "running", "completed", "failed", "cancelled"};
  if (ctx.json_output()) {
    json out = {{"nodes", Field(nodes, "nodes")}, {"jobs", nullptr}};
    if (have_counts) {
      out["jobs"] = json::object();
      for (const char* state : kStates) out["jobs"][state] = static_cast<std::int64_t>(counts[state]);
    }
    ctx.PrintJson(out);
    return kExitOk;
  }
  PrintNodeTable(ctx, Field(nodes, "nodes"));
  ctx.out() << "\n";
  if (!have_counts) {
    ctx.out() << "jobs: counts unavailable (neither /api/v1/summary nor /metrics answered)\n";
    return kExitOk;
  }
  ctx.out() << "jobs:\n";
  std::vector<std::vector<std::string>> rows{{}, {}};
  for (const char* state : kStates) {
    rows[0].push_back(state);
    rows[1].push_back(std::to_string(static_cast<std::int64_t>(counts[state])));
  }
  ctx.PrintTable(rows);
  return kExitOk;
}

int RunNodes(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli nodes [NAME]", spec.summary);
  std::vector<std::string> names;
  if (auto done = ParseCommandLine(ctx, spec, flags, args, &names, 0, 1)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  std::string path = names.empty() ? "/api/v1/nodes" : "/api/v1/nodes/" + UrlEncode(names[0]);
  if (int code = ctx.Call("GET", path, nullptr, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
  } else if (names.empty()) {
    PrintNodeTable(ctx, Field(reply, "nodes"));
  } else {
    PrintNodeDetail(ctx, reply);
  }
  return kExitOk;
}

int RunNodeAction(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli " + spec.name + " NODE", spec.summary);
  std::vector<std::string> names;
  if (auto done = ParseCommandLine(ctx, spec, flags, args, &names, 1, 1)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  json body = json::object();
  std::string path = "/api/v1/nodes/" + UrlEncode(names[0]) + "/" + spec.name;
  if (int code = ctx.Call("POST", path, &body, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  if (spec.name == "cordon") ctx.out() << "node " << names[0] << " cordoned: it takes no new work\n";
  if (spec.name == "uncordon") ctx.out() << "node " << names[0] << " uncordoned: it takes work again\n";
  if (spec.name == "drain") ctx.out() << "node " << names[0] << " draining: no new work, running jobs finish\n";
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> NodeCommands() {
  return {
      {"status", "", "All servers as a table (state, CPU, memory, disk, temperature, running jobs, metrics age) and the queue",
       "  build-cli status\n  build-cli status --json", RunStatus},
      {"nodes", "[NAME]", "List nodes, or show one node in detail",
       "  build-cli nodes\n  build-cli nodes build2 --json", RunNodes},
      {"cordon", "NODE", "Stop scheduling new work on a node", "  build-cli cordon build2", RunNodeAction},
      {"uncordon", "NODE", "Let a cordoned or drained node take work again", "  build-cli uncordon build2",
       RunNodeAction},
      {"drain", "NODE", "No new work on a node; its running jobs finish", "  build-cli drain build2", RunNodeAction},
  };
}

}  // namespace buildfarm::cli
