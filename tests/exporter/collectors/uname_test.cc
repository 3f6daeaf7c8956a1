#include "exporter/collectors/uname.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(UnameCollector, LabelsComeFromTheInjectedCall) {
  UnameInfo info{"Linux", "6.1.0-27-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1", "x86_64", "build-07", "(none)"};
  auto families = CollectFrom(MakeUnameSpec([info] { return Result<UnameInfo>(info); }), FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  LabelMap labels{{"sysname", "Linux"},  {"release", "6.1.0-27-amd64"},
                  {"version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1"},
                  {"machine", "x86_64"}, {"nodename", "build-07"}, {"domainname", "(none)"}};
  EXPECT_EQ(SampleValue(*families, "node_uname_info", labels), 1);
  const auto* family = FindFamily(*families, "node_uname_info");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->help, "Labeled system information as provided by the uname system call.");
  EXPECT_EQ(family->type, prometheus::MetricType::Gauge);
  // Labels in name order, as the Go client writes them.
  ASSERT_EQ(family->metric.size(), 1u);
  std::vector<std::string> order;
  for (const auto& label : family->metric[0].label) order.push_back(label.name);
  EXPECT_EQ(order, (std::vector<std::string>{"domainname", "machine", "nodename", "release", "sysname", "version"}));
}

TEST(UnameCollector, AFailingCallFailsTheCollector) {
  auto families = CollectFrom(MakeUnameSpec([] { return Result<UnameInfo>(IoError("uname: boom")); }), FixturePaths());
  ASSERT_FALSE(families.ok());
  EXPECT_EQ(families.status().code(), StatusCode::kIoError);
}

TEST(UnameCollector, TheRealCallDescribesThisHost) {
  auto info = SystemUname();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->sysname, "Linux");
  EXPECT_FALSE(info->release.empty());
  EXPECT_FALSE(info->machine.empty());
}

}  // namespace
}  // namespace buildfarm::exporter
