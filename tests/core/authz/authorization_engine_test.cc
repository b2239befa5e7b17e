#include "core/authz/authorization_engine.h"

#include <gtest/gtest.h>

#include "core/authz/spiffe_id.h"

namespace meshsim::core {
namespace {

const std::string kSleep = spiffeId("foo", "sleep");  // spiffe://cluster.local/ns/foo/sa/sleep
const std::string kAdmin =
    spiffeId("admin", "console");  // spiffe://cluster.local/ns/admin/sa/console

Request http(std::string method, std::string path, std::string host = "httpbin") {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.authority = std::move(host);
  return r;
}

AuthorizationPolicy policy(std::string name, AuthzAction action, std::vector<AuthzRule> rules) {
  AuthorizationPolicy p;
  p.name = std::move(name);
  p.ns = "foo";
  p.action = action;
  p.rules = std::move(rules);
  return p;
}

AuthzRule ruleFromPrincipal(std::string principal) {
  AuthzRule rule;
  rule.from.push_back(AuthzSource{{std::move(principal)}, {}, {}, {}});
  return rule;
}

AuthzRule ruleToPath(std::string path) {
  AuthzRule rule;
  AuthzOperation op;
  op.paths = {std::move(path)};
  rule.to.push_back(op);
  return rule;
}

class FixedExtAuthz : public ExtAuthzClient {
 public:
  explicit FixedExtAuthz(bool allow) : allow_(allow) {}
  bool allows(std::string_view provider, const AuthzRequest&) override {
    last_provider = std::string(provider);
    ++calls;
    return allow_;
  }
  std::string last_provider;
  int calls = 0;

 private:
  bool allow_;
};

TEST(SpiffeIdTest, FormatAndParse) {
  EXPECT_EQ(kSleep, "spiffe://cluster.local/ns/foo/sa/sleep");
  auto id = parseSpiffeId(kSleep);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->trust_domain, "cluster.local");
  EXPECT_EQ(id->ns, "foo");
  EXPECT_EQ(id->service_account, "sleep");
  EXPECT_FALSE(parseSpiffeId("cluster.local/ns/foo/sa/sleep").has_value());
  EXPECT_FALSE(parseSpiffeId("spiffe://td/ns//sa/x").has_value());
  EXPECT_FALSE(parseSpiffeId("spiffe://td/x/foo/sa/x").has_value());
}

TEST(AuthzValueTest, ExactPrefixSuffixAny) {
  EXPECT_TRUE(AuthzValue("/api").matches("/api"));
  EXPECT_FALSE(AuthzValue("/api").matches("/api/x"));
  EXPECT_TRUE(AuthzValue("/api/*").matches("/api/x"));
  EXPECT_FALSE(AuthzValue("/api/*").matches("/apix"));
  EXPECT_TRUE(AuthzValue("*.png").matches("/img/a.png"));
  EXPECT_FALSE(AuthzValue("*.png").matches("/img/a.jpg"));
  EXPECT_TRUE(AuthzValue("*").matches(""));
  EXPECT_EQ(AuthzValue("*").kind(), AuthzValue::Kind::kAny);
}

TEST(AuthorizationEngineTest, NoAllowPolicyAllows) {
  AuthorizationEngine engine({});
  Request r = http("GET", "/");
  auto d = engine.evaluate({&r, "", 80});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reason, AuthzReason::kNoAllowPolicy);
  EXPECT_EQ(d.policy, nullptr);
  EXPECT_EQ(engine.stats().allowed, 1u);
}

TEST(AuthorizationEngineTest, AllowMatchesPrincipalWithoutScheme) {
  AuthorizationEngine engine({policy("allow-sleep", AuthzAction::kAllow,
                                     {ruleFromPrincipal("cluster.local/ns/foo/sa/sleep")})});
  Request r = http("GET", "/");
  auto allowed = engine.evaluate({&r, kSleep, 80});
  EXPECT_TRUE(allowed.allowed);
  EXPECT_EQ(allowed.reason, AuthzReason::kAllowPolicy);
  ASSERT_NE(allowed.policy, nullptr);
  EXPECT_EQ(allowed.policy->name, "allow-sleep");
  // ALLOW policies exist but none match => deny.
  auto denied = engine.evaluate({&r, kAdmin, 80});
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.reason, AuthzReason::kNoAllowMatched);
  EXPECT_EQ(denied.policy, nullptr);
  // Plaintext peer: no principal at all.
  EXPECT_FALSE(engine.evaluate({&r, "", 80}).allowed);
  EXPECT_EQ(engine.stats().denied, 2u);
}

