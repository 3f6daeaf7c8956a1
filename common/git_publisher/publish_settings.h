// PublishSettings: the `publish:` section shared by the exporter's and the scheduler's YAML files, and
// its parser, so both daemons accept the same keys with the same errors:
//
//   publish:
//     remote: git://git.example/farm.git   # https:// (token from GITHUB_TOKEN), ssh://, git://, file://
//     branch: status                       # default main; history_limit needs a dedicated branch
//     interval: 60s                        # default 60s
//     history_limit: 1440                  # keep only the last N commits (orphan snapshots); 0 = off
//     author: "Name <email>"               # default: the caller's (e.g. "buildfarm-exporter <buildfarm@localhost>")
//     state_dir: /var/lib/.../publish      # the local bare mirror; default: the caller's
//     ssh_key: /etc/buildfarm/id_ed25519   # default: the SSH agent
//
// A caller sets its defaults in the struct before parsing and may allow extra keys of its own
// (parsed by itself). Errors are "SOURCE: publish.KEY: what"; a password in the remote URL is refused
// without echoing it. The parser does not catch YAML::Exception (the caller's entry point does).
// Plain values; stateless functions, thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <string_view>

#include "common/git_publisher/publisher.h"
#include "common/status.h"

namespace buildfarm::git_publisher {

struct PublishSettings {
  bool enabled = false;  // true when the `publish:` key is present
  std::string remote;
  std::string branch = "main";
  double interval_seconds = 60;
  int history_limit = 0;
  std::string author_name = "buildfarm";
  std::string author_email = "buildfarm@localhost";
  std::string state_dir;
  std::string ssh_key;
};

// Reads the keys above from `node` into *out (whose fields hold the caller's defaults); `extra_keys`
// are accepted and left for the caller.
Status ParsePublishSettings(const YAML::Node& node, std::string_view source, const std::set<std::string>& extra_keys,
                            PublishSettings* out);

// The publisher options these settings describe.
PublisherOptions ToPublisherOptions(const PublishSettings& settings);

}  // namespace buildfarm::git_publisher
