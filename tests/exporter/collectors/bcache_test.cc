#include "exporter/collectors/bcache.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseBcacheValue, ReadsBchHprintSizesLikeNodeExporter) {
  struct Case {
    std::string_view text;
    std::uint64_t want;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"83", 83},
           {"0", 0},
           {"13.5k", 13812},            // (13 + 5/10.24) * 1024, truncated
           {"412.3M", 432320512},
           {"2.9G", 3091202048u},
           {"1.10k", 2024},             // ".10" is ten 1024ths/10.24, as procfs reads it
           {"12x", 0},                  // an unknown suffix multiplies by zero
           {"1.2.3k", 1224},            // parts after a second dot are ignored
           {"-5", 0},                   // Go's uint64 of a negative float; saturated here
           {"1e3", 1000}}) {
    auto value = ParseBcacheValue(c.text);
    ASSERT_TRUE(value.ok()) << c.text << ": " << value.status().ToString();
    EXPECT_EQ(*value, c.want) << c.text;
  }
  auto negative = ParseBcacheSignedValue("-22.4M");
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(*negative, -23478272);
}

TEST(ParseBcacheValue, RejectsWhatNodeExporterRejects) {
  ExpectParseErrors(&ParseBcacheValue, {
                                           {"empty", ""},
                                           {"suffix only", "k"},
                                           {"garbled", "1a2"},
                                           {"garbled fraction", "1.xk"},
                                           {"spaces", "1 2"},
                                           {"huge", std::string(1 << 20, '9') + "x1"},
                                       });
}

TEST(ParseBcacheWritebackRateDebug, ReadsEveryRow) {
  auto rate = ParseBcacheWritebackRateDebug(
      "rate:\t\t1.1M/sec\ndirty:\t\t412.3M\ntarget:\t\t5.9G\nproportional:\t-22.4M\nintegral:\t-81.1k\n"
      "change:\t\t-1.4M/sec\nnext io:\t-1023ms\n");
  ASSERT_TRUE(rate.ok()) << rate.status().ToString();
  EXPECT_EQ(rate->rate, 1150976);
  EXPECT_EQ(rate->target, 6312427520);
  EXPECT_EQ(rate->proportional, -23478272);
  EXPECT_EQ(rate->integral, -83044);
  EXPECT_EQ(rate->change, -1458176);
  EXPECT_EQ(rate->next_io_ms, -1023);
  auto partial = ParseBcacheWritebackRateDebug("target: 12\nunknown: row\n\n");  // truncated: the rest is 0
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->target, 12);
  EXPECT_EQ(partial->rate, 0);
  ExpectParseErrors(&ParseBcacheWritebackRateDebug, {
                                                        {"garbled rate", "rate: fast/sec\n"},
                                                        {"garbled next io", "next io: soon\n"},
                                                        {"huge", "dirty: " + std::string(1 << 20, '.') + "\n"},
                                                    });
}

TEST(ParseBcachePriorityStats, ReadsUnusedAndMetadata) {
  auto stats = ParseBcachePriorityStats("Unused:\t\t79%\nClean:\t\t12%\nMetadata:\t3%\nQuantiles:\t[1 2]\n");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->unused_percent, 79u);
  EXPECT_EQ(stats->metadata_percent, 3u);
  ExpectParseErrors(&ParseBcachePriorityStats, {{"garbled", "Unused: many%\n"}, {"negative", "Metadata: -1%\n"}});
}

const std::string kUuid = "5a1c9e7b-3d2f-4a6e-b8c0-1f2e3d4c5b6a";

