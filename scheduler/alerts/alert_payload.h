// The Alertmanager webhook payload (version 4), parsed and validated.
//
// Alertmanager POSTs {"version": "4", "status", "receiver", "groupLabels", "commonLabels", "alerts": [...]}
// where each alert has status firing|resolved, labels, annotations, startsAt / endsAt (RFC 3339) and a
// fingerprint. The parser checks what the scheduler acts on and names the first wrong field in its error
// ("alerts[2].startsAt: want an RFC 3339 time"), so the webhook can answer 400 before it changes anything.
// Other fields are ignored (Alertmanager adds some between releases). Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::scheduler {

struct Alert {
  bool firing = false;  // status "firing"; false: "resolved"
  std::map<std::string, std::string> labels;
  std::string starts_at;       // as sent, the idempotency key with the fingerprint
  double starts_at_unix = 0;
  std::string fingerprint;

  std::string name() const { return Label("alertname"); }
  std::string Label(const std::string& key) const {
    auto it = labels.find(key);
    return it == labels.end() ? std::string() : it->second;
  }
};

struct AlertNotification {
  std::string receiver;
  std::vector<Alert> alerts;
};

// InvalidArgument naming the field for anything the scheduler cannot act on safely.
Result<AlertNotification> ParseAlertmanagerPayload(std::string_view body);

// "2026-11-27T03:10:00Z", "2026-11-27T03:10:00.123456789+01:00" -> unix seconds; nullopt otherwise.
std::optional<double> ParseRfc3339(std::string_view text);

}  // namespace buildfarm::scheduler
