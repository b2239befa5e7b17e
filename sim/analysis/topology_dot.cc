#include "sim/analysis/topology_dot.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <tuple>

#include "sim/analysis/call_routing.h"
#include "sim/analysis/traffic_model.h"

namespace meshsim::sim {

namespace {

// A DOT double-quoted string; "\n" in `text` stays a DOT line break.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\' && (i + 1 >= text.size() || text[i + 1] != 'n')) {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string durationText(core::Duration d) {
  const double seconds = core::toSeconds(d);
  if (seconds >= 1) {
    return number(seconds) + "s";
  }
  if (seconds >= 1e-3) {
    return number(seconds * 1e3) + "ms";
  }
  return number(seconds * 1e6) + "us";
}

std::string workloadText(const Scenario& scenario) {
  const WorkloadSpec& w = scenario.workload;
  if (w.kind == WorkloadKind::Closed) {
    return "closed, " + std::to_string(w.users) + " users";
  }
  static constexpr const char* kArrivals[] = {"poisson", "constant", "bursty", "schedule"};
  return std::string("open ") + kArrivals[static_cast<int>(w.arrivals)] + ", " +
         number(meanOfferedRate(scenario)) + " req/s";
}

}  // namespace

void writeTopologyDot(std::ostream& out, const Scenario& scenario,
                      const ScenarioPolicies& policies) {
  const CallRouter router(scenario, policies);
  out << "digraph " << quoted(scenario.name) << " {\n";
  out << "  rankdir=LR;\n";
  out << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#e8f0fe\", "
         "fontname=\"Helvetica\"];\n";
  out << "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  // Service names allow only [a-z0-9-], so this id cannot clash with one.
  out << "  \"load_generator\" [label=" << quoted("load generator\\n" + workloadText(scenario))
      << ", shape=invhouse, style=filled, fillcolor=\"#fff4d6\"];\n";
  for (const ServiceSpec& service : scenario.services) {
    std::string label = service.name;
    for (const VersionSpec& version : service.versions) {
      label += "\\n" + version.name + ": " + std::to_string(version.replicas) + " x " +
               std::to_string(version.concurrency);
    }
    out << "  " << quoted(service.name) << " [label=";
    if (service.has_sidecar) {
      out << quoted(label) << "];\n";
    } else {
      out << quoted(label + "\\n(no sidecar)")
          << ", style=\"rounded,dashed\", color=\"#808080\", fontcolor=\"#505050\"];\n";
    }
  }

  for (const MixEntry& entry : scenario.workload.mix) {
    out << "  \"load_generator\" -> " << quoted(scenario.services[entry.service].name) << " [label="
        << quoted(entry.method + " " + entry.path + "\\nweight " + number(entry.weight))
        << ", style=bold];\n";
  }

  // One edge per distinct call: versions of a service usually share their operations.
  std::set<
      std::tuple<Index, Index, std::string, std::string, double, std::int64_t, std::uint32_t, bool>>
      seen;
  for (Index s = 0; s < scenario.services.size(); ++s) {
    const ServiceSpec& service = scenario.services[s];
    for (const VersionSpec& version : service.versions) {
      for (const OperationSpec& operation : version.operations) {
        for (const CallStep& step : operation.calls) {
          for (const CallSpec& call : step.calls) {
            const std::int64_t timeout = call.timeout ? call.timeout->count() : -1;
            if (!seen.emplace(s, call.service, call.method, call.path, call.probability, timeout,
                              call.retries, step.parallel)
                     .second) {
              continue;
            }
            std::uint32_t mesh_retries = 0;
            for (const MixEntry& entry : scenario.workload.mix) {
              mesh_retries = std::max(
                  mesh_retries,
                  retriesOn5xx(
                      router.route(s, call.service, call.path, call.method, entry.headers).retry));
            }
            std::string label =
                call.method + " " + call.path + "\\np=" + number(call.probability) +
                " timeout=" + (call.timeout ? durationText(*call.timeout) : "none") +
                "\\nretries=" + std::to_string(call.retries) +
                " mesh 5xx retries=" + std::to_string(mesh_retries);
            if (step.parallel) {
              label += "\\n(parallel)";
            }
            out << "  " << quoted(service.name) << " -> "
                << quoted(scenario.services[call.service].name) << " [label=" << quoted(label);
            if (call.probability < 1) {
              out << ", style=dashed";
            }
            out << "];\n";
          }
        }
      }
    }
  }
  out << "}\n";
}

}  // namespace meshsim::sim
