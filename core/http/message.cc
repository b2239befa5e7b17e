#include "core/http/message.h"

#include <algorithm>
#include <cctype>

namespace meshsim::core {

namespace {
std::string lowerCase(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}
}  // namespace

void HeaderList::add(std::string name, std::string value) {
  fields_.emplace_back(lowerCase(std::move(name)), std::move(value));
}

void HeaderList::set(std::string_view name, std::string value) {
  remove(name);
  add(std::string(name), std::move(value));
}

void HeaderList::remove(std::string_view name) {
  std::erase_if(fields_, [name](const auto& field) { return field.first == name; });
}

std::optional<std::string_view> HeaderList::get(std::string_view name) const {
  for (const auto& [field_name, value] : fields_) {
    if (field_name == name) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

}  // namespace meshsim::core