TEST(BcacheCollector, ExportsTheFixtureCacheSet) {
  auto families = CollectFromFixtures(MakeBcacheSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_bcache_average_key_size_sectors", {{"uuid", kUuid}}), 13812);
  EXPECT_DOUBLE_EQ(SampleValue(f, "node_bcache_btree_read_average_duration_seconds", {{"uuid", kUuid}}), 1304e-9);
  LabelMap bdev = {{"backing_device", "bdev0"}, {"uuid", kUuid}};
  EXPECT_EQ(SampleValue(f, "node_bcache_cache_hits_total", bdev), 1400000);  // the device's stats_total, not the set's
  EXPECT_EQ(SampleValue(f, "node_bcache_dirty_target_bytes", bdev), 6312427520.0);
  EXPECT_EQ(SampleValue(f, "node_bcache_writeback_change", bdev), -1458176);
  EXPECT_EQ(SampleValue(f, "node_bcache_written_bytes_total", {{"cache_device", "cache0"}, {"uuid", kUuid}}),
            94594138112.0);
  EXPECT_EQ(FindFamily(f, "node_bcache_priority_stats_unused_percent"), nullptr);  // off by default
}

TEST(BcacheCollector, PriorityStatsFlagAddsThePercentages) {
  auto families =
      CollectFrom(SpecWithFlags(MakeBcacheSpec(), {"--collector.bcache.priorityStats"}), FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  LabelMap cache = {{"cache_device", "cache0"}, {"uuid", kUuid}};
  EXPECT_EQ(SampleValue(*families, "node_bcache_priority_stats_unused_percent", cache), 79);
  EXPECT_EQ(SampleValue(*families, "node_bcache_priority_stats_metadata_percent", cache), 0);
}

void WriteMinimalSet(const testing::TempDir& dir, const std::string& set) {
  for (std::string file : {"average_key_size", "btree_cache_size", "cache_available_percent", "congested",
                           "root_usage_percent", "tree_depth", "internal/active_journal_entries",
                           "internal/btree_nodes", "internal/btree_read_average_duration_us",
                           "internal/cache_read_races"}) {
    dir.WriteFile(set + file, "1\n");
  }
  for (std::string period : {"stats_five_minute/", "stats_total/"}) {
    for (std::string file : {"bypassed", "cache_bypass_hits", "cache_bypass_misses", "cache_hits",
                             "cache_miss_collisions", "cache_misses", "cache_readaheads"}) {
      dir.WriteFile(set + period + file, "2\n");
    }
  }
}

TEST(BcacheCollector, ACacheSetStoppedAfterTheListingIsSkipped) {
  testing::TempDir dir;
  WriteMinimalSet(dir, "sys/fs/bcache/" + kUuid + "/");
  dir.Symlink(dir.Join("gone"), "sys/fs/bcache/00000000-1111-2222-3333-444444444444");
  dir.WriteFile("sys/fs/bcache/register", "");  // not a cache set
  auto families = CollectFrom(MakeBcacheSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(FindFamily(*families, "node_bcache_tree_depth")->metric.size(), 1u);
  // Without backing or cache devices their families are left out, as node_exporter serves none.
  EXPECT_EQ(FindFamily(*families, "node_bcache_dirty_data_bytes"), nullptr);
  EXPECT_EQ(FindFamily(*families, "node_bcache_io_errors"), nullptr);
}

TEST(BcacheCollector, NoBcacheIsNoDataAndMissingOrGarbledFilesAreErrors) {
  ExpectNotFoundOnEmptyHost(MakeBcacheSpec());
  testing::TempDir dir;
  const std::string set = "sys/fs/bcache/" + kUuid + "/";
  WriteMinimalSet(dir, set);
  dir.MakeDir(set + "bdev0");  // no dirty_data, no writeback_rate_debug
  auto missing = CollectFrom(MakeBcacheSpec(), HostPathsIn(dir));
  ASSERT_FALSE(missing.ok());
  WriteMinimalSet(dir, set);
  dir.WriteFile(set + "bdev0/dirty_data", "");  // an empty file
  EXPECT_FALSE(CollectFrom(MakeBcacheSpec(), HostPathsIn(dir)).ok());
  testing::TempDir garbled;
  WriteMinimalSet(garbled, set);
  garbled.WriteFile(set + "tree_depth", "deep\n");
  auto result = CollectFrom(MakeBcacheSpec(), HostPathsIn(garbled));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kParseError);
}

}  // namespace
}  // namespace buildfarm::exporter
