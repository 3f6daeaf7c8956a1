// The page's assets: content types, ETags, the gzip copy (inflated in integration/web_page_test.cc), and the Accept-Encoding / If-None-Match parsers.
#include "scheduler/server/web_assets.h"
#include "scheduler/server/web_negotiation.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

TEST(WebAssetsTest, ContentTypesByExtension) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("logo.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("archive.tar"), "application/octet-stream");
}

TEST(WebAssetsTest, GzipCopyIsSmallerAndHasItsOwnStrongEtag) {
  std::string css;
  for (int i = 0; i < 200; ++i) css += ".card-" + std::to_string(i) + " { color: var(--text-primary); }\n";
  WebAsset asset = MakeWebAsset("style.css", css);
  ASSERT_FALSE(asset.gzip_body.empty());
  EXPECT_LT(asset.gzip_body.size(), css.size() / 3);
  EXPECT_EQ(asset.gzip_body.substr(0, 2), "\x1f\x8b");  // gzip magic; web_page_test inflates it
  EXPECT_EQ(asset.etag.front(), '"');
  EXPECT_EQ(asset.etag.back(), '"');
  EXPECT_NE(asset.etag, asset.gzip_etag);
  EXPECT_EQ(MakeWebAsset("style.css", css).etag, asset.etag);
  EXPECT_NE(MakeWebAsset("style.css", css + " ").etag, asset.etag);
}

TEST(WebAssetsTest, NoGzipCopyForImagesOrWhenItWouldNotShrink) {
  EXPECT_TRUE(MakeWebAsset("a.png", std::string(4096, 'x')).gzip_body.empty());
  EXPECT_TRUE(MakeWebAsset("a.txt", "hi").gzip_body.empty());
}

TEST(WebAssetsTest, AcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br, zstd"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000, br"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));  // the explicit entry wins over the wildcard
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.001"));
}

TEST(WebAssetsTest, IfNoneMatch) {
  EXPECT_TRUE(EtagMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("W/\"abc\"", "\"abc\""));  // If-None-Match compares weakly
  EXPECT_TRUE(EtagMatches(" * ", "\"abc\""));
  EXPECT_TRUE(EtagMatches("\"a,b\", \"abc\"", "\"abc\""));  // a comma inside a tag is not a separator
  EXPECT_FALSE(EtagMatches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(EtagMatches("abc", "\"abc\""));         // unquoted: malformed
  EXPECT_FALSE(EtagMatches("\"abc", "\"abc\""));       // unterminated
  EXPECT_FALSE(EtagMatches("", "\"abc\""));
}

TEST(WebAssetsTest, EmbeddedPageHasItsFiles) {
  WebAssets assets = WebAssets::Embedded();
  auto index = assets.Find("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->name, "index.html");
  EXPECT_NE(index->body.find("src=\"app.js\""), std::string::npos);
  ASSERT_NE(assets.Find("/app.js"), nullptr);
  ASSERT_NE(assets.Find("/style.css"), nullptr);
  EXPECT_EQ(assets.Find("/nope.js"), nullptr);
}

TEST(WebAssetsTest, DirectoryIsReadPerRequestAndCannotBeEscaped) {
  testing::TempDir dir;
  EXPECT_FALSE(WebAssets::FromDirectory(dir.path()).ok());  // no index.html
  dir.WriteFile("web/index.html", "<p>one</p>");
  dir.WriteFile("secret.txt", "token");
  auto assets = WebAssets::FromDirectory(dir.Join("web"));
  ASSERT_TRUE(assets.ok()) << assets.status().ToString();
  EXPECT_EQ(assets->Find("/")->body, "<p>one</p>");
  dir.WriteFile("web/index.html", "<p>two</p>");
  EXPECT_EQ(assets->Find("/index.html")->body, "<p>two</p>");
  EXPECT_EQ(assets->Find("/../secret.txt"), nullptr);
  EXPECT_EQ(assets->Find("/.hidden"), nullptr);
  EXPECT_EQ(assets->Find("/missing.css"), nullptr);
}

}  // namespace
}  // namespace buildfarm::scheduler
