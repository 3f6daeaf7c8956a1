// GoFields: Go's strings.Fields, which node_exporter's procfs library uses to split /proc and sysfs
// lines. Besides ASCII blanks it splits on the Unicode spaces (U+0085, U+00A0, U+2000..U+200A, ...),
// so a parser that must agree with node_exporter on odd input cannot use a plain ASCII split.
// Pure and thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace buildfarm::exporter {

std::vector<std::string_view> GoFields(std::string_view text);

}  // namespace buildfarm::exporter
