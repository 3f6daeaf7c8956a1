// AlertmanagerServer: a real Alertmanager (Debian's prometheus-alertmanager) for integration tests on
// 127.0.0.1:0 (the port it bound is read back from /proc once it listens, so no other process can be
// holding it), clustering off, with its configuration, storage and log in a caller-given folder.
//
// The configuration and rules come from the repository, adapted for a test farm:
// - AlertmanagerConfigForTest: alerting/alertmanager.yml with the same routes, receivers and inhibit rules,
//   every group_wait and group_interval set to 1 s, each webhook's URL pointed at the test's scheduler and its
//   bearer token read from the test's token file;
// - AlertRulesForTest: alerting/rules/alerts.yml with every `for:` replaced by a few seconds, so an alert
//   fires within a test's patience (expressions, labels and annotations as shipped).
// The process is stopped on destruction. Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "tests/support/process.h"

namespace buildfarm::testing {

inline constexpr char kAlertmanagerBinary[] = "/usr/bin/prometheus-alertmanager";

class AlertmanagerServer {
 public:
  // `folder` must exist; alertmanager.yml, data/ and alertmanager.log go there.
  explicit AlertmanagerServer(std::string folder);
  ~AlertmanagerServer();

  const std::string& address() const { return address_; }  // 127.0.0.1:PORT; empty before Start()

  // Writes `config_yaml`, starts Alertmanager and waits until it is ready; false with `error` set.
  bool Start(const std::string& config_yaml, std::string* error);
  std::string Log() const { return process_ ? process_->Log() : std::string(); }

 private:
  std::string folder_;
  std::string address_;
  std::unique_ptr<ChildProcess> process_;
};

// Empty with `error` set when the repository's file cannot be read or adapted.
std::string AlertmanagerConfigForTest(const std::string& scheduler_address, const std::string& token_file,
                                      std::string* error);
std::string AlertRulesForTest(const std::string& rule_for, std::string* error);

}  // namespace buildfarm::testing
