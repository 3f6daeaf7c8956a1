# Writes a C++ file holding every file of the web page folder as bytes, so buildfarm-scheduler serves
# the page it was built with (no install step, no path to configure).
#   cmake -DINPUT_DIR=dashboards/web -DOUTPUT=embedded_web_assets.cc -P embed_web_assets.cmake
get_filename_component(INPUT_DIR "${INPUT_DIR}" ABSOLUTE)
file(GLOB names RELATIVE "${INPUT_DIR}" "${INPUT_DIR}/*")
list(SORT names)
set(arrays "")
set(entries "")
set(index 0)
foreach(name IN LISTS names)
  if(IS_DIRECTORY "${INPUT_DIR}/${name}" OR name MATCHES "^\\.")
    continue()
  endif()
  file(READ "${INPUT_DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  if(hex_length EQUAL 0)
    continue()
  endif()
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  # 24 bytes a line keeps the generated file readable (CMake's regex has no {n}, hence REPEAT).
  string(REPEAT "0x..," 24 line_pattern)
  string(REGEX REPLACE "(${line_pattern})" "\\1\n    " bytes "${bytes}")
  string(APPEND arrays "// ${name}\nconst unsigned char kFile${index}[] = {\n    ${bytes}\n};\n")
  string(APPEND entries "      {\"${name}\", Bytes(kFile${index}, sizeof kFile${index})},\n")
  math(EXPR index "${index} + 1")
endforeach()
set(content "// Generated from ${INPUT_DIR} by scheduler/server/embed_web_assets.cmake; do not edit.
#include <string_view>
#include <vector>

#include \"scheduler/server/web_assets.h\"

namespace buildfarm::scheduler {
namespace {

std::string_view Bytes(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

${arrays}
}  // namespace

std::vector<EmbeddedWebFile> EmbeddedWebFiles() {
  return {
${entries}  };
}

}  // namespace buildfarm::scheduler
")
# Rewrite only on a change, so an unchanged page does not recompile.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${content}")
