// The pure half of the textfile collector: one *.prom file's text into metric families ready to
// serve, and the checks between files, as node_exporter 1.5 applies them (its HELP default, label
// padding, no client-side timestamps) plus the ones its registry applies at gather time (duplicate
// series, a name with two different HELP texts, types or label sets).
//
// Every function is pure and TextfileMerger is a plain value: use one per scrape, from one thread.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/metrics.h"

namespace buildfarm::exporter {

struct TextfileFamily {
  prometheus::MetricFamily family;       // samples with labels sorted by name
  std::vector<std::string> label_names;  // sorted; without le (histograms) and quantile (summaries)
  std::size_t line = 0;                  // the family's first HELP, TYPE or sample line
};

// Parses one file; `path` goes into the default HELP ("Metric read from <path>"). Errors are
// "line N: ..." for malformed text, timestamps, duplicate series, a histogram bucket without a
// numeric le, a summary sample without quantile, or a histogram/summary sample without its suffix.
Result<std::vector<TextfileFamily>> ParseTextfile(std::string_view text, std::string_view path);

// Accumulates the families of the files accepted so far and refuses a file that conflicts with them.
class TextfileMerger {
 public:
  // Adds the whole file or nothing: an error (naming the line and the earlier file) when one of its
  // families has another HELP, TYPE or label set than the same name from an earlier file, or when
  // it repeats a series an earlier file has.
  Status Add(const std::string& file, std::vector<TextfileFamily> families);

  // The merged families, in the order their names first appeared.
  void AppendTo(Families& out) &&;

 private:
  struct Accepted {
    std::string file;
    std::size_t index;  // into families_
    std::vector<std::string> label_names;
  };
  std::vector<prometheus::MetricFamily> families_;
  std::map<std::string, Accepted> by_name_;
  std::set<std::string> series_;
};

}  // namespace buildfarm::exporter
