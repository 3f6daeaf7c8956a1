// Reading the Grafana dashboards in dashboards/grafana/ for tests: loading each JSON model, walking its
// panels (including panels nested in collapsed rows), listing every PromQL expression (panel targets
// and the `label_values(EXPR, label)` queries of template variables), substituting Grafana variables,
// and finding the range selectors of rate()/irate()/increase() calls.
//
// A panel is "core" when its description starts with "[core]": its data exists in a quickstart-style
// farm (buildfarm-exporter + buildfarm-scheduler + buildfarm-agent + Prometheus with the recording rules).
// Pure functions over nlohmann::json values; thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace buildfarm::testing {

inline constexpr char kCoreMarker[] = "[core]";

struct Dashboard {
  std::string file;  // file name, e.g. "fleet-overview.json"
  nlohmann::json model;
};

// Every *.json under dashboards/grafana/, sorted by name. A file that does not parse is returned with a
// discarded model, so that a test can name it.
std::vector<Dashboard> LoadDashboards();

// All panels, rows' nested panels included, in document order.
std::vector<const nlohmann::json*> Panels(const nlohmann::json& dashboard);

bool IsCore(const nlohmann::json& panel);

struct Expression {
  std::string where;  // "file: panel 'Title' (id 3) target A" or "file: variable node"
  std::string expr;   // as written, variables unsubstituted
  int panel_id = -1;  // -1 for a template variable's query
  bool core = false;
};

// The PromQL of every target with an `expr`, and of every query variable (label_values(EXPR, label)
// gives EXPR; label_values(label) gives nothing to run).
std::vector<Expression> Expressions(const Dashboard& dashboard);

// Replaces $name, ${name} and [[name]] for each entry of `values`; other text is left alone.
std::string SubstituteVariables(const std::string& expr, const std::map<std::string, std::string>& values);

// Names of the variables `expr` refers to ($name, ${name}, [[name]]), built-ins like __rate_interval
// included.
std::vector<std::string> VariablesUsed(const std::string& expr);

struct RangeCall {
  std::string function;  // rate, irate or increase
  std::string range;     // the text between [ and ] of its range selector; empty when none was found
};

// Every rate(), irate() and increase() call in `expr` with its range selector.
std::vector<RangeCall> RangeCalls(const std::string& expr);

}  // namespace buildfarm::testing
