// The schemas under schemas/, compiled in so that the programs need no data files at run time.
// Generated from bundled_schemas.cc.in at configure time.
#pragma once

namespace buildfarm {

extern const char* const kStatusSchemaText;

}  // namespace buildfarm
