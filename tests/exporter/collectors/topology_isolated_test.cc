// The topology discovery child: its record format (round trip, errors, truncated and garbled records)
// and a discovery run in a child process.
#include "exporter/collectors/topology_isolated.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace buildfarm::exporter {
namespace {

NodeTopology Sample() {
  NodeTopology t;
  t.source = "hwloc";
  t.cpu_model = "Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz";
  t.packages = 2;
  t.cores = 16;
  t.processing_units = 32;
  t.numa_nodes = 2;
  t.memory_bytes = 68719476736ull;
  t.caches = {{1, "data", 32768, 16}, {1, "instruction", 32768, 16}, {3, "unified", 11534336, 2}};
  return t;
}

void ExpectSame(const NodeTopology& a, const NodeTopology& b) {
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.cpu_model, b.cpu_model);
  EXPECT_EQ(a.packages, b.packages);
  EXPECT_EQ(a.cores, b.cores);
  EXPECT_EQ(a.processing_units, b.processing_units);
  EXPECT_EQ(a.numa_nodes, b.numa_nodes);
  EXPECT_EQ(a.memory_bytes, b.memory_bytes);
  ASSERT_EQ(a.caches.size(), b.caches.size());
  for (std::size_t i = 0; i < a.caches.size(); ++i) {
    EXPECT_EQ(a.caches[i].level, b.caches[i].level);
    EXPECT_EQ(a.caches[i].type, b.caches[i].type);
    EXPECT_EQ(a.caches[i].size_bytes, b.caches[i].size_bytes);
    EXPECT_EQ(a.caches[i].count, b.caches[i].count);
  }
}

TEST(TopologyRecord, RoundTrips) {
  for (NodeTopology t : {Sample(), NodeTopology{"procfs", "", 1, 1, 1, 1, 0, {}}}) {
    auto decoded = DecodeTopology(EncodeTopology(t));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ExpectSame(*decoded, t);
  }
  // A model with odd characters survives: it is the rest of the record.
  NodeTopology odd = Sample();
  odd.cpu_model = "cache 1 data 2 3\nsource x";
  auto decoded = DecodeTopology(EncodeTopology(odd));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->cpu_model, odd.cpu_model);
}

TEST(TopologyRecord, CarriesTheChildsError) {
  auto decoded = DecodeTopology(EncodeTopology(Result<NodeTopology>(Unavailable("hwloc: no processing units found"))));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(decoded.status().message(), "hwloc: no processing units found");
}

TEST(TopologyRecord, RejectsTruncatedAndGarbledRecords) {
  const std::string whole = EncodeTopology(Sample());
  // Every cut before cpu_model's value starts loses a field or the model line.
  for (std::size_t cut = 0; cut < whole.find("cpu_model ") + 10; ++cut) {
    EXPECT_FALSE(DecodeTopology(whole.substr(0, cut)).ok()) << "cut at " << cut;
  }
  for (const std::string& bad :
       {std::string("garbage"), std::string("ok\nsource hwloc\npackages two\ncpu_model x"),
        std::string("ok\nsource hwloc\ncache 1 data\ncpu_model x"), std::string("ok\nwhat 1\ncpu_model x"),
        std::string("ok\npackages 1\ncpu_model x"), std::string("ok\nsource hwloc\npackages -1\ncpu_model x"),
        std::string("ok\nsource hwloc\nmemory_bytes 99999999999999999999999\ncpu_model x"),
        "ok\nsource hwloc\n" + std::string(100000, 'x') + "\ncpu_model x"}) {
    EXPECT_FALSE(DecodeTopology(bad).ok()) << bad.substr(0, 60);
  }
}

TEST(DiscoverInChild, RunsTheDiscoveryInAnotherProcess) {
  const pid_t parent = getpid();
  auto result = DiscoverInChild([parent]() -> Result<NodeTopology> {
    NodeTopology t = Sample();
    t.cpu_model = getpid() == parent ? "in process" : "in a child";
    return t;
  });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->cpu_model, "in a child");
  EXPECT_EQ(result->cores, 16u);

  auto failed = DiscoverInChild([]() -> Result<NodeTopology> { return Unavailable("no topology"); });
  EXPECT_EQ(failed.status().message(), "no topology");

  auto died = DiscoverInChild([]() -> Result<NodeTopology> { _exit(3); });
  EXPECT_FALSE(died.ok());
}

}  // namespace
}  // namespace buildfarm::exporter
