#include "exporter/collectors/nfs.h"

#include <gtest/gtest.h>

#include "exporter/collectors/nfs_rpc_lines.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

std::string Seq(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += (out.empty() ? "" : " ") + std::to_string(i);
  return out;
}

TEST(ParseNfsClientStats, ReadsEveryLine) {
  auto stats = ParseNfsClientStats("net 18628 0 18628 6\nrpc 4329785 0 4338291\nproc2 18 " + Seq(1, 18) +
                                   "\nproc3 22 " + Seq(1, 22) + "\nproc4 59 " + Seq(1, 59) + "\n");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->network[2], 18628u);
  EXPECT_EQ(stats->network[3], 6u);
  EXPECT_EQ(stats->rpc[2], 4338291u);
  EXPECT_EQ(stats->v2[17], 18u);
  EXPECT_EQ(stats->v3[21], 22u);
  EXPECT_EQ(stats->v4[58], 59u);
}

TEST(ParseNfsClientStats, AcceptsWhatNodeExporterAccepts) {
  struct Case {
    const char* name;
    std::string text;
  };
  const Case cases[] = {
      {"empty file", ""},
      {"no trailing newline", "rpc 1 2 3"},
      {"CRLF line ends", "net 1 2 3 4\r\nrpc 5 6 7\r\n"},
      {"tabs, vertical tab and form feed", "rpc\t1\v2\f3\n"},
      {"no-break space separates words", "rpc 1\u00a02 3\n"},
      {"proc2 with a procedure more", "proc2 19 " + Seq(1, 19) + "\n"},
      {"proc3 with a procedure more", "proc3 23 " + Seq(1, 23) + "\n"},
      {"proc4 of an older kernel", "proc4 48 " + Seq(1, 48) + "\n"},
      {"proc4 of a newer kernel", "proc4 70 " + Seq(1, 70) + "\n"},
      {"proc4 without procedures", "proc4 0\n"},
      {"largest uint64", "rpc 18446744073709551615 2 3\n"},
      {"repeated line: the last wins", "rpc 1 2 3\nrpc 4 5 6\n"},
      {"line of 65535 bytes", "rpc 1 2 3" + std::string(65526, ' ') + "\n"},
  };
  for (const Case& c : cases) {
    auto stats = ParseNfsClientStats(c.text);
    EXPECT_TRUE(stats.ok()) << c.name << ": " << stats.status().ToString();
  }
  auto older = ParseNfsClientStats("proc4 48 " + Seq(1, 48) + "\n");
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->v4[47], 48u);
  EXPECT_EQ(older->v4[48], 0u);  // padded
  auto repeated = ParseNfsClientStats("rpc 1 2 3\nrpc 4 5 6\n");
  ASSERT_TRUE(repeated.ok());
  EXPECT_EQ(repeated->rpc[0], 4u);
}

TEST(ParseNfsClientStats, RejectsWhatNodeExporterRejects) {
  ExpectParseErrors(ParseNfsClientStats,
                    {
                        {"blank line", "rpc 1 2 3\n\n"},
                        {"key without values", "rpc\n"},
                        {"server key in the client file", "rc 1 2 3\n"},
                        {"truncated net line", "net 1 2 3\n"},
                        {"net line with a value more", "net 1 2 3 4 5\n"},
                        {"truncated rpc line", "rpc 1 2"},
                        {"proc2 with too few procedures", "proc2 17 " + Seq(1, 17) + "\n"},
                        {"proc2 count not matching", "proc2 18 " + Seq(1, 17) + "\n"},
                        {"proc3 with too few procedures", "proc3 21 " + Seq(1, 21) + "\n"},
                        {"proc4 count not matching", "proc4 3 1 2\n"},
                        {"huge count", "proc4 18446744073709551615 1\n"},
                        {"negative", "rpc 1 2 -3\n"},
                        {"plus sign", "rpc 1 2 +3\n"},
                        {"hex", "rpc 1 2 0x3\n"},
                        {"float", "rpc 1 2 3.0\n"},
                        {"overflow", "rpc 1 2 18446744073709551616\n"},
                        {"NUL byte", std::string("rpc 1 2 3\0\n", 11)},
                        {"binary garbage", "\xff\xfe\x01\x02 \x03\n"},
                        {"line of 65536 bytes", "rpc 1 2 3" + std::string(65527, ' ') + "\n"},
                        {"huge line of digits", "rpc " + std::string(1 << 20, '7') + "\n"},
                    });
}

TEST(SplitRpcStatLines, HugeFilesOfValidLinesStayLinear) {
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "rpc 1 2 3\n";
  auto lines = SplitRpcStatLines(many, "NFS");
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->size(), 100000u);
  EXPECT_TRUE(ParseNfsClientStats(many).ok());
}

TEST(NfsCollector, ExportsTheFixture) {
  auto families = CollectFromFixtures(MakeNfsSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_nfs_packets_total", {{"protocol", "tcp"}}), 18628);
  EXPECT_EQ(SampleValue(*families, "node_nfs_connections_total", {}), 6);
  EXPECT_EQ(SampleValue(*families, "node_nfs_rpcs_total", {}), 4329785);
  EXPECT_EQ(SampleValue(*families, "node_nfs_rpc_authentication_refreshes_total", {}), 4338291);
  EXPECT_EQ(SampleValue(*families, "node_nfs_requests_total", {{"proto", "3"}, {"method", "GetAttr"}}), 4084749);
  EXPECT_EQ(SampleValue(*families, "node_nfs_requests_total", {{"proto", "4"}, {"method", "Sequence"}}), 41);
  // node_exporter 1.5 (procfs 0.8) has LAYOUTGET before GETDEVICEINFO, as the kernel does.
  EXPECT_EQ(SampleValue(*families, "node_nfs_requests_total", {{"proto", "4"}, {"method", "GetDeviceInfo"}}), 0);
  EXPECT_EQ(FindFamily(*families, "node_nfs_requests_total")->metric.size(), 18u + 22u + 59u);
}

TEST(NfsCollector, MissingFileIsNoDataAndGarbageFailsTheScrape) {
  ExpectNotFoundOnEmptyHost(MakeNfsSpec());
  testing::TempDir dir;
  dir.WriteFile("proc/net/rpc/nfs", "rpc 1 2 x\n");
  auto families = CollectFrom(MakeNfsSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_EQ(families.status().code(), StatusCode::kParseError);
  EXPECT_NE(families.status().ToString().find("\"x\""), std::string::npos) << families.status().ToString();
}

}  // namespace
}  // namespace buildfarm::exporter
