#include "tests/docs/route_template.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace buildfarm::docs {
namespace {

bool IsLiteral(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '~';
}

bool IsLiteralText(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), IsLiteral); }

// Splits at `separator` where it stands outside groups and bracket expressions, after no backslash.
Result<std::vector<std::string_view>> SplitTopLevel(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  int depth = 0;
  bool in_brackets = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      ++i;
    } else if (in_brackets) {
      in_brackets = c != ']';
    } else if (c == '[') {
      in_brackets = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth < 0) return InvalidArgument("unbalanced )");
    } else if (c == separator && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) return InvalidArgument("unclosed group");
  if (in_brackets) return InvalidArgument("unclosed [");
  parts.push_back(text.substr(start));
  return parts;
}

// The segment as plain text ("status\.json" -> "status.json"), or nullopt when it holds regex syntax.
std::optional<std::string> LiteralSegment(std::string_view segment) {
  std::string out;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\\' && i + 1 < segment.size() && !std::isalnum(static_cast<unsigned char>(segment[i + 1]))) {
      out += segment[++i];
    } else if (IsLiteral(segment[i])) {
      out += segment[i];
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// What one segment stands for: itself, its literal alternatives, or a parameter.
std::vector<std::string> SegmentTexts(std::string_view segment) {
  if (auto literal = LiteralSegment(segment)) return {*literal};
  if (segment.size() > 2 && segment.front() == '(' && segment.back() == ')') {
    std::string_view body = segment.substr(1, segment.size() - 2);
    std::vector<std::string> alternatives;
    auto parts = SplitTopLevel(body, '|');
    if (parts.ok()) {
      for (std::string_view part : *parts) {
        if (!IsLiteralText(part)) return {"{}"};
        alternatives.emplace_back(part);
      }
      return alternatives;
    }
  }
  return {"{}"};
}

}  // namespace

Result<std::vector<std::string>> ServerPatternTemplates(std::string_view pattern) {
  auto refuse = [&](const std::string& why) {
    return InvalidArgument("route pattern \"" + std::string(pattern) + "\": " + why);
  };
  auto alternatives = SplitTopLevel(pattern, '|');
  if (!alternatives.ok()) return refuse(alternatives.status().message());
  std::vector<std::string> out;
  for (std::string_view alternative : *alternatives) {
    auto segments = SplitTopLevel(alternative, '/');
    if (!segments.ok()) return refuse(segments.status().message());
    if (segments->size() < 2 || !segments->front().empty()) return refuse("does not start with /");
    std::vector<std::string> paths{""};
    for (std::size_t i = 1; i < segments->size(); ++i) {
      std::vector<std::string> expanded;
      for (const std::string& path : paths) {
        for (const std::string& text : SegmentTexts((*segments)[i])) expanded.push_back(path + "/" + text);
      }
      paths = std::move(expanded);
    }
    out.insert(out.end(), paths.begin(), paths.end());
  }
  return out;
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
    if (close == std::string_view::npos || close == i + 1 ||
        path.substr(i + 1, close - i - 1).find('{') != std::string_view::npos) {
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
