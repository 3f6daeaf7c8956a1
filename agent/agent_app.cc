#include "agent/agent_app.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/daemon.h"
#include "common/flags.h"
#include "common/http_client.h"
#include "common/http_server.h"
#include "common/log.h"
#include "agent/agent.h"
#include "agent/capacity.h"
#include "agent/config.h"

namespace buildfarm::agent {
namespace {

int UsageError(const std::string& message) { return app::UsageError("buildfarm-agent", message); }

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

struct AgentFlags {
  std::string scheduler_url = "http://127.0.0.1:8080";
  std::string token_file;
  std::string node_name;
  std::vector<std::string> node_labels;
  std::string config_file;
  std::string workspace = "/var/lib/buildfarm-agent";
  std::vector<std::string> listen_addresses{":9102"};
  double heartbeat_interval = 5;
  double kill_grace = 10;
  std::string log_level = "info";
  bool help = false;
  bool version = false;
};

}  // namespace

int RunAgent(int argc, char** argv) {
  AgentFlags f;
  FlagSet flags("buildfarm-agent", "Registers this build node with buildfarm-scheduler and runs the jobs it assigns.");
  flags.AddString("scheduler.url", &f.scheduler_url, "Base URL of buildfarm-scheduler.");
  flags.AddString("scheduler.token-file", &f.token_file,
                  "File holding this agent's bearer token (default: the BUILDFARM_AGENT_TOKEN environment variable).");
  flags.AddString("node.name", &f.node_name, "Node name to register as (default: the host name).");
  flags.AddStringList("node.label", &f.node_labels, "Extra node label as key=value; repeatable.");
  flags.AddString("config.file", &f.config_file, "YAML configuration file; flags given on the command line win.");
  flags.AddString("workspace", &f.workspace, "Directory for job workspaces, their logs and the result spool.");
  flags.AddStringList("web.listen-address", &f.listen_addresses,
                      "Address for /healthz and /readyz; repeatable; an empty value disables the server.");
  flags.AddDuration("heartbeat.interval", &f.heartbeat_interval, "How often to send heartbeats.");
  flags.AddDuration("job.kill-grace-period", &f.kill_grace,
                    "Time between SIGTERM and SIGKILL when a job times out or is superseded.");
  flags.AddString("log.level", &f.log_level, "Only log messages with the given severity or above: debug, info, warn, error.");
  flags.AddBool("version", &f.version, "Show the version and exit.");
  flags.AddBool("help", &f.help, "Show this help and exit.");

  Status parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) return UsageError(parsed.message());
  auto exit_code = app::HelpOrVersion(flags, f.help, f.version, "buildfarm-agent",
                                      BUILDFARM_VERSION, BUILDFARM_REVISION);
  if (exit_code) {
    return *exit_code;
  }
  auto level = ParseLogLevel(f.log_level);
  if (!level.ok()) return UsageError("flag --log.level: " + level.status().message());
  Logger log(*level);

  AgentConfig config;
  if (!f.config_file.empty()) {
    auto loaded = LoadAgentConfig(f.config_file);
    if (!loaded.ok()) return UsageError(loaded.status().message());
    config = std::move(loaded).value();
  }
  auto pick = [&](const char* flag, std::string& value, const std::string& from_config) {
    if (!flags.WasSet(flag) && !from_config.empty()) value = from_config;
  };
  pick("scheduler.url", f.scheduler_url, config.scheduler_url);
  pick("scheduler.token-file", f.token_file, config.token_file);
  pick("node.name", f.node_name, config.node_name);
  pick("workspace", f.workspace, config.workspace);
  if (!flags.WasSet("heartbeat.interval") && config.heartbeat_interval_seconds) f.heartbeat_interval = *config.heartbeat_interval_seconds;
  if (!flags.WasSet("job.kill-grace-period") && config.kill_grace_seconds) f.kill_grace = *config.kill_grace_seconds;
  if (f.node_name.empty()) f.node_name = HostName();

  if (auto url = ParseUrl(f.scheduler_url); !url.ok()) return UsageError("flag --scheduler.url: " + url.status().message());
  if (f.heartbeat_interval <= 0) return UsageError("flag --heartbeat.interval: must be positive");
  if (f.kill_grace < 0) return UsageError("flag --job.kill-grace-period: must not be negative");
  if (f.workspace.empty()) return UsageError("flag --workspace: must not be empty");

  AgentOptions options;
  options.scheduler_url = f.scheduler_url;
  options.workspace = f.workspace;
  options.heartbeat_seconds = f.heartbeat_interval;
  options.kill_grace_seconds = f.kill_grace;
  options.node.name = f.node_name;
  options.node.labels = BuiltinLabels();
  for (const auto& [key, value] : config.labels) options.node.labels[key] = value;
  for (const auto& label : f.node_labels) {
    auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0) return UsageError("flag --node.label: want key=value, got \"" + label + "\"");
    options.node.labels[label.substr(0, eq)] = label.substr(eq + 1);
  }
  options.node.profiles = config.profiles;
  std::error_code ec;
  std::filesystem::create_directories(f.workspace, ec);  // statfs below needs it
  if (ec) {
    log.Error("cannot start", {{"err", "workspace " + f.workspace + ": " + ec.message()}});
    return 1;
  }
  options.node.capacity = DetectCapacity(f.workspace);
  if (config.cores) options.node.capacity.cores = *config.cores;
  if (config.memory_bytes) options.node.capacity.memory_bytes = *config.memory_bytes;
  if (config.disk_bytes) options.node.capacity.disk_bytes = *config.disk_bytes;
  auto token = ResolveToken(f.token_file);
  if (!token.ok()) return UsageError(token.status().message());
  options.token = std::move(token).value();

  // Signals are taken by sigwait below; threads started after this inherit the mask (job
  // processes reset it before exec).
  app::BlockStopSignals();

  Agent agent(options, log);
  Status started = agent.Start();
  if (!started.ok()) {
    log.Error("cannot start", {{"err", started.ToString()}});
    return 1;
  }

  std::vector<std::string> addresses;
  for (const auto& a : f.listen_addresses) {
    if (!a.empty()) addresses.push_back(a);
  }
  std::unique_ptr<HttpServer> server;
  if (!addresses.empty()) {
    HttpServerOptions server_options;
    server_options.listen_addresses = addresses;
    server_options.max_requests = 8;
    server = std::make_unique<HttpServer>(log, server_options);
    server->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain; charset=utf-8");
    });
    server->Get("/readyz", [&agent](const httplib::Request&, httplib::Response& res) {
      if (agent.Ready()) {
        res.set_content("ready\n", "text/plain; charset=utf-8");
        return;
      }
      res.status = 503;
      res.set_content(agent.Registered() ? "not ready: last heartbeat not acknowledged\n" : "not ready: not registered\n",
                      "text/plain; charset=utf-8");
    });
    Status listening = server->Start();
    if (!listening.ok()) {
      log.Error("cannot start", {{"err", listening.ToString()}});
      agent.Stop();
      return 1;
    }
  }
  log.Info("started", {{"version", BUILDFARM_VERSION}, {"node", options.node.name}, {"scheduler", options.scheduler_url},
                       {"workspace", options.workspace}});
  std::string_view stop_signal = app::WaitForStopSignal();
  log.Info("stopping; running jobs are killed and not reported", {{"signal", stop_signal}});
  agent.Stop();
  if (server) {
    server->Stop();
    server->Wait();
  }
  return 0;
}

}  // namespace buildfarm::agent
