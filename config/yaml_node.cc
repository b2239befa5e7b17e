#include "config/yaml_node.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace meshsim::config {

namespace {

std::string formatLocation(const Location& location) {
  std::ostringstream out;
  out << location.file << ':' << location.line << ':' << location.column;
  return out.str();
}

std::string withKey(const std::string& key, const std::string& message) {
  return key.empty() ? message : "key '" + key + "': " + message;
}

// Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions).
std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string lowerCase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

ConfigError::ConfigError(Location location, std::string key, const std::string& message)
    : std::runtime_error(formatLocation(location) + ": error: " + withKey(key, message)),
      location_(std::move(location)),
      key_(std::move(key)) {}

std::string Warning::format() const {
  return formatLocation(location) + ": warning: " + withKey(key, message);
}

std::string closestMatch(std::string_view word, const std::vector<std::string_view>& candidates) {
  // Case-insensitive, allowing about one edit per three characters (at least one, at most three).
  const std::string lowered = lowerCase(word);
  const std::size_t budget = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::string best;
  std::size_t best_distance = budget + 1;
  for (std::string_view candidate : candidates) {
    const std::size_t distance = editDistance(lowered, lowerCase(candidate));
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

std::optional<core::Duration> parseDuration(std::string_view text) {
  if (text == "0") {
    return core::Duration::zero();
  }
  if (text.empty()) {
    return std::nullopt;
  }
  double total_ns = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t number_start = pos;
    while (pos < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.')) {
      ++pos;
    }
    if (pos == number_start) {
      return std::nullopt;
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data() + number_start, text.data() + pos, value);
    if (ec != std::errc() || end != text.data() + pos) {
      return std::nullopt;
    }
    const std::size_t unit_start = pos;
    while (pos < text.size() && !std::isdigit(static_cast<unsigned char>(text[pos])) &&
           text[pos] != '.') {
      ++pos;
    }
    const std::string_view unit = text.substr(unit_start, pos - unit_start);
    double scale;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "\u00b5s") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "s") {
      scale = 1e9;
    } else if (unit == "m") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else {
      return std::nullopt;
    }
    total_ns += value * scale;
  }
  if (!std::isfinite(total_ns) || total_ns > 9.2e18) {
    return std::nullopt;
  }
  return core::Duration(static_cast<std::int64_t>(std::llround(total_ns)));
}

Node::Node(YAML::Node node, std::shared_ptr<const std::string> file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

Location Node::location() const {
  const YAML::Mark mark = node_.Mark();
  return Location{*file_, mark.line + 1, mark.column + 1};
}

void Node::fail(const std::string& message) const {
  throw ConfigError(location(), path_, message);
}

std::string Node::childPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void Node::expectMap() const {
  if (!node_.IsMap()) {
    fail("expected a mapping (key: value pairs)");
  }
}

std::optional<Node> Node::get(std::string_view key) const {
  expectMap();
  for (const auto& entry : node_) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      return child(entry.second, childPath(key));
    }
  }
  return std::nullopt;
}

Node Node::require(std::string_view key) const {
  std::optional<Node> value = get(key);
  if (!value) {
    throw ConfigError(location(), childPath(key), "required key is missing");
  }
  return *value;
}

void Node::checkKeys(const std::vector<std::string_view>& known) const {
  Warnings unused;
  checkKeys(known, {}, unused);
}

void Node::checkKeys(const std::vector<std::string_view>& known,
                     const std::vector<std::string_view>& ignored, Warnings& warnings) const {
  expectMap();
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    const Location key_location{*file_, entry.first.Mark().line + 1, entry.first.Mark().column + 1};
    if (std::find(known.begin(), known.end(), key) != known.end()) {
      continue;
    }
    if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) {
      warnings.push_back(Warning{key_location, childPath(key),
                                 "accepted but not modelled by meshsim; it has no effect"});
      continue;
    }
    std::vector<std::string_view> all = known;
    all.insert(all.end(), ignored.begin(), ignored.end());
    const std::string suggestion = closestMatch(key, all);
    std::string message = "unknown key";
    if (!suggestion.empty()) {
      message += " (did you mean '" + suggestion + "'?)";
    }
    throw ConfigError(key_location, childPath(key), message);
  }
}

std::vector<std::pair<std::string, Node>> Node::entries() const {
  expectMap();
  std::vector<std::pair<std::string, Node>> out;
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    out.emplace_back(key, child(entry.second, childPath(key)));
  }
  return out;
}

std::vector<Node> Node::elements() const {
  if (!node_.IsSequence()) {
    fail("expected a list");
  }
  std::vector<Node> out;
  std::size_t index = 0;
  for (const auto& element : node_) {
    out.push_back(child(element, path_ + "[" + std::to_string(index++) + "]"));
  }
  return out;
}

std::string Node::asString() const {
  if (!node_.IsScalar()) {
    fail("expected a single value (string)");
  }
  return node_.Scalar();
}

double Node::asDouble() const {
  const std::string text = asString();
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    fail("expected a number, got '" + text + "'");
  }
  return value;
}

std::int64_t Node::asInt() const {
  const std::string text = asString();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail("expected an integer, got '" + text + "'");
  }
  return value;
}

bool Node::asBool() const {
  const std::string text = asString();
  if (text == "true" || text == "True" || text == "TRUE")
    return true;
  if (text == "false" || text == "False" || text == "FALSE")
    return false;
  fail("expected true or false, got '" + text + "'");
}

core::Duration Node::asDuration() const {
  const std::string text = asString();
  const std::optional<core::Duration> value = parseDuration(text);
  if (!value) {
    fail("expected a duration such as 250ms, 1.5s or 2m, got '" + text + "'");
  }
  if (*value < core::Duration::zero()) {
    fail("duration must not be negative");
  }
  return *value;
}

std::string Node::stringOr(std::string_view key, std::string fallback) const {
  const auto value = get(key);
  return value ? value->asString() : std::move(fallback);
}
double Node::doubleOr(std::string_view key, double fallback) const {
  const auto value = get(key);
  return value ? value->asDouble() : fallback;
}
std::int64_t Node::intOr(std::string_view key, std::int64_t fallback) const {
  const auto value = get(key);
  return value ? value->asInt() : fallback;
}
bool Node::boolOr(std::string_view key, bool fallback) const {
  const auto value = get(key);
  return value ? value->asBool() : fallback;
}
core::Duration Node::durationOr(std::string_view key, core::Duration fallback) const {
  const auto value = get(key);
  return value ? value->asDuration() : fallback;
}

std::vector<Node> loadDocumentsFromString(const std::string& text, const std::string& name) {
  auto file = std::make_shared<const std::string>(name);
  std::vector<Node> documents;
  try {
    for (YAML::Node& document : YAML::LoadAll(text)) {
      documents.emplace_back(document, file, "");
    }
  } catch (const YAML::Exception& e) {
    throw ConfigError(Location{name, e.mark.line + 1, e.mark.column + 1}, "",
                      "YAML syntax error: " + e.msg);
  }
  return documents;
}

std::vector<Node> loadDocuments(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(Location{path, 0, 0}, "", "cannot open file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return loadDocumentsFromString(text.str(), path);
}

}  // namespace meshsim::config
