#include "tests/integration/prometheus_server.h"

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/integration/exporter_harness.h"

namespace buildfarm::testing {

PrometheusServer::PrometheusServer(std::string folder)
    : folder_(std::move(folder)), address_("127.0.0.1:" + std::to_string(FreeLoopbackPort())) {}

PrometheusServer::~PrometheusServer() {
  if (process_ && process_->Running()) process_->Stop(15, 10);
}

bool StartUntilReady(const std::string& config_path, const std::string& config_yaml, std::vector<std::string> argv,
                     const std::string& log_path, const std::string& address, std::unique_ptr<ChildProcess>* process,
                     std::string* error) {
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
  httplib::Client client("http://" + address);
  client.set_connection_timeout(1, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto res = client.Get("/-/ready");
    if (res && res->status == 200) return true;
    if (!(*process)->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  *error = address + " did not become ready; log:\n" + (*process)->Log();
  return false;
}

bool PrometheusServer::Start(const std::string& config_yaml, std::string* error) {
  const std::string config_path = folder_ + "/prometheus.yml";
  return StartUntilReady(config_path, config_yaml,
                         {kPrometheusBinary, "--config.file=" + config_path, "--storage.tsdb.path=" + folder_ + "/data",
                          "--web.listen-address=" + address_},
                         folder_ + "/prometheus.log", address_, &process_, error);
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
