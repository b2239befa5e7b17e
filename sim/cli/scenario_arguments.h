#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshsim::cli {

// Value of `--name VALUE` or `--name=VALUE` at args[i] (advancing i), or nullopt if args[i] is
// not that option. Sets `missing` when the value is absent.
inline std::optional<std::string> optionValue(const std::vector<std::string>& args, std::size_t& i,
                                              std::string_view name, bool& missing) {
  const std::string& arg = args[i];
  if (arg == name) {
    if (i + 1 >= args.size()) {
      missing = true;
      return std::string();
    }
    return args[++i];
  }
  if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
      arg[name.size()] == '=') {
    return arg.substr(name.size() + 1);
  }
  return std::nullopt;
}

}  // namespace meshsim::cli
