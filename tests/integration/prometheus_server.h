// PrometheusServer: a real Prometheus (Debian's /usr/bin/prometheus) for integration tests, on a
// loopback port chosen at construction (so that other programs' configurations can name it before it
// starts), with its configuration, TSDB and log in a caller-given folder. Start() writes the given
// prometheus.yml and waits for /-/ready; Query() runs an instant query through /api/v1/query.
// The port is only a CandidateLoopbackPort: should another process take it before Prometheus binds,
// Start() fails and says so, rather than the test querying a stranger (a farm's scheduler is configured
// with this URL before Prometheus starts, so there is no other port to retry on).
// The process is stopped on destruction. Not thread-safe.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace buildfarm::testing {

inline constexpr char kPrometheusBinary[] = "/usr/bin/prometheus";

// Writes `config_yaml` to `config_path`, starts `argv` (logging to `log_path`) into `process`, waits until
// that process listens on 127.0.0.1:`port` (0: on the one port it bound, which goes into `address`) and up
// to 30 s for http://address/-/ready, which Prometheus and Alertmanager both serve; false with `error` set.
bool StartUntilReady(const std::string& config_path, const std::string& config_yaml, std::vector<std::string> argv,
                     const std::string& log_path, int port, std::unique_ptr<ChildProcess>* process,
                     std::string* address, std::string* error);

class PrometheusServer {
 public:
  // `folder` must exist; prometheus.yml, data/ and prometheus.log go there.
  explicit PrometheusServer(std::string folder);
  ~PrometheusServer();

  const std::string& address() const { return address_; }  // 127.0.0.1:PORT
  std::string url() const { return "http://" + address_; }

  // Writes `config_yaml` as prometheus.yml, starts Prometheus and waits until it is ready; false
  // with `error` set (naming the log) otherwise.
  bool Start(const std::string& config_yaml, std::string* error);

  // GET /api/v1/query?query=EXPR. `http_status` gets the status (0: no answer); the parsed body is
  // returned (a discarded json value when it is not JSON). Prometheus answers 400 with
  // errorType "bad_data" when EXPR does not parse.
  nlohmann::json Query(const std::string& expr, int* http_status) const;

  std::string Log() const { return process_ ? process_->Log() : std::string(); }

 private:
  std::string folder_;
  int port_;
  std::string address_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace buildfarm::testing
