// Token routes (docs/api.md, Tokens), admin only: create (the secret is in the answer, once), list
// (never a secret or hash), revoke. Config-file tokens are listed with "source": "config" and cannot be
// made or revoked here.
#include <cmath>

#include "common/text.h"
#include "scheduler/server/api.h"
#include "scheduler/store/job.h"
#include "scheduler/store/job_json.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxTokenNameLength = 64;
constexpr double kMaxExpiresInSeconds = 10 * 366 * 86400.0;

bool StoreReady(ApiContext& ctx, httplib::Response& res) {
  if (ctx.token_store != nullptr) return true;
  SendError(res, 503, "this scheduler keeps no API tokens (config tokens only)");
  return false;
}

Status CheckTokenName(const json& name) {
  const std::string allowed = "name: want 1 to 64 characters of A-Z a-z 0-9 . _ -";
  if (!name.is_string()) return InvalidArgument(allowed);
  const std::string& text = name.get_ref<const std::string&>();
  if (text.empty() || text.size() > kMaxTokenNameLength) return InvalidArgument(allowed);
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return InvalidArgument(allowed);
  }
  return Status::Ok();
}

// `expires_in`: a duration ("30d", "12h") or a number of seconds; nullopt when absent (never expires).
Result<std::optional<double>> ExpiresIn(const json& body) {
  auto it = body.find("expires_in");
  if (it == body.end() || it->is_null()) return std::optional<double>();
  std::optional<double> seconds;
  if (it->is_string()) seconds = text::ParseDurationSeconds(it->get<std::string>());
  if (it->is_number()) seconds = it->get<double>();
  if (!seconds || !std::isfinite(*seconds) || *seconds <= 0 || *seconds > kMaxExpiresInSeconds) {
    return InvalidArgument("expires_in: want a duration such as \"30d\" or \"12h\" (or seconds), more than 0 and at most 10 years");
  }
  return seconds;
}

Result<NewToken> ParseNewToken(ApiContext& ctx, const json& body, double now) {
  BUILDFARM_RETURN_IF_ERROR(CheckKnownFields(body, {"name", "role", "node", "expires_in"}));
  NewToken token;
  auto name = body.find("name");
  if (name == body.end()) return InvalidArgument("name: required");
  BUILDFARM_RETURN_IF_ERROR(CheckTokenName(*name));
  token.name = name->get<std::string>();
  if (ctx.tokens.IsConfigToken(token.name)) {
    return Status(StatusCode::kConflict, "name: " + token.name + " is a token of the config file; choose another name");
  }
  auto role = body.find("role");
  std::optional<Role> parsed = role != body.end() && role->is_string() ? ParseRole(role->get<std::string>()) : std::nullopt;
  if (!parsed) return InvalidArgument(std::string("role: ") + kRoleNames);
  token.role = RoleName(*parsed);
  auto node = body.find("node");
  if (*parsed == Role::kAgent) {
    if (node == body.end() || !node->is_string()) return InvalidArgument("node: required for role agent (the node it acts for)");
    BUILDFARM_RETURN_IF_ERROR(CheckNodeName(node->get<std::string>()));
    token.node = node->get<std::string>();
  } else if (node != body.end()) {
    return InvalidArgument("node: only for role agent");
  }
  auto expires_in = ExpiresIn(body);
  if (!expires_in.ok()) return expires_in.status();
  if (*expires_in) token.expires = now + **expires_in;
  return token;
}

json TokenToJson(const StoredToken& token) {
  json out{{"name", token.name}, {"role", token.role}, {"source", "api"}, {"created", FormatTimestamp(token.created)}};
  if (!token.node.empty()) out["node"] = token.node;
  out["expires"] = token.expires ? json(FormatTimestamp(*token.expires)) : json(nullptr);
  out["last_used"] = token.last_used ? json(FormatTimestamp(*token.last_used)) : json(nullptr);
  return out;
}

void Create(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kAdmin) || !StoreReady(ctx, res)) return;
  auto body = JsonBody(req, res);
  if (!body) return;
  const double now = NowSeconds();
  auto token = ParseNewToken(ctx, *body, now);
  if (!token.ok()) return SendStatus(res, token.status());
  auto secret = ctx.token_store->Create(*token, now);
  if (!secret.ok()) return SendStatus(res, secret.status());
  json out = TokenToJson(StoredToken{token->name, token->role, token->node, now, token->expires, {}, {}});
  out["secret"] = *secret;
  SendJson(res, 201, out);
}

void List(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kAdmin) || !StoreReady(ctx, res)) return;
  auto limit = ListLimit(req, res, kMaxListLimit);
  if (!limit) return;
  auto stored = ctx.token_store->List();
  if (!stored.ok()) return SendStatus(res, stored.status());
  json tokens = json::array();
  for (const TokenConfig& token : ctx.service.config().tokens) {
    json entry{{"name", token.name}, {"role", RoleName(token.role)}, {"source", "config"}};
    if (!token.node.empty()) entry["node"] = token.node;
    tokens.push_back(entry);
  }
  for (const StoredToken& token : *stored) tokens.push_back(TokenToJson(token));
  const bool more = tokens.size() > static_cast<std::size_t>(*limit);
  if (more) tokens.erase(tokens.begin() + *limit, tokens.end());
  json out{{"tokens", tokens}};
  if (more) out["truncated"] = true;
  SendJson(res, 200, out);
}

void Revoke(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kAdmin) || !StoreReady(ctx, res)) return;
  const std::string name = req.matches[1];
  if (ctx.tokens.IsConfigToken(name)) {
    return SendError(res, 409, "name: " + name + " is a token of the config file; remove it there and restart", "name");
  }
  const double now = NowSeconds();
  Status revoked = ctx.token_store->Revoke(name, now);
  if (!revoked.ok()) return SendStatus(res, revoked);
  ctx.log.Info("token revoked", {{"name", name}});
  SendJson(res, 200, {{"name", name}, {"revoked", FormatTimestamp(now)}});
}

}  // namespace

void RegisterTokenRoutes(HttpServer& server, ApiContext& ctx) {
  using R = const httplib::Request&;
  using W = httplib::Response&;
  AuditedRoutes routes(server, ctx);
  routes.Post("/api/v1/tokens", [&ctx](R req, W res) { Create(ctx, req, res); });
  routes.Get("/api/v1/tokens", [&ctx](R req, W res) { List(ctx, req, res); });
  routes.Post(R"(/api/v1/tokens/([^/]+)/revoke)", [&ctx](R req, W res) { Revoke(ctx, req, res); });
}

}  // namespace buildfarm::scheduler
