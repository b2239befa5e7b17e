#include "proxy/common/endpoints_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "proxy/common/socket_address.h"

namespace meshsim::proxy {

std::vector<PodEndpoint> readEndpointsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw AddressError(path + ": cannot read the endpoints file");
  }
  std::vector<PodEndpoint> endpoints;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (const std::size_t hash = line.find('#'); hash != std::string::npos) {
      line.erase(hash);
    }
    std::istringstream fields(line);
    PodEndpoint endpoint;
    if (!(fields >> endpoint.pod)) {
      continue;
    }
    std::string extra;
    if (!(fields >> endpoint.address) || (fields >> extra)) {
      throw AddressError(where + "expected '<pod> <IP:PORT>'");
    }
    if (!parseEndpoint(endpoint.address)) {
      throw AddressError(where + "'" + endpoint.address + "' is not an IP:PORT address");
    }
    if (std::any_of(endpoints.begin(), endpoints.end(),
                    [&](const PodEndpoint& e) { return e.pod == endpoint.pod; })) {
      throw AddressError(where + "pod '" + endpoint.pod + "' is listed twice");
    }
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

void writeEndpointsFile(const std::string& path, const std::vector<PodEndpoint>& endpoints) {
  std::ofstream out(path);
  for (const PodEndpoint& endpoint : endpoints) {
    out << endpoint.pod << ' ' << endpoint.address << '\n';
  }
  if (!out.flush()) {
    throw AddressError(path + ": cannot write the endpoints file");
  }
}

}  // namespace meshsim::proxy
