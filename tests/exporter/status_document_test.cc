#include "exporter/status_document.h"

#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <nlohmann/json.hpp>

#include "common/file_reader.h"
#include "common/json_schema/json_schema.h"
#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

using nlohmann::json;

// The status schema from schemas/ (compiled into buildfarm::json_schema).
class StatusSchema {
 public:
  // Empty when valid; otherwise the violations, each with its JSON pointer.
  std::string Errors(const json& document) const {
    auto violations = json_schema::Validate("status", document);
    if (!violations.ok()) return violations.status().ToString();
    std::string errors;
    for (const auto& violation : *violations) errors += violation.pointer + ": " + violation.message + "; ";
    return errors;
  }
};

constexpr const char* kStat1 =
    "cpu  600 0 200 1000 200 0 0 0 0 0\n"
    "cpu0 300 0 100 500 100 0 0 0 0 0\n"
    "cpu1 300 0 100 500 100 0 0 0 0 0\n"
    "intr 1 2 3\nctxt 42\nbtime 1700000000\n";
// 100 more busy jiffies and 300 more idle: 25 % over the interval.
constexpr const char* kStat2 =
    "cpu  650 0 250 1300 200 0 0 0 0 0\n"
    "cpu0 325 0 125 650 100 0 0 0 0 0\n"
    "cpu1 325 0 125 650 100 0 0 0 0 0\n";
constexpr const char* kMeminfo =
    "MemTotal:       16777216 kB\nMemFree:         1048576 kB\nMemAvailable:    4194304 kB\nBuffers: 1 kB\n";

// A small host tree: 2 CPUs, 16 GiB of which 12 GiB used, sensors at 45.5 and 61 degrees.
struct HostTree {
  testing::TempDir dir;
  HostTree() {
    dir.WriteFile("proc/stat", kStat1);
    dir.WriteFile("proc/meminfo", kMeminfo);
    dir.WriteFile("sys/class/hwmon/hwmon0/temp1_input", "45500\n");
    dir.WriteFile("sys/class/hwmon/hwmon0/temp1_max", "99000\n");
    dir.WriteFile("sys/class/thermal/thermal_zone0/temp", "61000\n");
    dir.MakeDir("rootfs");
  }
  HostPaths paths() const { return HostPathsIn(dir); }
};

StatusIdentity Identity() { return {"build7", "build7.example", "10.1.2.3"}; }

const auto kNow = std::chrono::system_clock::from_time_t(1764201600);

json BuildJson(StatusDocumentBuilder& builder, std::optional<double> latency_ms = std::nullopt,
               std::chrono::system_clock::time_point now = kNow) {
  auto text = builder.Build(latency_ms, now);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return json::parse(text.ok() ? *text : "{}");
}

TEST(StatusDocument, FixtureDocumentValidatesAndCarriesTheFixtureValues) {
  HostTree host;
  StatusDocumentBuilder builder(host.paths(), Identity());
  json doc = BuildJson(builder, 1.25);
  StatusSchema schema;
  EXPECT_EQ(schema.Errors(doc), "") << doc.dump(2);
  EXPECT_EQ(doc["server_id"], "build7");
  EXPECT_EQ(doc["hostname"], "build7.example");
  EXPECT_EQ(doc["ip"], "10.1.2.3");
  EXPECT_EQ(doc["status"], "online");
  EXPECT_EQ(doc["timestamp"], "2025-11-27T00:00:00Z");
  // First sample: since boot, busy = 800 of 2000 jiffies.
  EXPECT_DOUBLE_EQ(doc["system"]["cpu_usage"].get<double>(), 40.0);
  EXPECT_DOUBLE_EQ(doc["system"]["memory_used_gb"].get<double>(), 12.0);
  EXPECT_DOUBLE_EQ(doc["system"]["network_latency_ms"].get<double>(), 1.25);
  EXPECT_DOUBLE_EQ(doc["system"]["temperature_celsius"].get<double>(), 61.0);
  EXPECT_EQ(doc["capabilities"]["cores"], 2);
  EXPECT_EQ(doc["capabilities"]["memory_gb"], 16);
  struct statvfs fs {};
  ASSERT_EQ(statvfs(host.dir.Join("rootfs").c_str(), &fs), 0);
  double free_gb = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize) / (1024.0 * 1024 * 1024);
  EXPECT_NEAR(doc["system"]["disk_free_gb"].get<double>(), free_gb, 0.01);
}

TEST(StatusDocument, CpuUsageCoversTheLastInterval) {
  HostTree host;
  StatusDocumentBuilder builder(host.paths(), Identity());
  (void)BuildJson(builder);
  host.dir.WriteFile("proc/stat", kStat2);
  json doc = BuildJson(builder, std::nullopt, kNow + std::chrono::seconds(10));
  EXPECT_DOUBLE_EQ(doc["system"]["cpu_usage"].get<double>(), 25.0);
}

