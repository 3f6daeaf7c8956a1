#include "common/prometheus_text_parser.h"

#include <cerrno>
#include <cstdlib>
#include <set>

#include "common/text.h"

namespace buildfarm {
namespace {

bool IsMetricNameChar(char c, bool first) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return alpha || (!first && c >= '0' && c <= '9');
}

bool IsLabelNameChar(char c, bool first) { return c != ':' && IsMetricNameChar(c, first); }

// A cursor over one line; every Read* leaves `pos` after what it read.
struct LineReader {
  std::string_view line;
  std::size_t pos = 0;

  bool AtEnd() const { return pos >= line.size(); }
  char Peek() const { return AtEnd() ? '\0' : line[pos]; }
  void SkipBlanks() {
    while (!AtEnd() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  }
  std::string_view ReadName(bool label) {
    std::size_t start = pos;
    while (!AtEnd() && (label ? IsLabelNameChar(line[pos], pos == start) : IsMetricNameChar(line[pos], pos == start))) {
      ++pos;
    }
    return line.substr(start, pos - start);
  }
  std::string_view ReadToken() {
    std::size_t start = pos;
    while (!AtEnd() && line[pos] != ' ' && line[pos] != '\t') ++pos;
    return line.substr(start, pos - start);
  }
};

// Reads `"..."`, unescaping \\ \" and \n; nullopt when unterminated or badly escaped.
std::optional<std::string> ReadQuoted(LineReader& in) {
  if (in.Peek() != '"') return std::nullopt;
  std::string out;
  for (++in.pos; !in.AtEnd(); ++in.pos) {
    char c = in.line[in.pos];
    if (c == '"') {
      ++in.pos;
      return out;
    }
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++in.pos >= in.line.size()) return std::nullopt;
    char escaped = in.line[in.pos];
    if (escaped == 'n') out.push_back('\n');
    else if (escaped == '\\' || escaped == '"') out.push_back(escaped);
    else return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> UnescapeHelp(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
      continue;
    }
    if (++i >= text.size()) return std::nullopt;
    if (text[i] == 'n') out.push_back('\n');
    else if (text[i] == '\\') out.push_back('\\');
    else return std::nullopt;
  }
  return out;
}

std::optional<double> ParseSampleValue(std::string_view token) {
  if (token.empty() || token.size() > 64) return std::nullopt;
  std::string copy(token);
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return value;  // ERANGE still yields +-Inf or a denormal, as Go's ParseFloat does with its error ignored
}

class Parser {
 public:
  Result<PromTextDocument> Parse(std::string_view text) {
    text::LineCursor lines(text);
    std::string_view line;
    while (lines.Next(line)) {
      line_number_ = lines.line_number();
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      LineReader in{line};
      in.SkipBlanks();
      if (in.AtEnd()) continue;
      Status status = in.Peek() == '#' ? ParseComment(in) : ParseSample(in);
      if (!status.ok()) return status;
    }
    return std::move(document_);
  }

 private:
  Status Error(const std::string& what) const {
    return ParseError("line " + std::to_string(line_number_) + ": " + what);
  }

  Status ParseComment(LineReader& in) {
    ++in.pos;
    in.SkipBlanks();
    std::string_view keyword = in.ReadToken();
    if (keyword != "HELP" && keyword != "TYPE") return Status::Ok();  // a plain comment
    in.SkipBlanks();
    std::string name(in.ReadName(false));
    if (name.empty()) return Error("invalid metric name in " + std::string(keyword) + " line");
    if (!in.AtEnd() && in.Peek() != ' ' && in.Peek() != '\t') return Error("invalid metric name in " + std::string(keyword) + " line");
    in.SkipBlanks();
    std::string_view rest = in.line.substr(std::min(in.pos, in.line.size()));
    PromTextFamilyHeader& header = document_.headers[name];
    if (keyword == "HELP") {
      if (header.help_line != 0) return Error("second HELP line for metric name \"" + name + "\"");
      auto help = UnescapeHelp(rest);
      if (!help) return Error("invalid escape sequence in HELP text of \"" + name + "\"");
      header.help = std::move(*help);
      header.help_line = line_number_;
      return Status::Ok();
    }
    if (header.type_line != 0) return Error("second TYPE line for metric name \"" + name + "\"");
    if (families_with_samples_.count(name)) return Error("TYPE line for \"" + name + "\" after its samples");
    std::string_view type = text::Trim(rest);
    if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" && type != "untyped") {
      return Error("unknown metric type \"" + std::string(type) + "\"");
    }
    header.type = std::string(type);
    header.type_line = line_number_;
    return Status::Ok();
  }

  Status ParseSample(LineReader& in) {
    PromTextSample sample;
    sample.line = line_number_;
    sample.name = std::string(in.ReadName(false));
    if (sample.name.empty()) return Error("invalid metric name");
    in.SkipBlanks();
    if (in.Peek() == '{') {
      Status labels = ParseLabels(in, sample);
      if (!labels.ok()) return labels;
      in.SkipBlanks();
    }
    std::string_view value = in.ReadToken();
    auto parsed = ParseSampleValue(value);
    if (!parsed) return Error("expected float as value, got \"" + std::string(value) + "\"");
    sample.value_text = std::string(value);
    sample.value = *parsed;
    in.SkipBlanks();
    if (!in.AtEnd()) {
      std::string_view timestamp = in.ReadToken();
      auto ms = text::ParseInt64(timestamp);
      if (!ms) return Error("expected integer as timestamp, got \"" + std::string(timestamp) + "\"");
      sample.timestamp_ms = *ms;
      in.SkipBlanks();
      if (!in.AtEnd()) return Error("spurious string after timestamp");
    }
    families_with_samples_.insert(document_.FamilyOf(sample.name));
    document_.samples.push_back(std::move(sample));
    return Status::Ok();
  }

  Status ParseLabels(LineReader& in, PromTextSample& sample) {
    ++in.pos;  // '{'
    std::set<std::string, std::less<>> seen;
    while (true) {
      in.SkipBlanks();
      if (in.Peek() == '}') {
        ++in.pos;
        return Status::Ok();
      }
      std::string name(in.ReadName(true));
      if (name.empty()) return Error("invalid label name for metric \"" + sample.name + "\"");
      if (!seen.insert(name).second) return Error("duplicate label name \"" + name + "\" for metric \"" + sample.name + "\"");
      in.SkipBlanks();
      if (in.Peek() != '=') return Error("expected '=' after label name \"" + name + "\"");
      ++in.pos;
      in.SkipBlanks();
      auto value = ReadQuoted(in);
      if (!value) return Error("invalid quoted value for label \"" + name + "\"");
      sample.labels.emplace_back(std::move(name), std::move(*value));
      in.SkipBlanks();
      if (in.Peek() == ',') {
        ++in.pos;
      } else if (in.Peek() != '}') {
        return Error("unexpected end of label set for metric \"" + sample.name + "\"");
      }
    }
  }

  PromTextDocument document_;
  std::set<std::string, std::less<>> families_with_samples_;
  std::size_t line_number_ = 0;
};

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string PromTextDocument::FamilyOf(const std::string& sample_name) const {
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (!EndsWith(sample_name, suffix)) continue;
    auto header = headers.find(sample_name.substr(0, sample_name.size() - suffix.size()));
    if (header == headers.end()) continue;
    if (header->second.type == "histogram" || (header->second.type == "summary" && suffix != "_bucket")) {
      return header->first;
    }
  }
  return sample_name;
}

Result<PromTextDocument> ParsePrometheusText(std::string_view text) { return Parser().Parse(text); }

std::string EscapePromLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

}  // namespace buildfarm
