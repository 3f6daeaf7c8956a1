#include "exporter/collectors/filefd.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseFileNr, ReadsAllocatedAndMaximum) {
  struct Case {
    const char* text;
    double allocated;
    double maximum;
  };
  for (const Case& c : std::vector<Case>{{"2032\t0\t2466116\n", 2032, 2466116},
                                         {"1 0 9223372036854775807", 1, 9223372036854775807.0},
                                         {"  5   3   7  \n", 5, 7}}) {
    auto file_nr = ParseFileNr(c.text);
    ASSERT_TRUE(file_nr.ok()) << c.text << ": " << file_nr.status().ToString();
    EXPECT_DOUBLE_EQ(file_nr->allocated, c.allocated);
    EXPECT_DOUBLE_EQ(file_nr->maximum, c.maximum);
  }
}

TEST(ParseFileNr, RejectsTruncatedGarbledAndHugeInput) {
  std::string huge(1 << 20, '7');
  for (const std::string& bad : {std::string(""), std::string("2032\t0"), std::string("2032 0 x"),
                                 std::string("-1 0 5"), std::string("1 2 3 4"), huge + " 0 1",
                                 std::string("99999999999999999999999 0 1")}) {
    EXPECT_FALSE(ParseFileNr(bad).ok()) << bad.substr(0, 40);
  }
}

TEST(FilefdCollector, ExportsFixtureValues) {
  auto families = CollectFromFixtures(MakeFilefdSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_filefd_allocated", {}), 4128);
  EXPECT_EQ(SampleValue(*families, "node_filefd_maximum", {}), 9223372036854775807.0);
  EXPECT_EQ(FindFamily(*families, "node_filefd_allocated")->help, "File descriptor statistics: allocated.");
}

TEST(FilefdCollector, MissingAndGarbledFiles) {
  testing::TempDir empty;
  empty.MakeDir("proc");
  auto missing = CollectFrom(MakeFilefdSpec(), HostPathsIn(empty));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  testing::TempDir garbled;
  garbled.WriteFile("proc/sys/fs/file-nr", "not numbers\n");
  EXPECT_FALSE(CollectFrom(MakeFilefdSpec(), HostPathsIn(garbled)).ok());
}

}  // namespace
}  // namespace buildfarm::exporter
