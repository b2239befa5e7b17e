#include "core/router/string_matcher.h"

#include <algorithm>
#include <cctype>

namespace meshsim::core {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

bool equals(std::string_view a, std::string_view b, bool ignore_case) {
  return ignore_case ? equalsIgnoreCase(a, b) : a == b;
}

}  // namespace

StringMatcher StringMatcher::exact(std::string value, bool ignore_case) {
  return StringMatcher(Kind::kExact, std::move(value), ignore_case);
}

StringMatcher StringMatcher::prefix(std::string value, bool ignore_case) {
  return StringMatcher(Kind::kPrefix, std::move(value), ignore_case);
}

StringMatcher StringMatcher::suffix(std::string value, bool ignore_case) {
  return StringMatcher(Kind::kSuffix, std::move(value), ignore_case);
}

StringMatcher StringMatcher::regex(std::string pattern) {
  StringMatcher matcher(Kind::kRegex, std::move(pattern), false);
  try {
    matcher.regex_ = std::make_shared<const std::regex>(matcher.value_, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    matcher.error_ = std::string("invalid regex '") + matcher.value_ + "': " + e.what();
  }
  return matcher;
}

StringMatcher StringMatcher::present() {
  return StringMatcher(Kind::kPresent, {}, false);
}

std::optional<StringMatcher> StringMatcher::fromKindName(std::string_view kind, std::string value) {
  if (kind == "exact") {
    return exact(std::move(value));
  }
  if (kind == "prefix") {
    return prefix(std::move(value));
  }
  if (kind == "suffix") {
    return suffix(std::move(value));
  }
  if (kind == "regex") {
    return regex(std::move(value));
  }
  if (kind == "present") {
    return present();
  }
  return std::nullopt;
}

bool StringMatcher::matches(std::string_view value) const {
  switch (kind_) {
    case Kind::kExact:
      return equals(value, value_, ignore_case_);
    case Kind::kPrefix:
      return value.size() >= value_.size() &&
             equals(value.substr(0, value_.size()), value_, ignore_case_);
    case Kind::kSuffix:
      return value.size() >= value_.size() &&
             equals(value.substr(value.size() - value_.size()), value_, ignore_case_);
    case Kind::kRegex:
      return regex_ != nullptr && std::regex_match(value.begin(), value.end(), *regex_);
    case Kind::kPresent:
      return true;
  }
  return false;
}

}  // namespace meshsim::core
