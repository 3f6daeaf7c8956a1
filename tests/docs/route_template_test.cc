#include "tests/docs/route_template.h"

#include <gtest/gtest.h>

namespace buildfarm::docs {
namespace {

using Paths = std::vector<std::string>;

TEST(ServerPatternTemplates, TurnsGroupsIntoParametersAndExpandsLiteralAlternatives) {
  struct Case {
    std::string pattern;
    Paths want;
  };
  const Case cases[] = {
      {"/metrics", {"/metrics"}},
      {"/", {"/"}},
      {"/api/v1/jobs/([^/]+)", {"/api/v1/jobs/{}"}},
      {"/api/v1/jobs/([^/]+)/attempts/([0-9]{1,9})/log", {"/api/v1/jobs/{}/attempts/{}/log"}},
      {"/api/v1/nodes/([^/]+)/(cordon|uncordon|drain)",
       {"/api/v1/nodes/{}/cordon", "/api/v1/nodes/{}/uncordon", "/api/v1/nodes/{}/drain"}},
      {"/(a|b)/(c|d)", {"/a/c", "/a/d", "/b/c", "/b/d"}},
      {"/web/(.+)", {"/web/{}"}},
      {"/status\\.json", {"/status.json"}},
      // The web page: "/" or a file name.
      {R"(/|/[A-Za-z0-9_-][A-Za-z0-9_.-]*\.[a-z]+)", {"/", "/{}"}},
      {"/api/v1/messages/([^/]+)/thread", {"/api/v1/messages/{}/thread"}},
  };
  for (const Case& c : cases) {
    auto got = ServerPatternTemplates(c.pattern);
    ASSERT_TRUE(got.ok()) << c.pattern << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.pattern;
  }
}

TEST(ServerPatternTemplates, RefusesPatternsThatAreNotPaths) {
  for (const char* pattern : {"/jobs/(x", "/jobs/x)", "/jobs/[a-z", "jobs", "", "/a|b"}) {
    auto got = ServerPatternTemplates(pattern);
    ASSERT_FALSE(got.ok()) << pattern;
    EXPECT_NE(got.status().message().find(pattern), std::string::npos) << got.status().message();
  }
}

TEST(OpenApiPathTemplate, WritesEveryParameterTheSameWay) {
  EXPECT_EQ(*OpenApiPathTemplate("/api/v1/jobs/{id}/attempts/{n}/log"), "/api/v1/jobs/{}/attempts/{}/log");
  EXPECT_EQ(*OpenApiPathTemplate("/healthz"), "/healthz");
  for (const char* bad : {"/jobs/{id", "/jobs/{}", "/jobs/id}", "jobs/{id}", "/a/{b{c}}"}) {
    EXPECT_FALSE(OpenApiPathTemplate(bad).ok()) << bad;
  }
}

TEST(OpenApiPathParameters, ListsNamesInOrder) {
  EXPECT_EQ(OpenApiPathParameters("/jobs/{id}/attempts/{n}/start"), (Paths{"id", "n"}));
  EXPECT_TRUE(OpenApiPathParameters("/metrics").empty());
}

TEST(FillTemplate, ReplacesEveryParameter) {
  EXPECT_EQ(FillTemplate("/jobs/{}/attempts/{}/log", "7"), "/jobs/7/attempts/7/log");
}

}  // namespace
}  // namespace buildfarm::docs
