// RunAgent: buildfarm-agent's command line, configuration and lifetime (flags, config file, token,
// capacity detection, the /healthz and /readyz server, SIGTERM). Returns the process exit code:
// 0 after a clean stop, 1 when it cannot start, 2 for a bad flag or config key (one line naming it).
// Call it once, from main's thread, before any other thread starts (it blocks the stop signals).
#pragma once

namespace buildfarm::agent {

int RunAgent(int argc, char** argv);

}  // namespace buildfarm::agent
