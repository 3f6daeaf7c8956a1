// validate: checks JSON files against the schemas in schemas/ (status, job, message) without a
// scheduler. Each violation is printed as FILE: /json/pointer: message; exit 1 if any file is invalid.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/json_schema/json_schema.h"
#include "cli/commands.h"

namespace buildfarm::cli {
namespace {

using nlohmann::json;

std::string SchemaList() {
  std::string out;
  for (const auto& name : json_schema::SchemaNames()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// What was found wrong in one file: JSON pointer (or "/") and message.
struct Problem {
  std::string pointer;
  std::string message;
};

// Checks one document (or, for an array such as coordination/messages.json, each element), with
// `prefix` before each pointer; appends the kinds checked and the problems found.
void CheckDocument(const json& document, const std::string& forced, const std::string& prefix,
                   std::vector<std::string>* kinds, std::vector<Problem>* problems) {
  if (document.is_array() && forced.empty()) {
    for (std::size_t i = 0; i < document.size(); ++i) {
      CheckDocument(document[i], forced, prefix + "/" + std::to_string(i), kinds, problems);
    }
    return;
  }
  std::string kind = forced;
  if (kind.empty()) {
    auto detected = json_schema::DetectKind(document);
    if (!detected) {
      problems->push_back({prefix.empty() ? "/" : prefix, "cannot tell which schema applies; use --schema " + SchemaList()});
      return;
    }
    kind = *detected;
  }
  kinds->push_back(kind);
  auto violations = json_schema::Validate(kind, document);
  if (!violations.ok()) {
    problems->push_back({prefix.empty() ? "/" : prefix, violations.status().message()});
    return;
  }
  for (const auto& v : *violations) {
    std::string pointer = prefix + v.pointer;
    problems->push_back({pointer.empty() ? "/" : pointer, v.message});
  }
}

// Reads and checks one file; problems name "/" when the file is unreadable or not JSON.
void CheckFile(const std::string& file, const std::string& schema, std::vector<std::string>* kinds,
               std::vector<Problem>* problems) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    problems->push_back({"", "cannot read the file"});
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  json document = json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) {
    problems->push_back({"/", "not JSON"});
    return;
  }
  CheckDocument(document, schema, "", kinds, problems);
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
  json report = json::array();
  for (const std::string& file : files) {
    std::vector<std::string> kinds;
    std::vector<Problem> problems;
    CheckFile(file, schema, &kinds, &problems);
    all_valid = all_valid && problems.empty();
    if (ctx.json_output()) {
      json listed = json::array();
      for (const auto& p : problems) listed.push_back({{"pointer", p.pointer}, {"message", p.message}});
      report.push_back({{"file", file}, {"valid", problems.empty()}, {"kinds", kinds}, {"problems", listed}});
      continue;
    }
    for (const auto& p : problems) ctx.out() << file << ": " << (p.pointer.empty() ? "" : p.pointer + ": ") << p.message << "\n";
    if (!problems.empty()) continue;
    std::string what = kinds.empty() ? "empty list" : kinds.front();
    if (kinds.size() > 1) what = std::to_string(kinds.size()) + " documents";
    ctx.out() << file << ": valid (" << what << ")\n";
  }
  if (ctx.json_output()) ctx.PrintJson(report);
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
