// Turns the scheduler's cpp-httplib route patterns and OpenAPI path templates into one comparable
// form, so docs/openapi.yaml can be checked against the routes the server really registers.
//
// A server pattern is read segment by segment (between the slashes that are not inside a group or
// bracket expression), after splitting top-level alternatives ("/|/x" is "/" and "/x"): a literal
// segment stays, a segment that is one group of literal alternatives ("(cordon|uncordon|drain)")
// expands into one path per alternative, and any other segment ("([^/]+)", "[a-z]+\.js") is one
// path parameter. An OpenAPI path's "{name}" is a parameter. Parameters are written "{}" in the
// common form, so names do not have to agree.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::docs {

// "/api/v1/nodes/([^/]+)/(cordon|drain)" -> {"/api/v1/nodes/{}/cordon", "/api/v1/nodes/{}/drain"}.
// Unbalanced groups or brackets, or an alternative not starting with "/", are InvalidArgument naming it.
Result<std::vector<std::string>> ServerPatternTemplates(std::string_view pattern);

// "/api/v1/jobs/{id}/attempts/{n}/log" -> "/api/v1/jobs/{}/attempts/{}/log".
// An unclosed or empty "{" is InvalidArgument naming the path.
Result<std::string> OpenApiPathTemplate(std::string_view path);

// The parameter names of an OpenAPI path, in order: "/jobs/{id}/attempts/{n}" -> {"id", "n"}.
std::vector<std::string> OpenApiPathParameters(std::string_view path);

// A concrete path for a common-form template, each "{}" replaced by `value`.
std::string FillTemplate(std::string_view common_template, std::string_view value);

}  // namespace buildfarm::docs
