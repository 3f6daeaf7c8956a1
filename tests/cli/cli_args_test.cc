// build-cli's command line without a server: bad values are usage errors (exit 2) that name the
// flag; --help works per command; the URL and token are found with the documented precedence.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "cli/context.h"
#include "cli/values.h"
#include "tests/cli/cli_test_util.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

struct UsageCase {
  std::vector<std::string> args;
  std::string names;  // the error message must contain this
};

class UsageErrorTest : public ::testing::TestWithParam<UsageCase> {};

TEST_P(UsageErrorTest, ExitsTwoNamingTheProblem) {
  const UsageCase& c = GetParam();
  // A URL and token are set so that only the arguments can be wrong.
  CliRun run = RunInProcess(c.args, {{"BUILDFARM_URL", "http://127.0.0.1:1"}, {"BUILDFARM_TOKEN", "t"}});
  EXPECT_EQ(run.code, 2) << run.error;
  EXPECT_NE(run.error.find(c.names), std::string::npos) << run.error;
  EXPECT_EQ(run.output, "");
}

INSTANTIATE_TEST_SUITE_P(
    Commands, UsageErrorTest,
    ::testing::Values(
        UsageCase{{"frobnicate"}, "unknown command \"frobnicate\""},
        UsageCase{{"--bogus", "status"}, "--bogus"},
        UsageCase{{"status", "extra"}, "status takes no arguments"},
        UsageCase{{"status", "--verbose"}, "--verbose"},
        UsageCase{{"nodes", "a", "b"}, "nodes takes [NAME]"},
        UsageCase{{"cordon"}, "cordon takes NODE"},
        UsageCase{{"uncordon", "a", "b"}, "uncordon takes NODE"},
        UsageCase{{"drain"}, "drain takes NODE"},
        UsageCase{{"failover", "a"}, "failover takes FROM TO"},
        UsageCase{{"failovers", "x"}, "failovers takes no arguments"},
        UsageCase{{"jobs", "--status", "done"}, "--status"},
        UsageCase{{"jobs", "--limit", "0"}, "--limit"},
        UsageCase{{"jobs", "--limit", "1001"}, "--limit"},
        UsageCase{{"jobs", "--limit"}, "--limit needs a value"},
        UsageCase{{"job"}, "job takes ID"},
        UsageCase{{"job", "a", "b"}, "job takes ID"},
        UsageCase{{"cancel"}, "cancel takes ID"},
        UsageCase{{"retry"}, "retry takes ID"},
        UsageCase{{"explain"}, "explain takes ID"},
        UsageCase{{"logs"}, "logs takes NODE|JOB"},
        UsageCase{{"logs", "j1", "--offset", "-1"}, "--offset"},
        UsageCase{{"logs", "j1", "-x"}, "\"-x\""},
        UsageCase{{"submit"}, "--command is required"},
        UsageCase{{"submit", "--command", "make", "--priority", "0"}, "--priority"},
        UsageCase{{"submit", "--command", "make", "--priority", "11"}, "--priority"},
        UsageCase{{"submit", "--command", "make", "--priority", "high"}, "--priority"},
        UsageCase{{"submit", "--command", "make", "--cores", "-1"}, "--cores"},
        UsageCase{{"submit", "--command", "make", "--cores", "two"}, "--cores"},
        UsageCase{{"submit", "--command", "make", "--memory", "12Q"}, "--memory"},
        UsageCase{{"submit", "--command", "make", "--memory", "-5"}, "--memory"},
        UsageCase{{"submit", "--command", "make", "--disk", "lots"}, "--disk"},
        UsageCase{{"submit", "--command", "make", "--selector", "linux"}, "--selector"},
        UsageCase{{"submit", "--command", "make", "--selector", "=linux"}, "--selector"},
        UsageCase{{"submit", "--command", "make", "--timeout", "0"}, "--timeout"},
        UsageCase{{"submit", "--command", "make", "--timeout", "soon"}, "--timeout"},
        UsageCase{{"submit", "--command", "make", "--max-retries", "101"}, "--max-retries"},
        UsageCase{{"submit", "--command", "make", "--build-type", "nightly"}, "--build-type"},
        UsageCase{{"submit", "--command", "make", "--command", "again"}, "--command given more than once"},
        UsageCase{{"submit", "--file", "/nonexistent/graph.json"}, "--file"},
        UsageCase{{"submit", "--file", "g.json", "--command", "make"}, "--command cannot be combined with --file"},
        UsageCase{{"submit", "stray", "--command", "make"}, "submit takes no arguments"}));

