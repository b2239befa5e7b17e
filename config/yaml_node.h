#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/time.h"

namespace meshsim::config {

// A position in an input file, 1-based as editors show it.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

// Bad input: one message naming file, line, column and key (DESIGN.md "Inputs and outputs").
class ConfigError : public std::runtime_error {
 public:
  ConfigError(Location location, std::string key, const std::string& message);
  const Location& location() const { return location_; }
  const std::string& key() const { return key_; }

 private:
  Location location_;
  std::string key_;
};

// Something accepted but worth telling the user, e.g. an Istio field meshsim does not model.
struct Warning {
  Location location;
  std::string key;
  std::string message;
  std::string format() const;
};
using Warnings = std::vector<Warning>;

// The closest candidate within a small edit distance, or empty: powers "did you mean".
std::string closestMatch(std::string_view word, const std::vector<std::string_view>& candidates);

// Go-style durations as Istio accepts them ("7s", "1.5s", "250ms", "100us", "1m30s", "0").
std::optional<core::Duration> parseDuration(std::string_view text);

// A YAML node together with where it came from and the key path that led to it, so every error
// about it can say file:line:column and key.
class Node {
 public:
  Node(YAML::Node node, std::shared_ptr<const std::string> file, std::string path);

  const YAML::Node& yaml() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return *file_; }
  Location location() const;
  [[noreturn]] void fail(const std::string& message) const;

  bool isMap() const { return node_.IsMap(); }
  bool isSequence() const { return node_.IsSequence(); }
  bool isScalar() const { return node_.IsScalar(); }
  bool isNull() const { return node_.IsNull(); }

  // Maps. Keys are looked up exactly; unknown keys are errors with a "did you mean".
  void expectMap() const;
  std::optional<Node> get(std::string_view key) const;
  Node require(std::string_view key) const;
  void checkKeys(const std::vector<std::string_view>& known) const;
  // As checkKeys, but keys in `ignored` are accepted with a warning that meshsim does not model
  // them.
  void checkKeys(const std::vector<std::string_view>& known,
                 const std::vector<std::string_view>& ignored, Warnings& warnings) const;
  std::vector<std::pair<std::string, Node>> entries() const;

  // Sequences (a single scalar is not promoted; the schema says which it wants).
  std::vector<Node> elements() const;

  // Scalars, with type errors reported at this node.
  std::string asString() const;
  double asDouble() const;
  std::int64_t asInt() const;
  bool asBool() const;
  core::Duration asDuration() const;

  // Convenience for optional map members.
  std::string stringOr(std::string_view key, std::string fallback) const;
  double doubleOr(std::string_view key, double fallback) const;
  std::int64_t intOr(std::string_view key, std::int64_t fallback) const;
  bool boolOr(std::string_view key, bool fallback) const;
  core::Duration durationOr(std::string_view key, core::Duration fallback) const;

 private:
  Node child(YAML::Node node, std::string path) const {
    return Node(std::move(node), file_, std::move(path));
  }
  std::string childPath(std::string_view key) const;

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
};

// Every YAML document of a file (multi-document files allowed). Unreadable files and YAML syntax
// errors are ConfigErrors at the parser's position.
std::vector<Node> loadDocuments(const std::string& path);
std::vector<Node> loadDocumentsFromString(const std::string& text, const std::string& name);

}  // namespace meshsim::config
