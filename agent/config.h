// AgentConfig: buildfarm-agent's YAML configuration file, parsed once into a typed struct.
//
//   scheduler_url: http://sched:8080      # or --scheduler.url
//   token_file: /etc/buildfarm/agent.token  # mode 0600; else systemd's credential, else $BUILDFARM_AGENT_TOKEN
//   scheduler_ca_file: /etc/buildfarm/ca.crt   # CA for an https scheduler_url (default: the system store)
//   scheduler_cert_file: /etc/buildfarm/agent.crt  # client certificate (mTLS), with scheduler_key_file
//   scheduler_key_file: /etc/buildfarm/agent.key
//   web_config_file: /etc/buildfarm/agent-web.yml  # TLS/basic auth of /healthz (web_config.h), or --web.config.file
//   node_name: build1                     # default: the host name
//   labels: {rack: r1}                    # added to os=linux and arch=<GOARCH>
//   profiles: [cpp, docker]
//   workspace: /var/lib/buildfarm-agent
//   heartbeat_interval: 5s
//   kill_grace_period: 10s
//   capacity: {cores: 8, memory_bytes: 17179869184, disk_bytes: 100000000000}  # overrides detection
//   jobs:                                 # isolation of jobs from the agent and each other (job_identity.h)
//     uid_range: [200000, 1000]           # as root: one uid (= gid) per running job; the default
//     run_as: buildfarm-job               # as root: or every job as this user (not with uid_range)
//     umask: "077"                        # octal, at most 0777
//     cgroup: auto                        # auto | required | off (job_cgroup.h)
//     cgroup_root: /sys/fs/cgroup/buildfarm-jobs   # default: under the agent's own cgroup
//     workspace_retention: 24h            # 0: delete once the attempt has reported
//     log_retention: 7d
//
// Unknown keys and wrong types are errors naming the key. Plain data; parse on one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/job_cgroup.h"
#include "common/status.h"

namespace buildfarm::agent {

struct JobsConfig {
  std::string run_as;
  std::optional<std::pair<std::int64_t, std::int64_t>> uid_range;
  std::optional<mode_t> umask;
  std::optional<CgroupMode> cgroup;
  std::string cgroup_root;
  std::optional<double> workspace_retention_seconds;
  std::optional<double> log_retention_seconds;
};

struct AgentConfig {
  std::string scheduler_url;
  std::string token_file;
  std::string scheduler_ca_file;
  std::string scheduler_cert_file;
  std::string scheduler_key_file;
  std::string web_config_file;
  std::string node_name;
  std::map<std::string, std::string> labels;
  std::vector<std::string> profiles;
  std::string workspace;
  std::optional<double> heartbeat_interval_seconds;
  std::optional<double> kill_grace_seconds;
  std::optional<std::int64_t> cores;
  std::optional<std::int64_t> memory_bytes;
  std::optional<std::int64_t> disk_bytes;
  JobsConfig jobs;
};

Result<AgentConfig> ParseAgentConfig(std::string_view yaml_text, std::string_view source);
Result<AgentConfig> LoadAgentConfig(const std::string& path);

// The token from `token_file` (trimmed; refused when group or others can read it) when set, else from
// systemd's $CREDENTIALS_DIRECTORY/agent.token (LoadCredential=), else from BUILDFARM_AGENT_TOKEN. Errors
// name the file or variable, never the token.
Result<std::string> ResolveToken(const std::string& token_file);

}  // namespace buildfarm::agent
