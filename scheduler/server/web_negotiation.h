// The two request headers the web page's serving negotiates on: Accept-Encoding (may the answer be
// gzip?) and If-None-Match (does the client already hold this representation?). Pure functions over
// untrusted header text (fuzzed by fuzz/web_negotiation_fuzz.cc); thread-safe.
#pragma once

#include <string_view>

namespace buildfarm::scheduler {

// True when the Accept-Encoding header admits gzip (an explicit gzip entry decides, else `*`; q=0 refuses).
bool AcceptsGzip(std::string_view accept_encoding);
// True when the If-None-Match header lists `etag` (weak comparison, as RFC 9110 asks) or is `*`.
// A malformed list matches nothing.
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace buildfarm::scheduler
