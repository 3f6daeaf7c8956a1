// MessageStore: messages between build nodes in the scheduler's shared Database (its own tables), with
// an FTS5 index over subject and body.
//
// Send deduplicates: the same from, to, subject and body within 10 minutes returns the message already
// stored. A message to a node is unread until that node reads it; one to `all` is unread for each node
// until that node reads it (a sender does not get its own broadcast). Read receipts keep each reader's
// first read. Archive moves messages that are read and older than N days, and expired ones, into an
// archive table in one transaction and returns them (for the publisher's coordination/archive/).
// Time is passed in by the caller.
//
// Thread-safe: calls are serialized on the shared Database and join a transaction the caller has open.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "scheduler/store/message.h"
#include "scheduler/store/sqlite.h"

namespace buildfarm::scheduler {

inline constexpr double kMessageDedupeWindowSeconds = 600;
// The most messages one listing returns (the API's largest `limit`).
inline constexpr int kMaxMessageListLimit = 1000;

struct SendResult {
  Message message;
  bool created = false;  // false: a duplicate of `message`, sent within the dedupe window
};

struct MessageQuery {
  std::string text;                        // words to find in subject or body (all of them); empty: any
  std::string server;                      // sent by or addressed to this node
  std::optional<MessageType> type;
  std::optional<MessagePriority> priority;
  int limit = 50;
};

struct UnreadCount {
  std::string to;
  MessagePriority priority = MessagePriority::kNormal;
  std::int64_t count = 0;
};

class MessageStore {
 public:
  static Result<std::unique_ptr<MessageStore>> Open(std::shared_ptr<Database> db);
  static Result<std::unique_ptr<MessageStore>> Open(const std::string& path);

  // Stores a message (or finds its duplicate). A reply_to naming no message, stored or archived, is
  // InvalidArgument "reply_to: ...".
  Result<SendResult> Send(const MessageDraft& draft, double now);
  // A stored or archived message; NotFound otherwise.
  Result<Message> Get(const std::string& id);
  // Unexpired messages for `node` (to it or to all) that it has not read: critical first, then oldest;
  // at most `limit` of them.
  Result<std::vector<Message>> Unread(const std::string& node, double now, int limit = kMaxMessageListLimit);
  // Records that `reader` read the message at `now` (a second read keeps the first time). NotFound for
  // an unknown id; InvalidArgument "reader: ..." when the message is addressed to another node.
  Result<Message> MarkRead(const std::string& id, const std::string& reader, double now);
  // With text: ranked by bm25 (best first); without: newest first. Stored messages only.
  Result<std::vector<Message>> Search(const MessageQuery& query);
  // The reply tree `id` belongs to, stored and archived, oldest first; at most `limit` messages.
  Result<std::vector<Message>> Thread(const std::string& id, int limit = kMaxMessageListLimit);
  // Moves read messages created before now - days and messages expired by now to the archive, at most
  // `limit` of them (oldest first) in one transaction; `*more` says whether others are still due.
  Result<std::vector<Message>> Archive(double days, double now, int limit = kMaxMessageListLimit,
                                       bool* more = nullptr);
  // Retention: deletes at most `batch` archived messages archived before `cutoff`; returns how many.
  Result<std::int64_t> DeleteArchivedBefore(double cutoff, int batch);
  // Stored (not archived) messages, the `limit` newest, oldest first (the published messages.json).
  Result<std::vector<Message>> Active(int limit);
  // Archived messages whose archived_at is in [from, to), oldest first (coordination/archive/<day>.json).
  Result<std::vector<Message>> ArchivedBetween(double from, double to);
  // Unread, unexpired messages by recipient and priority: a message to `all` counts until any node
  // has read it. For buildfarm_messages_unread{to,priority}.
  Result<std::vector<UnreadCount>> CountUnread(double now);

 private:
  explicit MessageStore(std::shared_ptr<Database> db);
  Status CreateSchema();
  std::string NewId(double now);
  using SqlArg = std::variant<std::string, double, std::int64_t>;
  Result<std::vector<Message>> Query(const std::string& sql, const std::vector<SqlArg>& args);
  Status LoadReaders(std::vector<Message>& messages);
  Result<Message> GetLocked(const std::string& id);

  std::shared_ptr<Database> db_;
  std::mt19937_64 random_;  // guarded by the Database lock
};

}  // namespace buildfarm::scheduler
