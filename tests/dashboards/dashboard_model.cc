#include "tests/dashboards/dashboard_model.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/process.h"

namespace buildfarm::testing {
namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void CollectPanels(const nlohmann::json& panels, std::vector<const nlohmann::json*>* out) {
  if (!panels.is_array()) return;
  for (const auto& panel : panels) {
    out->push_back(&panel);
    if (panel.contains("panels")) CollectPanels(panel["panels"], out);
  }
}

// The expression inside label_values(EXPR, label), or nullopt for label_values(label) and other queries.
std::optional<std::string> LabelValuesExpression(const std::string& query) {
  const std::string prefix = "label_values(";
  if (query.rfind(prefix, 0) != 0 || query.back() != ')') return std::nullopt;
  const std::string inside = query.substr(prefix.size(), query.size() - prefix.size() - 1);
  const auto comma = inside.rfind(',');
  if (comma == std::string::npos) return std::nullopt;
  return inside.substr(0, comma);
}

std::string VariableQuery(const nlohmann::json& variable) {
  const auto& query = variable.contains("query") ? variable["query"] : nlohmann::json();
  if (query.is_string()) return query.get<std::string>();
  if (query.is_object() && query.contains("query") && query["query"].is_string()) return query["query"].get<std::string>();
  return "";
}

}  // namespace

std::vector<Dashboard> LoadDashboards() {
  std::vector<Dashboard> out;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("dashboards/grafana"))) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    out.push_back({entry.path().filename().string(), nlohmann::json::parse(text.str(), nullptr, false)});
  }
  std::sort(out.begin(), out.end(), [](const Dashboard& a, const Dashboard& b) { return a.file < b.file; });
  return out;
}

std::vector<const nlohmann::json*> Panels(const nlohmann::json& dashboard) {
  std::vector<const nlohmann::json*> out;
  if (dashboard.is_object() && dashboard.contains("panels")) CollectPanels(dashboard["panels"], &out);
  return out;
}

bool IsCore(const nlohmann::json& panel) {
  return panel.contains("description") && panel["description"].is_string() &&
         panel["description"].get<std::string>().rfind(kCoreMarker, 0) == 0;
}

std::vector<Expression> Expressions(const Dashboard& dashboard) {
  std::vector<Expression> out;
  for (const nlohmann::json* panel : Panels(dashboard.model)) {
    if (!panel->contains("targets") || !(*panel)["targets"].is_array()) continue;
    for (const auto& target : (*panel)["targets"]) {
      if (!target.contains("expr") || !target["expr"].is_string()) continue;
      Expression e;
      e.where = dashboard.file + ": panel '" + panel->value("title", "") + "' (id " +
                std::to_string(panel->value("id", -1)) + ") target " + target.value("refId", "?");
      e.expr = target["expr"].get<std::string>();
      e.panel_id = panel->value("id", -1);
      e.core = IsCore(*panel);
      out.push_back(e);
    }
  }
  if (dashboard.model.contains("templating") && dashboard.model["templating"].contains("list")) {
    for (const auto& variable : dashboard.model["templating"]["list"]) {
      if (variable.value("type", "") != "query") continue;
      if (auto expr = LabelValuesExpression(VariableQuery(variable))) {
        out.push_back({dashboard.file + ": variable " + variable.value("name", "?"), *expr, -1, false});
      }
    }
  }
  return out;
}

std::string SubstituteVariables(const std::string& expr, const std::map<std::string, std::string>& values) {
  std::string out;
  for (size_t i = 0; i < expr.size();) {
    size_t end = i;
    std::string name;
    if (expr.compare(i, 2, "${") == 0 && (end = expr.find('}', i)) != std::string::npos) {
      name = expr.substr(i + 2, end - i - 2);
      ++end;
    } else if (expr.compare(i, 2, "[[") == 0 && (end = expr.find("]]", i)) != std::string::npos) {
      name = expr.substr(i + 2, end - i - 2);
      end += 2;
    } else if (expr[i] == '$') {
      end = i + 1;
      while (end < expr.size() && IsNameChar(expr[end])) ++end;
      name = expr.substr(i + 1, end - i - 1);
    }
    auto value = name.empty() ? values.end() : values.find(name);
    if (value != values.end()) {
      out += value->second;
      i = end;
    } else {
      out += expr[i++];
    }
  }
  return out;
}

std::vector<std::string> VariablesUsed(const std::string& expr) {
  std::vector<std::string> names;
  for (size_t i = 0; i < expr.size(); ++i) {
    size_t end;
    if (expr.compare(i, 2, "${") == 0 && (end = expr.find('}', i)) != std::string::npos) {
      std::string name = expr.substr(i + 2, end - i - 2);
      names.push_back(name.substr(0, name.find(':')));  // ${name:format}
    } else if (expr.compare(i, 2, "[[") == 0 && (end = expr.find("]]", i)) != std::string::npos) {
      names.push_back(expr.substr(i + 2, end - i - 2));
    } else if (expr[i] == '$') {
      end = i + 1;
      while (end < expr.size() && IsNameChar(expr[end])) ++end;
      if (end > i + 1) names.push_back(expr.substr(i + 1, end - i - 1));
    }
  }
  return names;
}

std::vector<RangeCall> RangeCalls(const std::string& expr) {
  std::vector<RangeCall> out;
  for (const std::string function : {"rate", "irate", "increase"}) {
    for (size_t at = expr.find(function + "("); at != std::string::npos; at = expr.find(function + "(", at + 1)) {
      if (at > 0 && IsNameChar(expr[at - 1])) continue;  // e.g. "rate(" inside "irate("
      // The call's argument: up to the parenthesis that closes it.
      size_t open = at + function.size(), close = open;
      for (int depth = 0; close < expr.size(); ++close) {
        if (expr[close] == '(') ++depth;
        if (expr[close] == ')' && --depth == 0) break;
      }
      const std::string argument = expr.substr(open + 1, close - open - 1);
      const auto left = argument.rfind('[');
      const auto right = left == std::string::npos ? std::string::npos : argument.find(']', left);
      out.push_back({function, right == std::string::npos ? "" : argument.substr(left + 1, right - left - 1)});
    }
  }
  return out;
}

}  // namespace buildfarm::testing
