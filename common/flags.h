// Command-line flags in the Prometheus (kingpin) style shared by every buildfarm program:
//
//   --name=value   --name value   --bool-flag   --no-bool-flag   --list a --list b
//
// A repeatable flag's first use on the command line replaces its default. Parse errors name the
// flag, so a program can print one line and exit 2. A FlagSet is used from one thread at startup.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm {

class FlagSet {
 public:
  FlagSet(std::string program, std::string summary);

  void AddString(std::string name, std::string* target, std::string help);
  void AddStringList(std::string name, std::vector<std::string>* target, std::string help);
  void AddBool(std::string name, bool* target, std::string help);
  void AddInt(std::string name, std::int64_t* target, std::int64_t min, std::int64_t max, std::string help);
  // Durations such as "500ms", "5s", "2m"; stored in seconds.
  void AddDuration(std::string name, double* target, std::string help);
  // Anything else: `parse` turns the text into the target, or explains why it can't.
  void AddCustom(std::string name, std::string value_name, std::string default_text, std::string help,
                 std::function<Status(std::string_view)> parse, bool is_bool = false);

  // Parses argv[1..]. Words that are not flags go to `positional` when it is given, else they are
  // an error. Returns the first problem, naming the flag.
  Status Parse(int argc, const char* const* argv, std::vector<std::string>* positional = nullptr);

  // True when the flag was given on the command line (not just defaulted).
  bool WasSet(std::string_view name) const;
  bool Has(std::string_view name) const;
  // Sets a flag from another source (a config file) as if it had been given; booleans take
  // "true"/"false". The caller decides precedence with WasSet().
  Status Set(std::string_view name, std::string_view value);

  std::string Usage() const;

 private:
  struct Flag {
    std::string name;
    std::string value_name;  // empty for booleans
    std::string default_text;
    std::string help;
    std::function<Status(std::string_view)> parse;
    bool is_bool = false;
    bool repeatable = false;
    bool set = false;
  };
  Flag* Find(std::string_view name);

  std::string program_;
  std::string summary_;
  std::vector<Flag> flags_;
};

}  // namespace buildfarm
