#include "tests/integration/farm_harness.h"

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/prom_text.h"

namespace buildfarm::testing {
namespace {

std::string Sha256(const std::string& text) {
  std::string out;
  RunCommand({"/bin/sh", "-c", "printf %s '" + text + "' | sha256sum | cut -d' ' -f1"}, &out);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string AgentToken(int index) { return "agent-token-" + std::to_string(index + 1); }
constexpr char kAlertmanagerToken[] = "alertmanager-token";

// The state letter of /proc/PID/stat (R, S, T...), or 0.
char ProcessState(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() ? 0 : text[close + 2];
}

// Processes whose working directory is under `prefix` (which ends in '/').
std::vector<pid_t> ProcessesUnder(const std::string& prefix) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code link_error;
    const std::string cwd = std::filesystem::read_symlink(entry.path() / "cwd", link_error).string() + "/";
    if (!link_error && cwd.rfind(prefix, 0) == 0) found.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return found;
}

}  // namespace

StubPrometheus::StubPrometheus() {
  server_.Get("/api/v1/query", [this](const httplib::Request& req, httplib::Response& res) {
    res.set_content(Answer(req.get_param_value("query")), "application/json");
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
}

StubPrometheus::~StubPrometheus() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void StubPrometheus::SetCpu(const std::string& node, double utilisation) {
  std::lock_guard<std::mutex> lock(mu_);
  cpu_[node] = utilisation;
}

void StubPrometheus::SetMemoryAvailable(const std::string& node, double bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  memory_available_[node] = bytes;
}

int StubPrometheus::queries_served() const {
  std::lock_guard<std::mutex> lock(mu_);
  return served_;
}

// The five default queries (scheduler/metrics_source/prometheus_source.h) answered per node; for
// timestamp(q) the value is the sample time, which is now: every node's data is fresh.
std::string StubPrometheus::Answer(const std::string& query) {
  std::lock_guard<std::mutex> lock(mu_);
  ++served_;
  const double now = NowSeconds();
  const bool stamp = query.rfind("timestamp(", 0) == 0;
  const std::string inner = stamp ? query.substr(10, query.size() - 11) : query;
  nlohmann::json result = nlohmann::json::array();
  for (const auto& [node, cpu] : cpu_) {
    double value = 0;
    if (inner == "buildfarm:node_cpu_utilisation:ratio") {
      value = cpu;
    } else if (inner == "buildfarm:node_memory_available:bytes") {
      auto memory = memory_available_.find(node);
      value = memory == memory_available_.end() ? 64e9 : memory->second;
    } else if (inner == "buildfarm:node_build_fs_available:bytes") {
      value = 1e12;
    } else if (inner == "buildfarm:node_temperature:max_celsius") {
      value = 45;
    } else {
      continue;  // probe_rtt and anything else: no series
    }
    char text[64];
    std::snprintf(text, sizeof text, "%.6f", stamp ? now : value);
    result.push_back({{"metric", {{"node", node}}}, {"value", {now, std::string(text)}}});
  }
  nlohmann::json body = {{"status", "success"}, {"data", {{"resultType", "vector"}, {"result", result}}}};
  return body.dump();
}

Farm::Farm(FarmOptions options) : options_(std::move(options)) {}

Farm::~Farm() {
  for (auto& agent : agents_) {
    if (agent && agent->Running()) agent->Stop(15, 5);
  }
  if (scheduler_ && scheduler_->Running()) scheduler_->Stop(15, 5);
}

bool Farm::Start(std::string* error) {
  // As root the agents run jobs as unprivileged uids: those may pass through the farm's directory and
  // append to shared_file(), and nothing else (the tokens are 0600).
  chmod(dir_.path().c_str(), 0755);
  JobWritableFile("shared.txt");
  std::string config = "store: {path: " + dir_.Join("scheduler.db") + "}\ntokens:\n" +
                       "  - {name: ops, role: admin, sha256: " + Sha256(admin_token_) + "}\n" +
                       "  - {name: page, role: viewer, sha256: " + Sha256(viewer_token_) + "}\n" +
                       "  - {name: alertmanager, role: webhook, sha256: " + Sha256(kAlertmanagerToken) + "}\n";
  for (int i = 0; i < options_.agents; ++i) {
    config += "  - {name: " + node_name(i) + ", role: agent, node: " + node_name(i) + ", sha256: " +
              Sha256(AgentToken(i)) + "}\n";
  }
  if (options_.real_prometheus) {
    real_prometheus_ = std::make_unique<PrometheusServer>(dir_.MakeDir("prometheus"));
    config += "prometheus: {url: " + real_prometheus_->url() + ", refresh_interval: 1s, timeout: 2s}\n";
  } else if (options_.prometheus) {
    prometheus_ = std::make_unique<StubPrometheus>();
    for (int i = 0; i < options_.agents; ++i) prometheus_->SetCpu(node_name(i), 0.05);
    config += "prometheus: {url: " + prometheus_->url() + ", refresh_interval: 200ms, timeout: 2s}\n";
  }
  config += "lease: " + options_.lease + "\nheartbeat: " + options_.heartbeat + "\ncycle_interval: " +
            options_.cycle_interval + "\n";
  if (!options_.backups.empty()) {
    config += "backups:\n";
    for (const auto& [node, backup] : options_.backups) {
      config += "  ";
      config += node;
      config += ": ";
      config += backup;
      config += '\n';
    }
  }
  if (!options_.hold_down.empty()) config += "failover: {hold_down: " + options_.hold_down + "}\n";
  if (!options_.publish.empty()) config += "publish: " + options_.publish + "\n";
  config_path_ = dir_.WriteFile("scheduler.yaml", config);
  if (!StartScheduler(error, "127.0.0.1:0")) return false;
  if (real_prometheus_ && !StartRealPrometheus(error)) return false;
  agents_.resize(options_.agents);
  for (int i = 0; i < options_.agents; ++i) {
    if (!StartAgent(i, error)) return false;
  }
  for (int i = 0; i < options_.agents; ++i) {
    if (!agents_[i]->WaitForLogLine("msg=registered", 20)) {
      *error = "agent " + node_name(i) + " did not register:\n" + Logs();
      return false;
    }
  }
  if (prometheus_ || real_prometheus_) {
    // Wait until the scheduler's snapshot holds every node's metrics (a real Prometheus needs two
    // scrapes and a rule evaluation first).
    auto nodes = EventuallyValue(
        [&] { return Call("GET", "/api/v1/nodes"); },
        [&](const nlohmann::json& listed) {
          int with_metrics = 0;
          if (listed.contains("nodes")) {
            for (const auto& node : listed["nodes"]) with_metrics += node.contains("metrics") ? 1 : 0;
          }
          return with_metrics == options_.agents;
        },
        real_prometheus_ ? 30 : 10, "every node's metrics in the scheduler's snapshot");
    if (!nodes.result) *error = nodes.result.message();
    return static_cast<bool>(nodes.result);
  }
  return true;
}

bool Farm::StartAgent(int i, std::string* error) {
  std::string token_file = dir_.WriteSecretFile("agent" + std::to_string(i) + "/token", AgentToken(i) + "\n");
  std::string agent_config = dir_.WriteFile("agent" + std::to_string(i) + "/agent.yaml",
                                            "capacity: {cores: " + std::to_string(options_.agent_cores) + "}\n");
  const int run = agent_starts_[i]++;
  agents_[i] = std::make_unique<ChildProcess>(
      std::vector<std::string>{BinaryPath("agent/buildfarm-agent"), "--config.file=" + agent_config,
                               "--scheduler.url=http://" + address_, "--scheduler.token-file=" + token_file,
                               "--node.name=" + node_name(i), "--workspace=" + dir_.Join("agent" + std::to_string(i) + "/ws"),
                               "--heartbeat.interval=" + options_.heartbeat, "--web.listen-address=127.0.0.1:0"},
      dir_.Join("agent" + std::to_string(i) + (run == 0 ? "" : ".run" + std::to_string(run)) + ".log"));
  return agents_[i]->Start(error);
}

void Farm::StopNode(int index) {
  if (index < static_cast<int>(exporters_.size()) && exporters_[index].process) {
    exporters_[index].process->Stop(SIGKILL);
  }
  CrashAgent(index);
}

bool Farm::StartNode(int index, std::string* error) {
  if (index < static_cast<int>(exporters_.size())) {
    RunningProgram& exporter = exporters_[index];
    // The same address, so Prometheus' static target finds it again.
    exporter.process = std::make_unique<ChildProcess>(
        std::vector<std::string>{BinaryPath("exporter/buildfarm-exporter"), "--web.listen-address=" + exporter.address},
        dir_.Join("exporter" + std::to_string(index) + ".restarted.log"));
    if (!exporter.process->Start(error)) return false;
    if (!exporter.process->WaitForListenAddress(20)) {
      *error = "exporter " + node_name(index) + " did not listen again:\n" + exporter.process->Log();
      return false;
    }
  }
  if (!StartAgent(index, error)) return false;
  if (!agents_[index]->WaitForLogLine("msg=registered", 20)) {
    *error = "agent " + node_name(index) + " did not register again:\n" + agents_[index]->Log();
    return false;
  }
  return true;
}

bool Farm::StartAlertmanager(std::string* rule_files, std::string* error) {
  std::string rules = AlertRulesForTest(options_.rule_for, error);
  if (rules.empty()) return false;
  *rule_files += "  - " + dir_.WriteFile("alertmanager/alerts.yml", rules) + "\n";
  const std::string token_file = dir_.WriteSecretFile("alertmanager/token", std::string(kAlertmanagerToken) + "\n");
  std::string config = AlertmanagerConfigForTest(address_, token_file, error);
  if (config.empty()) return false;
  alertmanager_ = std::make_unique<AlertmanagerServer>(dir_.MakeDir("alertmanager"));
  return alertmanager_->Start(config, error);
}

bool Farm::StartRealPrometheus(std::string* error) {
  std::string scrape = "scrape_configs:\n  - job_name: buildfarm-exporter\n    static_configs:\n";
  for (int i = 0; i < options_.agents; ++i) {
    // The exporter reads this machine's /proc and /sys, as in deploy/quickstart.sh.
    exporters_.push_back(StartExporter({}));
    if (exporters_.back().address.empty()) {
      *error = "buildfarm-exporter for " + node_name(i) + " did not start";
      return false;
    }
    scrape += "      - targets: ['" + exporters_.back().address + "']\n        labels: {node: " + node_name(i) + "}\n";
  }
  scrape += "  - job_name: buildfarm-scheduler\n    static_configs:\n      - targets: ['" + address_ + "']\n";
  std::string rules = "rule_files:\n  - " + SourcePath("alerting/rules/recording.yml") + "\n";
  for (const auto& file : options_.extra_rule_files) rules += "  - " + file + "\n";
  std::string alerting;
  if (options_.alertmanager) {
    if (!StartAlertmanager(&rules, error)) return false;
    alerting = "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['" + alertmanager_->address() + "']\n";
  }
  return real_prometheus_->Start("global: {scrape_interval: 1s, evaluation_interval: 1s}\n" + rules + scrape + alerting,
                                 error);
}

bool Farm::StartScheduler(std::string* error, const std::string& listen) {
  std::vector<std::string> argv{BinaryPath("scheduler/server/buildfarm-scheduler"), "--config.file=" + config_path_,
                                "--web.listen-address=" + listen};
  argv.insert(argv.end(), options_.scheduler_flags.begin(), options_.scheduler_flags.end());
  scheduler_ = std::make_unique<ChildProcess>(
      std::move(argv),
      dir_.Join("scheduler" + std::to_string(scheduler_runs_++) + ".log"));
  if (!scheduler_->Start(error)) return false;
  auto address = scheduler_->WaitForListenAddress(20);
  if (!address) {
    *error = "scheduler did not listen:\n" + scheduler_->Log();
    return false;
  }
  address_ = *address;
  client_ = std::make_unique<httplib::Client>("http://" + address_);
  client_->set_read_timeout(10, 0);
  return true;
}

bool Farm::KillAndRestartScheduler(std::string* error) {
  scheduler_->Stop(SIGKILL);
  // The old ChildProcess is replaced; its log file stays in the TempDir. Retried, as the kernel may
  // take a moment to release the dead process' port.
  return PollUntil([&] { return StartScheduler(error, address_); }, 10).held;
}

void Farm::CrashAgent(int index) {
  ChildProcess& agent = *agents_[index];
  // Frozen first (and waited for: kill() returns before the signal lands), so that it starts no job
  // between the scan and the kill.
  kill(agent.pid(), SIGSTOP);
  PollUntil([&] { return ProcessState(agent.pid()) == 'T'; }, 1);
  std::vector<pid_t> jobs = ChildPids(agent.pid());
  agent.Stop(SIGKILL);
  // Each job runs in its own process group (the runner's setpgid); a dead host takes them along.
  // The pid itself too, for a child killed before it reached its setpgid.
  for (pid_t job : jobs) {
    kill(-job, SIGKILL);
    kill(job, SIGKILL);
  }
  // And whatever still runs in its workspace (the jobs' cwd), should a fork have slipped through.
  const std::string workspace =
      std::filesystem::weakly_canonical(dir_.Join("agent" + std::to_string(index) + "/ws")).string() + "/";
  for (const pid_t pid : ProcessesUnder(workspace)) kill(pid, SIGKILL);
}

nlohmann::json Farm::Call(const std::string& method, const std::string& path, const std::string& body, int* status) {
  httplib::Headers headers{{"Authorization", "Bearer " + admin_token_}};
  auto res = method == "GET" ? client_->Get(path, headers) : client_->Post(path, headers, body, "application/json");
  if (status != nullptr) *status = res ? res->status : 0;
  return res ? nlohmann::json::parse(res->body, nullptr, false) : nlohmann::json();
}

std::map<std::string, nlohmann::json> Farm::AllJobs() {
  std::map<std::string, nlohmann::json> jobs;
  std::string cursor;
  do {  // the whole list, page by page
    auto page = Call("GET", "/api/v1/jobs?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor));
    if (!page.is_object() || !page.contains("jobs")) break;
    for (const auto& job : page["jobs"]) jobs[job["id"].get<std::string>()] = job;
    cursor = page.contains("next_cursor") ? page["next_cursor"].get<std::string>() : "";
  } while (!cursor.empty());
  return jobs;
}

std::map<std::string, nlohmann::json> Farm::WaitTerminal(const std::vector<std::string>& ids, double timeout_seconds) {
  auto all_terminal = [&](const std::map<std::string, nlohmann::json>& jobs) {
    for (const auto& id : ids) {
      auto it = jobs.find(id);
      const std::string status = it == jobs.end() ? "" : it->second.value("status", "");
      if (status != "completed" && status != "failed" && status != "cancelled") return false;
    }
    return true;
  };
  // Callers assert on the statuses returned, so the timeout is theirs to report.
  return EventuallyValue([this] { return AllJobs(); }, all_terminal, timeout_seconds, "jobs terminal").value;
}

double Farm::SchedulerMetric(const std::string& key) {
  std::string error;
  const auto parsed = ParsePromText(HttpGet(address_, "/metrics").body, &error);
  if (!parsed) return 0;
  const auto samples = parsed->ByKey();
  const auto it = samples.find(key);
  return it == samples.end() ? 0 : it->second.value;
}

std::string Farm::JobWritableFile(std::string_view name) const {
  std::string path = dir_.WriteFile(name, "");
  chmod(path.c_str(), 0666);
  return path;
}

std::vector<std::string> Farm::SharedFileLines() const {
  std::ifstream in(shared_file());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string Farm::Logs() const {
  std::string out = "--- scheduler:\n" + (scheduler_ ? scheduler_->Log() : std::string());
  for (size_t i = 0; i < agents_.size(); ++i) {
    out += "--- agent " + std::to_string(i) + ":\n" + (agents_[i] ? agents_[i]->Log() : std::string());
  }
  if (real_prometheus_) out += "--- prometheus:\n" + real_prometheus_->Log();
  if (alertmanager_) out += "--- alertmanager:\n" + alertmanager_->Log();
  return out.size() > 20000 ? out.substr(out.size() - 20000) : out;
}

std::map<std::string, int> CountBy(const std::map<std::string, nlohmann::json>& jobs, const std::string& key) {
  std::map<std::string, int> counts;
  for (const auto& [id, job] : jobs) {
    if (job.contains(key) && job[key].is_string()) ++counts[job[key].get<std::string>()];
  }
  return counts;
}

}  // namespace buildfarm::testing
