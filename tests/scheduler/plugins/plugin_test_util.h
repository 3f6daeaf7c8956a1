// Table-driven helpers for plugin tests: a row is a node, a job and the expected verdict or score.
// Test-only; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scheduler/framework/plugin.h"
#include "tests/scheduler/builders.h"

namespace buildfarm::scheduler::testing {

struct FilterCase {
  std::string name;
  NodeView node;
  JobView job;
  Verdict::Kind want;
  std::string reason_contains = {};  // checked when not fits
};

inline void RunFilterCases(const FilterPlugin& plugin, const std::vector<FilterCase>& cases,
                           const CycleState& state = StateAt()) {
  for (const FilterCase& c : cases) {
    SCOPED_TRACE(c.name);
    Verdict verdict = plugin.Filter(state, c.job, c.node);
    EXPECT_EQ(VerdictKindName(verdict.kind()), std::string(VerdictKindName(c.want))) << verdict.reason();
    if (c.want == Verdict::Kind::kFits) {
      EXPECT_TRUE(verdict.reason().empty());
    } else {
      EXPECT_NE(verdict.reason().find(c.reason_contains), std::string::npos) << verdict.reason();
    }
  }
}

struct ScoreCase {
  std::string name;
  NodeView node;
  JobView job;
  int want;
};

inline void RunScoreCases(const ScorePlugin& plugin, const std::vector<ScoreCase>& cases,
                          const CycleState& state = StateAt()) {
  for (const ScoreCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<int> score = plugin.Score(state, c.job, c.node);
    ASSERT_TRUE(score.ok()) << score.status().ToString();
    EXPECT_EQ(*score, c.want);
  }
}

struct ArgsCase {
  std::string name;
  PluginArgs args;
  std::string error_contains;  // empty: must parse
};

template <typename Parse>
void RunArgsCases(Parse parse, const std::vector<ArgsCase>& cases) {
  for (const ArgsCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = parse(c.args);
    if (c.error_contains.empty()) {
      EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    } else {
      ASSERT_FALSE(parsed.ok());
      EXPECT_NE(parsed.status().message().find(c.error_contains), std::string::npos) << parsed.status().message();
    }
  }
}

}  // namespace buildfarm::scheduler::testing
