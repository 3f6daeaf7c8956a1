#include "common/json_schema/json_schema.h"

#include <map>
#include <memory>
#include <stdexcept>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "common/json_schema/embedded_schemas.h"

namespace buildfarm::json_schema {
namespace {

using nlohmann::json;

struct CompiledSchemas {
  std::map<std::string, std::unique_ptr<valijson::Schema>, std::less<>> by_name;
  std::string error;  // set when a compiled-in schema failed to parse (a build defect)
};

std::unique_ptr<valijson::Schema> Compile(const json& document) {
  auto schema = std::make_unique<valijson::Schema>();
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  parser.populateSchema(adapter, *schema);
  return schema;
}

// Each kind, plus one entry per definition ("message/send"): a root that refers to that definition
// and keeps every definition, so the definition's own $refs still resolve.
CompiledSchemas CompileAll() {
  CompiledSchemas out;
  for (const EmbeddedSchema& embedded : EmbeddedSchemas()) {
    try {
      json root = json::parse(embedded.text);
      out.by_name[std::string(embedded.name)] = Compile(root);
      if (!root.contains("definitions")) continue;
      for (const auto& [definition, unused] : root["definitions"].items()) {
        json wrapper{{"$schema", root.value("$schema", "")},
                     {"definitions", root["definitions"]},
                     {"$ref", "#/definitions/" + definition}};
        out.by_name[std::string(embedded.name) + "/" + definition] = Compile(wrapper);
      }
    } catch (const std::exception& e) {
      out.error += std::string(embedded.name) + ": " + e.what() + "; ";
    }
  }
  return out;
}

const CompiledSchemas& Schemas() {
  static const CompiledSchemas kSchemas = CompileAll();
  return kSchemas;
}

std::string EscapePointerToken(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

// valijson's context is {"<root>", "[name]", "[0]", ...}.
std::string Pointer(const std::vector<std::string>& context) {
  std::string out;
  for (const std::string& part : context) {
    if (part == "<root>") continue;
    std::string token = part;
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') token = token.substr(1, token.size() - 2);
    out += "/" + EscapePointerToken(token);
  }
  return out;
}

// Errors that only say a child failed; the child's own error is reported too.
bool IsSummary(const std::string& description) {
  static const char* kSummaries[] = {
      "Failed to validate against schema associated with property name",
      "Failed to validate item #",
      "Failed to validate against additional properties schema",
      "Failed to validate against schema associated with pattern",
      "Failed to validate against child schema",
  };
  for (const char* prefix : kSummaries) {
    if (description.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string Unquote(const std::string& description, const std::string& prefix) {
  std::string rest = description.substr(prefix.size());
  auto end = rest.find('\'');
  return end == std::string::npos ? rest : rest.substr(0, end);
}

Violation Describe(const valijson::ValidationResults::Error& error) {
  Violation v{Pointer(error.context), error.description};
  // "Missing required property 'from'." blames the object; the missing field is what to name.
  const std::string kMissing = "Missing required property '";
  if (error.description.rfind(kMissing, 0) == 0) {
    v.pointer += "/" + EscapePointerToken(Unquote(error.description, kMissing));
    v.message = "required";
  }
  const std::string kExtra = "Object contains a property that could not be validated using 'properties' or "
                             "'additionalProperties' constraints: '";
  if (error.description.rfind(kExtra, 0) == 0) {
    v.pointer += "/" + EscapePointerToken(Unquote(error.description, kExtra));
    v.message = "unknown field";
  }
  return v;
}

}  // namespace

std::vector<std::string> SchemaNames() {
  std::vector<std::string> names;
  for (const EmbeddedSchema& embedded : EmbeddedSchemas()) names.emplace_back(embedded.name);
  return names;
}

Result<std::vector<Violation>> Validate(std::string_view schema, const json& document) {
  const CompiledSchemas& schemas = Schemas();
  auto it = schemas.by_name.find(schema);
  if (it == schemas.by_name.end()) {
    if (!schemas.error.empty()) return Internal("compiled-in schemas failed to load: " + schemas.error);
    return NotFound("unknown schema \"" + std::string(schema) + "\"");
  }
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(document);
  std::vector<Violation> violations;
  try {
    if (validator.validate(*it->second, target, &results)) return violations;
  } catch (const std::exception& e) {
    return Internal(std::string("schema check failed: ") + e.what());
  }
  for (const auto& error : results) {
    if (IsSummary(error.description)) continue;
    Violation v = Describe(error);
    bool seen = false;
    for (const Violation& other : violations) seen = seen || (other.pointer == v.pointer && other.message == v.message);
    if (!seen) violations.push_back(std::move(v));
  }
  if (violations.empty()) violations.push_back({"", "does not match the schema"});
  return violations;
}

Status Check(std::string_view schema, const json& document, std::string_view prefix) {
  auto violations = Validate(schema, document);
  if (!violations.ok()) return violations.status();
  if (violations->empty()) return Status::Ok();
  const Violation& first = violations->front();
  std::string field = std::string(prefix) + (first.pointer.empty() ? "" : first.pointer.substr(1));
  if (field.empty()) field = "body";
  return InvalidArgument(field + ": " + first.message);
}

std::optional<std::string> DetectKind(const json& document) {
  if (!document.is_object()) return std::nullopt;
  if (document.contains("server_id")) return "status";
  auto id = document.find("id");
  if (id != document.end() && id->is_string() && id->get<std::string>().rfind("msg_", 0) == 0) return "message";
  if (document.contains("from") && document.contains("subject")) return "message";
  if (document.contains("status") && document.contains("branch")) return "job";
  if (document.contains("command")) return "job";
  return std::nullopt;
}

}  // namespace buildfarm::json_schema
