#include "tests/integration/alertmanager_server.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "tests/integration/exporter_harness.h"
#include "tests/integration/prometheus_server.h"

namespace buildfarm::testing {
namespace {

YAML::Node LoadSource(const std::string& relative) {
  std::ifstream in(SourcePath(relative));
  std::stringstream text;
  text << in.rdbuf();
  return YAML::Load(text.str());
}

std::string Emit(const YAML::Node& node) {
  YAML::Emitter out;
  out << node;
  return std::string(out.c_str()) + "\n";
}

void ShortenWaits(YAML::Node route) {
  route["group_wait"] = "1s";
  route["group_interval"] = "1s";
  if (YAML::Node children = route["routes"]) {
    for (std::size_t i = 0; i < children.size(); ++i) ShortenWaits(children[i]);
  }
}

}  // namespace

AlertmanagerServer::AlertmanagerServer(std::string folder) : folder_(std::move(folder)) {}

AlertmanagerServer::~AlertmanagerServer() {
  if (process_ && process_->Running()) process_->Stop(15, 10);
}

bool AlertmanagerServer::Start(const std::string& config_yaml, std::string* error) {
  const std::string config_path = folder_ + "/alertmanager.yml";
  return StartUntilReady(config_path, config_yaml,
                         {kAlertmanagerBinary, "--config.file=" + config_path, "--storage.path=" + folder_ + "/data",
                          "--web.listen-address=127.0.0.1:0", "--cluster.listen-address="},
                         folder_ + "/alertmanager.log", 0, &process_, &address_, error);
}

std::string AlertmanagerConfigForTest(const std::string& scheduler_address, const std::string& token_file,
                                      std::string* error) {
  try {
    YAML::Node config = LoadSource("alerting/alertmanager.yml");
    ShortenWaits(config["route"]);
    int webhooks = 0;
    for (YAML::Node receiver : config["receivers"]) {
      for (YAML::Node webhook : receiver["webhook_configs"]) {
        webhook["url"] = "http://" + scheduler_address + "/api/v1/alertmanager";
        webhook["http_config"]["authorization"]["credentials_file"] = token_file;
        ++webhooks;
      }
    }
    if (webhooks == 0) {
      *error = "alerting/alertmanager.yml has no webhook receiver for the scheduler";
      return "";
    }
    return Emit(config);
  } catch (const YAML::Exception& e) {
    *error = std::string("alerting/alertmanager.yml: ") + e.what();
    return "";
  }
}

std::string AlertRulesForTest(const std::string& rule_for, std::string* error) {
  try {
    YAML::Node rules = LoadSource("alerting/rules/alerts.yml");
    for (YAML::Node group : rules["groups"]) {
      for (YAML::Node rule : group["rules"]) {
        if (rule["alert"] && rule["for"]) rule["for"] = rule_for;
      }
    }
    return Emit(rules);
  } catch (const YAML::Exception& e) {
    *error = std::string("alerting/rules/alerts.yml: ") + e.what();
    return "";
  }
}

}  // namespace buildfarm::testing
