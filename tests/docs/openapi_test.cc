// docs/openapi.yaml against the scheduler: the file is a structurally sound OpenAPI 3.0 document,
// every (method, path) a running SchedulerApp registers is documented, and every documented one is
// registered. The served routes come from the app the daemon runs (SchedulerApp::Routes()), not a list.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "tests/docs/route_template.h"
#include "tests/scheduler/server/server_fixture.h"
#include "tests/support/process.h"

namespace buildfarm::docs {
namespace {

const char* const kSampleValues[] = {"1", "b1", "app.js"};
const char* const kMethods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

YAML::Node LoadDocument() {
  const std::string path = testing::SourcePath("docs/openapi.yaml");
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    ADD_FAILURE() << path << ": " << e.what();
    return YAML::Node();
  }
}

// Each "$ref" in the tree must name an existing node of the same document ("#/components/...").
void CheckReferences(const YAML::Node& root, const YAML::Node& node, const std::string& where) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      if (key == "$ref") {
        const std::string ref = entry.second.as<std::string>();
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << where << ": only local references are used, got " << ref;
        YAML::Node target = YAML::Clone(root);
        std::size_t start = 2;
        while (start <= ref.size()) {
          std::size_t slash = ref.find('/', start);
          const std::string part = ref.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
          ASSERT_TRUE(target.IsMap() && target[part]) << where << ": $ref " << ref << " names nothing";
          target = target[part];
          if (slash == std::string::npos) break;
          start = slash + 1;
        }
      } else {
        CheckReferences(root, entry.second, where + "/" + key);
      }
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) CheckReferences(root, node[i], where + "/" + std::to_string(i));
  }
}

// The path parameters an operation declares, from the path item and the operation.
std::set<std::string> DeclaredPathParameters(const YAML::Node& root, const YAML::Node& path_item,
                                             const YAML::Node& operation) {
  std::set<std::string> names;
  for (const YAML::Node& list : {path_item["parameters"], operation["parameters"]}) {
    if (!list) continue;
    for (YAML::Node parameter : list) {
      if (parameter["$ref"]) {
        const std::string ref = parameter["$ref"].as<std::string>();
        const std::string prefix = "#/components/parameters/";
        if (ref.rfind(prefix, 0) != 0) continue;
        parameter = root["components"]["parameters"][ref.substr(prefix.size())];
      }
      if (parameter && parameter["in"] && parameter["in"].as<std::string>() == "path") {
        EXPECT_TRUE(parameter["required"] && parameter["required"].as<bool>())
            << "path parameter " << parameter["name"].as<std::string>() << " must be required";
        names.insert(parameter["name"].as<std::string>());
      }
    }
  }
  return names;
}

TEST(OpenApiDocument, IsStructurallyOpenApi3) {
  YAML::Node doc = LoadDocument();
  ASSERT_TRUE(doc.IsMap()) << "docs/openapi.yaml is not a YAML mapping";
  ASSERT_TRUE(doc["openapi"]) << "no openapi version key";
  EXPECT_EQ(doc["openapi"].as<std::string>().rfind("3.0.", 0), 0u) << "want openapi 3.0.x";
  ASSERT_TRUE(doc["info"] && doc["info"].IsMap()) << "no info";
  EXPECT_TRUE(doc["info"]["title"] && !doc["info"]["title"].as<std::string>().empty()) << "no info.title";
  EXPECT_TRUE(doc["info"]["version"]) << "no info.version";
  ASSERT_TRUE(doc["paths"] && doc["paths"].IsMap() && doc["paths"].size() > 0) << "no paths";
  ASSERT_TRUE(doc["components"]["securitySchemes"]["bearer"]) << "no bearer security scheme";
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearer"]["type"].as<std::string>(), "http");
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearer"]["scheme"].as<std::string>(), "bearer");
  CheckReferences(doc, doc, "#");

  std::set<std::string> operation_ids;
  for (const auto& path_entry : doc["paths"]) {
    const std::string path = path_entry.first.as<std::string>();
    EXPECT_TRUE(OpenApiPathTemplate(path).ok()) << OpenApiPathTemplate(path).status().message();
    int operations = 0;
    for (const char* method : kMethods) {
      const YAML::Node operation = path_entry.second[method];
      if (!operation) continue;
      ++operations;
      const std::string route = Upper(method) + " " + path;
      ASSERT_TRUE(operation["responses"] && operation["responses"].IsMap() && operation["responses"].size() > 0)
          << route << ": no responses";
      for (const auto& response : operation["responses"]) {
        const YAML::Node body = response.second;
        EXPECT_TRUE(body["description"] || body["$ref"])
            << route << " " << response.first.as<std::string>() << ": a response needs a description";
      }
      ASSERT_TRUE(operation["operationId"]) << route << ": no operationId";
      EXPECT_TRUE(operation_ids.insert(operation["operationId"].as<std::string>()).second)
          << route << ": operationId " << operation["operationId"].as<std::string>() << " used twice";
      std::set<std::string> want;
      for (const std::string& name : OpenApiPathParameters(path)) want.insert(name);
      EXPECT_EQ(DeclaredPathParameters(doc, path_entry.second, operation), want)
          << route << ": declared path parameters differ from the template's";
      // /api/v1/ needs a token (the global security); the ops routes and the page need none.
      const bool needs_token = path.rfind("/api/v1/", 0) == 0;
      if (needs_token) {
        EXPECT_FALSE(operation["security"] && operation["security"].size() == 0) << route << " must need a token";
        EXPECT_TRUE(operation["responses"]["401"]) << route << ": no 401 response";
        EXPECT_TRUE(operation["responses"]["403"]) << route << ": no 403 response";
      } else {
        EXPECT_TRUE(operation["security"] && operation["security"].IsSequence() && operation["security"].size() == 0)
            << route << ": needs no token, so say `security: []`";
      }
    }
    EXPECT_GT(operations, 0) << path << ": no operations";
  }
  ASSERT_TRUE(doc["security"] && doc["security"].size() > 0) << "no global security requirement";
}

