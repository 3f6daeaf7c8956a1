// validate: checks JSON files against the schemas in schemas/ (status, job, message) without a
// scheduler. Each violation is printed as FILE: /json/pointer: message; exit 1 if any file is invalid.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/json_schema/json_schema.h"
#include "scheduler/cli/commands.h"

namespace buildfarm::cli {
namespace {

using nlohmann::json;

std::string SchemaList() {
  std::string out;
  for (const auto& name : json_schema::SchemaNames()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// Checks one document (or, for an array such as coordination/messages.json, each element); prints its
// violations with `prefix` before each pointer. Returns whether everything was valid.
bool CheckDocument(CommandContext& ctx, const std::string& file, const json& document, const std::string& forced,
                   const std::string& prefix, std::vector<std::string>* kinds) {
  if (document.is_array() && forced.empty()) {
    bool valid = true;
    for (std::size_t i = 0; i < document.size(); ++i) {
      valid = CheckDocument(ctx, file, document[i], forced, prefix + "/" + std::to_string(i), kinds) && valid;
    }
    return valid;
  }
  std::string kind = forced;
  if (kind.empty()) {
    auto detected = json_schema::DetectKind(document);
    if (!detected) {
      ctx.out() << file << ": " << (prefix.empty() ? "/" : prefix)
                << ": cannot tell which schema applies; use --schema " << SchemaList() << "\n";
      return false;
    }
    kind = *detected;
  }
  kinds->push_back(kind);
  auto violations = json_schema::Validate(kind, document);
  if (!violations.ok()) {
    ctx.out() << file << ": " << violations.status().message() << "\n";
    return false;
  }
  for (const auto& v : *violations) {
    std::string pointer = prefix + v.pointer;
    ctx.out() << file << ": " << (pointer.empty() ? "/" : pointer) << ": " << v.message << "\n";
  }
  return violations->empty();
}

int RunValidate(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string>& args) {
  FlagSet flags("build-cli validate", spec.summary);
  std::string schema;
  flags.AddString("schema", &schema, "Check every file against this schema (" + SchemaList() + ") instead of guessing");
  std::vector<std::string> files;
  if (auto done = ParseCommandLine(ctx, spec, flags, args, &files, 1, 100000)) return *done;
  if (!schema.empty()) {
    auto known = json_schema::SchemaNames();
    if (std::find(known.begin(), known.end(), schema) == known.end()) {
      return ctx.UsageError("validate: flag --schema: want one of " + SchemaList() + ", got \"" + schema + "\"");
    }
  }
  bool all_valid = true;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      ctx.out() << file << ": cannot read the file\n";
      all_valid = false;
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    json document = json::parse(text.str(), nullptr, false);
    if (document.is_discarded()) {
      ctx.out() << file << ": /: not JSON\n";
      all_valid = false;
      continue;
    }
    std::vector<std::string> kinds;
    if (CheckDocument(ctx, file, document, schema, "", &kinds)) {
      std::string what = kinds.empty() ? "empty list" : kinds.front();
      if (kinds.size() > 1) what = std::to_string(kinds.size()) + " documents";
      ctx.out() << file << ": valid (" << what << ")\n";
    } else {
      all_valid = false;
    }
  }
  return all_valid ? kExitOk : kExitRefused;
}

}  // namespace

std::vector<CommandSpec> ValidateCommands() {
  return {{"validate", "FILE...", "Check status, job or message JSON files against the schemas (no scheduler needed)",
           "  build-cli validate nodes/build1/status.json coordination/messages.json\n"
           "  build-cli validate --schema message draft.json",
           RunValidate}};
}

}  // namespace buildfarm::cli
