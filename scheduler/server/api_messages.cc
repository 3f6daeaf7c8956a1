// Message routes (docs/api.md, Messages): send, unread, mark read, search, thread, archive, get.
// (buildfarm_messages_unread for /metrics is message_metrics.h.)
#include "common/json_schema/json_schema.h"
#include "common/text.h"
#include "scheduler/server/api.h"
#include "scheduler/store/message_json.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

const char* kMessage = R"(/api/v1/messages/([^/]+))";
constexpr int kDefaultSearchLimit = 50;
constexpr int kDefaultListLimit = 100;  // unread and thread
constexpr double kDefaultArchiveDays = 30;
// message.schema.json's metadata: a schema cannot limit the size of an object, so it is checked here.
constexpr std::size_t kMaxMetadataBytes = 16384;

// Agents read messages too (a node reads what was sent to it); viewers and admins read everything.
std::optional<Principal> AdmitReader(const httplib::Request& req, httplib::Response& res, ApiContext& ctx) {
  auto who = ctx.tokens.Authenticate(req.get_header_value("Authorization"));
  Access access = who.ok() && who->role == Role::kAgent ? Access::kAnyAgent : Access::kRead;
  return Admit(req, res, ctx, access);
}

bool StoreReady(ApiContext& ctx, httplib::Response& res) {
  if (ctx.messages != nullptr) return true;
  SendError(res, 503, "messages are not enabled");
  return false;
}

// A node name (a DNS label) from a query parameter or body field; answers 400 naming `field` if bad.
std::optional<std::string> NodeName(const std::string& value, const std::string& field, httplib::Response& res) {
  Status valid = json_schema::Check("message/node_name", json(value), field);
  if (value.empty() || !valid.ok()) {
    SendError(res, 400, field + ": want a node name (a DNS label: a-z, 0-9 and -)", field);
    return std::nullopt;
  }
  return value;
}

json MessageList(const std::vector<Message>& messages) {
  json out = json::array();
  for (const Message& m : messages) out.push_back(MessageToJson(m));
  return out;
}

// The first `limit` of `messages` (fetched with one more than the limit); sets "truncated": true in
// `reply` when there were more.
json MessageListUpTo(std::vector<Message>& messages, int limit, json& reply) {
  if (messages.size() > static_cast<std::size_t>(limit)) {
    messages.resize(static_cast<std::size_t>(limit));
    reply["truncated"] = true;
  }
  return MessageList(messages);
}

void Send(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto who = Admit(req, res, ctx, Access::kAnyAgent);
  if (!who || !StoreReady(ctx, res)) return;
  auto body = JsonBody(req, res);
  if (!body) return;
  const double now = NowSeconds();
  auto draft = MessageDraftFromJson(*body, now);
  if (!draft.ok()) return SendStatus(res, draft.status());
  if (who->role == Role::kAgent && draft->from != who->node) {
    return SendError(res, 403, "token of node " + who->node + " may not send as " + draft->from, "from");
  }
  std::string metadata = draft->metadata.is_null() ? "" : draft->metadata.dump();
  if (metadata.size() > kMaxMetadataBytes) {
    return SendError(res, 400, "metadata: " + std::to_string(metadata.size()) + " bytes as JSON, over the limit of " +
                     std::to_string(kMaxMetadataBytes), "metadata");
  }
  if (ctx.secret_check) {
    const std::pair<const char*, std::string> parts[] = {
        {"subject", draft->subject}, {"body", draft->body}, {"metadata", std::move(metadata)}};
    for (const auto& [field, text] : parts) {
      Status clean = ctx.secret_check(text);
      if (clean.ok()) continue;
      ctx.log.Warn("message refused", {{"from", draft->from}, {"field", field}, {"reason", clean.message()}});
      return SendError(res, 400, std::string(field) + ": refused, " + clean.message(), field);
    }
  }
  auto sent = ctx.messages->Send(*draft, now);
  if (!sent.ok()) return SendStatus(res, sent.status());
  if (sent->created) {
    ctx.log.Info("message sent", {{"id", sent->message.id}, {"from", draft->from}, {"to", draft->to},
                                  {"priority", MessagePriorityName(draft->priority)}});
  }
  SendJson(res, sent->created ? 201 : 200,
           {{"id", sent->message.id}, {"duplicate", !sent->created}, {"message", MessageToJson(sent->message)}});
}

void Unread(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!AdmitReader(req, res, ctx) || !StoreReady(ctx, res)) return;
  auto node = NodeName(req.get_param_value("for"), "for", res);
  if (!node) return;
  auto limit = ListLimit(req, res, kDefaultListLimit);
  if (!limit) return;
  auto unread = ctx.messages->Unread(*node, NowSeconds(), *limit + 1);
  if (!unread.ok()) return SendStatus(res, unread.status());
  json out{{"for", *node}};
  out["messages"] = MessageListUpTo(*unread, *limit, out);
  SendJson(res, 200, out);
}

