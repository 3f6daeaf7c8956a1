// `buildfarm-exporter publish --once`: builds this node's status document, validates it, publishes it
// to the git remote of the config's `publish:` section and exits (for cron, instead of the daemon's
// background publishing).
//
//   buildfarm-exporter publish --once --config.file=/etc/buildfarm/exporter.yml
//
// Exit status: 0 when the remote holds the document (pushed, or unchanged apart from timestamps),
// 1 when publishing failed (the reason is logged), 2 for a usage or config error. In this mode
// cpu_usage is the average since boot (there is no earlier sample) and network_latency_ms is left out
// (no probes run). Call it once, from main's thread.
#pragma once

namespace buildfarm::exporter {

// argv[0] is "publish".
int RunPublishCommand(int argc, char** argv);

}  // namespace buildfarm::exporter