TEST(AuthorizationEngineTest, DenyBeatsAllow) {
  AuthorizationEngine engine({policy("allow-all", AuthzAction::kAllow, {AuthzRule{}}),
                              policy("deny-admin", AuthzAction::kDeny, {ruleToPath("/admin*")})});
  Request admin = http("GET", "/admin/users");
  auto d = engine.evaluate({&admin, kSleep, 80});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, AuthzReason::kDenyPolicy);
  EXPECT_EQ(d.policy->name, "deny-admin");
  Request other = http("GET", "/status");
  auto ok = engine.evaluate({&other, kSleep, 80});
  EXPECT_TRUE(ok.allowed);
  EXPECT_EQ(ok.policy->name, "allow-all");
}

TEST(AuthorizationEngineTest, EmptyRuleMatchesEverythingNoRulesMatchNothing) {
  // allow-nothing: an ALLOW policy with no rules denies everything.
  AuthorizationEngine allow_nothing({policy("allow-nothing", AuthzAction::kAllow, {})});
  Request r = http("GET", "/");
  auto d = allow_nothing.evaluate({&r, kSleep, 80});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, AuthzReason::kNoAllowMatched);
  EXPECT_EQ(d.rules_evaluated, 0u);

  // A DENY policy with no rules matches nothing either.
  AuthorizationEngine deny_nothing({policy("deny-nothing", AuthzAction::kDeny, {})});
  EXPECT_TRUE(deny_nothing.evaluate({&r, "", 80}).allowed);

  // {} matches everything, even plaintext.
  AuthorizationEngine deny_all({policy("deny-all", AuthzAction::kDeny, {AuthzRule{}})});
  EXPECT_FALSE(deny_all.evaluate({&r, "", 80}).allowed);
}

TEST(AuthorizationEngineTest, AuditNeverChangesTheDecision) {
  AuthorizationEngine engine({policy("audit-all", AuthzAction::kAudit, {AuthzRule{}})});
  Request r = http("GET", "/");
  auto d = engine.evaluate({&r, "", 80});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reason, AuthzReason::kNoAllowPolicy);  // AUDIT is not an ALLOW policy
  ASSERT_NE(d.audit_policy, nullptr);
  EXPECT_EQ(d.audit_policy->name, "audit-all");
  EXPECT_EQ(engine.stats().audit_matched, 1u);

  AuthorizationEngine with_allow({policy("audit-all", AuthzAction::kAudit, {AuthzRule{}}),
                                  policy("allow-sleep", AuthzAction::kAllow,
                                         {ruleFromPrincipal("cluster.local/ns/foo/sa/sleep")})});
  EXPECT_FALSE(with_allow.evaluate({&r, kAdmin, 80}).allowed);
}

TEST(AuthorizationEngineTest, CustomDenyComesFirst) {
  AuthorizationPolicy custom = policy("ext", AuthzAction::kCustom, {ruleToPath("/secure*")});
  custom.provider = "oauth2-proxy";
  AuthorizationEngine engine({policy("allow-all", AuthzAction::kAllow, {AuthzRule{}}), custom});
  Request secure = http("GET", "/secure/x");
  FixedExtAuthz deny_all(false);
  auto d = engine.evaluate({&secure, kSleep, 80}, &deny_all);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, AuthzReason::kCustomDenied);
  EXPECT_EQ(d.policy->name, "ext");
  EXPECT_EQ(deny_all.last_provider, "oauth2-proxy");
  EXPECT_EQ(d.ext_authz_calls, 1u);

  FixedExtAuthz allow_all(true);
  EXPECT_TRUE(engine.evaluate({&secure, kSleep, 80}, &allow_all).allowed);
  // Not matching the CUSTOM policy: the authorizer is not consulted.
  Request open = http("GET", "/open");
  auto o = engine.evaluate({&open, kSleep, 80}, &deny_all);
  EXPECT_TRUE(o.allowed);
  EXPECT_EQ(o.ext_authz_calls, 0u);
  EXPECT_EQ(deny_all.calls, 1);
  // No authorizer wired: fail closed.
  EXPECT_FALSE(engine.evaluate({&secure, kSleep, 80}).allowed);
}

