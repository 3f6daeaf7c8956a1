// docs/onboarding.md is runnable: every buildfarm program, build-cli command and deploy script it
// invokes exists and takes the flags it is given (checked against the built binaries' --help and the
// scripts' usage text), and every configuration snippet parses with the real parser (the agent's,
// the exporter's, the scheduler's; Prometheus's through promtool).
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "exporter/config.h"
#include "agent/config.h"
#include "common/web_config.h"
#include "scheduler/server/config.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::docs {
namespace {

struct Block {
  std::string language;
  std::string text;
  int line = 0;  // of the opening fence
};

std::vector<Block> FencedBlocks(const std::string& markdown) {
  std::vector<Block> blocks;
  std::istringstream in(markdown);
  std::string line;
  int number = 0;
  Block* open = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      if (open == nullptr) {
        blocks.push_back({line.substr(3), "", number});
        open = &blocks.back();
      } else {
        open = nullptr;
      }
    } else if (open != nullptr) {
      open->text += line + "\n";
    }
  }
  return blocks;
}

// Words of one shell command line, quotes removed, up to a comment; `&&`, `;` and `|` separate commands.
std::vector<std::vector<std::string>> Commands(const std::string& line) {
  std::vector<std::vector<std::string>> commands(1);
  std::string word;
  bool in_word = false;
  char quote = 0;
  auto flush = [&] {
    if (in_word) commands.back().push_back(word);
    word.clear();
    in_word = false;
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '#' && !in_word) {
      break;
    } else if (c == ' ' || c == '\t') {
      flush();
    } else if (c == ';' || c == '|' || c == '&') {
      flush();
      if (!commands.back().empty()) commands.emplace_back();
      if (i + 1 < line.size() && line[i + 1] == c) ++i;
    } else {
      word += c;
      in_word = true;
    }
  }
  flush();
  return commands;
}

std::string Help(const std::vector<std::string>& argv) {
  std::string output;
  const int code = testing::RunCommand(argv, &output, 30);
  EXPECT_EQ(code, 0) << argv.front() << " --help failed:\n" << output;
  return output;
}

const std::map<std::string, std::string> kPrograms = {
    {"build-cli", "cli/build-cli"},
    {"buildfarm-agent", "agent/buildfarm-agent"},
    {"buildfarm-exporter", "exporter/buildfarm-exporter"},
    {"buildfarm-scheduler", "scheduler/server/buildfarm-scheduler"},
};

// `flag` appears as a whole word: "--select" is not in "--selector".
bool MentionsFlag(const std::string& help, const std::string& flag) {
  for (std::size_t at = help.find(flag); at != std::string::npos; at = help.find(flag, at + 1)) {
    const std::size_t end = at + flag.size();
    if (end == help.size() || !(std::isalnum(static_cast<unsigned char>(help[end])) || help[end] == '-')) return true;
  }
  return false;
}

std::string ReadSource(const std::string& relative) {
  std::ifstream in(testing::SourcePath(relative));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Onboarding, EveryCommandItRunsTakesTheFlagsItIsGiven) {
  const std::string markdown = ReadSource("docs/onboarding.md");
  ASSERT_FALSE(markdown.empty()) << "docs/onboarding.md is missing";
  int checked = 0;
  for (const Block& block : FencedBlocks(markdown)) {
    if (block.language != "sh") continue;
    std::istringstream lines(block.text);
    std::string line;
    for (int offset = 1; std::getline(lines, line); ++offset) {
      const std::string where = "docs/onboarding.md:" + std::to_string(block.line + offset) + ": ";
      for (std::vector<std::string> words : Commands(line)) {
        while (!words.empty() && (words.front() == "sudo" || words.front().find('=') != std::string::npos)) {
          words.erase(words.begin());
        }
        if (words.empty()) continue;
        std::string help;
        std::size_t first_argument = 1;
        if (auto program = kPrograms.find(words.front()); program != kPrograms.end()) {
          std::vector<std::string> argv{testing::BinaryPath(program->second)};
          // build-cli: the first word that is not a flag is the command, whose own --help lists its flags.
          if (words.front() == "build-cli" && words.size() > 1 && words[1].rfind('-', 0) != 0) {
            argv.push_back(words[1]);
            first_argument = 2;
          }
          argv.push_back("--help");
          help = Help(argv);
        } else if (words.front().rfind("./deploy/", 0) == 0) {
          help = ReadSource(words.front().substr(2));
          EXPECT_FALSE(help.empty()) << where << words.front() << " does not exist";
        } else {
          continue;
        }
        ++checked;
        for (std::size_t i = first_argument; i < words.size(); ++i) {
          if (words[i].rfind('-', 0) != 0) continue;
          const std::string flag = words[i].substr(0, words[i].find('='));
          EXPECT_TRUE(MentionsFlag(help, flag)) << where << words.front() << " has no flag " << flag;
        }
      }
    }
  }
  EXPECT_GE(checked, 7) << "expected the guide to run the deploy scripts and build-cli";
}

TEST(Onboarding, EveryConfigurationSnippetParses) {
  const std::string markdown = ReadSource("docs/onboarding.md");
  ASSERT_FALSE(markdown.empty()) << "docs/onboarding.md is missing";
  testing::TempDir dir;
  int checked = 0;
  for (const Block& block : FencedBlocks(markdown)) {
    if (block.language != "yaml") continue;
    const std::string where = "docs/onboarding.md:" + std::to_string(block.line);
    ++checked;
    if (block.text.find("scrape_configs:") != std::string::npos) {
      std::string output;
      const std::string file = dir.WriteFile("prometheus.yml", block.text);
      EXPECT_EQ(testing::RunCommand({"promtool", "check", "config", file}, &output), 0) << where << "\n" << output;
    } else if (block.text.find("tls_server_config:") != std::string::npos) {
      std::string text = block.text;
      const std::string placeholder = "$2b$10$...";
      ASSERT_NE(text.find(placeholder), std::string::npos) << where << ": the basic auth entry lost its placeholder";
      text.replace(text.find(placeholder), placeholder.size(), "$2b$10$" + std::string(53, 'a'));
      auto parsed = ParseWebConfig(text, where);
      EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    } else if (block.text.find("scheduler_url:") != std::string::npos) {
      auto parsed = agent::ParseAgentConfig(block.text, where);
      EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    } else if (block.text.find("tokens:") != std::string::npos) {
      std::string text = block.text;
      const std::string placeholder = "<digest from step 4>";
      ASSERT_NE(text.find(placeholder), std::string::npos) << where << ": the token entry lost its placeholder";
      text.replace(text.find(placeholder), placeholder.size(), std::string(64, 'a'));
      auto parsed = scheduler::ParseSchedulerConfig(text, where);
      ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
      EXPECT_FALSE(parsed->tokens.empty()) << where << ": no token entry";
    } else if (block.text.find("node_name:") != std::string::npos) {
      auto parsed = exporter::ParseExporterConfig(block.text, where);
      EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    } else {
      --checked;
      ADD_FAILURE() << where << ": a YAML block this test does not know how to check";
    }
  }
  EXPECT_EQ(checked, 5) << "expected the web config, exporter, agent, scheduler and Prometheus snippets";
}

}  // namespace
}  // namespace buildfarm::docs