void MarkRead(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto who = Admit(req, res, ctx, Access::kAnyAgent);
  if (!who || !StoreReady(ctx, res)) return;
  auto body = JsonBody(req, res);
  if (!body) return;
  auto reader_field = body->find("reader");
  if (reader_field == body->end() || !reader_field->is_string()) {
    return SendError(res, 400, "reader: want the name of the node that read the message", "reader");
  }
  for (const auto& [key, unused] : body->items()) {
    if (key != "reader") return SendError(res, 400, key + ": unknown field", key);
  }
  auto reader = NodeName(reader_field->get<std::string>(), "reader", res);
  if (!reader) return;
  if (who->role == Role::kAgent && *reader != who->node) {
    return SendError(res, 403, "token of node " + who->node + " may not read for " + *reader, "reader");
  }
  // A reader is a node the farm knows (registered, the caller's own node, or the message's addressee):
  // an invented name ("ghost") would be recorded as having read it.
  if (who->role != Role::kAgent && !ctx.nodes.Get(*reader).ok()) {
    auto addressed = ctx.messages->Get(req.matches[1]);
    if (!addressed.ok()) return SendStatus(res, addressed.status());
    if (addressed->draft.to != *reader) {
      return SendError(res, 400, "reader: unknown node " + *reader + " (want a registered node)", "reader");
    }
  }
  auto message = ctx.messages->MarkRead(req.matches[1], *reader, NowSeconds());
  if (!message.ok()) return SendStatus(res, message.status());
  SendJson(res, 200, MessageToJson(*message));
}

void Search(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!AdmitReader(req, res, ctx) || !StoreReady(ctx, res)) return;
  MessageQuery query;
  query.text = req.get_param_value("q");
  if (const std::string server = req.get_param_value("server"); !server.empty()) {
    auto node = NodeName(server, "server", res);
    if (!node) return;
    query.server = *node;
  }
  if (const std::string type = req.get_param_value("type"); !type.empty()) {
    query.type = ParseMessageType(type);
    if (!query.type) return SendError(res, 400, "type: want info, warning, error, request, response or heartbeat", "type");
  }
  if (const std::string priority = req.get_param_value("priority"); !priority.empty()) {
    query.priority = ParseMessagePriority(priority);
    if (!query.priority) return SendError(res, 400, "priority: want critical, high, normal or low", "priority");
  }
  auto limit = ListLimit(req, res, kDefaultSearchLimit);
  if (!limit) return;
  query.limit = *limit + 1;
  auto found = ctx.messages->Search(query);
  if (!found.ok()) return SendStatus(res, found.status());
  json out = json::object();
  out["messages"] = MessageListUpTo(*found, *limit, out);
  SendJson(res, 200, out);
}

void Thread(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!AdmitReader(req, res, ctx) || !StoreReady(ctx, res)) return;
  auto limit = ListLimit(req, res, kDefaultListLimit);
  if (!limit) return;
  auto thread = ctx.messages->Thread(req.matches[1], *limit + 1);
  if (!thread.ok()) return SendStatus(res, thread.status());
  json out = json::object();
  out["messages"] = MessageListUpTo(*thread, *limit, out);
  SendJson(res, 200, out);
}

void Get(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!AdmitReader(req, res, ctx) || !StoreReady(ctx, res)) return;
  auto message = ctx.messages->Get(req.matches[1]);
  if (!message.ok()) return SendStatus(res, message.status());
  SendJson(res, 200, MessageToJson(*message));
}

void Archive(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kAdmin) || !StoreReady(ctx, res)) return;
  double days = kDefaultArchiveDays;
  int limit = kMaxListLimit;
  if (!req.body.empty()) {
    auto body = JsonBody(req, res);
    if (!body) return;
    for (const auto& [key, value] : body->items()) {
      if (key == "limit") {
        if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > kMaxListLimit) {
          return SendError(res, 400, "limit: want an integer from 1 to " + std::to_string(kMaxListLimit), "limit");
        }
        limit = value.get<int>();
        continue;
      }
      if (key != "days") return SendError(res, 400, key + ": unknown field (allowed: days, limit)", key);
      if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 36500) {
        return SendError(res, 400, "days: want a number of days from 0 to 36500", "days");
      }
      days = value.get<double>();
    }
  }
  bool more = false;
  auto archived = ctx.messages->Archive(days, NowSeconds(), limit, &more);
  if (!archived.ok()) return SendStatus(res, archived.status());
  ctx.log.Info("messages archived", {{"count", std::to_string(archived->size())}, {"days", std::to_string(days)}});
  if (ctx.on_archived) ctx.on_archived(*archived);
  json out{{"archived", archived->size()}, {"messages", MessageList(*archived)}};
  if (more) out["truncated"] = true;  // more are due: call again
  SendJson(res, 200, out);
}

}  // namespace

void RegisterMessageRoutes(HttpServer& server, ApiContext& ctx) {
  AuditedRoutes routes(server, ctx);
  using R = const httplib::Request&;
  using W = httplib::Response&;
  const std::string message = kMessage;
  routes.Post("/api/v1/messages", [&ctx](R req, W res) { Send(ctx, req, res); });
  routes.Get("/api/v1/messages/unread", [&ctx](R req, W res) { Unread(ctx, req, res); });
  routes.Get("/api/v1/messages/search", [&ctx](R req, W res) { Search(ctx, req, res); });
  routes.Post("/api/v1/messages/archive", [&ctx](R req, W res) { Archive(ctx, req, res); });
  routes.Post(message + "/read", [&ctx](R req, W res) { MarkRead(ctx, req, res); });
  routes.Get(message + "/thread", [&ctx](R req, W res) { Thread(ctx, req, res); });
  routes.Get(message, [&ctx](R req, W res) { Get(ctx, req, res); });
}

}  // namespace buildfarm::scheduler
