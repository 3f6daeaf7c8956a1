#include "common/flags.h"

#include <memory>
#include <sstream>

#include "common/text.h"

namespace buildfarm {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

FlagSet::FlagSet(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

void FlagSet::AddCustom(std::string name, std::string value_name, std::string default_text, std::string help,
                        std::function<Status(std::string_view)> parse, bool is_bool) {
  Flag flag;
  flag.name = std::move(name);
  flag.value_name = std::move(value_name);
  flag.default_text = std::move(default_text);
  flag.help = std::move(help);
  flag.parse = std::move(parse);
  flag.is_bool = is_bool;
  flags_.push_back(std::move(flag));
}

void FlagSet::AddString(std::string name, std::string* target, std::string help) {
  AddCustom(std::move(name), "STRING", *target, std::move(help), [target](std::string_view v) {
    *target = std::string(v);
    return Status::Ok();
  });
}

void FlagSet::AddStringList(std::string name, std::vector<std::string>* target, std::string help) {
  auto first_use = std::make_shared<bool>(true);
  AddCustom(std::move(name), "STRING", JoinList(*target), std::move(help) + " (repeatable)",
            [target, first_use](std::string_view v) {
              if (*first_use) target->clear();
              *first_use = false;
              target->emplace_back(v);
              return Status::Ok();
            });
  flags_.back().repeatable = true;
}

void FlagSet::AddBool(std::string name, bool* target, std::string help) {
  AddCustom(std::move(name), "", *target ? "true" : "false", std::move(help),
            [target](std::string_view v) {
              if (v == "true" || v == "1") {
                *target = true;
              } else if (v == "false" || v == "0") {
                *target = false;
              } else {
                return InvalidArgument("want true or false, got " + Quote(v));
              }
              return Status::Ok();
            },
            /*is_bool=*/true);
}

void FlagSet::AddInt(std::string name, std::int64_t* target, std::int64_t min, std::int64_t max,
                     std::string help) {
  AddCustom(std::move(name), "INT", std::to_string(*target), std::move(help),
            [target, min, max](std::string_view v) {
              auto parsed = text::ParseInt64(v);
              if (!parsed) return InvalidArgument("want an integer, got " + Quote(v));
              if (*parsed < min || *parsed > max) {
                return InvalidArgument("want a value from " + std::to_string(min) + " to " +
                                       std::to_string(max) + ", got " + std::string(v));
              }
              *target = *parsed;
              return Status::Ok();
            });
}

void FlagSet::AddDuration(std::string name, double* target, std::string help) {
  std::ostringstream default_text;
  default_text << *target << "s";
  AddCustom(std::move(name), "DURATION", default_text.str(), std::move(help), [target](std::string_view v) {
    auto seconds = text::ParseDurationSeconds(v);
    if (!seconds) return InvalidArgument("want a duration such as 500ms, 5s or 1m, got " + Quote(v));
    *target = *seconds;
    return Status::Ok();
  });
}

FlagSet::Flag* FlagSet::Find(std::string_view name) {
  for (auto& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

bool FlagSet::WasSet(std::string_view name) const {
  for (const auto& flag : flags_) {
    if (flag.name == name) return flag.set;
  }
  return false;
}

bool FlagSet::Has(std::string_view name) const {
  for (const auto& flag : flags_) {
    if (flag.name == name) return true;
  }
  return false;
}

Status FlagSet::Set(std::string_view name, std::string_view value) {
  Flag* flag = Find(name);
  if (flag == nullptr) return InvalidArgument("unknown flag --" + std::string(name));
  Status status = flag->parse(value);
  if (!status.ok()) return InvalidArgument("--" + flag->name + ": " + status.message());
  return Status::Ok();
}

Status FlagSet::Parse(int argc, const char* const* argv, std::vector<std::string>* positional) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      if (positional != nullptr && !(arg.size() > 1 && arg[0] == '-')) {
        positional->emplace_back(arg);
        continue;
      }
      return InvalidArgument("unexpected argument " + Quote(arg) + " (see --help)");
    }
    std::string_view body = arg.substr(2);
    std::string_view name = body;
    std::string_view value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    Flag* flag = Find(name);
    bool negated = false;
    if (flag == nullptr && name.substr(0, 3) == "no-") {
      flag = Find(name.substr(3));
      negated = flag != nullptr && flag->is_bool;
      if (!negated) flag = nullptr;
    }
    if (flag == nullptr) return InvalidArgument("unknown flag --" + std::string(name) + " (see --help)");
    if (flag->is_bool) {
      if (negated && has_value) return InvalidArgument("flag --" + std::string(name) + " takes no value");
      if (!has_value) value = negated ? "false" : "true";
    } else if (!has_value) {
      if (i + 1 >= argc) return InvalidArgument("flag --" + flag->name + " needs a value");
      value = argv[++i];
    }
    if (flag->set && !flag->repeatable && !flag->is_bool) {
      return InvalidArgument("flag --" + flag->name + " given more than once");
    }
    Status status = flag->parse(value);
    if (!status.ok()) return InvalidArgument("flag --" + flag->name + ": " + status.message());
    flag->set = true;
  }
  return Status::Ok();
}

std::string FlagSet::Usage() const {
  std::ostringstream out;
  out << "usage: " << program_ << " [<flags>]\n\n" << summary_ << "\n\nFlags:\n";
  for (const auto& flag : flags_) {
    std::string left = "  --" + (flag.is_bool ? "[no-]" + flag.name : flag.name + "=" + flag.value_name);
    out << left;
    if (left.size() < 44) {
      out << std::string(44 - left.size(), ' ');
    } else {
      out << "\n" << std::string(44, ' ');
    }
    out << flag.help;
    if (!flag.default_text.empty()) out << " (default: " << flag.default_text << ")";
    out << "\n";
  }
  return out.str();
}

}  // namespace buildfarm
