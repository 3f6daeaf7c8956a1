#include "scheduler/store/message_store.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <cstdio>
#include <variant>

namespace buildfarm::scheduler {
namespace {

constexpr double kSecondsPerDay = 86400;

// Active and archived rows share these columns; the archive keeps its read receipts as JSON.
constexpr const char* kActiveColumns =
    "id, sender, recipient, subject, body, priority, type, reply_to, created_at, expires_at, metadata, "
    "NULL, NULL, seq";
// kActiveColumns of `m`, for the join with the FTS table.
constexpr const char* kJoinedColumns =
    "m.id, m.sender, m.recipient, m.subject, m.body, m.priority, m.type, m.reply_to, m.created_at, m.expires_at, "
    "m.metadata, NULL, NULL, m.seq";
constexpr const char* kArchiveColumns =
    "id, sender, recipient, subject, body, priority, type, reply_to, created_at, expires_at, metadata, "
    "archived_at, read_by, seq";

// Schema DDL, SQLite dialect (the FTS5 table and its triggers).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT UNIQUE NOT NULL,
  sender TEXT NOT NULL, recipient TEXT NOT NULL,
  subject TEXT NOT NULL, body TEXT NOT NULL,
  priority INTEGER NOT NULL, type TEXT NOT NULL,
  reply_to TEXT NOT NULL DEFAULT '', thread TEXT NOT NULL,
  created_at REAL NOT NULL, expires_at REAL,
  metadata TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS messages_dedupe ON messages(sender, recipient, subject, created_at);
CREATE INDEX IF NOT EXISTS messages_by_recipient ON messages(recipient, priority, created_at);
CREATE INDEX IF NOT EXISTS messages_by_time ON messages(created_at);
CREATE INDEX IF NOT EXISTS messages_by_thread ON messages(thread, created_at);
CREATE INDEX IF NOT EXISTS messages_by_expiry ON messages(expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS message_reads (
  message_id TEXT NOT NULL, reader TEXT NOT NULL, read_at REAL NOT NULL, PRIMARY KEY (message_id, reader));
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(subject, body, content='messages', content_rowid='seq');
CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, subject, body) VALUES (new.seq, new.subject, new.body);
END;
CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, subject, body) VALUES ('delete', old.seq, old.subject, old.body);
END;
CREATE TABLE IF NOT EXISTS messages_archive (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL,
  sender TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
  priority INTEGER NOT NULL, type TEXT NOT NULL, reply_to TEXT NOT NULL, thread TEXT NOT NULL,
  created_at REAL NOT NULL, expires_at REAL, metadata TEXT NOT NULL,
  read_by TEXT NOT NULL, archived_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS messages_archive_by_thread ON messages_archive(thread, created_at);
CREATE INDEX IF NOT EXISTS messages_archive_by_time ON messages_archive(archived_at);
)sql";

template <typename Args>
void BindAll(Statement& stmt, const Args& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::visit([&](const auto& value) { stmt.Bind(static_cast<int>(i + 1), value); }, args[i]);
  }
}

Message ReadMessage(const Statement& row) {
  Message m;
  m.id = row.ColumnText(0);
  m.draft.from = row.ColumnText(1);
  m.draft.to = row.ColumnText(2);
  m.draft.subject = row.ColumnText(3);
  m.draft.body = row.ColumnText(4);
  m.draft.priority = static_cast<MessagePriority>(row.ColumnInt(5) & 3);
  m.draft.type = ParseMessageType(row.ColumnText(6)).value_or(MessageType::kInfo);
  m.draft.reply_to = row.ColumnText(7);
  m.created_at = row.ColumnDouble(8);
  m.draft.expires_at = row.ColumnOptionalDouble(9);
  m.draft.metadata = nlohmann::json::parse(row.ColumnText(10), nullptr, false);
  if (!m.draft.metadata.is_object()) m.draft.metadata = nlohmann::json::object();
  m.archived_at = row.ColumnOptionalDouble(11);
  if (!row.ColumnIsNull(12)) {
    auto readers = nlohmann::json::parse(row.ColumnText(12), nullptr, false);
    if (readers.is_object()) {
      for (const auto& [reader, when] : readers.items()) {
        if (when.is_number()) m.read_by[reader] = when.get<double>();
      }
    }
  }
  return m;
}

