#pragma once

#include <string>
#include <vector>

namespace meshsim::proxy {

// Service discovery for the real mesh: which address each pod's sidecar listens on for its
// peers. One pod per line, "<pod-name> <IP:PORT>"; blank lines and '#' comments are ignored.
struct PodEndpoint {
  std::string pod;
  std::string address;
};

// Throws AddressError "<file>:<line>: <message>" for unreadable files, malformed lines, bad
// addresses and pods listed twice.
std::vector<PodEndpoint> readEndpointsFile(const std::string& path);
// Throws AddressError when the file cannot be written.
void writeEndpointsFile(const std::string& path, const std::vector<PodEndpoint>& endpoints);

}  // namespace meshsim::proxy
