#include "tests/support/prom_text.h"

#include <algorithm>
#include <cstdlib>

namespace buildfarm::testing {
namespace {

bool IsNameChar(char c, bool first) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return alpha || (!first && c >= '0' && c <= '9');
}

void SkipSpaces(std::string_view line, size_t* pos) {
  while (*pos < line.size() && (line[*pos] == ' ' || line[*pos] == '\t')) ++*pos;
}

std::string ReadName(std::string_view line, size_t* pos) {
  size_t start = *pos;
  while (*pos < line.size() && IsNameChar(line[*pos], *pos == start)) ++*pos;
  return std::string(line.substr(start, *pos - start));
}

// Reads `"..."` at *pos, unescaping; false when unterminated or badly escaped.
bool ReadQuoted(std::string_view line, size_t* pos, std::string* out) {
  if (*pos >= line.size() || line[*pos] != '"') return false;
  for (++*pos; *pos < line.size(); ++*pos) {
    char c = line[*pos];
    if (c == '"') {
      ++*pos;
      return true;
    }
    if (c == '\\') {
      if (++*pos >= line.size()) return false;
      char e = line[*pos];
      if (e == 'n') out->push_back('\n');
      else if (e == '\\' || e == '"') out->push_back(e);
      else return false;
    } else {
      out->push_back(c);
    }
  }
  return false;
}

std::string UnescapeHelp(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'n' || text[i + 1] == '\\')) {
      out.push_back(text[i + 1] == 'n' ? '\n' : '\\');
      ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool ParseValue(const std::string& text, double* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// "# HELP name text" / "# TYPE name type"; other comments are ignored.
bool ParseComment(std::string_view line, PromExposition* out) {
  size_t pos = 1;
  SkipSpaces(line, &pos);
  std::string keyword = ReadName(line, &pos);
  if (keyword != "HELP" && keyword != "TYPE") return true;
  SkipSpaces(line, &pos);
  std::string name = ReadName(line, &pos);
  if (name.empty()) return false;
  if (pos < line.size() && line[pos] == ' ') ++pos;
  std::string_view rest = line.substr(pos);
  if (keyword == "HELP") {
    out->help[name] = UnescapeHelp(rest);
  } else {
    static const char* kTypes[] = {"counter", "gauge", "histogram", "summary", "untyped"};
    if (std::find(std::begin(kTypes), std::end(kTypes), rest) == std::end(kTypes)) return false;
    out->type[name] = std::string(rest);
  }
  return true;
}

bool ParseSampleLine(std::string_view line, PromSample* sample) {
  size_t pos = 0;
  sample->name = ReadName(line, &pos);
  if (sample->name.empty()) return false;
  if (pos < line.size() && line[pos] == '{') {
    ++pos;
    while (true) {
      SkipSpaces(line, &pos);
      if (pos < line.size() && line[pos] == '}') {
        ++pos;
        break;
      }
      std::string label = ReadName(line, &pos);
      if (label.empty() || pos >= line.size() || line[pos] != '=') return false;
      ++pos;
      std::string value;
      if (!ReadQuoted(line, &pos, &value)) return false;
      sample->labels.emplace_back(std::move(label), std::move(value));
      SkipSpaces(line, &pos);
      if (pos < line.size() && line[pos] == ',') ++pos;
      else if (pos >= line.size() || line[pos] != '}') return false;
    }
  }
  if (pos >= line.size() || (line[pos] != ' ' && line[pos] != '\t')) return false;
  SkipSpaces(line, &pos);
  size_t end = line.find_first_of(" \t", pos);
  sample->value_text = std::string(line.substr(pos, end == std::string_view::npos ? end : end - pos));
  if (!ParseValue(sample->value_text, &sample->value)) return false;
  std::sort(sample->labels.begin(), sample->labels.end());
  return true;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string PromSample::Key() const {
  std::string key = name;
  if (labels.empty()) return key;
  key.push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) key.push_back(',');
    key += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
  }
  key.push_back('}');
  return key;
}

std::string PromSample::Label(std::string_view label_name) const {
  for (const auto& [k, v] : labels) {
    if (k == label_name) return v;
  }
  return "";
}

std::map<std::string, PromSample> PromExposition::ByKey() const {
  std::map<std::string, PromSample> out;
  for (const auto& sample : samples) out.emplace(sample.Key(), sample);
  return out;
}

std::optional<PromExposition> ParsePromText(std::string_view text, std::string* error) {
  PromExposition out;
  size_t line_number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    bool ok;
    if (line.front() == '#') {
      ok = ParseComment(line, &out);
    } else {
      PromSample sample;
      ok = ParseSampleLine(line, &sample);
      if (ok) out.samples.push_back(std::move(sample));
    }
    if (!ok) {
      *error = "line " + std::to_string(line_number) + ": cannot parse: " + std::string(line);
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace buildfarm::testing