// The user's words as an FTS5 query: each word quoted (so FTS5 operators in the text are plain words),
// all of them required.
std::string FtsQuery(const std::string& text) {
  std::string query, word;
  auto flush = [&] {
    if (word.empty()) return;
    query += (query.empty() ? "\"" : " \"") + word + "\"";
    word.clear();
  };
  for (unsigned char c : text) {
    if (std::isalnum(c) || c >= 0x80 || c == '_') {
      word += static_cast<char>(c);
    } else {
      flush();
    }
  }
  flush();
  return query;
}

Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }

}  // namespace

MessageStore::MessageStore(std::shared_ptr<Database> db) : db_(std::move(db)), random_(std::random_device{}()) {}

Result<std::unique_ptr<MessageStore>> MessageStore::Open(const std::string& path) {
  auto db = Database::Open(path);
  if (!db.ok()) return db.status();
  return Open(std::move(db).value());
}

Result<std::unique_ptr<MessageStore>> MessageStore::Open(std::shared_ptr<Database> db) {
  std::unique_ptr<MessageStore> store(new MessageStore(std::move(db)));
  BUILDFARM_RETURN_IF_ERROR(store->CreateSchema());
  return store;
}

Status MessageStore::CreateSchema() {
  auto lock = db_->Lock();
  return db_->Exec(kSchema);
}

std::string MessageStore::NewId(double now) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "msg_%lld_%06llx", static_cast<long long>(now * 1000),
                static_cast<unsigned long long>(random_() & 0xffffff));
  return buffer;
}

Status MessageStore::LoadReaders(std::vector<Message>& messages) {
  nlohmann::json ids = nlohmann::json::array();
  std::map<std::string, Message*> by_id;
  for (Message& m : messages) {
    if (m.archived_at) continue;
    ids.push_back(m.id);
    by_id[m.id] = &m;
  }
  if (by_id.empty()) return Status::Ok();
  // SQLite dialect: json_each.
  auto reads = db_->Prepare(
      "SELECT message_id, reader, read_at FROM message_reads WHERE message_id IN (SELECT value FROM json_each(?1))");
  if (!reads.ok()) return reads.status();
  reads->Bind(1, ids.dump());
  while (reads->Step()) by_id[reads->ColumnText(0)]->read_by[reads->ColumnText(1)] = reads->ColumnDouble(2);
  return reads->status();
}

Result<std::vector<Message>> MessageStore::Query(const std::string& sql, const std::vector<SqlArg>& args) {
  auto stmt = db_->Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  BindAll(*stmt, args);
  std::vector<Message> messages;
  while (stmt->Step()) messages.push_back(ReadMessage(*stmt));
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  BUILDFARM_RETURN_IF_ERROR(LoadReaders(messages));
  return messages;
}

Result<Message> MessageStore::GetLocked(const std::string& id) {
  auto found = Query(std::string("SELECT ") + kActiveColumns + " FROM messages WHERE id = ?1 UNION ALL SELECT " +
                         kArchiveColumns + " FROM messages_archive WHERE id = ?1",
                     {id});
  if (!found.ok()) return found.status();
  if (found->empty()) return NotFound("message " + id + " not found");
  return std::move(found->front());
}

Result<Message> MessageStore::Get(const std::string& id) {
  auto lock = db_->Lock();
  return GetLocked(id);
}

Result<SendResult> MessageStore::Send(const MessageDraft& draft, double now) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  auto duplicate = db_->Prepare(
      "SELECT id FROM messages WHERE sender = ?1 AND recipient = ?2 AND subject = ?3 AND body = ?4 "
      "AND created_at >= ?5 ORDER BY created_at DESC LIMIT 1");
  if (!duplicate.ok()) return duplicate.status();
  duplicate->Bind(1, draft.from).Bind(2, draft.to).Bind(3, draft.subject).Bind(4, draft.body);
  duplicate->Bind(5, now - kMessageDedupeWindowSeconds);
  if (duplicate->Step()) {
    auto existing = GetLocked(duplicate->ColumnText(0));
    if (!existing.ok()) return existing.status();
    return SendResult{std::move(existing).value(), false};
  }
  BUILDFARM_RETURN_IF_ERROR(duplicate->status());

  const std::string id = NewId(now);
  std::string thread = id;
  if (!draft.reply_to.empty()) {
    auto parent = db_->Prepare("SELECT thread FROM messages WHERE id = ?1 UNION ALL "
                              "SELECT thread FROM messages_archive WHERE id = ?1");
    if (!parent.ok()) return parent.status();
    parent->Bind(1, draft.reply_to);
    if (!parent->Step()) {
      BUILDFARM_RETURN_IF_ERROR(parent->status());
      return InvalidArgument("reply_to: no message " + draft.reply_to);
    }
    thread = parent->ColumnText(0);
  }
  auto insert = db_->Prepare(
      "INSERT INTO messages (id, sender, recipient, subject, body, priority, type, reply_to, thread, created_at, "
      "expires_at, metadata) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, id).Bind(2, draft.from).Bind(3, draft.to).Bind(4, draft.subject).Bind(5, draft.body);
  insert->Bind(6, static_cast<int>(draft.priority)).Bind(7, MessageTypeName(draft.type)).Bind(8, draft.reply_to);
  insert->Bind(9, thread).Bind(10, now).BindOptional(11, draft.expires_at);
  insert->Bind(12, draft.metadata.is_object() ? draft.metadata.dump() : std::string("{}"));
  BUILDFARM_RETURN_IF_ERROR(insert->Run());
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return SendResult{Message{id, draft, now, {}, std::nullopt}, true};
}