TEST(AuthorizationEngineTest, SourceFieldsAndNegations) {
  AuthzRule rule;
  rule.from.push_back(AuthzSource{{"cluster.local/ns/foo/*"}, {"*/sa/sleep"}, {}, {}});
  AuthzRule ns_rule;
  ns_rule.from.push_back(AuthzSource{{}, {}, {"admin"}, {}});
  AuthzRule any_authenticated;
  any_authenticated.from.push_back(AuthzSource{{"*"}, {}, {}, {"foo"}});
  Request r = http("GET", "/");
  {
    AuthorizationEngine e({policy("p", AuthzAction::kAllow, {rule})});
    EXPECT_FALSE(e.evaluate({&r, kSleep, 80}).allowed);  // notPrincipals suffix hits
    EXPECT_TRUE(e.evaluate({&r, spiffeId("foo", "web"), 80}).allowed);
    EXPECT_FALSE(e.evaluate({&r, spiffeId("bar", "web"), 80}).allowed);  // prefix misses
  }
  {
    AuthorizationEngine e({policy("p", AuthzAction::kAllow, {ns_rule})});
    EXPECT_TRUE(e.evaluate({&r, kAdmin, 80}).allowed);
    EXPECT_FALSE(e.evaluate({&r, kSleep, 80}).allowed);
    EXPECT_FALSE(e.evaluate({&r, "", 80}).allowed);  // namespaces need mTLS
  }
  {
    // "*" principal = any authenticated peer; notNamespaces excludes foo.
    AuthorizationEngine e({policy("p", AuthzAction::kAllow, {any_authenticated})});
    EXPECT_TRUE(e.evaluate({&r, kAdmin, 80}).allowed);
    EXPECT_FALSE(e.evaluate({&r, kSleep, 80}).allowed);
    EXPECT_FALSE(e.evaluate({&r, "", 80}).allowed);
  }
}

TEST(AuthorizationEngineTest, OperationFieldsAndNegations) {
  AuthzOperation op;
  op.methods = {"GET", "HEAD"};
  op.paths = {"/api/*"};
  op.not_paths = {"/api/private*"};
  op.hosts = {"httpbin.foo.svc.cluster.local", "httpbin"};
  op.ports = {8000};
  AuthzRule rule;
  rule.to.push_back(op);
  AuthorizationEngine e({policy("p", AuthzAction::kAllow, {rule})});
  auto check = [&](Request r, std::uint32_t port) {
    return e.evaluate({&r, kSleep, port}).allowed;
  };
  EXPECT_TRUE(check(http("GET", "/api/items?x=1"), 8000));
  EXPECT_TRUE(check(http("HEAD", "/api/items", "HTTPBIN"), 8000));  // hosts ignore case
  EXPECT_FALSE(check(http("POST", "/api/items"), 8000));
  EXPECT_FALSE(check(http("GET", "/api/private/keys"), 8000));
  EXPECT_FALSE(check(http("GET", "/other"), 8000));
  EXPECT_FALSE(check(http("GET", "/api/items", "evil"), 8000));
  EXPECT_FALSE(check(http("GET", "/api/items"), 9000));

  AuthzOperation not_methods;
  not_methods.not_methods = {"DELETE"};
  not_methods.not_ports = {15000};
  AuthzRule r2;
  r2.to.push_back(not_methods);
  AuthorizationEngine e2({policy("p", AuthzAction::kAllow, {r2})});
  Request del = http("DELETE", "/");
  Request get = http("GET", "/");
  EXPECT_FALSE(e2.evaluate({&del, "", 80}).allowed);
  EXPECT_TRUE(e2.evaluate({&get, "", 80}).allowed);
  EXPECT_FALSE(e2.evaluate({&get, "", 15000}).allowed);
}

TEST(AuthorizationEngineTest, FromToWhenAreAndedSourcesOred) {
  AuthzRule rule;
  rule.from.push_back(AuthzSource{{"cluster.local/ns/admin/sa/console"}, {}, {}, {}});
  rule.from.push_back(AuthzSource{{}, {}, {"foo"}, {}});
  rule.to.push_back(AuthzOperation{{}, {}, {}, {}, {"GET"}, {}, {}, {}});
  rule.when.push_back(AuthzCondition{"request.headers[X-Token]", {"abc*"}, {"abcbad"}});
  AuthorizationEngine e({policy("p", AuthzAction::kAllow, {rule})});
  Request ok = http("GET", "/");
  ok.headers.add("x-token", "abc123");
  EXPECT_TRUE(e.evaluate({&ok, kAdmin, 80}).allowed);
  EXPECT_TRUE(e.evaluate({&ok, kSleep, 80}).allowed);                 // second source
  EXPECT_FALSE(e.evaluate({&ok, spiffeId("bar", "x"), 80}).allowed);  // no source
  Request post = ok;
  post.method = "POST";
  EXPECT_FALSE(e.evaluate({&post, kAdmin, 80}).allowed);  // operation
  Request bad = http("GET", "/");
  bad.headers.add("x-token", "abcbad");
  EXPECT_FALSE(e.evaluate({&bad, kAdmin, 80}).allowed);  // notValues
  Request none = http("GET", "/");
  EXPECT_FALSE(e.evaluate({&none, kAdmin, 80}).allowed);  // header absent
}

