#include "agent/agent_app.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
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

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// The agent's own flags; --config.file, --log.level, --version and --help are the bootstrap's.
struct AgentFlags {
  std::string scheduler_url = "http://127.0.0.1:8080";
  std::string token_file;
  TlsClientOptions scheduler_tls;
  std::string web_config_file;
  std::string node_name;
  std::vector<std::string> node_labels;
  std::string workspace = "/var/lib/buildfarm-agent";
  std::vector<std::string> listen_addresses{":9102"};
  double heartbeat_interval = 5;
  double kill_grace = 10;
};

void AddAgentFlags(FlagSet& flags, app::StandardFlags& standard, AgentFlags& f) {
  flags.AddString("scheduler.url", &f.scheduler_url, "Base URL of buildfarm-scheduler.");
  flags.AddString("scheduler.token-file", &f.token_file,
                  "File holding this agent's bearer token (default: the BUILDFARM_AGENT_TOKEN environment variable).");
  flags.AddString("scheduler.ca-file", &f.scheduler_tls.ca_file,
                  "CA certificates (PEM) that verify an https scheduler (default: the system store).");
  flags.AddString("scheduler.cert-file", &f.scheduler_tls.cert_file,
                  "Client certificate (PEM) presented to the scheduler (mTLS); needs --scheduler.key-file.");
  flags.AddString("scheduler.key-file", &f.scheduler_tls.key_file, "Private key of --scheduler.cert-file.");
  flags.AddString("web.config.file", &f.web_config_file,
                  "web-config.yml (exporter-toolkit format) for TLS and basic auth of /healthz and /readyz.");
  flags.AddString("node.name", &f.node_name, "Node name to register as (default: the host name).");
  flags.AddStringList("node.label", &f.node_labels, "Extra node label as key=value; repeatable.");
  standard.AddConfigFile();
  flags.AddString("workspace", &f.workspace, "Directory for job workspaces, their logs and the result spool.");
  flags.AddStringList("web.listen-address", &f.listen_addresses,
                      "Address for /healthz and /readyz; repeatable; an empty value disables the server.");
  flags.AddDuration("heartbeat.interval", &f.heartbeat_interval, "How often to send heartbeats.");
  flags.AddDuration("job.kill-grace-period", &f.kill_grace,
                    "Time between SIGTERM and SIGKILL when a job times out or is superseded.");
}

// The command line wins over the config file, the config file over the defaults. Errors name the
// flag; the capacity and the token are filled in later.
Result<AgentOptions> OptionsFromFlagsAndConfig(const FlagSet& flags, AgentFlags& f, const AgentConfig& config) {
  auto pick = [&](const char* flag, std::string& value, const std::string& from_config) {
    if (!flags.WasSet(flag) && !from_config.empty()) value = from_config;
  };
  pick("scheduler.url", f.scheduler_url, config.scheduler_url);
  pick("scheduler.token-file", f.token_file, config.token_file);
  pick("scheduler.ca-file", f.scheduler_tls.ca_file, config.scheduler_ca_file);
  pick("scheduler.cert-file", f.scheduler_tls.cert_file, config.scheduler_cert_file);
  pick("scheduler.key-file", f.scheduler_tls.key_file, config.scheduler_key_file);
  pick("web.config.file", f.web_config_file, config.web_config_file);
  pick("node.name", f.node_name, config.node_name);
  pick("workspace", f.workspace, config.workspace);
  if (!flags.WasSet("heartbeat.interval") && config.heartbeat_interval_seconds) f.heartbeat_interval = *config.heartbeat_interval_seconds;
  if (!flags.WasSet("job.kill-grace-period") && config.kill_grace_seconds) f.kill_grace = *config.kill_grace_seconds;
  if (f.node_name.empty()) f.node_name = HostName();

  if (auto url = ParseUrl(f.scheduler_url); !url.ok()) return InvalidArgument("flag --scheduler.url: " + url.status().message());
  if (f.heartbeat_interval <= 0) return InvalidArgument("flag --heartbeat.interval: must be positive");
  if (f.kill_grace < 0) return InvalidArgument("flag --job.kill-grace-period: must not be negative");
  if (f.workspace.empty()) return InvalidArgument("flag --workspace: must not be empty");

  AgentOptions options;
  options.scheduler_url = f.scheduler_url;
  options.scheduler_tls = f.scheduler_tls;
  options.workspace = f.workspace;
  options.heartbeat_seconds = f.heartbeat_interval;
  options.kill_grace_seconds = f.kill_grace;
  options.node.name = f.node_name;
  options.node.labels = BuiltinLabels();
  for (const auto& [key, value] : config.labels) options.node.labels[key] = value;
  for (const auto& label : f.node_labels) {
    auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("flag --node.label: want key=value, got \"" + label + "\"");
    options.node.labels[label.substr(0, eq)] = label.substr(eq + 1);
  }
  options.node.profiles = config.profiles;
  const JobsConfig& jobs = config.jobs;
  auto identities = JobIdentityPool::Create({jobs.run_as, jobs.uid_range}, geteuid());
  if (!identities.ok()) return InvalidArgument("config: " + identities.status().message());
  options.job_identities = std::move(identities).value();
  if (jobs.umask) options.job_umask = *jobs.umask;
  if (jobs.cgroup) options.cgroup_mode = *jobs.cgroup;
  options.cgroup_root = jobs.cgroup_root;
  if (jobs.workspace_retention_seconds) options.retention.workspace_seconds = *jobs.workspace_retention_seconds;
  if (jobs.log_retention_seconds) options.retention.log_seconds = *jobs.log_retention_seconds;
  return options;
}

