// The dashboard-reading helpers the dashboard tests rely on: variable substitution, variable listing
// and finding the range selectors of rate functions.
#include "tests/dashboards/dashboard_model.h"

#include <gtest/gtest.h>

namespace buildfarm::testing {
namespace {

TEST(DashboardModel, SubstitutesEveryVariableSpellingAndLeavesOtherDollarsAlone) {
  const std::map<std::string, std::string> values = {{"node", "n1"}, {"__rate_interval", "15s"}};
  EXPECT_EQ(SubstituteVariables(R"x(rate(x{node=~"$node"}[$__rate_interval]))x", values),
            R"x(rate(x{node=~"n1"}[15s]))x");
  EXPECT_EQ(SubstituteVariables("a{n=\"${node}\"} + b{n=\"[[node]]\"}", values), "a{n=\"n1\"} + b{n=\"n1\"}");
  EXPECT_EQ(SubstituteVariables(R"x(label_replace(x, "m", "$1", "v", "(.*)") $nodes)x", values),
            R"x(label_replace(x, "m", "$1", "v", "(.*)") $nodes)x");
}

TEST(DashboardModel, ListsVariablesUsed) {
  EXPECT_EQ(VariablesUsed(R"x(increase(x{node="$node"}[$__range]) ${datasource:raw})x"),
            (std::vector<std::string>{"node", "__range", "datasource"}));
}

TEST(DashboardModel, FindsTheRangeOfEachRateCall) {
  auto calls = RangeCalls("sum(irate(a[1m])) / sum(rate(b{x=\"(y)\"}[$__rate_interval])) + increase(c[$__range]) + ratex(d)x");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].function, "rate");
  EXPECT_EQ(calls[0].range, "$__rate_interval");
  EXPECT_EQ(calls[1].function, "irate");
  EXPECT_EQ(calls[1].range, "1m");
  EXPECT_EQ(calls[2].function, "increase");
  EXPECT_EQ(calls[2].range, "$__range");
}

TEST(DashboardModel, TakesTheExpressionOutOfLabelValues) {
  Dashboard d{"x.json", nlohmann::json::parse(R"x({"panels": [], "templating": {"list": [
      {"name": "node", "type": "query", "query": "label_values(up{job=\"a,b\"}, node)"},
      {"name": "other", "type": "query", "query": {"query": "label_values(job)"}}]}})x")};
  auto exprs = Expressions(d);
  ASSERT_EQ(exprs.size(), 1u);
  EXPECT_EQ(exprs[0].expr, "up{job=\"a,b\"}");
  EXPECT_EQ(exprs[0].where, "x.json: variable node");
}

}  // namespace
}  // namespace buildfarm::testing
