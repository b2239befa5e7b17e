#pragma once

#include <memory>
#include <string>

#include "core/authz/peer_authentication.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

class Replica;
class Sidecar;

// One pod: an app replica and its sidecar (or the load generator, which has no app). Everything
// the mesh model knows about a pod is reachable from here by index.
struct Workload {
  Index id = 0;
  Index service = 0;  // == number of services for the load generator
  Index version = 0;
  Index replica = 0;
  Index zone = 0;
  std::string name;       // e.g. reviews-v2-0
  std::string address;    // the endpoint address clients see
  std::string principal;  // SPIFFE id (spiffe://cluster.local/ns/<ns>/sa/<sa>)
  bool has_sidecar = true;
  // The PeerAuthentication mode in force on this pod's inbound port (§7.1).
  core::MtlsMode inbound_mtls = core::MtlsMode::kPermissive;
  bool up = true;
  std::unique_ptr<Sidecar> sidecar;
  std::unique_ptr<Replica> app;  // null for the load generator
};

}  // namespace meshsim::sim
