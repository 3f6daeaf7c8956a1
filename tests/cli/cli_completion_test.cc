// `build-cli completion bash|zsh`: the bash script is sourced in a real bash and its completion
// function called with COMP_WORDS/COMP_CWORD set, as bash itself would; the candidates must come
// from the real command table (commands, msg's subcommands, each command's flags).
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

class CliCompletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CliRun run = RunInProcess({"completion", "bash"});
    ASSERT_EQ(run.code, 0) << run.error;
    script_ = dir_.WriteFile("build-cli.bash", run.output);
  }

  // The candidates bash would offer for the command line `words`, the last word being completed.
  std::string Complete(const std::vector<std::string>& words) {
    std::string array;
    for (const auto& word : words) array += " '" + word + "'";
    std::string program = "source '" + script_ + "' && COMP_WORDS=(" + array + ") && COMP_CWORD=" +
                          std::to_string(words.size() - 1) + " && _build_cli && printf '%s\\n' \"${COMPREPLY[@]}\" | sort | tr '\\n' ' '";
    std::string output;
    int code = RunCommand({"bash", "-c", program}, &output, 20);
    EXPECT_EQ(code, 0) << output;
    return output;
  }

  TempDir dir_;
  std::string script_;
};

TEST_F(CliCompletionTest, BashCompletesCommandsSubcommandsAndFlags) {
  struct Case {
    std::vector<std::string> words;
    std::string candidates;
  };
  for (const Case& c : std::vector<Case>{
           {{"build-cli", "st"}, "status "},
           {{"build-cli", "fail"}, "failover failovers "},
           {{"build-cli", "a"}, "assign audit "},
           {{"build-cli", "tok"}, "token "},
           {{"build-cli", "--url", "http://x", "lo"}, "logs "},
           {{"build-cli", "--c"}, "--color "},
           {{"build-cli", "--color", "a"}, "always auto "},
           {{"build-cli", "msg", "s"}, "search send "},
           {{"build-cli", "msg", "send", "--s"}, "--subject "},
           {{"build-cli", "msg", "search", "--p"}, "--priority "},
           {{"build-cli", "logs", "--f"}, "--follow "},
           {{"build-cli", "jobs", "--st"}, "--status "},
           {{"build-cli", "submit", "--mem"}, "--memory "},
           {{"build-cli", "status", "--j"}, "--json "},
           {{"build-cli", "completion", ""}, "--ca-file --cert-file --color --help --json --key-file --token --token-file --url bash zsh "},
           {{"build-cli", "help", "cor"}, "cordon "},
       }) {
    EXPECT_EQ(Complete(c.words), c.candidates) << c.words.back();
  }
}

TEST_F(CliCompletionTest, EveryCommandIsOffered) {
  std::string all = Complete({"build-cli", ""});
  for (const char* name : {"status", "nodes", "jobs", "job", "submit", "cancel", "retry", "assign", "logs", "explain",
                           "cordon", "uncordon", "drain", "failover", "failovers", "msg", "token", "audit", "validate",
                           "completion", "help"}) {
    EXPECT_NE(all.find(std::string(" ") + name + " "), std::string::npos) << name << ": " << all;
  }
}

TEST(CliCompletionZshTest, ZshScriptCarriesTheSameTable) {
  CliRun run = RunInProcess({"completion", "zsh"});
  ASSERT_EQ(run.code, 0) << run.error;
  EXPECT_EQ(run.output.rfind("#compdef build-cli\n", 0), 0u);
  for (const char* piece : {"compadd -- status nodes", "send unread read search thread archive",
                            "send) compadd -- --from --to --subject", "logs) compadd -- --follow --offset",
                            "compdef _build_cli build-cli"}) {
    EXPECT_NE(run.output.find(piece), std::string::npos) << piece << "\n" << run.output;
  }
  CliRun fish = RunInProcess({"completion", "fish"});
  EXPECT_EQ(fish.code, 2);
  EXPECT_NE(fish.error.find("want bash or zsh"), std::string::npos) << fish.error;
}

}  // namespace
}  // namespace buildfarm::testing
