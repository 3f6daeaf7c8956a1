// Command-line and config-file errors: each must exit 2 with one line that names the flag or key.
// --help and --version exit 0.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/exporter_harness.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

struct BadInvocation {
  std::string what;
  std::vector<std::string> args;
  std::string must_name;  // the flag or key the message has to mention
};

size_t CountLines(const std::string& text) {
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  if (!text.empty() && text.back() != '\n') ++lines;
  return lines;
}

void ExpectUsageError(const BadInvocation& bad) {
  std::vector<std::string> argv{ExporterBinary(), "--web.listen-address=127.0.0.1:0"};
  argv.insert(argv.end(), bad.args.begin(), bad.args.end());
  std::string output;
  int code = RunCommand(argv, &output, 30);
  EXPECT_EQ(code, 2) << bad.what << ": " << output;
  EXPECT_EQ(CountLines(output), 1u) << bad.what << ": expected one line, got:\n" << output;
  EXPECT_NE(output.find(bad.must_name), std::string::npos)
      << bad.what << ": message does not name " << bad.must_name << ": " << output;
}

TEST(ExporterFlags, BadFlagsExitTwoNamingTheFlag) {
  const std::vector<BadInvocation> cases = {
      {"unknown flag", {"--no.such-flag"}, "no.such-flag"},
      {"unknown collector", {"--collector.nosuchcollector"}, "collector.nosuchcollector"},
      {"non-numeric max requests", {"--web.max-requests=many"}, "web.max-requests"},
      {"negative max requests", {"--web.max-requests=-1"}, "web.max-requests"},
      {"bad log level", {"--log.level=loud"}, "log.level"},
      {"relative telemetry path", {"--web.telemetry-path=metrics"}, "web.telemetry-path"},
      {"missing value", {"--path.procfs"}, "path.procfs"},
      {"missing config file", {"--config.file=/nonexistent/buildfarm.yml"}, "/nonexistent/buildfarm.yml"},
  };
  for (const auto& bad : cases) ExpectUsageError(bad);
}

TEST(ExporterFlags, BadConfigFilesExitTwoNamingTheKey) {
  TempDir dir;
  struct BadConfig {
    std::string what;
    std::string yaml;
    std::string must_name;
  };
  const std::vector<BadConfig> cases = {
      {"unknown top-level key", "node_name: a\nnode_nmae: b\n", "node_nmae"},
      {"bad probe interval", "probes:\n  interval: soon\n", "interval"},
      {"bad probe timeout", "probes:\n  timeout: 5 parsecs\n", "timeout"},
      {"bad probe kind",
       "probes:\n  targets:\n    - {name: x, kind: carrier-pigeon, address: \"127.0.0.1:1\"}\n", "kind"},
      {"unknown probe key", "probes:\n  targets:\n    - {name: x, kind: tcp, adress: \"127.0.0.1:1\"}\n", "adress"},
      {"unknown collector option", "collectors:\n  nosuch.option: 1\n", "nosuch.option"},
      {"not yaml", "probes: [unclosed\n", "config"},
  };
  int index = 0;
  for (const auto& bad : cases) {
    std::string path = dir.WriteFile("config" + std::to_string(index++) + ".yml", bad.yaml);
    ExpectUsageError({bad.what, {"--config.file=" + path}, bad.must_name});
  }
}

TEST(ExporterFlags, HelpListsFlagsAndExitsZero) {
  std::string output;
  EXPECT_EQ(RunCommand({ExporterBinary(), "--help"}, &output, 30), 0);
  // Boolean flags print as --[no-]name, the others as --name=TYPE.
  for (const char* flag : {"--web.listen-address=", "--web.telemetry-path=", "--web.max-requests=", "--path.procfs=",
                           "--path.sysfs=", "--path.rootfs=", "--config.file=", "--log.level=",
                           "--[no-]collector.disable-defaults", "--[no-]version"}) {
    EXPECT_NE(output.find(flag), std::string::npos) << flag << " missing from --help:\n" << output;
  }
  EXPECT_FALSE(KnownCollectors().empty());
}

TEST(ExporterFlags, VersionPrintsVersionAndExitsZero) {
  std::string output;
  EXPECT_EQ(RunCommand({ExporterBinary(), "--version"}, &output, 30), 0);
  EXPECT_EQ(output.rfind("buildfarm-exporter, version ", 0), 0u) << output;
  EXPECT_NE(output.find("revision"), std::string::npos) << output;
  EXPECT_EQ(CountLines(output), 1u) << output;
}

}  // namespace
}  // namespace buildfarm::testing