TEST(AuthorizationEngineTest, WhenSourceConditionsAndUnknownKeys) {
  AuthzRule rule;
  rule.when.push_back(AuthzCondition{"source.namespace", {"foo"}, {}});
  rule.when.push_back(AuthzCondition{"source.principal", {}, {"*/sa/admin"}});
  rule.when.push_back(AuthzCondition{"destination.port", {"8000"}, {}});
  AuthorizationEngine e({policy("p", AuthzAction::kAllow, {rule})});
  Request r = http("GET", "/");
  EXPECT_TRUE(e.evaluate({&r, kSleep, 8000}).allowed);
  EXPECT_FALSE(e.evaluate({&r, kSleep, 8001}).allowed);
  EXPECT_FALSE(e.evaluate({&r, spiffeId("foo", "admin"), 8000}).allowed);
  EXPECT_FALSE(e.evaluate({&r, kAdmin, 8000}).allowed);
  EXPECT_TRUE(e.validate().empty());

  AuthzRule unknown;
  unknown.when.push_back(AuthzCondition{"source.ip", {"10.0.0.0/8"}, {}});
  AuthorizationEngine allow({policy("a", AuthzAction::kAllow, {unknown})});
  EXPECT_FALSE(allow.evaluate({&r, kSleep, 80}).allowed);  // ALLOW: fails closed (no match)
  EXPECT_EQ(allow.validate().size(), 1u);
  AuthorizationEngine deny({policy("d", AuthzAction::kDeny, {unknown})});
  EXPECT_FALSE(deny.evaluate({&r, kSleep, 80}).allowed);  // DENY: fails closed (matches)
}

TEST(AuthorizationEngineTest, TcpRequestsAndHttpFields) {
  AuthorizationEngine allow({policy("a", AuthzAction::kAllow, {ruleToPath("/x")})});
  AuthorizationEngine deny({policy("d", AuthzAction::kDeny, {ruleToPath("/x")})});
  AuthzRequest tcp{nullptr, kSleep, 3306};
  EXPECT_FALSE(allow.evaluate(tcp).allowed);
  EXPECT_FALSE(deny.evaluate(tcp).allowed);
}

TEST(AuthorizationEngineTest, CostIsReported) {
  std::vector<AuthzRule> rules;
  for (int i = 0; i < 5; ++i) {
    rules.push_back(ruleToPath("/p" + std::to_string(i)));
  }
  AuthorizationEngine e({policy("p", AuthzAction::kAllow, rules)});
  Request miss = http("GET", "/none");
  auto d = e.evaluate({&miss, kSleep, 80});
  EXPECT_EQ(d.policies_evaluated, 1u);
  EXPECT_EQ(d.rules_evaluated, 5u);
  EXPECT_EQ(d.matchers_evaluated, 5u);
  Request hit = http("GET", "/p1");
  EXPECT_EQ(e.evaluate({&hit, kSleep, 80}).rules_evaluated, 2u);  // stops at the first match
}

TEST(AuthorizationEngineTest, DenialConstants) {
  EXPECT_EQ(kRbacDeniedStatus, 403u);
  EXPECT_EQ(kRbacDeniedBody, "RBAC: access denied");
}

TEST(AuthorizationPolicySelectionTest, RootNamespaceAndSelectors) {
  AuthorizationPolicy mesh = policy("mesh", AuthzAction::kDeny, {});
  mesh.ns = "istio-system";
  AuthorizationPolicy ns_wide = policy("ns", AuthzAction::kAllow, {});
  AuthorizationPolicy selected = policy("sel", AuthzAction::kAllow, {});
  selected.selector = Labels{{"app", "httpbin"}};
  AuthorizationPolicy other_app = policy("other", AuthzAction::kAllow, {});
  other_app.selector = Labels{{"app", "sleep"}};
  AuthorizationPolicy other_ns = policy("bar", AuthzAction::kAllow, {});
  other_ns.ns = "bar";
  auto chosen =
      selectAuthorizationPolicies({mesh, ns_wide, selected, other_app, other_ns}, "istio-system",
                                  "foo", {{"app", "httpbin"}, {"version", "v1"}});
  ASSERT_EQ(chosen.size(), 3u);
  EXPECT_EQ(chosen[0].name, "mesh");
  EXPECT_EQ(chosen[1].name, "ns");
  EXPECT_EQ(chosen[2].name, "sel");
}

}  // namespace
}  // namespace meshsim::core
