// build-cli: the command line for the buildfarm scheduler. See cli/cli.h.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = buildfarm::cli::RunCli(args, std::cout, std::cerr, buildfarm::cli::ProcessEnvironment(),
                                    buildfarm::cli::DetectTerminal());
  std::cout.flush();
  return code;
}
