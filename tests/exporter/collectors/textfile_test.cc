#include "exporter/collectors/textfile.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

Result<Families> CollectTextfiles(const std::string& directory) {
  CollectorSpec spec = MakeTextfileSpec();
  FlagSet flags("test", "");
  spec.add_flags(flags);
  EXPECT_TRUE(flags.Set("collector.textfile.directory", directory).ok());
  return CollectFrom(std::move(spec), FixturePaths());
}

double Mtime(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(stat(path.c_str(), &info), 0) << path;
  return static_cast<double>(info.st_mtim.tv_sec);
}

TEST(TextfileCollector, EmptyDirectoryFlagServesOnlyTheErrorGauge) {
  auto families = CollectFrom(MakeTextfileSpec(), FixturePaths());
  ASSERT_TRUE(families.ok());
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_textfile_scrape_error", {}), 0);
  EXPECT_EQ((*families)[0].help, "1 if there was an error opening or reading a file, 0 otherwise");
}

TEST(TextfileCollector, ServesTheFixtureFiles) {
  std::string directory = testing::SourcePath("tests/fixtures/textfile");
  auto families = CollectTextfiles(directory);
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_textfile_scrape_error", {}), 0);
  EXPECT_EQ(SampleValue(*families, "buildfarm_job_last_success_timestamp_seconds", {{"job", "nightly"}, {"pool", ""}}),
            1.7640288e+09);
  EXPECT_EQ(SampleValue(*families, "smart_reallocated_sectors", {{"device", "sdb"}}), 8);
  EXPECT_EQ(FindFamily(*families, "smart_reallocated_sectors")->help,
            "Metric read from " + directory + "/disk_health.prom");
  ASSERT_NE(FindFamily(*families, "buildfarm_job_duration_seconds"), nullptr);
  EXPECT_EQ(FindFamily(*families, "buildfarm_job_duration_seconds")->type, prometheus::MetricType::Histogram);
  for (const char* file : {"build_jobs.prom", "disk_health.prom"}) {
    std::string path = directory + "/" + file;
    EXPECT_EQ(SampleValue(*families, "node_textfile_mtime_seconds", {{"file", path}}), Mtime(path)) << file;
  }
  EXPECT_EQ(FindFamily(*families, "node_textfile_mtime_seconds")->metric.size(), 2u);  // README.txt is not read
}

TEST(TextfileCollector, BadAndConflictingFilesAreNotServed) {
  testing::TempDir dir;
  dir.WriteFile("a_good.prom", "# HELP shared Shared.\n# TYPE shared gauge\nshared{f=\"a\"} 1\n");
  dir.WriteFile("b_malformed.prom", "fine 1\nbroken{ 2\n");
  dir.WriteFile("c_conflict.prom", "# HELP shared Different.\n# TYPE shared gauge\nshared{f=\"c\"} 3\nonly_c 1\n");
  dir.WriteFile("d_duplicate.prom", "# HELP shared Shared.\n# TYPE shared gauge\nshared{f=\"a\"} 4\n");
  dir.WriteFile("e_timestamps.prom", "stamped 1 1700000000000\n");
  dir.WriteFile("f_also_good.prom", "# HELP shared Shared.\n# TYPE shared gauge\nshared{f=\"f\"} 6\n");
  auto families = CollectTextfiles(dir.path());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_textfile_scrape_error", {}), 1);
  EXPECT_EQ(FindFamily(*families, "shared")->metric.size(), 2u);
  EXPECT_EQ(SampleValue(*families, "shared", {{"f", "f"}}), 6);
  for (const char* absent : {"fine", "only_c", "stamped"}) EXPECT_EQ(FindFamily(*families, absent), nullptr) << absent;
  const auto* mtimes = FindFamily(*families, "node_textfile_mtime_seconds");
  ASSERT_NE(mtimes, nullptr);
  ASSERT_EQ(mtimes->metric.size(), 2u);  // only the files served
  EXPECT_EQ(mtimes->metric[0].label[0].value, dir.Join("a_good.prom"));
  EXPECT_EQ(mtimes->metric[1].label[0].value, dir.Join("f_also_good.prom"));
}

