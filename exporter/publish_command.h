// `buildfarm-exporter publish ...`: runs buildfarm-exporter-publish, the program that holds git
// publishing (libgit2), with the same arguments, so that the cron line keeps working:
//
//   buildfarm-exporter publish --once --config.file=/etc/buildfarm/exporter.yml
//
// is `buildfarm-exporter-publish --once --config.file=...` (see exporter/publish/publish_main.cc for
// its exit status). The program is looked up next to the running buildfarm-exporter
// (/proc/self/exe's directory), as the packages and install rules put it; when it is missing, the
// error names the path and the exit status is 1. Call it once, from main's thread.
#pragma once

#include <string>
#include <string_view>

namespace buildfarm::exporter {

inline constexpr std::string_view kPublishProgram = "buildfarm-exporter-publish";

// DIR/`name` where DIR holds the running executable; "" when /proc/self/exe cannot be read.
std::string SiblingProgram(std::string_view name);

// argv[0] is "publish". Returns only when the program could not be run.
int RunPublishCommand(int argc, char** argv);

}  // namespace buildfarm::exporter