// Normalized route ("GET /api/v1/jobs/{}") -> how its source spells it ("GET /api/v1/jobs/{id}").
using RouteMap = std::map<std::string, std::string>;

// Every documented operation.
RouteMap DocumentedRoutes(const YAML::Node& doc) {
  RouteMap routes;
  for (const auto& path_entry : doc["paths"]) {
    const std::string path = path_entry.first.as<std::string>();
    auto normal = OpenApiPathTemplate(path);
    if (!normal.ok()) {
      ADD_FAILURE() << normal.status().message();
      continue;
    }
    for (const char* method : kMethods) {
      if (!path_entry.second[method]) continue;
      EXPECT_TRUE(routes.emplace(Upper(method) + " " + *normal, Upper(method) + " " + path).second)
          << Upper(method) << " " << path << " is documented twice (under another parameter name)";
    }
  }
  return routes;
}

// The routes of `routes` that `other` lacks, one per line, as their source spells them.
std::string Missing(const RouteMap& routes, const RouteMap& other) {
  std::string out;
  for (const auto& [route, spelled] : routes) {
    if (other.count(route) == 0) out += "\n  " + spelled;
  }
  return out;
}

class OpenApiRoutesTest : public scheduler::ServerTest {};

TEST_F(OpenApiRoutesTest, EveryServedRouteIsDocumentedAndEveryDocumentedRouteIsServed) {
  YAML::Node doc = LoadDocument();
  ASSERT_TRUE(doc["paths"]) << "docs/openapi.yaml has no paths";
  const RouteMap documented = DocumentedRoutes(doc);

  RouteMap served;
  const std::vector<HttpRoute> routes = app_->Routes();
  ASSERT_GT(routes.size(), 10u) << "the app registered almost nothing";
  for (const HttpRoute& route : routes) {
    auto templates = ServerPatternTemplates(route.pattern);
    ASSERT_TRUE(templates.ok()) << route.method << " " << templates.status().message();
    const std::regex pattern(route.pattern);
    for (const std::string& path : *templates) {
      // The common form must describe paths the pattern matches (cpp-httplib uses regex_match): some
      // sample parameter value (an id, an attempt number, a file name) must fill it to a match.
      const bool matches = std::any_of(std::begin(kSampleValues), std::end(kSampleValues), [&](const char* value) {
        return std::regex_match(FillTemplate(path, value), pattern);
      });
      EXPECT_TRUE(matches) << path << " is not matched by " << route.pattern;
      served.emplace(route.method + " " + path, route.method + " " + route.pattern);
    }
  }

  const std::string undocumented = Missing(served, documented);
  const std::string unserved = Missing(documented, served);
  EXPECT_TRUE(undocumented.empty()) << "served but missing from docs/openapi.yaml:" << undocumented;
  EXPECT_TRUE(unserved.empty()) << "in docs/openapi.yaml but not served by buildfarm-scheduler:" << unserved;
}

}  // namespace
}  // namespace buildfarm::docs
