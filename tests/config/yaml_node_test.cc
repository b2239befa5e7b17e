#include "config/yaml_node.h"

#include <gtest/gtest.h>

namespace meshsim::config {
namespace {

using namespace std::chrono_literals;

Node parse(const std::string& text) {
  return loadDocumentsFromString(text, "scenario.yaml").at(0);
}

TEST(ParseDurationTest, AcceptsGoStyleDurations) {
  EXPECT_EQ(parseDuration("7s"), core::Duration(7s));
  EXPECT_EQ(parseDuration("1.5s"), core::Duration(1500ms));
  EXPECT_EQ(parseDuration("250ms"), core::Duration(250ms));
  EXPECT_EQ(parseDuration("100us"), core::Duration(100us));
  EXPECT_EQ(parseDuration("1m30s"), core::Duration(90s));
  EXPECT_EQ(parseDuration("2h"), core::Duration(7200s));
  EXPECT_EQ(parseDuration("0"), core::Duration::zero());
  EXPECT_FALSE(parseDuration("7"));
  EXPECT_FALSE(parseDuration("fast"));
  EXPECT_FALSE(parseDuration("10 s"));
  EXPECT_FALSE(parseDuration(""));
}

TEST(ClosestMatchTest, SuggestsNearMissesOnly) {
  EXPECT_EQ(closestMatch("replcas", {"replicas", "versions", "name"}), "replicas");
  EXPECT_EQ(closestMatch("Replicas", {"replicas"}), "replicas");
  EXPECT_EQ(closestMatch("zzzzzz", {"replicas", "versions"}), "");
}

TEST(NodeTest, SyntaxErrorsCarryThePosition) {
  try {
    loadDocumentsFromString("services:\n  - name: a\n   bad: [\n", "broken.yaml");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.location().file, "broken.yaml");
    EXPECT_GE(e.location().line, 2);
    EXPECT_NE(std::string(e.what()).find("YAML syntax error"), std::string::npos);
  }
}

TEST(NodeTest, UnknownKeyNamesLineColumnKeyAndSuggestion) {
  const Node root = parse("services:\n  - name: a\n    replcas: 3\n");
  const Node service = root.require("services").elements().at(0);
  try {
    service.checkKeys({"name", "replicas"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.location().line, 3);
    EXPECT_EQ(e.location().column, 5);
    EXPECT_EQ(e.key(), "services[0].replcas");
    EXPECT_EQ(std::string(e.what()),
              "scenario.yaml:3:5: error: key 'services[0].replcas': unknown key (did you mean "
              "'replicas'?)");
  }
}

TEST(NodeTest, IgnoredKeysBecomeWarnings) {
  const Node root = parse("consecutive5xxErrors: 3\nminHealthPercent: 20\n");
  Warnings warnings;
  root.checkKeys({"consecutive5xxErrors"}, {"minHealthPercent"}, warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].key, "minHealthPercent");
  EXPECT_EQ(warnings[0].location.line, 2);
}

TEST(NodeTest, TypeErrorsNameTheKey) {
  const Node root = parse("replicas: three\ntimeout: 3\nname: [a]\n");
  EXPECT_THROW(root.require("replicas").asInt(), ConfigError);
  try {
    root.require("timeout").asDuration();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "timeout");
    EXPECT_EQ(e.location().line, 2);
    EXPECT_EQ(e.location().column, 10);
  }
  EXPECT_THROW(root.require("name").asString(), ConfigError);
  EXPECT_THROW(root.require("missing"), ConfigError);
  EXPECT_EQ(root.intOr("absent", 7), 7);
  EXPECT_EQ(root.durationOr("absent", 5s), core::Duration(5s));
}

TEST(NodeTest, MultiDocumentFiles) {
  const auto docs = loadDocumentsFromString("kind: A\n---\nkind: B\n", "m.yaml");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1].require("kind").asString(), "B");
  EXPECT_EQ(docs[1].require("kind").location().line, 3);
}

TEST(NodeTest, MissingFileIsAConfigError) {
  EXPECT_THROW(loadDocuments("/nonexistent/meshsim.yaml"), ConfigError);
}

}  // namespace
}  // namespace meshsim::config
