// The buildfarm-exporter daemon: flags, config, collectors and the HTTP endpoints.
//
// RunExporter owns everything it builds and returns the process exit code: 0 after a clean
// shutdown (SIGINT/SIGTERM), 2 for a bad flag or config key, 1 when a listener cannot start.
// Call it once, from main's thread, before any other thread starts (it blocks the stop signals).
#pragma once

namespace buildfarm::exporter {

int RunExporter(int argc, char** argv);

}  // namespace buildfarm::exporter
