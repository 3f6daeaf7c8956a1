// Test helpers shared by the /proc collector tests (SpecWithFlags is in collector_test_util.h): the table check that every bad
// input is a parse error, and the check that an empty host tree is "no data". One test thread;
// nothing is shared.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "common/flags.h"
#include "exporter/collector_spec.h"
#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {

using BadInputs = std::vector<std::pair<const char*, std::string>>;  // {case name, text}

// Every input must fail `parse` with a kParseError.
template <typename Parse>
void ExpectParseErrors(Parse parse, const BadInputs& cases) {
  for (const auto& [name, text] : cases) {
    auto result = parse(text);
    EXPECT_FALSE(result.ok()) << name;
    if (!result.ok()) EXPECT_EQ(result.status().code(), StatusCode::kParseError) << name;
  }
}

// Over a host tree without the collector's files, Collect() reports kNotFound ("no data").
inline void ExpectNotFoundOnEmptyHost(CollectorSpec spec) {
  testing::TempDir empty;
  auto families = CollectFrom(std::move(spec), HostPathsIn(empty));
  ASSERT_FALSE(families.ok());
  EXPECT_EQ(families.status().code(), StatusCode::kNotFound) << families.status().ToString();
}

}  // namespace buildfarm::exporter
