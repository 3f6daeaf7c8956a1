// AuditStore: the tamper-evident audit log, an append-only `audit` table in the scheduler's shared
// Database. Every API call that changes something, every refused call (401, 403) and every automatic
// change (lease expiry, failover, cordon, uncordon, archive, retention deletions) is one row.
//
// The rows form a SHA-256 hash chain. Row n's `hash` is the lowercase hex SHA-256 of this byte string
// (the canonical encoding, ChainInput()):
//
//   prev_hash "\n" then, for each field in the order id, at_ms, principal, action, target, node, result,
//   source, detail:   <length in bytes, decimal> ":" <the field's bytes> "\n"
//
// where id and at_ms (milliseconds since the Unix epoch) are written in decimal without sign or leading
// zeros, the text fields as their UTF-8 bytes, and prev_hash is row n-1's hash (64 "0" for the first
// row). The length prefix makes the encoding unambiguous whatever the fields hold. Changing any field
// of a row, deleting or inserting a row breaks the chain at that row (or the one after a deleted row);
// Verify() names the first row where it breaks. It cannot notice rows cut from the end, or a chain
// recomputed from the edit on by someone holding the file: compare the head hash Verify() returns with
// one noted earlier (outside the scheduler) for that.
//
// Nothing secret goes in: callers pass token names, never tokens or headers. Rows are never pruned.
//
// Thread-safe: Append joins the caller's transaction when there is one (so an automatic change and its
// audit row commit together), and appends are serialized by the Database lock, so the chain is linear.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "scheduler/store/sqlite.h"

namespace buildfarm::scheduler {

struct AuditEvent {
  std::string principal;  // a token's name, "scheduler" for automatic changes, "" when unauthenticated
  std::string action;     // "POST /api/v1/jobs", "failover", "lease-expired", "retention", ...
  std::string target;     // a job id, node, token or message name; "" when none
  std::string node;       // the node concerned, for the `node` filter; "" when none
  std::string result;     // an HTTP status ("201", "401") or "ok"
  std::string source;     // the client's address; "" for automatic changes
  std::string detail;     // more, e.g. the reason a token was refused, or counts
};

struct AuditEntry {
  std::int64_t id = 0;
  std::int64_t at_ms = 0;
  AuditEvent event;
  std::string prev_hash;
  std::string hash;
};

struct AuditQuery {
  std::optional<double> since;  // unix seconds: entries at or after, oldest first; else the newest `limit`
  std::string node;             // "" for all
  int limit = 100;
};

struct AuditVerification {
  std::int64_t entries = 0;
  std::string head_hash;                       // the last row's hash ("" when empty)
  std::optional<std::int64_t> first_broken;    // the first entry whose chain breaks
  std::string problem;                         // why it breaks
};

class AuditStore {
 public:
  static constexpr const char* kSchedulerPrincipal = "scheduler";
  static constexpr const char* kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

  static Result<std::unique_ptr<AuditStore>> Open(std::shared_ptr<Database> db);

  Result<AuditEntry> Append(const AuditEvent& event, double now);
  // A change the scheduler made by itself: principal "scheduler", result "ok", `node` as target and node.
  Result<AuditEntry> AppendAutomatic(const std::string& action, const std::string& node, const std::string& detail,
                                     double now) {
    return Append(AuditEvent{kSchedulerPrincipal, action, node, node, "ok", "", detail}, now);
  }
  // Oldest first. `*more` (optional) is set when more rows match than `limit`.
  Result<std::vector<AuditEntry>> List(const AuditQuery& query, bool* more = nullptr);
  // Walks the whole chain in batches (other callers get the database between them).
  Result<AuditVerification> Verify();

  // The bytes hashed for an entry (see above).
  static std::string ChainInput(const AuditEntry& entry);
  static std::string ChainHash(const AuditEntry& entry);

 private:
  explicit AuditStore(std::shared_ptr<Database> db) : db_(std::move(db)) {}

  std::shared_ptr<Database> db_;
};

}  // namespace buildfarm::scheduler
