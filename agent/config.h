// AgentConfig: buildfarm-agent's YAML configuration file, parsed once into a typed struct.
//
//   scheduler_url: http://sched:8080      # or --scheduler.url
//   token_file: /etc/buildfarm/agent.token  # mode 0600; else systemd's credential, else $BUILDFARM_AGENT_TOKEN
//   node_name: build1                     # default: the host name
//   labels: {rack: r1}                    # added to os=linux and arch=<GOARCH>
//   profiles: [cpp, docker]
//   workspace: /var/lib/buildfarm-agent
//   heartbeat_interval: 5s
//   kill_grace_period: 10s
//   capacity: {cores: 8, memory_bytes: 17179869184, disk_bytes: 100000000000}  # overrides detection
//
// Unknown keys and wrong types are errors naming the key. Plain data; parse on one thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::agent {

struct AgentConfig {
  std::string scheduler_url;
  std::string token_file;
  std::string node_name;
  std::map<std::string, std::string> labels;
  std::vector<std::string> profiles;
  std::string workspace;
  std::optional<double> heartbeat_interval_seconds;
  std::optional<double> kill_grace_seconds;
  std::optional<std::int64_t> cores;
  std::optional<std::int64_t> memory_bytes;
  std::optional<std::int64_t> disk_bytes;
};

Result<AgentConfig> ParseAgentConfig(std::string_view yaml_text, std::string_view source);
Result<AgentConfig> LoadAgentConfig(const std::string& path);

// The token from `token_file` (trimmed; refused when group or others can read it) when set, else from
// systemd's $CREDENTIALS_DIRECTORY/agent.token (LoadCredential=), else from BUILDFARM_AGENT_TOKEN. Errors
// name the file or variable, never the token.
Result<std::string> ResolveToken(const std::string& token_file);

}  // namespace buildfarm::agent
