#include "scheduler/server/message_metrics.h"

#include <iterator>
#include <map>
#include <utility>

#include "common/prometheus_text.h"

namespace buildfarm::scheduler {
namespace {

constexpr MessagePriority kPriorities[] = {MessagePriority::kCritical, MessagePriority::kHigh, MessagePriority::kNormal,
                                           MessagePriority::kLow};

}  // namespace

MessageMetrics::MessageMetrics(const SchedulerConfig& config, MessageStore& messages, NodeStore& nodes,
                               const Logger& log, RefreshClock clock)
    : configured_recipients_(config.message_recipients),
      messages_(messages),
      nodes_(nodes),
      log_(log),
      clock_(clock),
      unread_(config.metrics_refresh_seconds, std::move(clock)) {
  for (const TokenConfig& token : config.tokens) {
    if (token.role == Role::kAgent) configured_recipients_.insert(token.node);
  }
  for (const auto& [node, backup] : config.backups) {
    configured_recipients_.insert(node);
    if (backup.find('=') == std::string::npos) configured_recipients_.insert(backup);  // not a pool label
  }
}

std::string MessageMetrics::Render() {
  auto counts = unread_.Get([this] { return messages_.CountUnread(clock_()); });
  if (!counts.ok()) {
    log_.Warn("cannot count unread messages", {{"err", counts.status().ToString()}});
    return "";
  }
  std::set<std::string> known = configured_recipients_;
  for (const NodeRecord& node : nodes_.List()) known.insert(node.name);
  std::string out;
  AppendPrometheusText(out, {UnreadFamily(*counts, known)});
  return out;
}

prometheus::MetricFamily UnreadFamily(const std::vector<UnreadCount>& counts, const std::set<std::string>& known) {
  prometheus::MetricFamily family{"buildfarm_messages_unread",
                                  "Unread, unexpired messages by recipient and priority (a message to all counts "
                                  "until a node has read it). Recipients that are not the farm's nodes or "
                                  "configured count under to=\"other\".",
                                  prometheus::MetricType::Gauge, {}};
  // Labelled recipients: those known that have unread messages, the first kMaxRecipientLabels by name.
  std::set<std::string> labelled;
  for (const UnreadCount& c : counts) {
    if (c.to != kEveryone && known.count(c.to) != 0) labelled.insert(c.to);
  }
  while (labelled.size() > MessageMetrics::kMaxRecipientLabels) labelled.erase(std::prev(labelled.end()));

  std::map<std::pair<std::string, std::string>, double> values;
  // `all` and `other` always have every priority, so the family exists (at 0) before any message.
  for (const std::string& to : {std::string(kEveryone), std::string(MessageMetrics::kOtherRecipient)}) {
    for (MessagePriority p : kPriorities) values[{to, std::string(MessagePriorityName(p))}] = 0;
  }
  for (const UnreadCount& c : counts) {
    const bool own = c.to == kEveryone || labelled.count(c.to) != 0;
    values[{own ? c.to : std::string(MessageMetrics::kOtherRecipient), std::string(MessagePriorityName(c.priority))}] +=
        static_cast<double>(c.count);
  }
  for (const auto& [labels, value] : values) {
    prometheus::ClientMetric metric;
    metric.label = {{"priority", labels.second}, {"to", labels.first}};
    metric.gauge.value = value;
    family.metric.push_back(std::move(metric));
  }
  return family;
}

}  // namespace buildfarm::scheduler
