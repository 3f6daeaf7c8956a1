// JsonSchema: a compiled draft-07 JSON Schema (valijson) that checks documents before they are
// served, accepted or published, and names every violation by its JSON pointer.
//
//   auto schema = JsonSchema::Parse(schema_text, "status.schema.json");
//   Status valid = schema->Validate(document_text);   // "/system/cpu_usage: ... ; /status: ..."
//
// Parse catches valijson's and nlohmann's exceptions (none crosses this boundary). A JsonSchema is
// immutable after Parse; Validate is const and thread-safe (each call uses its own validator).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm {

struct SchemaViolation {
  std::string pointer;  // JSON pointer of the offending value, "" for the document itself
  std::string message;
};

class JsonSchema {
 public:
  static Result<std::shared_ptr<const JsonSchema>> Parse(std::string_view schema_text, std::string name);
  ~JsonSchema();

  // Violations of a JSON text; a text that is not JSON is one violation at "".
  std::vector<SchemaViolation> Violations(std::string_view document_text) const;
  // OK, or kInvalidArgument "NAME: /pointer: message; ..." listing every violation.
  Status Validate(std::string_view document_text) const;

  const std::string& name() const { return name_; }

 private:
  struct Compiled;
  JsonSchema(std::string name, std::unique_ptr<Compiled> compiled);
  std::string name_;
  std::unique_ptr<Compiled> compiled_;
};

// The bundled schemas/status.schema.json (compiled into the library).
std::shared_ptr<const JsonSchema> StatusDocumentSchema();

}  // namespace buildfarm
