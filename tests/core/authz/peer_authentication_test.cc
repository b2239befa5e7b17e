#include "core/authz/peer_authentication.h"

#include <gtest/gtest.h>

namespace meshsim::core {
namespace {

PeerAuthentication pa(std::string name, std::string ns, MtlsMode mode,
                      std::optional<Labels> selector = std::nullopt) {
  return PeerAuthentication{std::move(name), std::move(ns), std::move(selector), mode, {}};
}

const Labels kHttpbin{{"app", "httpbin"}, {"version", "v1"}};

TEST(PeerAuthenticationTest, DefaultIsPermissive) {
  auto eff = resolvePeerAuthentication({}, "istio-system", "foo", kHttpbin);
  EXPECT_EQ(eff.mode, MtlsMode::kPermissive);
  auto unset = resolvePeerAuthentication({pa("m", "istio-system", MtlsMode::kUnset)},
                                         "istio-system", "foo", kHttpbin);
  EXPECT_EQ(unset.mode, MtlsMode::kPermissive);
}

TEST(PeerAuthenticationTest, WorkloadBeatsNamespaceBeatsMesh) {
  std::vector<PeerAuthentication> policies = {
      pa("mesh", "istio-system", MtlsMode::kStrict),
      pa("ns", "foo", MtlsMode::kPermissive),
      pa("wl", "foo", MtlsMode::kDisable, Labels{{"app", "httpbin"}}),
  };
  EXPECT_EQ(resolvePeerAuthentication(policies, "istio-system", "foo", kHttpbin).mode,
            MtlsMode::kDisable);
  EXPECT_EQ(resolvePeerAuthentication(policies, "istio-system", "foo", {{"app", "sleep"}}).mode,
            MtlsMode::kPermissive);
  EXPECT_EQ(resolvePeerAuthentication(policies, "istio-system", "bar", kHttpbin).mode,
            MtlsMode::kStrict);
  // UNSET at the workload level inherits the namespace's mode, which inherits the mesh's.
  policies[2].mode = MtlsMode::kUnset;
  policies[1].mode = MtlsMode::kUnset;
  EXPECT_EQ(resolvePeerAuthentication(policies, "istio-system", "foo", kHttpbin).mode,
            MtlsMode::kStrict);
}

TEST(PeerAuthenticationTest, PortLevelAndIgnoredPolicies) {
  PeerAuthentication wl = pa("wl", "foo", MtlsMode::kStrict, Labels{{"app", "httpbin"}});
  wl.port_level_mtls = {{8080, MtlsMode::kDisable}, {9090, MtlsMode::kUnset}};
  PeerAuthentication root_selector =
      pa("root-sel", "istio-system", MtlsMode::kDisable, Labels{{"app", "httpbin"}});
  PeerAuthentication ns_ports = pa("ns", "foo", MtlsMode::kUnset);
  ns_ports.port_level_mtls = {{80, MtlsMode::kDisable}};
  ConfigDiagnostics diags;
  auto eff = resolvePeerAuthentication({root_selector, ns_ports, wl}, "istio-system", "foo",
                                       kHttpbin, &diags);
  EXPECT_EQ(eff.mode, MtlsMode::kStrict);
  EXPECT_EQ(eff.modeFor(8080), MtlsMode::kDisable);
  EXPECT_EQ(eff.modeFor(9090), MtlsMode::kStrict);  // port UNSET inherits the workload mode
  EXPECT_EQ(eff.modeFor(80), MtlsMode::kStrict);    // namespace-level portLevelMtls ignored
  EXPECT_EQ(diags.size(), 2u);
}

TEST(PeerAuthenticationTest, InboundDecisions) {
  EXPECT_EQ(decideInbound(MtlsMode::kStrict, ClientTransport::kPlaintext),
            InboundTlsDecision::kReject);
  EXPECT_EQ(decideInbound(MtlsMode::kStrict, ClientTransport::kTls), InboundTlsDecision::kReject);
  EXPECT_EQ(decideInbound(MtlsMode::kStrict, ClientTransport::kMutualTls),
            InboundTlsDecision::kAcceptMutualTls);
  EXPECT_EQ(decideInbound(MtlsMode::kPermissive, ClientTransport::kPlaintext),
            InboundTlsDecision::kAcceptPlaintext);
  EXPECT_EQ(decideInbound(MtlsMode::kPermissive, ClientTransport::kMutualTls),
            InboundTlsDecision::kAcceptMutualTls);
  EXPECT_EQ(decideInbound(MtlsMode::kDisable, ClientTransport::kMutualTls),
            InboundTlsDecision::kReject);
  EXPECT_EQ(decideInbound(MtlsMode::kDisable, ClientTransport::kPlaintext),
            InboundTlsDecision::kAcceptPlaintext);
}

TEST(ClientTlsTest, AutoMtlsAndDestinationRule) {
  EXPECT_EQ(clientTlsMode(std::nullopt, true, true), ClientTlsMode::kIstioMutual);
  EXPECT_EQ(clientTlsMode(std::nullopt, true, false), ClientTlsMode::kDisable);
  EXPECT_EQ(clientTlsMode(std::nullopt, false, true), ClientTlsMode::kDisable);
  EXPECT_EQ(clientTlsMode(ClientTlsMode::kDisable, true, true), ClientTlsMode::kDisable);
  EXPECT_EQ(clientTlsMode(ClientTlsMode::kSimple, true, true), ClientTlsMode::kSimple);
  EXPECT_EQ(clientTransport(ClientTlsMode::kIstioMutual), ClientTransport::kMutualTls);
  EXPECT_EQ(clientTransport(ClientTlsMode::kMutual), ClientTransport::kMutualTls);
  EXPECT_EQ(clientTransport(ClientTlsMode::kSimple), ClientTransport::kTls);
  EXPECT_EQ(clientTransport(ClientTlsMode::kDisable), ClientTransport::kPlaintext);
  // A DR disabling TLS towards a STRICT workload fails at connect.
  EXPECT_EQ(decideInbound(MtlsMode::kStrict,
                          clientTransport(clientTlsMode(ClientTlsMode::kDisable, true, true))),
            InboundTlsDecision::kReject);
}

}  // namespace
}  // namespace meshsim::core
