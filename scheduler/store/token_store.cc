#include "scheduler/store/token_store.h"

#include <openssl/crypto.h>

#include "scheduler/store/digest.h"

namespace buildfarm::scheduler {
namespace {

constexpr std::size_t kIdBytes = 8;        // 16 hex digits: which row
constexpr std::size_t kSecretBytes = 32;   // 64 hex digits: 256 bits
constexpr std::size_t kSaltBytes = 16;

// Schema DDL, SQLite dialect (REAL). `name` is unique among live tokens only (the partial index).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, node TEXT NOT NULL DEFAULT '',
  salt TEXT NOT NULL, hash TEXT NOT NULL, created REAL NOT NULL, expires REAL, last_used REAL, revoked REAL);
CREATE UNIQUE INDEX IF NOT EXISTS api_tokens_live_name ON api_tokens(name) WHERE revoked IS NULL;
)sql";

constexpr const char* kColumns = "name, role, node, created, expires, last_used, revoked";

StoredToken ReadToken(const Statement& stmt) {
  return StoredToken{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2), stmt.ColumnDouble(3),
                     stmt.ColumnOptionalDouble(4), stmt.ColumnOptionalDouble(5), stmt.ColumnOptionalDouble(6)};
}

bool IsHex(std::string_view s) {
  return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

Result<std::unique_ptr<TokenStore>> TokenStore::Open(std::shared_ptr<Database> db) {
  std::unique_ptr<TokenStore> store(new TokenStore(std::move(db)));
  auto lock = store->db_->Lock();
  BUILDFARM_RETURN_IF_ERROR(store->db_->Exec(kSchema));
  return store;
}

std::string TokenStore::SaltedHash(std::string_view salt_hex, std::string_view secret) {
  std::string input(salt_hex);
  input.append(secret);
  return Sha256Hex(input);
}

Result<std::string> TokenStore::Create(const NewToken& token, double now) {
  auto id = RandomHex(kIdBytes);
  auto secret = RandomHex(kSecretBytes);
  auto salt = RandomHex(kSaltBytes);
  if (!id.ok()) return id.status();
  if (!secret.ok()) return secret.status();
  if (!salt.ok()) return salt.status();
  const std::string full = std::string(kPrefix) + *id + "_" + *secret;
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  auto taken = db_->Prepare("SELECT 1 FROM api_tokens WHERE name = ?1 AND revoked IS NULL");
  if (!taken.ok()) return taken.status();
  if (taken->Bind(1, token.name).Step()) return Status(StatusCode::kConflict, "name: a token named " + token.name + " exists; revoke it first");
  BUILDFARM_RETURN_IF_ERROR(taken->status());
  auto insert = db_->Prepare(
      "INSERT INTO api_tokens (id, name, role, node, salt, hash, created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, *id).Bind(2, token.name).Bind(3, token.role).Bind(4, token.node).Bind(5, *salt)
      .Bind(6, SaltedHash(*salt, full)).Bind(7, now).BindOptional(8, token.expires);
  BUILDFARM_RETURN_IF_ERROR(insert->Run());
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return full;
}

Result<std::vector<StoredToken>> TokenStore::List(bool include_revoked) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(std::string("SELECT ") + kColumns + " FROM api_tokens" +
                           (include_revoked ? "" : " WHERE revoked IS NULL") + " ORDER BY name, created");
  if (!stmt.ok()) return stmt.status();
  std::vector<StoredToken> out;
  while (stmt->Step()) out.push_back(ReadToken(*stmt));
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  return out;
}

Status TokenStore::Revoke(const std::string& name, double now) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare("UPDATE api_tokens SET revoked = ?2 WHERE name = ?1 AND revoked IS NULL");
  if (!stmt.ok()) return stmt.status();
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, name).Bind(2, now).Run());
  if (db_->Changes() == 0) return NotFound("no token named " + name + " (see GET /api/v1/tokens)");
  return Status::Ok();
}

Result<StoredToken> TokenStore::Authenticate(std::string_view secret, double now) {
  auto refuse = [](std::string reason) { return Status(StatusCode::kUnauthenticated, std::move(reason)); };
  // bft_<16 hex>_<64 hex>
  if (secret.size() != kPrefix.size() + 2 * kIdBytes + 1 + 2 * kSecretBytes || secret.substr(0, kPrefix.size()) != kPrefix ||
      secret[kPrefix.size() + 2 * kIdBytes] != '_') {
    return refuse("not a stored token");
  }
  const std::string_view id = secret.substr(kPrefix.size(), 2 * kIdBytes);
  if (!IsHex(id)) return refuse("not a stored token");
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(std::string("SELECT ") + kColumns + ", salt, hash FROM api_tokens WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  if (!stmt->Bind(1, id).Step()) {
    BUILDFARM_RETURN_IF_ERROR(stmt->status());
    return refuse("unknown token id " + std::string(id));
  }
  StoredToken token = ReadToken(*stmt);
  const std::string stored_hash = stmt->ColumnText(8);
  const std::string presented = SaltedHash(stmt->ColumnText(7), secret);
  if (stored_hash.size() != presented.size() ||
      CRYPTO_memcmp(stored_hash.data(), presented.data(), presented.size()) != 0) {
    return refuse("wrong secret for token id " + std::string(id));
  }
  if (token.revoked) return refuse("token " + token.name + " revoked");
  if (token.expires && *token.expires <= now) return refuse("token " + token.name + " expired");
  if (!token.last_used || now - *token.last_used >= kLastUsedResolution) {
    auto touch = db_->Prepare("UPDATE api_tokens SET last_used = ?2 WHERE id = ?1");
    if (!touch.ok()) return touch.status();
    BUILDFARM_RETURN_IF_ERROR(touch->Bind(1, id).Bind(2, now).Run());
    token.last_used = now;
  }
  return token;
}

}  // namespace buildfarm::scheduler