TEST(TextfileCollector, TheLogNamesTheFileAndTheLine) {
  testing::TempDir dir;
  dir.WriteFile("good.prom", "# HELP shared Shared.\nshared 1\n");
  dir.WriteFile("garbled.prom", "fine 1\n\nbroken{ 2\n");
  dir.WriteFile("other.prom", "# HELP shared Other.\nshared{x=\"1\"} 2\n");
  std::string log_path = dir.Join("exporter.log");
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  {
    Logger log(LogLevel::kInfo, fd);
    CollectorSpec spec = MakeTextfileSpec();
    FlagSet flags("test", "");
    spec.add_flags(flags);
    ASSERT_TRUE(flags.Set("collector.textfile.directory", dir.path()).ok());
    ExporterConfig config;
    HostPaths paths = FixturePaths();
    auto collector = spec.create(CollectorEnv{paths, config, log});
    ASSERT_TRUE(collector.ok());
    Families out;
    ASSERT_TRUE((*collector)->Collect(out).ok());  // a bad file never fails the collector
    EXPECT_EQ(SampleValue(out, "node_textfile_scrape_error", {}), 1);
  }
  close(fd);
  std::ifstream in(log_path);
  std::stringstream text;
  text << in.rdbuf();
  std::string logged = text.str();
  EXPECT_NE(logged.find("file=" + dir.Join("garbled.prom")), std::string::npos) << logged;
  EXPECT_NE(logged.find("line 3:"), std::string::npos) << logged;
  // other.prom sorts after good.prom, so it is the one refused, at its HELP line.
  EXPECT_NE(logged.find("file=" + dir.Join("other.prom")), std::string::npos) << logged;
  EXPECT_NE(logged.find("line 1: metric shared has another HELP text than in " + dir.Join("good.prom")),
            std::string::npos)
      << logged;
  EXPECT_EQ(logged.find("good.prom err"), std::string::npos) << logged;
}

TEST(TextfileCollector, AFileThatVanishesAfterListingIsSkipped) {
  testing::TempDir dir;
  dir.WriteFile("ok.prom", "ok 1\n");
  // Listed but gone when opened: what a file deleted between readdir and open looks like.
  dir.Symlink(dir.Join("deleted-target"), "vanished.prom");
  auto families = CollectTextfiles(dir.path());
  ASSERT_TRUE(families.ok());
  EXPECT_EQ(SampleValue(*families, "node_textfile_scrape_error", {}), 0);
  EXPECT_EQ(SampleValue(*families, "ok", {}), 1);
  EXPECT_EQ(FindFamily(*families, "node_textfile_mtime_seconds")->metric.size(), 1u);
}

TEST(TextfileCollector, MissingDirectoryAndHugeFileAreErrors) {
  auto missing = CollectTextfiles("/nonexistent/textfile/dir");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(SampleValue(*missing, "node_textfile_scrape_error", {}), 1);

  testing::TempDir dir;
  dir.WriteFile("huge.prom", std::string(9u << 20, '#'));
  auto huge = CollectTextfiles(dir.path());
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(SampleValue(*huge, "node_textfile_scrape_error", {}), 1);
}

TEST(TextfileCollector, DirectoryMayBeAGlob) {
  testing::TempDir dir;
  dir.WriteFile("one/a.prom", "from_one 1\n");
  dir.WriteFile("two/b.prom", "from_two 2\n");
  auto families = CollectTextfiles(dir.Join("*"));
  ASSERT_TRUE(families.ok());
  EXPECT_EQ(SampleValue(*families, "from_one", {}), 1);
  EXPECT_EQ(SampleValue(*families, "from_two", {}), 2);
}

}  // namespace
}  // namespace buildfarm::exporter
