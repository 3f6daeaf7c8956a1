// Helpers for collector tests: build a collector from its spec over a fixture tree, run it, and
// look samples up by name and labels. For one test thread; nothing here is shared between tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/log.h"
#include "exporter/collector_spec.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::exporter {

using LabelMap = std::map<std::string, std::string>;

inline HostPaths FixturePaths() {
  HostPaths paths;
  paths.procfs = testing::SourcePath("tests/fixtures/proc");
  paths.sysfs = testing::SourcePath("tests/fixtures/sys");
  paths.rootfs = testing::SourcePath("tests/fixtures/rootfs");
  return paths;
}

inline HostPaths HostPathsIn(const testing::TempDir& dir) {
  HostPaths paths;
  paths.procfs = dir.Join("proc");
  paths.sysfs = dir.Join("sys");
  paths.rootfs = dir.Join("rootfs");
  return paths;
}

// Builds the collector from `spec` (with its default options unless `configure` changes them) and
// runs one Collect().
inline Result<Families> CollectFrom(CollectorSpec spec, const HostPaths& paths,
                                   const ExporterConfig& config = ExporterConfig{}) {
  static const Logger quiet(LogLevel::kError);
  CollectorEnv env{paths, config, quiet};
  auto collector = spec.create(env);
  if (!collector.ok()) return collector.status();
  Families out;
  Status status = (*collector)->Collect(out);
  if (!status.ok()) return status;
  return out;
}

inline Result<Families> CollectFromFixtures(CollectorSpec spec) { return CollectFrom(std::move(spec), FixturePaths()); }

// `spec` with its flags parsed from `args` (such as "--collector.netclass.ignore-invalid-speed").
inline CollectorSpec SpecWithFlags(CollectorSpec spec, const std::vector<std::string>& args) {
  FlagSet flags("test", "");
  if (spec.add_flags) spec.add_flags(flags);
  std::vector<const char*> raw = {"test"};
  for (const auto& arg : args) raw.push_back(arg.c_str());
  Status parsed = flags.Parse(static_cast<int>(raw.size()), raw.data());
  EXPECT_TRUE(parsed.ok()) << parsed.ToString();
  return spec;
}

inline const prometheus::ClientMetric* FindSample(const Families& families, const std::string& name,
                                                  const LabelMap& labels) {
  for (const auto& family : families) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      LabelMap have;
      for (const auto& label : metric.label) have[label.name] = label.value;
      if (have == labels) return &metric;
    }
  }
  return nullptr;
}

inline const prometheus::MetricFamily* FindFamily(const Families& families, const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

// The sample's value (whatever its type); NaN with a test failure when it is missing.
inline double SampleValue(const Families& families, const std::string& name, const LabelMap& labels) {
  const auto* family = FindFamily(families, name);
  const auto* metric = FindSample(families, name, labels);
  if (family == nullptr || metric == nullptr) {
    ADD_FAILURE() << "no sample " << name << " with the given labels";
    return std::numeric_limits<double>::quiet_NaN();
  }
  switch (family->type) {
    case prometheus::MetricType::Counter: return metric->counter.value;
    case prometheus::MetricType::Gauge: return metric->gauge.value;
    default: return metric->untyped.value;
  }
}

}  // namespace buildfarm::exporter
