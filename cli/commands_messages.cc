// msg send|unread|read|search|thread|archive: the seed's message_manager.py on the scheduler's message
// API, with the seed's flags (--from --to --subject --body --priority --type --reply-to --query --server
// --message-id --days). `msg send` prints "Message sent: <id>" as the seed did.
#include <map>

#include "common/text.h"
#include "cli/commands.h"
#include "cli/values.h"

namespace buildfarm::cli {
namespace {

using nlohmann::json;

// One `msg` subcommand: its words after "msg NAME", and the spec that names it in messages and help.
using Subcommand = int (*)(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args);

std::string ShortTime(const json& message) {
  std::string t = Text(message, "created_at");
  return t.size() >= 19 ? t.substr(0, 10) + " " + t.substr(11, 8) : t;
}

void PrintMessages(CommandContext& ctx, const json& reply, const char* none, bool with_reply_to) {
  const json messages = reply.is_object() ? reply.value("messages", json::array()) : json::array();
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return;
  }
  if (messages.empty()) {
    ctx.out() << none << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"ID", "PRIORITY", "TYPE", "FROM", "TO", "CREATED"};
  if (with_reply_to) header.push_back("REPLY TO");
  header.push_back("SUBJECT");
  rows.push_back(header);
  for (const auto& m : messages) {
    std::vector<std::string> row{Text(m, "id"), Text(m, "priority"), Text(m, "type"),
                                 Text(m, "from"), Text(m, "to"),     ShortTime(m)};
    if (with_reply_to) row.push_back(Text(m, "reply_to").empty() ? "-" : Text(m, "reply_to"));
    row.push_back(Ellipsize(Text(m, "subject"), 60));
    rows.push_back(std::move(row));
  }
  ctx.PrintTable(rows);
}

std::string MessagePath(const std::string& id) { return "/api/v1/messages/" + UrlEncode(id); }

int Required(CommandContext& ctx, const CommandSpec& spec, const std::map<std::string, std::string>& flags) {
  for (const auto& [name, value] : flags) {
    if (value.empty()) return ctx.UsageError(spec.name + ": flag --" + name + " is required");
  }
  return kExitOk;
}

// --priority and --type values are checked here, so a typo is a usage error (exit 2).
int CheckChoice(CommandContext& ctx, const CommandSpec& spec, const char* flag, const std::string& value,
                const std::vector<std::string>& choices) {
  if (value.empty()) return kExitOk;
  std::string list;
  for (const auto& choice : choices) {
    if (choice == value) return kExitOk;
    list += (list.empty() ? "" : ", ") + choice;
  }
  return ctx.UsageError(spec.name + ": flag --" + flag + ": want one of " + list + ", got \"" + value + "\"");
}

const std::vector<std::string> kPriorities = {"critical", "high", "normal", "low"};
const std::vector<std::string> kTypes = {"info", "warning", "error", "request", "response", "heartbeat"};

int RunSend(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli " + spec.name, spec.summary);
  std::string from, to, subject, body, priority, type, reply_to, metadata;
  double expires_days = 0;
  flags.AddString("from", &from, "Sending node (required; an agent's token sends only as its node)");
  flags.AddString("to", &to, "Recipient node, or all (required)");
  flags.AddString("subject", &subject, "Subject (required)");
  flags.AddString("body", &body, "Body text");
  flags.AddString("priority", &priority, "critical, high, normal or low (default normal)");
  flags.AddString("type", &type, "info, warning, error, request, response or heartbeat (default info)");
  flags.AddString("reply-to", &reply_to, "Id of the message this replies to");
  flags.AddString("metadata", &metadata, "Extra data as a JSON object, e.g. '{\"job\": \"j-41\"}'");
  flags.AddCustom("expires-days", "DAYS", "", "Expire (and archive) the message after this many days",
                  [&expires_days](std::string_view v) {
                    auto days = text::ParseDouble(v);
                    if (!days || !(*days > 0)) return InvalidArgument("want a positive number of days");
                    expires_days = *days;
                    return Status::Ok();
                  });
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (int code = Required(ctx, spec, {{"from", from}, {"to", to}, {"subject", subject}}); code != kExitOk) return code;
  if (int code = CheckChoice(ctx, spec, "priority", priority, kPriorities); code != kExitOk) return code;
  if (int code = CheckChoice(ctx, spec, "type", type, kTypes); code != kExitOk) return code;
  json message{{"from", from}, {"to", to}, {"subject", subject}, {"body", body}};
  if (!priority.empty()) message["priority"] = priority;
  if (!type.empty()) message["type"] = type;
  if (!reply_to.empty()) message["reply_to"] = reply_to;
  if (expires_days > 0) message["expires_days"] = expires_days;
  if (!metadata.empty()) {
    message["metadata"] = json::parse(metadata, nullptr, false);
    if (!message["metadata"].is_object()) return ctx.UsageError(spec.name + ": flag --metadata: want a JSON object");
  }
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  if (int code = ctx.Call("POST", "/api/v1/messages", &message, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
    return kExitOk;
  }
  ctx.out() << "Message sent: " << Text(reply, "id") << "\n";
  if (reply.is_object() && reply.value("duplicate", false)) {
    ctx.err() << "(the same message was sent less than 10 minutes ago; not stored twice)\n";
  }
  return kExitOk;
}

int RunUnread(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli " + spec.name, spec.summary);
  std::string server;
  flags.AddString("server", &server, "The node whose unread messages to list (to it or to all) (required)");
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (int code = Required(ctx, spec, {{"server", server}}); code != kExitOk) return code;
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  if (int code = ctx.Call("GET", "/api/v1/messages/unread?for=" + UrlEncode(server), nullptr, &reply); code != kExitOk) {
    return code;
  }
  PrintMessages(ctx, reply, "no unread messages", false);
  return kExitOk;
}

int RunRead(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli " + spec.name, spec.summary);
  std::string id, server;
  flags.AddString("message-id", &id, "The message (required)");
  flags.AddString("server", &server, "The node that read it (required)");
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (int code = Required(ctx, spec, {{"message-id", id}, {"server", server}}); code != kExitOk) return code;
  if (auto failed = ctx.Connect()) return *failed;
  json body{{"reader", server}}, reply;
  if (int code = ctx.Call("POST", MessagePath(id) + "/read", &body, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
  } else {
    ctx.out() << "From: " << Text(reply, "from") << "\nTo: " << Text(reply, "to") << "\nDate: " << Text(reply, "created_at")
              << "\nPriority: " << Text(reply, "priority") << "\nType: " << Text(reply, "type")
              << "\nSubject: " << Text(reply, "subject") << "\n\n" << Text(reply, "body") << "\n";
  }
  return kExitOk;
}

int RunSearch(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli " + spec.name, spec.summary);
  std::string query, server, type, priority;
  std::int64_t limit = 0;
  flags.AddString("query", &query, "Words to find in subject or body (all of them; best matches first)");
  flags.AddString("server", &server, "Only messages from or to this node");
  flags.AddString("type", &type, "Only this type");
  flags.AddString("priority", &priority, "Only this priority");
  AddOptionalInt(flags, "limit", &limit, 1, 1000, "At most this many (the scheduler's default is 50)");
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (int code = CheckChoice(ctx, spec, "priority", priority, kPriorities); code != kExitOk) return code;
  if (int code = CheckChoice(ctx, spec, "type", type, kTypes); code != kExitOk) return code;
  if (auto failed = ctx.Connect()) return *failed;
  std::string path = "/api/v1/messages/search?q=" + UrlEncode(query) + "&server=" + UrlEncode(server) +
                     "&type=" + UrlEncode(type) + "&priority=" + UrlEncode(priority);
  if (limit > 0) path += "&limit=" + std::to_string(limit);
  json reply;
  if (int code = ctx.Call("GET", path, nullptr, &reply); code != kExitOk) return code;
  PrintMessages(ctx, reply, "no messages found", false);
  return kExitOk;
}

int RunThread(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli " + spec.name, spec.summary);
  std::string id;
  flags.AddString("message-id", &id, "Any message of the conversation (required)");
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (int code = Required(ctx, spec, {{"message-id", id}}); code != kExitOk) return code;
  if (auto failed = ctx.Connect()) return *failed;
  json reply;
  if (int code = ctx.Call("GET", MessagePath(id) + "/thread", nullptr, &reply); code != kExitOk) return code;
  PrintMessages(ctx, reply, "no messages", true);
  return kExitOk;
}

int RunArchive(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli " + spec.name, spec.summary);
  std::int64_t days = 30;
  flags.AddInt("days", &days, 0, 36500, "Archive read messages older than this many days (and all expired ones)");
  if (auto done = ParseCommandLine(ctx, spec, flags, args, nullptr, 0, 0)) return *done;
  if (auto failed = ctx.Connect()) return *failed;
  json body{{"days", days}}, reply;
  if (int code = ctx.Call("POST", "/api/v1/messages/archive", &body, &reply); code != kExitOk) return code;
  if (ctx.json_output()) {
    ctx.PrintJson(reply);
  } else {
    ctx.out() << "Archived " << Number(reply, "archived") << " message(s)\n";
  }
  return kExitOk;
}

struct MsgSubcommand {
  const char* name;
  const char* summary;
  const char* example;
  Subcommand run;
};

const std::vector<MsgSubcommand>& Subcommands() {
  static const std::vector<MsgSubcommand> kAll = {
      {"send", "Send a message (prints Message sent: <id>)",
       "  build-cli msg send --from build1 --to all --subject 'Critical Alert' --body 'System issue' --priority critical",
       RunSend},
      {"unread", "List a node's unread messages, critical first", "  build-cli msg unread --server build2", RunUnread},
      {"read", "Show a message and mark it read by a node", "  build-cli msg read --message-id msg_123456 --server build2",
       RunRead},
      {"search", "Search messages by text (ranked), server, type and priority",
       "  build-cli msg search --query error --server build1", RunSearch},
      {"thread", "Show a whole conversation in time order", "  build-cli msg thread --message-id msg_123456", RunThread},
      {"archive", "Archive read messages older than N days, and expired ones (admin)",
       "  build-cli msg archive --days 30", RunArchive},
  };
  return kAll;
}

std::string MsgHelp() {
  std::string out = "usage: build-cli msg <send|unread|read|search|thread|archive> [<flags>]\n\n"
                    "Messages between build nodes (the seed's message_manager.py).\n\nSubcommands:\n";
  for (const auto& sub : Subcommands()) {
    std::string left = std::string("  ") + sub.name;
    out += left + std::string(12 - left.size(), ' ') + sub.summary + "\n";
  }
  return out + "\n`build-cli msg SUBCOMMAND --help` shows its flags and an example.\n";
}

int RunMsg(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  if (args.empty() || args.front() == "--help") {
    (args.empty() ? ctx.err() : ctx.out()) << MsgHelp() << "\nExample:\n" << spec.example << "\n";
    return args.empty() ? ctx.UsageError("msg: no subcommand given") : kExitOk;
  }
  for (const auto& sub : MessageSubcommands()) {
    if (args.front() != sub.name) continue;
    CommandSpec sub_spec{"msg " + sub.name, "", sub.summary, sub.example, nullptr};
    return sub.run(ctx, sub_spec, std::vector<std::string>(args.begin() + 1, args.end()));
  }
  return ctx.UsageError("msg: unknown subcommand \"" + args.front() + "\" (send, unread, read, search, thread, archive)");
}

}  // namespace

std::vector<CommandSpec> MessageSubcommands() {
  std::vector<CommandSpec> specs;
  for (const auto& sub : Subcommands()) specs.push_back({sub.name, "", sub.summary, sub.example, sub.run});
  return specs;
}

std::vector<CommandSpec> MessageCommands() {
  return {{"msg", "SUBCOMMAND", "Messages between nodes: send, unread, read, search, thread, archive",
           "  build-cli msg send --from build1 --to all --subject 'System Check' --body 'Improvements installed'\n"
           "  build-cli msg unread --server build2 --json",
           RunMsg}};
}

}  // namespace buildfarm::cli