// The agent and, unless every listen address is empty, its /healthz and /readyz server.
class RunningAgent final : public app::RunningDaemon {
 public:
  RunningAgent(AgentOptions options, const Logger& log) : log_(log), agent_(std::move(options), log) {}

  Status Start(const std::vector<std::string>& listen_addresses, std::shared_ptr<const WebConfig> web_config) {
    BUILDFARM_RETURN_IF_ERROR(agent_.Start());
    std::vector<std::string> addresses;
    for (const auto& a : listen_addresses) {
      if (!a.empty()) addresses.push_back(a);
    }
    if (addresses.empty()) return Status::Ok();
    server_ = std::make_unique<HttpServer>(log_, HttpServerOptions{.listen_addresses = addresses, .max_requests = 8,
                                                                 .web_config = std::move(web_config)});
    server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain; charset=utf-8");
    });
    server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      if (agent_.Ready()) {
        res.set_content("ready\n", "text/plain; charset=utf-8");
        return;
      }
      res.status = 503;
      res.set_content(agent_.Registered() ? "not ready: last heartbeat not acknowledged\n" : "not ready: not registered\n",
                      "text/plain; charset=utf-8");
    });
    Status listening = server_->Start();
    if (!listening.ok()) agent_.Stop();
    return listening;
  }

  void Stop() override {
    agent_.Stop();
    if (server_) {
      server_->Stop();
      server_->Wait();
    }
  }

 private:
  const Logger& log_;
  Agent agent_;
  std::unique_ptr<HttpServer> server_;
};

app::StartResult StartAgent(const app::DaemonContext& context, AgentFlags& f, const AgentConfig& config) {
  auto options = OptionsFromFlagsAndConfig(context.flags, f, config);
  if (!options.ok()) return app::StartResult::BadUsage(options.status().message());
  std::error_code ec;
  std::filesystem::create_directories(f.workspace, ec);  // statfs below needs it
  if (ec) return app::StartResult::CannotStart("workspace " + f.workspace + ": " + ec.message());
  options->node.capacity = DetectCapacity(f.workspace);
  if (config.cores) options->node.capacity.cores = *config.cores;
  if (config.memory_bytes) options->node.capacity.memory_bytes = *config.memory_bytes;
  if (config.disk_bytes) options->node.capacity.disk_bytes = *config.disk_bytes;
  // With a client certificate the scheduler may know the node by it (client_auth_type
  // RequireAndVerifyClientCert on its web config); a token is then optional.
  auto token = ResolveToken(f.token_file);
  if (!token.ok() && f.scheduler_tls.cert_file.empty()) return app::StartResult::BadUsage(token.status().message());
  if (token.ok()) options->token = std::move(token).value();
  std::shared_ptr<const WebConfig> web_config;
  if (!f.web_config_file.empty()) {
    auto loaded = LoadWebConfigFile(f.web_config_file);
    if (!loaded.ok()) return app::StartResult::BadUsage("flag --web.config.file: " + loaded.status().message());
    web_config = *loaded;
  }

  // Threads started from here inherit the bootstrap's signal mask (job processes reset it before exec).
  auto agent = std::make_unique<RunningAgent>(*options, context.log);
  Status started = agent->Start(f.listen_addresses, std::move(web_config));
  if (!started.ok()) return app::StartResult::CannotStart(started.ToString());
  context.log.Info("started", {{"version", BUILDFARM_VERSION}, {"node", options->node.name},
                               {"scheduler", options->scheduler_url}, {"workspace", options->workspace}});
  return agent;
}

}  // namespace

int RunAgent(int argc, char** argv) {
  AgentFlags f;
  AgentConfig config;
  return app::RunDaemon(
      argc, argv,
      {.program = "buildfarm-agent",
       .summary = "Registers this build node with buildfarm-scheduler and runs the jobs it assigns.",
       .version = BUILDFARM_VERSION,
       .revision = BUILDFARM_REVISION,
       .config_file_help = "YAML configuration file; flags given on the command line win.",
       .add_flags = [&f](FlagSet& flags, app::StandardFlags& standard) { AddAgentFlags(flags, standard, f); },
       .load_config = app::StoreConfigInto(&config, LoadAgentConfig),
       .start = [&](const app::DaemonContext& context) { return StartAgent(context, f, config); },
       .stopping_message = "stopping; running jobs are killed and not reported"});
}

}  // namespace buildfarm::agent
