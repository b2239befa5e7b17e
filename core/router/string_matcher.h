// Implements proxy-semantics.md §6.1 (string matchers).
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace meshsim::core {

// Envoy's StringMatcher plus present_match, as used by route path and header matchers
// (proxy-semantics §6.1). Regexes are compiled once, at configuration time, and shared between
// copies. Envoy uses RE2 (full match); std::regex ECMAScript full match is used here, which agrees
// on the patterns Istio users write (literals, classes, `.*`, alternation) but not on RE2-only
// syntax such as named groups `(?P<x>)`.
class StringMatcher {
 public:
  enum class Kind { kExact, kPrefix, kSuffix, kRegex, kPresent };

  static StringMatcher exact(std::string value, bool ignore_case = false);
  static StringMatcher prefix(std::string value, bool ignore_case = false);
  static StringMatcher suffix(std::string value, bool ignore_case = false);
  // An invalid pattern yields a matcher that matches nothing and reports error().
  static StringMatcher regex(std::string pattern);
  static StringMatcher present();

  // A matcher from a kind name ("exact", "prefix", "suffix", "regex", "present"); nullopt for an
  // unknown kind.
  static std::optional<StringMatcher> fromKindName(std::string_view kind, std::string value);

  bool matches(std::string_view value) const;
  Kind kind() const { return kind_; }
  const std::string& value() const { return value_; }
  bool ignoreCase() const { return ignore_case_; }
  // Empty when valid; the regex compiler's message otherwise.
  const std::string& error() const { return error_; }

 private:
  StringMatcher(Kind kind, std::string value, bool ignore_case)
      : kind_(kind), value_(std::move(value)), ignore_case_(ignore_case) {}

  Kind kind_;
  std::string value_;
  bool ignore_case_ = false;
  std::shared_ptr<const std::regex> regex_;
  std::string error_;
};

}  // namespace meshsim::core
