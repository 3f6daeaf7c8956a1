#include "tests/docs/route_template.h"

#include <algorithm>
#include <cctype>

namespace buildfarm::docs {
namespace {

bool IsLiteral(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
         c == '-' || c == '.' || c == '~';
}

bool IsLiteralText(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return IsLiteral(c) && c != '/'; });
}

// Literal alternatives of a group's body, or an empty list when the body is a real regex.
std::vector<std::string> LiteralAlternatives(std::string_view body) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t bar = body.find('|', start);
    std::string_view part = body.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    if (!IsLiteralText(part)) return {};
    out.emplace_back(part);
    if (bar == std::string_view::npos) return out;
    start = bar + 1;
  }
}

}  // namespace

Result<std::vector<std::string>> ServerPatternTemplates(std::string_view pattern) {
  auto refuse = [&](const std::string& why) {
    return InvalidArgument("route pattern \"" + std::string(pattern) + "\": " + why);
  };
  std::vector<std::string> paths{""};
  auto append = [&](std::string_view text) {
    for (std::string& path : paths) path += text;
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '(') {
      std::size_t close = pattern.find(')', i);
      if (close == std::string_view::npos) return refuse("unclosed group");
      std::string_view body = pattern.substr(i + 1, close - i - 1);
      if (body.find('(') != std::string_view::npos) return refuse("nested groups");
      std::vector<std::string> alternatives = LiteralAlternatives(body);
      if (alternatives.empty()) {
        append("{}");
      } else {
        std::vector<std::string> expanded;
        for (const std::string& path : paths) {
          for (const std::string& alternative : alternatives) expanded.push_back(path + alternative);
        }
        paths = std::move(expanded);
      }
      i = close;
    } else if (c == '\\' && i + 1 < pattern.size() && !std::isalnum(static_cast<unsigned char>(pattern[i + 1]))) {
      append(pattern.substr(++i, 1));  // an escaped metacharacter is literal: "\." is "."
    } else if (IsLiteral(c)) {
      append(pattern.substr(i, 1));
    } else {
      return refuse(std::string("regex syntax '") + c + "' outside a group");
    }
  }
  if (paths.front().empty() || paths.front().front() != '/') return refuse("does not start with /");
  return paths;
}

Result<std::string> OpenApiPathTemplate(std::string_view path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '}') return InvalidArgument("path \"" + std::string(path) + "\": unmatched }");
    if (path[i] != '{') {
      out += path[i];
      continue;
    }
    std::size_t close = path.find('}', i);
    if (close == std::string_view::npos || close == i + 1 || path.substr(i + 1, close - i - 1).find('{') != std::string_view::npos) {
      return InvalidArgument("path \"" + std::string(path) + "\": malformed {parameter}");
    }
    out += "{}";
    i = close;
  }
  if (out.empty() || out.front() != '/') return InvalidArgument("path \"" + std::string(path) + "\": does not start with /");
  return out;
}

std::vector<std::string> OpenApiPathParameters(std::string_view path) {
  std::vector<std::string> names;
  for (std::size_t open = path.find('{'); open != std::string_view::npos; open = path.find('{', open + 1)) {
    std::size_t close = path.find('}', open);
    if (close == std::string_view::npos) break;
    names.emplace_back(path.substr(open + 1, close - open - 1));
  }
  return names;
}

std::string FillTemplate(std::string_view common_template, std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < common_template.size(); ++i) {
    if (common_template.compare(i, 2, "{}") == 0) {
      out += value;
      ++i;
    } else {
      out += common_template[i];
    }
  }
  return out;
}

}  // namespace buildfarm::docs
