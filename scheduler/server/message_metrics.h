// MessageMetrics: buildfarm_messages_unread{to,priority} for /metrics (no token needed), cheap and bounded.
//
// - Cost: the unread counts (a scan of the messages table) are recomputed at most once per
//   metrics.store_refresh (BoundedRefresh); scrapes in between show the last counts.
// - Cardinality: `to` is anyone's to invent (the API stores messages to any DNS label, docs/api.md), so only
//   known recipients get their own series: `all`, the farm's nodes (registered, or named by an agent token or
//   in `backups`) and the names in metrics.message_recipients, at most kMaxRecipientLabels of them (the
//   first by name; `all` always). Every other recipient's unread messages are summed into to="other". So
//   the family has at most (kMaxRecipientLabels + 2) x 4 series, however many names are invented; the
//   `all` and `other` series are always present (0 when there is nothing).
//
// Thread-safe: the stores serialize themselves; the cache is a BoundedRefresh.
#pragma once

#include <prometheus/metric_family.h>

#include <set>
#include <string>
#include <vector>

#include "common/log.h"
#include "scheduler/server/bounded_refresh.h"
#include "scheduler/server/config.h"
#include "scheduler/store/message_store.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

class MessageMetrics {
 public:
  static constexpr std::size_t kMaxRecipientLabels = 100;  // besides `all` and `other`
  static constexpr char kOtherRecipient[] = "other";

  MessageMetrics(const SchedulerConfig& config, MessageStore& messages, NodeStore& nodes, const Logger& log,
                 RefreshClock clock);

  // The family in the text format; "" when the store cannot count (logged).
  std::string Render();

 private:
  // Recipients named by the config: agent tokens' nodes, backups, metrics.message_recipients.
  std::set<std::string> configured_recipients_;
  MessageStore& messages_;
  NodeStore& nodes_;
  const Logger& log_;
  const RefreshClock clock_;
  BoundedRefresh<Result<std::vector<UnreadCount>>> unread_;
};

// The family from raw counts: recipients in `known` (up to kMaxRecipientLabels, by name) keep their label,
// the rest fold into "other". Pure; for Render and tests.
prometheus::MetricFamily UnreadFamily(const std::vector<UnreadCount>& counts, const std::set<std::string>& known);

}  // namespace buildfarm::scheduler