TEST(CliHelpTest, TopLevelHelpListsEveryCommand) {
  CliRun run = RunInProcess({"--help"});
  EXPECT_EQ(run.code, 0);
  for (const char* name : {"status", "nodes", "jobs", "job ID", "submit", "cancel", "retry", "logs", "explain",
                           "cordon", "uncordon", "drain", "failover", "failovers", "assign", "completion", "msg", "validate",
                           "BUILDFARM_CONFIG", "NO_COLOR", "--color", "Exit codes"}) {
    EXPECT_NE(run.output.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(RunInProcess({"help"}).output, run.output);
  EXPECT_EQ(RunInProcess({"-h"}).output, run.output);
}

TEST(CliHelpTest, VersionNamesProgramAndVersion) {
  CliRun run = RunInProcess({"--version"});
  EXPECT_EQ(run.code, 0) << run.error;
  EXPECT_EQ(run.output.rfind("build-cli, version ", 0), 0u) << run.output;
  EXPECT_NE(run.output.find(" (revision: "), std::string::npos) << run.output;
}

TEST(CliHelpTest, EachCommandHasHelpWithAnExample) {
  for (const char* name : {"status", "nodes", "jobs", "job", "submit", "cancel", "retry", "logs", "explain", "cordon",
                           "uncordon", "drain", "failover", "failovers"}) {
    CliRun run = RunInProcess({name, "--help"});
    EXPECT_EQ(run.code, 0) << name;
    EXPECT_NE(run.output.find("usage: build-cli " + std::string(name)), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("Example:\n  build-cli " + std::string(name)), std::string::npos) << run.output;
    EXPECT_EQ(RunInProcess({"help", name}).output, run.output) << name;
  }
  EXPECT_NE(RunInProcess({"submit", "--help"}).output.find("--memory=BYTES"), std::string::npos);
}

TEST(CliHelpTest, NoCommandIsAUsageError) {
  CliRun run = RunInProcess({});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.error.find("no command given"), std::string::npos);
}

TEST(CliConfigTest, MissingUrlOrTokenSaysHowToSetIt) {
  CliRun run = RunInProcess({"status"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.error.find("--url"), std::string::npos) << run.error;
  EXPECT_NE(run.error.find("BUILDFARM_URL"), std::string::npos) << run.error;
  EXPECT_NE(run.error.find("BUILDFARM_CONFIG"), std::string::npos) << run.error;
  run = RunInProcess({"status"}, {{"BUILDFARM_URL", "http://127.0.0.1:1"}});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.error.find("BUILDFARM_TOKEN"), std::string::npos) << run.error;
  run = RunInProcess({"status", "--url", "ftp://farm", "--token", "t"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.error.find("scheme"), std::string::npos) << run.error;
}

cli::EnvLookup Env(const std::map<std::string, std::string>& values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(CliConfigTest, FlagsBeatEnvironmentBeatsConfigFile) {
  TempDir dir;
  std::string config = dir.WriteFile("cli.yaml", "url: http://config:1\ntoken: config-token\n");
  auto all = Env({{"BUILDFARM_URL", "http://env:2"}, {"BUILDFARM_TOKEN", "env-token"}, {"BUILDFARM_CONFIG", config}});

  auto c = cli::ResolveConnection("http://flag:3", "flag-token", all);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->url, "http://flag:3");
  EXPECT_EQ(c->token, "flag-token");

  c = cli::ResolveConnection("", "", all);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->url, "http://env:2");
  EXPECT_EQ(c->token, "env-token");

  c = cli::ResolveConnection("", "", Env({{"BUILDFARM_URL", "http://env:2"}, {"BUILDFARM_CONFIG", config}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->url, "http://env:2");
  EXPECT_EQ(c->token, "config-token");

  c = cli::ResolveConnection("http://flag:3", "", Env({{"BUILDFARM_CONFIG", config}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->url, "http://flag:3");
  EXPECT_EQ(c->token, "config-token");

  c = cli::ResolveConnection("", "", Env({{"BUILDFARM_CONFIG", config}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->url, "http://config:1");
  EXPECT_EQ(c->token, "config-token");
}

TEST(CliConfigTest, TlsFilesComeFromFlagsEnvironmentOrConfig) {
  TempDir dir;
  std::string config = dir.WriteFile("farm/cli.yaml", "url: https://config:1\ntoken: t\nca_file: ca.crt\n"
                                                      "cert_file: /abs/c.crt\nkey_file: c.key\n");
  auto c = cli::ResolveConnection("", "", Env({{"BUILDFARM_CONFIG", config}}));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->tls.ca_file, dir.Join("farm/ca.crt"));  // relative to the config file
  EXPECT_EQ(c->tls.cert_file, "/abs/c.crt");
  EXPECT_EQ(c->tls.key_file, dir.Join("farm/c.key"));

  c = cli::ResolveConnection("", "", Env({{"BUILDFARM_CONFIG", config}, {"BUILDFARM_CA_FILE", "/env/ca.crt"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tls.ca_file, "/env/ca.crt");
  EXPECT_EQ(c->tls.cert_file, "");

  c = cli::ResolveConnection("", "", Env({{"BUILDFARM_CONFIG", config}, {"BUILDFARM_CA_FILE", "/env/ca.crt"}}), "",
                             TlsClientOptions{.ca_file = "/flag/ca.crt"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tls.ca_file, "/flag/ca.crt");
}

TEST(CliConfigTest, BadConfigFileIsNamed) {
  TempDir dir;
  auto c = cli::ResolveConnection("", "", Env({{"BUILDFARM_CONFIG", dir.Join("missing.yaml")}}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("missing.yaml"), std::string::npos) << c.status().message();

  std::string bad = dir.WriteFile("bad.yaml", "url: [unclosed\n");
  c = cli::ResolveConnection("", "", Env({{"BUILDFARM_CONFIG", bad}}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("bad.yaml"), std::string::npos) << c.status().message();

  std::string list = dir.WriteFile("list.yaml", "- a\n- b\n");
  c = cli::ResolveConnection("", "", Env({{"BUILDFARM_CONFIG", list}}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("url:"), std::string::npos) << c.status().message();

  // A config that is never needed is never read.
  c = cli::ResolveConnection("http://flag:3", "t", Env({{"BUILDFARM_CONFIG", dir.Join("missing.yaml")}}));
  EXPECT_TRUE(c.ok());
}

TEST(CliConfigTest, TokenFilesWinAndMustBeReadableByTheirOwnerAlone) {
  TempDir dir;
  std::string token_file = dir.WriteFile("cli.token", "file-token\n");
  ASSERT_EQ(::chmod(token_file.c_str(), 0600), 0);
  auto env = Env({{"BUILDFARM_TOKEN", "env-token"}});
  auto c = cli::ResolveConnection("http://flag:3", "flag-token", env, token_file);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->token, "file-token");

  std::string config = dir.WriteFile("cli.yaml", "url: http://config:1\ntoken_file: " + token_file + "\n");
  c = cli::ResolveConnection("", "", Env({{"BUILDFARM_CONFIG", config}}));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->token, "file-token");

  ASSERT_EQ(::chmod(token_file.c_str(), 0640), 0);
  c = cli::ResolveConnection("http://flag:3", "", env, token_file);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("--token-file " + token_file + ": readable by group or others (mode 0640)"),
            std::string::npos)
      << c.status().message();
  c = cli::ResolveConnection("", "", Env({{"BUILDFARM_CONFIG", config}}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("token_file: in BUILDFARM_CONFIG=" + config), std::string::npos)
      << c.status().message();
  EXPECT_EQ(c.status().message().find("file-token"), std::string::npos) << "the token itself is never shown";
}

TEST(CliValuesTest, ByteSizes) {
  struct Case {
    const char* text;
    std::int64_t bytes;
  };
  for (const Case& c : {Case{"0", 0}, Case{"1073741824", 1073741824}, Case{"512Mi", 512LL << 20},
                        Case{"2Gi", 2LL << 30}, Case{"1G", 1000000000}, Case{"1GB", 1000000000},
                        Case{"1.5GiB", 3LL << 29}, Case{"100k", 100000}, Case{"4Ki", 4096}, Case{"1Ti", 1LL << 40}}) {
    auto parsed = cli::ParseByteSize(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status().message();
    EXPECT_EQ(*parsed, c.bytes) << c.text;
  }
  for (const char* bad : {"", "Gi", "-1", "1.2.3", "12Q", "1 G", "1e3", "99999999999Pi"}) {
    EXPECT_FALSE(cli::ParseByteSize(bad).ok()) << bad;
  }
}

TEST(CliValuesTest, SelectorsEncodingAndTables) {
  auto pair = cli::ParseSelector("os=linux=x");
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->first, "os");
  EXPECT_EQ(pair->second, "linux=x");
  EXPECT_FALSE(cli::ParseSelector("os").ok());
  EXPECT_EQ(cli::UrlEncode("a b/c?d&e=f~_.-"), "a%20b%2Fc%3Fd%26e%3Df~_.-");
  EXPECT_EQ(cli::HumanBytes(1536), "1.5Ki");
  EXPECT_EQ(cli::HumanBytes(12), "12");
  EXPECT_EQ(cli::HumanSeconds(75), "1m15s");
  EXPECT_EQ(cli::Ellipsize("abcdefgh", 6), "abc...");
  std::ostringstream out;
  cli::PrintTable(out, {{"NAME", "STATE", "X"}, {"build10", "ready", "long last column"}, {"b2", "down", "z"}});
  EXPECT_EQ(out.str(),
            "NAME     STATE  X\n"
            "build10  ready  long last column\n"
            "b2       down   z\n");
}

}  // namespace
}  // namespace buildfarm::testing
