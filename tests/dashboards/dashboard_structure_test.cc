// The structure of every Grafana dashboard in dashboards/grafana/, as Grafana and a provisioning setup
// need it: it parses, has a unique fixed uid, a `datasource` variable that every datasource reference
// uses (file provisioning cannot fill ${DS_PROMETHEUS}), panels inside 24 columns that do not overlap,
// a unit on every data panel, variables that exist, and rate windows from $__rate_interval.
#include <gtest/gtest.h>

#include <set>

#include "tests/dashboards/dashboard_model.h"

namespace buildfarm::testing {
namespace {

const nlohmann::json kDatasourceRef = {{"type", "prometheus"}, {"uid", "${datasource}"}};
// Grafana's own annotation source ("Annotations & Alerts") is the one other reference allowed.
const nlohmann::json kBuiltInAnnotations = {{"type", "grafana"}, {"uid", "-- Grafana --"}};
const std::set<std::string> kGrafanaBuiltIns = {"__rate_interval", "__interval", "__interval_ms", "__range",
                                                "__range_s", "__range_ms", "__name"};

bool IsDataPanel(const nlohmann::json& panel) {
  const std::string type = panel.value("type", "");
  return type != "row" && type != "text";
}

// Every value under a "datasource" key, with the JSON path to it.
void DatasourceRefs(const nlohmann::json& node, const std::string& path,
                    std::vector<std::pair<std::string, nlohmann::json>>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "datasource") out->push_back({path + "/datasource", value});
      DatasourceRefs(value, path + "/" + key, out);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) DatasourceRefs(node[i], path + "/" + std::to_string(i), out);
  }
}

std::set<std::string> DefinedVariables(const nlohmann::json& dashboard) {
  std::set<std::string> names;
  for (const auto& variable : dashboard["templating"]["list"]) names.insert(variable.value("name", ""));
  return names;
}

class DashboardStructure : public ::testing::Test {
 protected:
  void SetUp() override {
    dashboards_ = LoadDashboards();
    ASSERT_FALSE(dashboards_.empty()) << "no dashboards under dashboards/grafana/";
    for (const auto& d : dashboards_) ASSERT_TRUE(d.model.is_object()) << d.file << " is not a JSON object";
  }
  std::vector<Dashboard> dashboards_;
};

TEST_F(DashboardStructure, TheFiveDashboardsHaveUniqueFixedUidsAndTitles) {
  std::set<std::string> files, uids, titles;
  for (const auto& d : dashboards_) {
    files.insert(d.file);
    const std::string uid = d.model.value("uid", "");
    EXPECT_FALSE(uid.empty()) << d.file << " has no uid";
    EXPECT_LE(uid.size(), 40u) << d.file << ": Grafana limits uids to 40 characters";
    EXPECT_TRUE(uids.insert(uid).second) << d.file << " repeats uid " << uid;
    EXPECT_TRUE(titles.insert(d.model.value("title", "")).second) << d.file << " repeats its title";
    EXPECT_FALSE(d.model.contains("id") && !d.model["id"].is_null()) << d.file << ": a provisioned model has no id";
  }
  for (const char* expected : {"fleet-overview.json", "node-detail.json", "scheduler.json", "builds.json",
                               "messages-and-alerts.json"}) {
    EXPECT_TRUE(files.count(expected)) << "missing dashboards/grafana/" << expected;
  }
}

TEST_F(DashboardStructure, EveryDatasourceReferenceIsTheTemplateVariable) {
  for (const auto& d : dashboards_) {
    EXPECT_EQ(d.model.dump().find("DS_PROMETHEUS"), std::string::npos) << d.file << " uses the import-only input";
    bool has_variable = false;
    for (const auto& variable : d.model["templating"]["list"]) {
      if (variable.value("name", "") == "datasource") {
        has_variable = variable.value("type", "") == "datasource" && variable.value("query", "") == "prometheus";
      }
    }
    EXPECT_TRUE(has_variable) << d.file << " lacks a `datasource` variable of type datasource, query prometheus";
    std::vector<std::pair<std::string, nlohmann::json>> refs;
    DatasourceRefs(d.model, "", &refs);
    for (const auto& [path, ref] : refs) {
      const bool builtin_annotation = path.rfind("/annotations/", 0) == 0 && ref == kBuiltInAnnotations;
      EXPECT_TRUE(ref == kDatasourceRef || builtin_annotation) << d.file << path << " is " << ref.dump();
    }
    for (const nlohmann::json* panel : Panels(d.model)) {
      if (!IsDataPanel(*panel)) continue;
      EXPECT_EQ(panel->value("datasource", nlohmann::json()), kDatasourceRef)
          << d.file << ": panel '" << panel->value("title", "") << "' has no datasource";
      ASSERT_TRUE(panel->contains("targets") && !(*panel)["targets"].empty())
          << d.file << ": panel '" << panel->value("title", "") << "' has no query";
      for (const auto& target : (*panel)["targets"]) {
        EXPECT_EQ(target.value("datasource", nlohmann::json()), kDatasourceRef)
            << d.file << ": panel '" << panel->value("title", "") << "' target " << target.value("refId", "");
      }
    }
  }
}

