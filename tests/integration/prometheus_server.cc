#include "tests/integration/prometheus_server.h"

#include <httplib.h>

#include <fstream>

#include "tests/integration/exporter_harness.h"

namespace buildfarm::testing {

PrometheusServer::PrometheusServer(std::string folder)
    : folder_(std::move(folder)), port_(CandidateLoopbackPort()), address_("127.0.0.1:" + std::to_string(port_)) {}

PrometheusServer::~PrometheusServer() {
  if (process_ && process_->Running()) process_->Stop(15, 10);
}

bool StartUntilReady(const std::string& config_path, const std::string& config_yaml, std::vector<std::string> argv,
                     const std::string& log_path, int port, std::unique_ptr<ChildProcess>* process,
                     std::string* address, std::string* error) {
  {
    std::ofstream out(config_path);
    out << config_yaml;
    if (!out) {
      *error = "cannot write " + config_path;
      return false;
    }
  }
  *process = std::make_unique<ChildProcess>(std::move(argv), log_path);
  if (!(*process)->Start(error)) return false;
  const std::optional<int> bound = (*process)->WaitForListeningPort(30);
  if (!bound || (port != 0 && *bound != port)) {
    *error = (port == 0 ? std::string("no listening port") : "not listening on port " + std::to_string(port) +
                                                                  " (taken by another process?)") +
             "; log:\n" + (*process)->Log();
    return false;
  }
  *address = "127.0.0.1:" + std::to_string(*bound);
  httplib::Client client("http://" + *address);
  client.set_connection_timeout(1, 0);
  const bool ready = Eventually(
      [&] {
        auto res = client.Get("/-/ready");
        return (res && res->status == 200) || !(*process)->Running();
      },
      30, *address + "/-/ready");
  if (ready && (*process)->Running()) return true;
  *error = *address + " did not become ready; log:\n" + (*process)->Log();
  return false;
}

bool PrometheusServer::Start(const std::string& config_yaml, std::string* error) {
  const std::string config_path = folder_ + "/prometheus.yml";
  return StartUntilReady(config_path, config_yaml,
                         {kPrometheusBinary, "--config.file=" + config_path, "--storage.tsdb.path=" + folder_ + "/data",
                          "--web.listen-address=" + address_},
                         folder_ + "/prometheus.log", port_, &process_, &address_, error);
}

nlohmann::json PrometheusServer::Query(const std::string& expr, int* http_status) const {
  httplib::Client client("http://" + address_);
  client.set_read_timeout(10, 0);
  auto res = client.Post("/api/v1/query", httplib::Params{{"query", expr}});
  *http_status = res ? res->status : 0;
  if (!res) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(res->body, nullptr, false);
}

}  // namespace buildfarm::testing
