#include "common/bounded_json.h"

#include <string>

namespace buildfarm {

JsonShape ScanJsonShape(std::string_view text, const JsonLimits& limits) {
  JsonShape shape;
  shape.values = 1;
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        ++shape.values;
        if (++depth > shape.depth) shape.depth = depth;
        if (shape.depth > limits.max_depth) return shape;
        break;
      case ']':
      case '}':
        // Unbalanced closers are the parser's to report; they must not earn extra depth.
        if (depth > 0) --depth;
        break;
      case ',':
      case ':':
        ++shape.values;
        break;
      default: break;
    }
    if (shape.values > limits.max_values) return shape;
  }
  return shape;
}

Result<nlohmann::json> ParseBoundedJson(std::string_view text, std::string_view field, const JsonLimits& limits) {
  const std::string name(field);
  const JsonShape shape = ScanJsonShape(text, limits);
  if (shape.depth > limits.max_depth) {
    return InvalidArgument(name + ": arrays and objects nested more than " + std::to_string(limits.max_depth) +
                           " levels deep");
  }
  if (shape.values > limits.max_values) {
    return InvalidArgument(name + ": more than " + std::to_string(limits.max_values) + " values");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return InvalidArgument(name + ": malformed JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::exception&) {
    return InvalidArgument(name + ": malformed JSON (a number out of range)");
  }
}

}  // namespace buildfarm
