// failover, failovers.
#include "cli/commands.h"
#include "cli/values.h"

namespace buildfarm::cli {
namespace {

using nlohmann::json;

std::string JoinJobs(const json& jobs) {
  std::string out;
  if (!jobs.is_array()) return out;
  for (const auto& id : jobs) {
    if (!out.empty()) out += ",";
    out += id.is_string() ? id.get<std::string>() : id.dump();
  }
  return out.empty() ? "-" : out;
}

int RunFailover(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli failover FROM TO", spec.summary);
  std::vector<std::string> names;
  if (auto done = ParseCommandLine(ctx, spec, flags, args, &names, 2, 2)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json body = {{"to", names[1]}};
  json reply;
  if (int code = ctx.Call("POST", "/api/v1/nodes/" + UrlEncode(names[0]) + "/failover", &body, &reply);
      code != kExitOk) {
    return code;
  }
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  const json& jobs = reply.is_object() && reply.contains("jobs") ? reply["jobs"] : json::array();
  ctx.out() << "node " << names[0] << " cordoned; " << (jobs.is_array() ? jobs.size() : 0) << " job(s) moved to "
            << Text(reply, "target") << "\n";
  return kExitOk;
}

int RunFailovers(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli failovers", spec.summary);
  std::int64_t limit = 0;
  AddOptionalInt(flags, "limit", &limit, 1, 1000, "How many records, newest first (the scheduler's default is 100)");
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  std::string path = "/api/v1/failovers" + (limit > 0 ? "?limit=" + std::to_string(limit) : "");
  if (int code = ctx.Call("GET", path, nullptr, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  const json& records = reply.is_object() && reply.contains("failovers") ? reply["failovers"] : json::array();
  if (!records.is_array() || records.empty()) {
    ctx.out() << "no failovers recorded\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"TIME", "REASON", "SOURCE", "TARGET", "JOBS"}};
  for (const auto& record : records) {
    rows.push_back({Text(record, "time"), Text(record, "reason"), Text(record, "source"), Text(record, "target"),
                    JoinJobs(record.is_object() ? record.value("jobs", json::array()) : json::array())});
  }
  ctx.PrintTable(rows);
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> FailoverCommands() {
  return {
      {"failover", "FROM TO", "Move a node's queued, assigned and running work to another node and cordon it",
       "  build-cli failover build2 build3", RunFailover},
      {"failovers", "", "List recorded failovers (lease, alert, manual), newest first",
       "  build-cli failovers\n  build-cli failovers --limit 5 --json", RunFailovers},
  };
}

}  // namespace buildfarm::cli