Result<std::vector<Message>> MessageStore::Unread(const std::string& node, double now, int limit) {
  auto lock = db_->Lock();
  return Query(std::string("SELECT ") + kActiveColumns +
                   " FROM messages m WHERE (recipient = ?1 OR (recipient = 'all' AND sender <> ?1))"
                   " AND (expires_at IS NULL OR expires_at > ?2)"
                   " AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.reader = ?1)"
                   " ORDER BY priority, created_at, seq LIMIT ?3",
               {node, now, static_cast<std::int64_t>(std::max(limit, 0))});
}

Result<Message> MessageStore::MarkRead(const std::string& id, const std::string& reader, double now) {
  auto lock = db_->Lock();
  auto message = GetLocked(id);
  if (!message.ok()) return message.status();
  if (message->archived_at) return Conflict("message " + id + " is archived");
  if (message->draft.to != kEveryone && message->draft.to != reader) {
    return InvalidArgument("reader: message " + id + " is addressed to " + message->draft.to + ", not " + reader);
  }
  auto insert = db_->Prepare("INSERT INTO message_reads (message_id, reader, read_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, id).Bind(2, reader).Bind(3, now);
  BUILDFARM_RETURN_IF_ERROR(insert->Run());
  message->read_by.emplace(reader, now);
  return message;
}

Result<std::vector<Message>> MessageStore::Search(const MessageQuery& query) {
  std::vector<SqlArg> args;
  auto param = [&args](SqlArg value) {
    args.push_back(std::move(value));
    return "?" + std::to_string(args.size());
  };
  std::string where;
  const std::string fts = FtsQuery(query.text);
  if (!query.text.empty() && fts.empty()) return InvalidArgument("q: no words to search for");
  const std::string match = fts.empty() ? "" : param(fts);
  if (!query.server.empty()) {
    const std::string server = param(query.server);
    // Unary + keeps the planner from answering the OR through the sender and recipient indexes and
    // sorting everything; walking messages_by_time newest first stops at the limit.
    where += " AND (+m.sender = " + server + " OR +m.recipient = " + server + ")";
  }
  if (query.type) where += " AND m.type = " + param(std::string(MessageTypeName(*query.type)));
  if (query.priority) where += " AND m.priority = " + param(static_cast<std::int64_t>(*query.priority));
  const std::string limit = " LIMIT " + std::to_string(query.limit < 1 ? 1 : query.limit);
  std::string sql;
  if (fts.empty()) {
    sql = std::string("SELECT ") + kJoinedColumns + " FROM messages m WHERE 1" + where +
          " ORDER BY m.created_at DESC, m.seq DESC" + limit;
  } else {
    // SQLite dialect: FTS5 (MATCH, bm25, rowid), as in the schema's messages_fts.
    // Ranked inside FTS5 first (ties: newest rowid), so that without filters only the top rows are
    // joined; with filters every match is joined and filtered, then cut. Rowids follow send order.
    sql = std::string("WITH ranked AS MATERIALIZED (SELECT rowid, bm25(messages_fts, 2.0, 1.0) AS score "
                      "FROM messages_fts WHERE messages_fts MATCH ") + match +
          " ORDER BY score, rowid DESC" + (where.empty() ? limit : "") + ") SELECT " + kJoinedColumns +
          " FROM ranked JOIN messages m ON m.seq = ranked.rowid WHERE 1" + where +
          " ORDER BY ranked.score, ranked.rowid DESC" + limit;
  }
  auto lock = db_->Lock();
  return Query(sql, args);
}

Result<std::vector<Message>> MessageStore::Thread(const std::string& id, int limit) {
  auto lock = db_->Lock();
  auto root = db_->Prepare("SELECT thread FROM messages WHERE id = ?1 UNION ALL SELECT thread FROM messages_archive WHERE id = ?1");
  if (!root.ok()) return root.status();
  root->Bind(1, id);
  if (!root->Step()) {
    BUILDFARM_RETURN_IF_ERROR(root->status());
    return NotFound("message " + id + " not found");
  }
  const std::string thread = root->ColumnText(0);
  return Query(std::string("SELECT ") + kActiveColumns + " FROM messages WHERE thread = ?1 UNION ALL SELECT " +
                   kArchiveColumns + " FROM messages_archive WHERE thread = ?1 ORDER BY 9, 14 LIMIT ?2",
               {thread, static_cast<std::int64_t>(std::max(limit, 0))});
}

Result<std::vector<Message>> MessageStore::Archive(double days, double now, int limit, bool* more) {
  if (!(days >= 0)) return InvalidArgument("days: want a non-negative number");
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  auto due = Query(std::string("SELECT ") + kActiveColumns +
                       " FROM messages m WHERE (expires_at IS NOT NULL AND expires_at <= ?1) OR (created_at < ?2 AND "
                       "EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id)) ORDER BY created_at, seq LIMIT ?3",
                   {now, now - days * kSecondsPerDay, static_cast<std::int64_t>(std::max(limit, 0)) + 1});
  if (!due.ok()) return due.status();
  // One row past the limit tells whether more are due.
  const bool over = due->size() > static_cast<std::size_t>(std::max(limit, 0));
  if (over) due->resize(static_cast<std::size_t>(std::max(limit, 0)));
  if (more != nullptr) *more = over;
  for (Message& m : *due) {
    nlohmann::json readers = nlohmann::json::object();
    for (const auto& [reader, when] : m.read_by) readers[reader] = when;
    auto insert = db_->Prepare(
        "INSERT INTO messages_archive (id, seq, sender, recipient, subject, body, priority, type, reply_to, thread, "
        "created_at, expires_at, metadata, read_by, archived_at) SELECT id, seq, sender, recipient, subject, body, "
        "priority, type, reply_to, thread, created_at, expires_at, metadata, ?2, ?3 FROM messages WHERE id = ?1");
    if (!insert.ok()) return insert.status();
    insert->Bind(1, m.id).Bind(2, readers.dump()).Bind(3, now);
    BUILDFARM_RETURN_IF_ERROR(insert->Run());
    for (const char* sql : {"DELETE FROM message_reads WHERE message_id = ?1", "DELETE FROM messages WHERE id = ?1"}) {
      auto remove = db_->Prepare(sql);
      if (!remove.ok()) return remove.status();
      remove->Bind(1, m.id);
      BUILDFARM_RETURN_IF_ERROR(remove->Run());
    }
    m.archived_at = now;
  }
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return due;
}

Result<std::int64_t> MessageStore::DeleteArchivedBefore(double cutoff, int batch) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare("DELETE FROM messages_archive WHERE id IN (SELECT id FROM messages_archive "
                           "WHERE archived_at < ?1 ORDER BY archived_at LIMIT ?2)");
  if (!stmt.ok()) return stmt.status();
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, cutoff).Bind(2, batch).Run());
  return db_->Changes();
}

