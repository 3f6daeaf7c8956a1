// The web page as buildfarm-scheduler serves it: no token for the page, a strict CSP, the right
// Content-Types, strong ETags with 304, gzip when asked, and --web.assets-dir for development.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/integration/exporter_harness.h"
#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

std::string SourceFile(const std::string& relative) {
  std::ifstream in(SourcePath(relative), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class WebPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(farm_.Start(&error)) << error;
  }
  HttpReply Get(const std::string& path, std::map<std::string, std::string> headers = {}) {
    headers.emplace("Accept-Encoding", "identity");
    return HttpGet(farm_.address(), path, headers, 10);
  }
  Farm farm_{FarmOptions{.agents = 0, .prometheus = false}};
};

TEST_F(WebPageTest, PageNeedsNoTokenButTheApiStillDoes) {
  HttpReply page = Get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.body, SourceFile("dashboards/web/index.html"));
  const std::string csp = page.Header("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
  EXPECT_EQ(page.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Get("/index.html").body, page.body);
  EXPECT_EQ(Get("/api/v1/nodes").status, 401);
  EXPECT_EQ(Get("/api/v1/nodes", {{"Authorization", "Bearer " + farm_.viewer_token()}}).status, 200);
  EXPECT_EQ(Get("/no-such-file.js").status, 404);
  EXPECT_EQ(Get("/metrics").status, 200);  // the page's route does not shadow the others
  EXPECT_EQ(Get("/healthz").body, "ok\n");
}

TEST_F(WebPageTest, EachFileHasItsContentTypeAndAGzipCopyWhenAccepted) {
  const std::map<std::string, std::string> types{{"app.js", "text/javascript; charset=utf-8"},
                                                 {"data.js", "text/javascript; charset=utf-8"},
                                                 {"style.css", "text/css; charset=utf-8"},
                                                 {"index.html", "text/html; charset=utf-8"}};
  for (const auto& [name, type] : types) {
    SCOPED_TRACE(name);
    const std::string source = SourceFile("dashboards/web/" + name);
    HttpReply plain = Get("/" + name);
    ASSERT_EQ(plain.status, 200);
    EXPECT_EQ(plain.Header("Content-Type"), type);
    EXPECT_EQ(plain.Header("Content-Encoding"), "");
    EXPECT_EQ(plain.body, source);
    EXPECT_EQ(plain.Header("Vary"), "Accept-Encoding");

    HttpReply zipped = HttpGet(farm_.address(), "/" + name, {{"Accept-Encoding", "gzip, deflate, br"}}, 10);
    ASSERT_EQ(zipped.status, 200);
    EXPECT_EQ(zipped.Header("Content-Encoding"), "gzip");
    EXPECT_EQ(zipped.Header("Content-Type"), type);
    EXPECT_LT(zipped.body.size(), source.size());
    std::string inflated;
    ASSERT_TRUE(Gunzip(zipped.body, &inflated));
    EXPECT_EQ(inflated, source);
    EXPECT_NE(zipped.Header("ETag"), plain.Header("ETag"));  // two representations, two strong tags

    EXPECT_EQ(HttpGet(farm_.address(), "/" + name, {{"Accept-Encoding", "gzip;q=0, br"}}, 10).body, source);
  }
}

TEST_F(WebPageTest, MatchingIfNoneMatchIsAnswered304WithoutABody) {
  HttpReply first = Get("/app.js");
  const std::string etag = first.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.rfind("W/", 0), std::string::npos) << "want a strong ETag: " << etag;
  EXPECT_EQ(etag, Get("/app.js").Header("ETag"));

  HttpReply again = Get("/app.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.Header("ETag"), etag);
  EXPECT_EQ(Get("/app.js", {{"If-None-Match", "\"other\", " + etag}}).status, 304);
  EXPECT_EQ(Get("/app.js", {{"If-None-Match", "\"other\""}}).status, 200);
  // The gzip copy's tag does not validate the identity representation, nor the reverse.
  HttpReply zipped = HttpGet(farm_.address(), "/app.js", {{"Accept-Encoding", "gzip"}}, 10);
  EXPECT_EQ(Get("/app.js", {{"If-None-Match", zipped.Header("ETag")}}).status, 200);
  EXPECT_EQ(HttpGet(farm_.address(), "/app.js",
                    {{"Accept-Encoding", "gzip"}, {"If-None-Match", zipped.Header("ETag")}}, 10).status, 304);
  // Another file has another tag.
  EXPECT_EQ(Get("/style.css", {{"If-None-Match", etag}}).status, 200);
}

TEST(WebPageAssetsDirTest, FolderOverrideIsServedAndReReadAndABadFolderExitsTwo) {
  TempDir web;
  web.WriteFile("index.html", "<!DOCTYPE html><title>dev</title>");
  Farm farm(FarmOptions{.agents = 0, .prometheus = false, .scheduler_flags = {"--web.assets-dir=" + web.path()}});
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  EXPECT_EQ(HttpGet(farm.address(), "/").body, "<!DOCTYPE html><title>dev</title>");
  web.WriteFile("index.html", "<!DOCTYPE html><title>edited</title>");
  HttpReply edited = HttpGet(farm.address(), "/");
  EXPECT_EQ(edited.body, "<!DOCTYPE html><title>edited</title>");
  EXPECT_FALSE(edited.Header("Content-Security-Policy").empty());
  EXPECT_EQ(HttpGet(farm.address(), "/app.js").status, 404);  // only the folder's files

  std::string output;
  EXPECT_EQ(RunCommand({BinaryPath("scheduler/server/buildfarm-scheduler"), "--web.listen-address=127.0.0.1:0",
                        "--web.assets-dir=" + web.Join("missing")}, &output), 2);
  EXPECT_NE(output.find("web.assets-dir"), std::string::npos) << output;
}

}  // namespace
}  // namespace buildfarm::testing