TEST_F(DashboardStructure, PanelsStayInsideTwentyFourColumnsAndDoNotOverlap) {
  for (const auto& d : dashboards_) {
    struct Box { std::string title; int x, y, w, h; };
    std::vector<Box> boxes;
    std::set<int> ids;
    for (const nlohmann::json* panel : Panels(d.model)) {
      const std::string title = panel->value("title", "");
      EXPECT_TRUE(ids.insert(panel->value("id", -1)).second) << d.file << ": panel id repeated by '" << title << "'";
      ASSERT_TRUE(panel->contains("gridPos")) << d.file << ": '" << title << "' has no gridPos";
      const auto& pos = (*panel)["gridPos"];
      Box box{title, pos.value("x", -1), pos.value("y", -1), pos.value("w", 0), pos.value("h", 0)};
      EXPECT_GE(box.x, 0) << d.file << ": '" << title << "'";
      EXPECT_GE(box.y, 0) << d.file << ": '" << title << "'";
      EXPECT_GT(box.w, 0) << d.file << ": '" << title << "'";
      EXPECT_GT(box.h, 0) << d.file << ": '" << title << "'";
      EXPECT_LE(box.x + box.w, 24) << d.file << ": '" << title << "' runs past column 24";
      boxes.push_back(box);
    }
    for (size_t i = 0; i < boxes.size(); ++i) {
      for (size_t j = i + 1; j < boxes.size(); ++j) {
        const Box& a = boxes[i];
        const Box& b = boxes[j];
        const bool overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        EXPECT_FALSE(overlap) << d.file << ": '" << a.title << "' and '" << b.title << "' overlap";
      }
    }
  }
}

TEST_F(DashboardStructure, EveryDataPanelHasAUnit) {
  for (const auto& d : dashboards_) {
    for (const nlohmann::json* panel : Panels(d.model)) {
      if (!IsDataPanel(*panel)) continue;
      const auto unit = panel->value("/fieldConfig/defaults/unit"_json_pointer, std::string());
      EXPECT_FALSE(unit.empty()) << d.file << ": panel '" << panel->value("title", "") << "' has no unit";
    }
  }
}

TEST_F(DashboardStructure, NodeVariableComesFromLabelValuesAndEveryVariableUsedExists) {
  for (const auto& d : dashboards_) {
    const std::set<std::string> defined = DefinedVariables(d.model);
    for (const auto& variable : d.model["templating"]["list"]) {
      if (variable.value("name", "") != "node") continue;
      const std::string query = variable.value("query", "");
      EXPECT_EQ(query.rfind("label_values(", 0), 0u) << d.file << ": node variable query " << query;
      EXPECT_NE(query.find(", node)"), std::string::npos) << d.file << ": node variable query " << query;
    }
    for (const Expression& e : Expressions(d)) {
      for (const std::string& name : VariablesUsed(e.expr)) {
        EXPECT_TRUE(defined.count(name) || kGrafanaBuiltIns.count(name))
            << e.where << " uses $" << name << ", which the dashboard does not define";
      }
    }
  }
}

TEST_F(DashboardStructure, RatesUseGrafanaIntervalsNotFixedWindows) {
  int calls = 0;
  for (const auto& d : dashboards_) {
    for (const Expression& e : Expressions(d)) {
      for (const RangeCall& call : RangeCalls(e.expr)) {
        ++calls;
        // rate() and irate() follow the scrape interval; increase() may also total the whole range.
        const bool ok = call.range == "$__rate_interval" || (call.function == "increase" && call.range == "$__range");
        EXPECT_TRUE(ok) << e.where << ": " << call.function << "(...[" << call.range << "]) in " << e.expr;
      }
    }
  }
  EXPECT_GT(calls, 0) << "no rate(), irate() or increase() found: the extraction is broken";
}

TEST_F(DashboardStructure, EveryDashboardHasCorePanels) {
  // messages-and-alerts too: its alert counts are defined (0) in any farm.
  for (const auto& d : dashboards_) {
    int core = 0;
    for (const nlohmann::json* panel : Panels(d.model)) core += IsCore(*panel) ? 1 : 0;
    EXPECT_GT(core, 0) << d.file << " marks no panel " << kCoreMarker;
  }
}

}  // namespace
}  // namespace buildfarm::testing
