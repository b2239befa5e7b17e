#pragma once

#include <string_view>

namespace meshsim::core {

// ASCII whitespace as HTTP header values and comma-separated policy lists use it.
constexpr bool isAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// `text` without leading and trailing ASCII whitespace.
constexpr std::string_view trimWhitespace(std::string_view text) {
  while (!text.empty() && isAsciiSpace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && isAsciiSpace(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace meshsim::core
