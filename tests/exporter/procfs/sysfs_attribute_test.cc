#include "exporter/procfs/sysfs_attribute.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "exporter/procfs/device_regex_filter.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseGoInt64, FollowsGoBaseZeroSyntax) {
  const std::pair<const char*, std::int64_t> good[] = {{"0", 0},
                                                       {"1500", 1500},
                                                       {"-1", -1},
                                                       {"+5", 5},
                                                       {"0x1003", 4099},
                                                       {"0X1f", 31},
                                                       {"010", 8},
                                                       {"0o17", 15},
                                                       {"0b101", 5},
                                                       {"1_000", 1000},
                                                       {"0x_1f", 31},
                                                       {"-0x10", -16},
                                                       {"9223372036854775807", INT64_MAX},
                                                       {"-9223372036854775808", INT64_MIN}};
  for (const auto& [text, want] : good) {
    auto value = ParseGoInt64(text);
    ASSERT_TRUE(value.has_value()) << text;
    EXPECT_EQ(*value, want) << text;
  }
  for (const char* bad : {"", "+", "-", "abc", "1e3", "0x", "08", "1__0", "_1", "1_", "0_", "1.5", " 1", "+-1",
                          "9223372036854775808", "99999999999999999999", "0x10000000000000000", "12 34"}) {
    EXPECT_FALSE(ParseGoInt64(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseGoInt64(std::string(1 << 16, '7')).has_value());
}

TEST(ParseGoUint64, FollowsGoBaseZeroUnsignedSyntax) {
  // procfs's ValueParser.PUInt64 (fibrechannel, infiniband and tape counters) is ParseUint(s, 0, 64).
  const std::pair<const char*, std::uint64_t> ok[] = {
      {"0", 0}, {"42", 42}, {"0x1f", 31}, {"0X1F", 31}, {"010", 8}, {"0o10", 8}, {"0b101", 5}, {"1_000", 1000},
      {"0xffffffffffffffff", UINT64_MAX}, {"18446744073709551615", UINT64_MAX}};
  for (const auto& [text, want] : ok) EXPECT_EQ(ParseGoUint64(text), want) << text;
  for (const char* bad : {"", "-1", "+1", "0x", "08", "1__0", "_1", "1_", "18446744073709551616", "0x1g", " 1", "1.0"}) {
    EXPECT_EQ(ParseGoUint64(bad), std::nullopt) << bad;
  }
}

TEST(ParseSysfsUint64, AcceptsPlainDecimalOnly) {
  const std::pair<const char*, std::uint64_t> good[] = {
      {"4600000\n", 4600000}, {" 42 ", 42}, {"0", 0}, {"18446744073709551615", UINT64_MAX}};
  for (const auto& [text, want] : good) {
    auto value = ParseSysfsUint64(text);
    ASSERT_TRUE(value.ok()) << text;
    EXPECT_EQ(*value, want);
  }
  for (const char* bad : {"", "\n", "+7", "-1", "0x10", "1.5", "1 2", "abc", "18446744073709551616", "<unsupported>"}) {
    EXPECT_FALSE(ParseSysfsUint64(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseSysfsUint64(std::string(1 << 20, '9')).ok());
}

TEST(ReadSysfsAttribute, ReadsAtMost128BytesTrimmedAndKeepsErrno) {
  testing::TempDir dir;
  std::string long_value = dir.WriteFile("long", "  " + std::string(300, 'x'));
  EXPECT_EQ(ReadSysfsAttribute(long_value).value, std::string(126, 'x'));  // 128 bytes read, then trimmed
  EXPECT_EQ(ReadSysfsAttribute(dir.WriteFile("padded", " up \n")).value, "up");
  SysfsAttribute missing = ReadSysfsAttribute(dir.Join("missing"));
  EXPECT_EQ(missing.error, ENOENT);
  EXPECT_TRUE(IsAbsentAttributeError(missing.error));
  SysfsAttribute directory = ReadSysfsAttribute(dir.MakeDir("subdir"));
  EXPECT_EQ(directory.error, EISDIR);
  EXPECT_FALSE(IsAbsentAttributeError(directory.error));
  EXPECT_EQ(ReadWholeSysfsFile(long_value).value, std::string(300, 'x'));
  EXPECT_EQ(ReadWholeSysfsFile(long_value, 100).error, EFBIG);
}

TEST(ReadRegularAttributes, ReadsOnlyWantedRegularFiles) {
  testing::TempDir dir;
  dir.WriteFile("dev/mtu", "1500\n");
  dir.WriteFile("dev/uevent", "IFINDEX=2\n");
  dir.WriteFile("target", "77\n");
  dir.Symlink(dir.Join("target"), "dev/speed");  // symlinked attributes are skipped, as procfs does
  dir.MakeDir("dev/queues");
  auto attributes = ReadRegularAttributes(dir.Join("dev"), [](std::string_view name) { return name != "uevent"; });
  ASSERT_TRUE(attributes.ok()) << attributes.status().ToString();
  EXPECT_EQ(*attributes, (SysfsAttributes{{"mtu", "1500"}}));
  auto gone = ReadRegularAttributes(dir.Join("gone"), [](std::string_view) { return true; });
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
}

TEST(GoUnderscoresOk, FollowsGoLiteralRules) {
  for (const char* ok : {"1_000", "0x_1f", "-1_0", "0b1_0", "1_0.5", "12"}) EXPECT_TRUE(GoUnderscoresOk(ok)) << ok;
  for (const char* bad : {"_1", "1_", "1__0", "0_", "1_.5", "1._5"}) EXPECT_FALSE(GoUnderscoresOk(bad)) << bad;
}

TEST(DeviceRegexFilter, CreateIgnoringNamesItsFlag) {
  auto filter = DeviceRegexFilter::CreateIgnoring("collector.netclass.ignored-devices", "^(lo|veth)");
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE((*filter)->Ignored("lo"));
  EXPECT_TRUE((*filter)->Ignored("veth12"));
  EXPECT_FALSE((*filter)->Ignored("eth0"));
  auto empty = DeviceRegexFilter::CreateIgnoring("collector.x", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE((*empty)->Ignored(""));
  auto bad = DeviceRegexFilter::CreateIgnoring("collector.netclass.ignored-devices", "((");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--collector.netclass.ignored-devices:"), std::string::npos)
      << bad.status().message();
}

TEST(ParseGoUint, FollowsGoParseUintForABaseAndWidth) {
  struct Case {
    const char* text;
    int base, bits;
    std::optional<std::uint64_t> want;
  };
  const Case cases[] = {
      {"0", 10, 64, 0},
      {"18446744073709551615", 10, 64, 18446744073709551615u},
      {"18446744073709551616", 10, 64, std::nullopt},  // overflow
      {"4294967295", 10, 32, 4294967295u},
      {"4294967296", 10, 32, std::nullopt},
      {"ffff", 16, 16, 0xffff},
      {"1FFFF", 16, 16, std::nullopt},
      {"FFFFFFFFFFFFFFFF", 16, 64, 18446744073709551615u},
      {"", 10, 64, std::nullopt},
      {"+1", 10, 64, std::nullopt},
      {"-1", 10, 64, std::nullopt},
      {"0x10", 16, 64, std::nullopt},  // no prefixes
      {"1_000", 10, 64, std::nullopt},
      {"12a", 10, 64, std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseGoUint(c.text, c.base, c.bits), c.want) << c.text << " base " << c.base;
}

}  // namespace
}  // namespace buildfarm::exporter