// A request right after another measures from the last sample that is at least a second old, not
// from a few milliseconds of jiffy noise.
TEST(StatusDocument, CpuUsageIgnoresIntervalsShorterThanASecond) {
  HostTree host;
  StatusDocumentBuilder builder(host.paths(), Identity());
  (void)BuildJson(builder);  // since boot: 40 %
  host.dir.WriteFile("proc/stat", kStat2);
  json doc = BuildJson(builder, std::nullopt, kNow + std::chrono::milliseconds(5));
  EXPECT_DOUBLE_EQ(doc["system"]["cpu_usage"].get<double>(), 37.5);  // still since boot: 900 of 2400
  doc = BuildJson(builder, std::nullopt, kNow + std::chrono::seconds(2));
  EXPECT_DOUBLE_EQ(doc["system"]["cpu_usage"].get<double>(), 25.0);  // from the first sample
}

TEST(StatusDocument, OptionalFieldsAreOmittedWhenUnknown) {
  testing::TempDir dir;
  dir.WriteFile("proc/stat", "cpu 1 0 1 8 0 0 0 0\n");  // no cpuN lines: cores is still at least 1
  dir.WriteFile("proc/meminfo", "MemTotal: 102400 kB\nMemFree: 51200 kB\n");  // < 1 GiB, no MemAvailable
  dir.MakeDir("rootfs");
  StatusDocumentBuilder builder(HostPathsIn(dir), StatusIdentity{"code-2", "h", "::1"});
  json doc = BuildJson(builder);
  EXPECT_EQ(StatusSchema().Errors(doc), "") << doc.dump(2);
  EXPECT_FALSE(doc["system"].contains("network_latency_ms"));
  EXPECT_FALSE(doc["system"].contains("temperature_celsius"));
  EXPECT_EQ(doc["capabilities"]["cores"], 1);
  EXPECT_EQ(doc["capabilities"]["memory_gb"], 1);
  EXPECT_DOUBLE_EQ(doc["system"]["memory_used_gb"].get<double>(), 0.049);
}

TEST(StatusDocument, SchemaRejectsBrokenDocuments) {
  HostTree host;
  StatusDocumentBuilder builder(host.paths(), Identity());
  json good = BuildJson(builder);
  StatusSchema schema;
  ASSERT_EQ(schema.Errors(good), "");
  std::vector<std::pair<std::string, json>> broken;
  for (const char* field : {"server_id", "ip", "status", "timestamp"}) {
    json doc = good;
    doc.erase(field);
    broken.emplace_back(std::string("missing ") + field, doc);
  }
  json doc = good;
  doc["system"].erase("cpu_usage");
  broken.emplace_back("missing system.cpu_usage", doc);
  doc = good;
  doc["capabilities"].erase("memory_gb");
  broken.emplace_back("missing capabilities.memory_gb", doc);
  doc = good;
  doc["server_id"] = "Not_A_Label";
  broken.emplace_back("server_id not a DNS label", doc);
  doc = good;
  doc["ip"] = "999.1.1.1";
  broken.emplace_back("bad ip", doc);
  doc = good;
  doc["system"]["cpu_usage"] = 101;
  broken.emplace_back("cpu_usage above 100", doc);
  doc = good;
  doc["capabilities"]["cores"] = 0;
  broken.emplace_back("no cores", doc);
  doc = good;
  doc["timestamp"] = "yesterday";
  broken.emplace_back("bad timestamp", doc);
  for (const auto& [what, document] : broken) EXPECT_NE(schema.Errors(document), "") << what;
}

TEST(StatusDocument, BadInputIsAnErrorNamingTheFile) {
  HostTree host;
  host.dir.WriteFile("proc/stat", "garbage\n");
  StatusDocumentBuilder builder(host.paths(), Identity());
  auto text = builder.Build(std::nullopt);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("stat"), std::string::npos);
  host.dir.WriteFile("proc/stat", kStat1);
  host.dir.WriteFile("proc/meminfo", "MemTotal: lots\n");
  text = builder.Build(std::nullopt);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("meminfo"), std::string::npos);
}

TEST(ParseStatCpu, RejectsBadInput) {
  for (const char* bad : {"", "cpu\n", "cpu 1 2 x 4\n", "intr 1\n", "cpu 1 2 3\n",
                          "cpu 18446744073709551615 18446744073709551615 1 1\n"}) {
    EXPECT_FALSE(ParseStatCpu(bad).ok()) << "input: " << bad;
  }
}

TEST(MeanSuccessfulProbeMillis, AveragesOnlySuccessfulTargets) {
  Families families;
  auto& success = AddFamily(families, "buildfarm_probe_success", "", kGauge);
  AddSample(success, {{"target", "a"}, {"kind", "tcp"}}, 1);
  AddSample(success, {{"target", "b"}, {"kind", "tcp"}}, 0);
  AddSample(success, {{"target", "c"}, {"kind", "icmp"}}, 1);
  auto& last = AddFamily(families, "buildfarm_probe_last_duration_seconds", "", kGauge);
  AddSample(last, {{"target", "a"}, {"kind", "tcp"}}, 0.001);
  AddSample(last, {{"target", "b"}, {"kind", "tcp"}}, 2.0);
  AddSample(last, {{"target", "c"}, {"kind", "icmp"}}, 0.003);
  auto mean = MeanSuccessfulProbeMillis(families);
  ASSERT_TRUE(mean.has_value());
  EXPECT_NEAR(*mean, 2.0, 1e-9);
  EXPECT_FALSE(MeanSuccessfulProbeMillis({}).has_value());
}

}  // namespace
}  // namespace buildfarm::exporter
