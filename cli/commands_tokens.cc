// token (create, list, revoke) and audit: API tokens made at run time and the audit log (both admin).
#include "cli/commands.h"
#include "cli/values.h"
#include "common/text.h"

namespace buildfarm::cli {
namespace {

using nlohmann::json;

std::string OrDash(std::string text) { return text.empty() ? "-" : text; }

int RunTokenCreate(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli token create", spec.summary);
  std::string name, role, node, expires;
  flags.AddString("name", &name, "The token's name, shown in logs and the audit log (required)");
  flags.AddString("role", &role, "admin, operator, viewer, agent or webhook (required)");
  flags.AddString("node", &node, "The node an agent token acts for (role agent only)");
  flags.AddString("expires", &expires, "Lifetime, e.g. 30d or 12h (default: until revoked)");
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (name.empty()) return ctx.UsageError("token create: --name is required");
  if (role.empty()) return ctx.UsageError("token create: --role is required (admin, operator, viewer, agent or webhook)");
  if (!expires.empty()) {
    auto seconds = text::ParseDurationSeconds(expires);
    if (!seconds || *seconds <= 0) {
      return ctx.UsageError("token create: --expires: want a duration such as 30d or 12h, got \"" + expires + "\"");
    }
  }
  if (auto failed = ctx.Connect()) return *failed;
  json body{{"name", name}, {"role", role}};
  if (!node.empty()) body["node"] = node;
  if (!expires.empty()) body["expires_in"] = expires;
  json reply;
  if (int code = ctx.Call("POST", "/api/v1/tokens", &body, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  ctx.out() << "Token " << Text(reply, "name") << " (" << Text(reply, "role") << ") created"
            << (Text(reply, "expires").empty() ? "" : ", expires " + Text(reply, "expires"))
            << ". Its secret, shown only this once:\n"
            << Text(reply, "secret") << "\n";
  return kExitOk;
}

int RunTokenList(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli token list", spec.summary);
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  if (int code = ctx.Call("GET", "/api/v1/tokens", nullptr, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"NAME", "ROLE", "NODE", "SOURCE", "CREATED", "EXPIRES", "LAST USED"}};
  const json& tokens = reply.is_object() && reply.contains("tokens") ? reply["tokens"] : json::array();
  for (const json& token : tokens) {
    rows.push_back({Text(token, "name"), Text(token, "role"), OrDash(Text(token, "node")), Text(token, "source"),
                    OrDash(Text(token, "created")), OrDash(Text(token, "expires")), OrDash(Text(token, "last_used"))});
  }
  ctx.PrintTable(rows);
  return kExitOk;
}

int RunTokenRevoke(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli token revoke NAME", spec.summary);
  std::vector<std::string> names;
  if (auto done = ParseCommandLine(ctx, spec, flags, args, &names, 1, 1)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  json body = json::object();
  if (int code = ctx.Call("POST", "/api/v1/tokens/" + UrlEncode(names[0]) + "/revoke", &body, &reply); code != kExitOk) {
    return code;
  }
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
  } else {
    ctx.out() << "Token " << Text(reply, "name") << " revoked; it is refused from now on\n";
  }
  return kExitOk;
}

constexpr const char* kTokenHelp =
    "usage: build-cli token <create|list|revoke> [<flags>]\n\n"
    "API tokens kept by the scheduler (admin): they work as soon as they are made, and stop when revoked,\n"
    "with no restart. Tokens of the scheduler's config file are listed but cannot be revoked here.\n\n"
    "Subcommands:\n"
    "  create    Make a token (--name, --role, --node for agents, --expires); prints its secret once\n"
    "  list      List tokens: name, role, node, source, created, expiry, last use (never a secret)\n"
    "  revoke    Revoke a token by name\n\n"
    "`build-cli token SUBCOMMAND --help` shows its flags.\n";

int RunToken(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  if (args.empty() || args.front() == "--help" || args.front() == "-h") {
    (args.empty() ? ctx.err() : ctx.out()) << kTokenHelp << "\nExample:\n" << spec.example << "\n";
    return args.empty() ? ctx.UsageError("token: no subcommand given (create, list, revoke)") : kExitOk;
  }
  using Run = int (*)(CommandContext&, const CommandSpec&, const std::vector<std::string>&);
  const struct {
    const char* name;
    const char* arguments;
    const char* summary;
    const char* example;
    Run run;
  } kSubcommands[] = {
      {"create", "", "Make an API token; prints its secret once",
       "  build-cli token create --name ci --role operator --expires 90d", RunTokenCreate},
      {"list", "", "List API and config tokens (no secrets)", "  build-cli token list", RunTokenList},
      {"revoke", "NAME", "Revoke an API token", "  build-cli token revoke ci", RunTokenRevoke},
  };
  for (const auto& sub : kSubcommands) {
    if (args.front() != sub.name) continue;
    CommandSpec sub_spec{std::string("token ") + sub.name, sub.arguments, sub.summary, sub.example, nullptr};
    return sub.run(ctx, sub_spec, std::vector<std::string>(args.begin() + 1, args.end()));
  }
  return ctx.UsageError("token: unknown subcommand \"" + args.front() + "\" (create, list, revoke)");
}

int Verify(CommandContext& ctx) {
  json reply;
  if (int code = ctx.Call("GET", "/api/v1/audit/verify", nullptr, &reply); code != kExitOk) return code;
  const bool intact = reply.is_object() && reply.value("ok", false);
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
  } else if (intact) {
    ctx.out() << "audit chain intact: " << static_cast<std::int64_t>(Number(reply, "entries")) << " entries, head "
              << OrDash(Text(reply, "head_hash")) << "\n";
  }
  if (intact) return kExitOk;
  return ctx.Refused("audit chain broken at entry " + std::to_string(static_cast<std::int64_t>(Number(reply, "first_broken"))) +
                     ": " + Text(reply, "problem"));
}

int RunAudit(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli audit", spec.summary);
  std::string since, node;
  std::int64_t limit = 0;
  bool verify = false;
  flags.AddString("since", &since, "Entries from this time on: RFC 3339 UTC (2026-01-02T15:04:05Z) or a duration ago (24h)");
  flags.AddString("node", &node, "Only entries about this node");
  AddOptionalInt(flags, "limit", &limit, 1, 1000, "At most this many entries (the scheduler's default: 100)");
  flags.AddBool("verify", &verify, "Check the hash chain; names the first entry whose chain breaks (exit 1)");
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (verify && (!since.empty() || !node.empty() || limit != 0)) {
    return ctx.UsageError("audit: --verify checks the whole chain; it takes no --since, --node or --limit");
  }
  if (auto failed = ctx.Connect()) return *failed;
  if (verify) return Verify(ctx);
  std::string query;
  auto add = [&query](const std::string& key, const std::string& value) {
    query += (query.empty() ? "?" : "&") + key + "=" + UrlEncode(value);
  };
  if (!since.empty()) add("since", since);
  if (!node.empty()) add("node", node);
  if (limit != 0) add("limit", std::to_string(limit));
  json reply;
  if (int code = ctx.Call("GET", "/api/v1/audit" + query, nullptr, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{
      {"ID", "TIME", "PRINCIPAL", "ACTION", "TARGET", "NODE", "RESULT", "SOURCE", "DETAIL"}};
  const json& entries = reply.is_object() && reply.contains("entries") ? reply["entries"] : json::array();
  for (const json& e : entries) {
    rows.push_back({std::to_string(static_cast<std::int64_t>(Number(e, "id"))), Text(e, "time"),
                    OrDash(Text(e, "principal")), Text(e, "action"), OrDash(Text(e, "target")), OrDash(Text(e, "node")),
                    Text(e, "result"), OrDash(Text(e, "source")), OrDash(Text(e, "detail"))});
  }
  if (rows.size() == 1) {
    ctx.out() << "no audit entries\n";
    return kExitOk;
  }
  ctx.PrintTable(rows);
  if (reply.value("truncated", false)) ctx.out() << "(more entries: narrow with --since or --node, or raise --limit)\n";
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> TokenCommands() {
  return {{"token", "SUBCOMMAND", "API tokens (admin): create, list, revoke, without a scheduler restart",
           "  build-cli token create --name ci --role operator --expires 90d\n"
           "  build-cli token list\n"
           "  build-cli token revoke ci",
           RunToken},
          {"audit", "", "The audit log (admin): who changed what; --verify checks its hash chain",
           "  build-cli audit --since 24h --node build1\n"
           "  build-cli audit --verify",
           RunAudit}};
}

}  // namespace buildfarm::cli