Result<std::vector<Message>> MessageStore::Active(int limit) {
  auto lock = db_->Lock();
  return Query(std::string("SELECT * FROM (SELECT ") + kActiveColumns + " FROM messages ORDER BY created_at DESC, seq DESC LIMIT " +
                   std::to_string(limit < 0 ? 0 : limit) + ") ORDER BY 9, 14",
               {});
}

Result<std::vector<Message>> MessageStore::ArchivedBetween(double from, double to) {
  auto lock = db_->Lock();
  return Query(std::string("SELECT ") + kArchiveColumns +
                   " FROM messages_archive WHERE archived_at >= ?1 AND archived_at < ?2 ORDER BY archived_at, seq",
               {from, to});
}

Result<std::vector<UnreadCount>> MessageStore::CountUnread(double now) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(
      "SELECT recipient, priority, COUNT(*) FROM messages m WHERE (expires_at IS NULL OR expires_at > ?1) "
      "AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id) GROUP BY recipient, priority");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, now);
  std::vector<UnreadCount> counts;
  while (stmt->Step()) {
    counts.push_back({stmt->ColumnText(0), static_cast<MessagePriority>(stmt->ColumnInt(1) & 3), stmt->ColumnInt(2)});
  }
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  return counts;
}

}  // namespace buildfarm::scheduler
