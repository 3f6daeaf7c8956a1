#include "exporter/collectors/nfsd.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

std::string Seq(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += (out.empty() ? "" : " ") + std::to_string(i);
  return out;
}

TEST(ParseNfsdStats, ReadsTheFixture) {
  auto text = ReadFileCapped(testing::SourcePath("tests/fixtures/proc/net/rpc/nfsd"));
  ASSERT_TRUE(text.ok());
  auto stats = ParseNfsdStats(*text);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->reply_cache[2], 18622u);
  EXPECT_EQ(stats->io[0], 157286400u);
  EXPECT_EQ(stats->threads[0], 8u);
  EXPECT_EQ(stats->read_ahead[0], 32u);
  EXPECT_EQ(stats->rpc[0], 18628u);
  EXPECT_EQ(stats->v4[1], 10853u);
  EXPECT_EQ(stats->v4_ops[3], 1098u);  // ACCESS is operation 3
}

TEST(ParseNfsdStats, AcceptsWhatNodeExporterAccepts) {
  const std::pair<const char*, std::string> cases[] = {
      {"empty file", ""},
      {"th with its float histogram", "th 8 0 0.000 1.250 0.000\n"},
      {"th with garbage after two values", "th 8 0 x y\n"},
      {"proc4ops of 2.6 kernels", "proc4ops 39 " + Seq(1, 39) + "\n"},
      {"proc4ops of newer kernels", "proc4ops 80 " + Seq(1, 80) + "\n"},
      {"proc2 with a procedure more", "proc2 19 " + Seq(1, 19) + "\n"},
      {"tab separated", "io\t1\t2\n"},
      {"CRLF", "rc 1 2 3\r\n"},
  };
  for (const auto& [name, text] : cases) {
    auto stats = ParseNfsdStats(text);
    EXPECT_TRUE(stats.ok()) << name << ": " << stats.status().ToString();
  }
  auto ops = ParseNfsdStats("proc4ops 80 " + Seq(1, 80) + "\n");
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(ops->v4_ops[37], 38u);  // RELEASE_LOCKOWNER; operations past 38 are ignored
}

TEST(ParseNfsdStats, RejectsWhatNodeExporterRejects) {
  ExpectParseErrors(ParseNfsdStats, {
                                        {"th with one value", "th 8\n"},
                                        {"th with a garbled count", "th x 0\n"},
                                        {"ra with 13 values", "ra 32 0 0 0 0 0 0 0 0 0 0 0 0\n"},
                                        {"truncated rc", "rc 1 2\n"},
                                        {"fh with 4 values", "fh 0 0 0 0\n"},
                                        {"proc4 with 3 values", "proc4 3 1 2 3\n"},
                                        {"proc4 with 1 value", "proc4 1 1\n"},
                                        {"proc4ops of 38", "proc4ops 38 " + Seq(1, 38) + "\n"},
                                        {"proc4ops count not matching", "proc4ops 40 " + Seq(1, 39) + "\n"},
                                        {"proc2 too short", "proc2 17 " + Seq(1, 17) + "\n"},
                                        {"proc3 too short", "proc3 21 " + Seq(1, 21) + "\n"},
                                        {"key of newer kernels", "rc 0 6 18622\nwdeleg_getattr 0\n"},
                                        {"client-only line", "proc4 61 " + Seq(1, 61) + "\n"},
                                        {"blank line", "rc 1 2 3\n\n"},
                                        {"negative", "rpc 1 2 3 4 -5\n"},
                                        {"line of 65536 bytes", "rc 1 2 3" + std::string(65528, ' ') + "\n"},
                                        {"binary", std::string("rc \0\xff\x01\n", 7)},
                                    });
}

TEST(NfsdCollector, ExportsTheFixtureAsNodeExporter) {
  auto families = CollectFromFixtures(MakeNfsdSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_nfsd_reply_cache_nocache_total", {}), 18622);
  EXPECT_EQ(SampleValue(*families, "node_nfsd_disk_bytes_read_total", {}), 157286400);
  EXPECT_EQ(SampleValue(*families, "node_nfsd_server_threads", {}), 8);
  EXPECT_EQ(SampleValue(*families, "node_nfsd_packets_total", {{"proto", "tcp"}}), 18628);
  EXPECT_EQ(SampleValue(*families, "node_nfsd_rpc_errors_total", {{"error", "cInt"}}), 0);
  EXPECT_EQ(SampleValue(*families, "node_nfsd_requests_total", {{"proto", "4"}, {"method", "PutFH"}}), 9609);
  EXPECT_EQ(SampleValue(*families, "node_nfsd_requests_total", {{"proto", "4"}, {"method", "Verify"}}), 3);
  EXPECT_EQ(SampleValue(*families, "node_nfsd_requests_total", {{"proto", "3"}, {"method", "ReadDirPlus"}}), 216);
  // The Null procedures are not served; 17 + 21 + 33 methods.
  EXPECT_EQ(FindSample(*families, "node_nfsd_requests_total", {{"proto", "3"}, {"method", "Null"}}), nullptr);
  EXPECT_EQ(FindFamily(*families, "node_nfsd_requests_total")->metric.size(), 71u);
}

TEST(NfsdCollector, MissingFileIsNoData) { ExpectNotFoundOnEmptyHost(MakeNfsdSpec()); }

}  // namespace
}  // namespace buildfarm::exporter
