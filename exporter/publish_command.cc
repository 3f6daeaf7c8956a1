#include "exporter/publish_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "common/daemon.h"

namespace buildfarm::exporter {

std::string SiblingProgram(std::string_view name) {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "";
  return (self.parent_path() / name).string();
}

int RunPublishCommand(int argc, char** argv) {
  constexpr const char* kCommand = "buildfarm-exporter publish";
  const std::string program = SiblingProgram(kPublishProgram);
  if (program.empty()) {
    std::fprintf(stderr, "%s: error: cannot read /proc/self/exe to find %s\n", kCommand, kPublishProgram.data());
    return app::kExitCannotStart;
  }
  std::vector<char*> args{const_cast<char*>(program.c_str())};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  execv(program.c_str(), args.data());
  std::fprintf(stderr, "%s: error: cannot run %s: %s (it is installed next to buildfarm-exporter)\n", kCommand,
               program.c_str(), std::strerror(errno));
  return app::kExitCannotStart;
}

}  // namespace buildfarm::exporter
