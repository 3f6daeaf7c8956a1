#include "common/json_schema/json_schema.h"

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <exception>

#include "common/json_schema/bundled_schemas.h"

namespace buildfarm {

struct JsonSchema::Compiled {
  valijson::Schema schema;
};

JsonSchema::JsonSchema(std::string name, std::unique_ptr<Compiled> compiled)
    : name_(std::move(name)), compiled_(std::move(compiled)) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::Parse(std::string_view schema_text, std::string name) {
  try {
    nlohmann::json schema_json = nlohmann::json::parse(schema_text);
    auto compiled = std::make_unique<Compiled>();
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(schema_json);
    parser.populateSchema(adapter, compiled->schema);
    return std::shared_ptr<const JsonSchema>(new JsonSchema(std::move(name), std::move(compiled)));
  } catch (const std::exception& e) {
    return ParseError(name + ": not a usable JSON schema: " + e.what());
  }
}

namespace {

// valijson's context is ["<root>", "[system]", "[cpu_usage]"]; the pointer is "/system/cpu_usage".
std::string Pointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& piece : context) {
    if (piece == "<root>") continue;
    std::string token = piece;
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') token = token.substr(1, token.size() - 2);
    if (token.size() >= 2 && token.front() == '"' && token.back() == '"') token = token.substr(1, token.size() - 2);
    std::string escaped;
    for (char c : token) escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    pointer += "/" + escaped;
  }
  return pointer;
}

}  // namespace

std::vector<SchemaViolation> JsonSchema::Violations(std::string_view document_text) const {
  nlohmann::json document = nlohmann::json::parse(document_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return {{"", "not valid JSON"}};
  std::vector<SchemaViolation> violations;
  try {
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    if (validator.validate(compiled_->schema, adapter, &results)) return {};
    valijson::ValidationResults::Error error;
    while (results.popError(error)) violations.push_back({Pointer(error.context), error.description});
  } catch (const std::exception& e) {
    violations.push_back({"", std::string("validation failed: ") + e.what()});
  }
  if (violations.empty()) violations.push_back({"", "does not match the schema"});
  return violations;
}

Status JsonSchema::Validate(std::string_view document_text) const {
  auto violations = Violations(document_text);
  if (violations.empty()) return Status::Ok();
  std::string message = name_ + ":";
  for (std::size_t i = 0; i < violations.size(); ++i) {
    message += (i == 0 ? " " : "; ") + (violations[i].pointer.empty() ? "(document)" : violations[i].pointer) + ": " +
               violations[i].message;
  }
  return InvalidArgument(std::move(message));
}

std::shared_ptr<const JsonSchema> StatusDocumentSchema() {
  static const std::shared_ptr<const JsonSchema> schema = [] {
    auto parsed = JsonSchema::Parse(kStatusSchemaText, "status.schema.json");
    return parsed.ok() ? *parsed : nullptr;  // a bad bundled schema fails json_schema_test
  }();
  return schema;
}

}  // namespace buildfarm
