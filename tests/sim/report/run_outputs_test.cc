#include "sim/report/run_outputs.h"

#include <gtest/gtest.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "sim/mesh/mesh.h"
#include "sim/report/run_summary.h"
#include "sim/report/summary_table.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {
namespace {

namespace fs = std::filesystem;
using boost::property_tree::ptree;

// Three services, front -> mid -> back; back v1 fails 20 % of requests with 503, which the mesh
// retries (the VirtualService) and the app retries too: attempts > requests >= calls on
// mid -> back.
constexpr const char* kScenario = R"(name: outputs-test
seed: 11
duration: 6s
warmup: 1s
services:
  - name: front
    versions: [{name: v1, replicas: 2, concurrency: 8, service_time: {exponential: {mean: 1ms}}}]
    operations:
      - path: /
        calls: [{call: mid, path: /mid, timeout: 1s, retries: 1}]
  - name: mid
    versions: [{name: v1, concurrency: 8, service_time: {exponential: {mean: 1ms}}}]
    operations:
      - path: /mid
        calls: [{call: back, path: /back, timeout: 500ms, retries: 2}]
  - name: back
    versions:
      - {name: v1, concurrency: 8, service_time: {exponential: {mean: 2ms}},
         errors: {probability: 0.2, status: 503}}
      - {name: v2, concurrency: 8, service_time: {exponential: {mean: 2ms}}}
workload:
  rate: 300
  mix: [{service: front, path: /}]
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: back
      spec:
        hosts: [back]
        http:
          - route:
              - destination: {host: back}
            retries: {attempts: 2, perTryTimeout: 200ms, retryOn: 5xx}
)";

const std::vector<std::string> kFiles = {"summary.json", "engine.json",  "timeseries.csv",
                                         "edges.csv",    "metrics.prom", "traces.json"};

class RunOutputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::temp_directory_path() /
        ("meshsim-outputs-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static Scenario load(const std::vector<std::string>& sets = {}) {
    config::Warnings warnings;
    return loadScenarioFromString(kScenario, "outputs-test.yaml", sets, warnings);
  }

  // One whole `meshsim run` into `dir`, the way the CLI does it.
  static void runInto(const fs::path& dir, const std::vector<std::string>& sets = {}) {
    const Scenario scenario = load(sets);
    config::Warnings warnings;
    const ScenarioPolicies policies = importScenarioPolicies(scenario, warnings);
    Mesh mesh(scenario, policies);
    mesh.run();
    writeRunDirectory(dir, mesh, summarizeRun(mesh));
  }

  static std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path root_;
};

TEST_F(RunOutputsTest, SameSeedGivesByteIdenticalFilesAndAnotherSeedDiffers) {
  runInto(root_ / "a");
  runInto(root_ / "b");
  runInto(root_ / "c", {"seed=12"});
  for (const std::string& file : kFiles) {
    ASSERT_TRUE(fs::exists(root_ / "a" / file)) << file;
    EXPECT_GT(fs::file_size(root_ / "a" / file), 0u) << file;
    if (file != "engine.json") {  // wall-clock figures live only there
      EXPECT_EQ(read(root_ / "a" / file), read(root_ / "b" / file)) << file;
    }
  }
  EXPECT_NE(read(root_ / "a" / "summary.json"), read(root_ / "c" / "summary.json"));
  EXPECT_NE(read(root_ / "a" / "traces.json"), read(root_ / "c" / "traces.json"));
  // Nothing but the three run directories: no temporary sibling survives.
  std::set<std::string> entries;
  for (const auto& entry : fs::directory_iterator(root_)) {
    entries.insert(entry.path().filename().string());
  }
  EXPECT_EQ(entries, (std::set<std::string>{"a", "b", "c"}));
}

TEST_F(RunOutputsTest, ProgressCallbackDoesNotChangeTheRun) {
  const Scenario scenario = load();
  config::Warnings warnings;
  const ScenarioPolicies policies = importScenarioPolicies(scenario, warnings);
  Mesh plain(scenario, policies);
  plain.run();
  Mesh watched(scenario, policies);
  std::vector<double> fractions;
  watched.run([&](double fraction) { fractions.push_back(fraction); });

  // (The engine fingerprint hashes event arguments, some of which are addresses: it differs
  // between two meshes in one process, so compare what the run produced instead.)
  EXPECT_EQ(plain.sim().eventsFired(), watched.sim().eventsFired());
  const auto outputs = [](const Mesh& mesh) {
    std::ostringstream out;
    writeSummaryJson(out, summarizeRun(mesh));
    writeTimeSeriesCsv(out, mesh);
    writePrometheus(out, mesh);
    writeTraces(out, mesh);
    return out.str();
  };
  EXPECT_EQ(outputs(plain), outputs(watched));
  // About every 1 % of simulated time, increasing, ending at 100 %.
  ASSERT_GE(fractions.size(), 99u);
  ASSERT_LE(fractions.size(), 101u);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
}

TEST_F(RunOutputsTest, SummaryJsonParsesAndItsTotalsAreConsistent) {
  runInto(root_ / "run");
  ptree summary;
  boost::property_tree::read_json((root_ / "run" / "summary.json").string(), summary);
  EXPECT_EQ(summary.get<std::string>("scenario"), "outputs-test");
  EXPECT_EQ(summary.get<std::uint64_t>("seed"), 11u);
  EXPECT_EQ(summary.get<double>("duration_s"), 6.0);
  EXPECT_EQ(summary.get<double>("warmup_s"), 1.0);
  EXPECT_FALSE(summary.get<std::string>("meshsim_version").empty());

  const auto total = summary.get<std::uint64_t>("requests.total");
  EXPECT_GT(total, 1000u);  // ~300 rps x 6 s
  EXPECT_EQ(summary.get<std::uint64_t>("requests.succeeded") +
                summary.get<std::uint64_t>("requests.failed"),
            total);
  const double p50 = summary.get<double>("latency_ms.p50");
  EXPECT_GT(p50, 0.0);
  EXPECT_LE(p50, summary.get<double>("latency_ms.p90"));
  EXPECT_LE(summary.get<double>("latency_ms.p90"), summary.get<double>("latency_ms.p99"));
  EXPECT_LE(summary.get<double>("latency_ms.p99"), summary.get<double>("latency_ms.p999"));

  for (const char* service : {"front", "mid", "back"}) {
    const ptree& s = summary.get_child(std::string("services.") + service);
    EXPECT_GT(s.get<std::uint64_t>("requests"), 0u) << service;
    EXPECT_GT(s.get<double>("utilization"), 0.0) << service;
    EXPECT_LT(s.get<double>("utilization"), 1.0) << service;
    EXPECT_GT(s.get<double>("latency_ms.p99"), 0.0) << service;
  }
  EXPECT_NEAR(summary.get<double>("services.back.error_rate"), 0.1, 0.03);  // v1 fails 20 %

  std::map<std::string, const ptree*> edges;
  for (const auto& [unused, edge] : summary.get_child("edges")) {
    edges[edge.get<std::string>("from") + "->" + edge.get<std::string>("to")] = &edge;
    const auto calls = edge.get<std::uint64_t>("calls");
    const auto requests = edge.get<std::uint64_t>("requests");
    const auto attempts = edge.get<std::uint64_t>("attempts");
    EXPECT_GE(attempts, requests);
    EXPECT_GE(requests, calls);
    EXPECT_GT(calls, 0u);
    std::uint64_t responses = 0;
    for (const auto& [klass, count] : edge.get_child("responses")) {
      responses += count.get_value<std::uint64_t>();
    }
    EXPECT_EQ(responses, requests);  // one response class per finished request
  }
  ASSERT_EQ(edges.size(), 3u);
  const ptree& retried = *edges.at("mid->back");
  EXPECT_GT(retried.get<std::uint64_t>("retries"), 0u);
  EXPECT_GT(retried.get<double>("amplification"), 1.0);
  EXPECT_EQ(edges.at("client->front")->get<std::uint64_t>("calls"), total + 0);

  EXPECT_EQ(summary.get<std::uint64_t>("sidecars.count"), 5u);
  EXPECT_GT(summary.get<double>("sidecars.cpu_cores"), 0.0);
  EXPECT_GT(summary.get<double>("sidecars.memory_mib"), 0.0);
  EXPECT_GT(summary.get<double>("sidecars.added_latency_ms"), 0.0);
  EXPECT_GT(summary.get<std::uint64_t>("tls.handshakes_full"), 0u);
  EXPECT_GT(summary.get<double>("tls.cpu_seconds"), 0.0);
  EXPECT_EQ(summary.get<std::uint64_t>("outlier.ejections"), 0u);
  // Envoy counters run from the start (warm-up included); edge figures cover the measured window.
  EXPECT_GE(summary.get<std::uint64_t>("proxy_counters.upstream_rq_retry"),
            retried.get<std::uint64_t>("retries") +
                edges.at("front->mid")->get<std::uint64_t>("retries"));
  EXPECT_GT(summary.get<std::uint64_t>("engine.events"), 0u);
  EXPECT_EQ(summary.get<double>("engine.sim_seconds"), 7.0);
  EXPECT_FALSE(summary.get_child_optional("engine.wall_seconds"));

  ptree engine;
  boost::property_tree::read_json((root_ / "run" / "engine.json").string(), engine);
  EXPECT_EQ(engine.get<std::uint64_t>("events"), summary.get<std::uint64_t>("engine.events"));
  EXPECT_GT(engine.get<double>("wall_seconds"), 0.0);
}

TEST_F(RunOutputsTest, SummaryTableShowsTheSummaryNumbers) {
  const Scenario scenario = load();
  config::Warnings warnings;
  const ScenarioPolicies policies = importScenarioPolicies(scenario, warnings);
  Mesh mesh(scenario, policies);
  mesh.run();
  const RunSummary summary = summarizeRun(mesh);
  std::ostringstream table;
  printSummaryTable(table, summary);
  char expected[128];
  std::snprintf(expected, sizeof(expected), "End to end   %llu requests",
                static_cast<unsigned long long>(summary.requests));
  EXPECT_NE(table.str().find(expected), std::string::npos) << table.str();
  std::snprintf(expected, sizeof(expected), "p99 %.2f", summary.latency.p99);
  EXPECT_NE(table.str().find(expected), std::string::npos) << table.str();
  std::ostringstream from_mesh;
  printSummaryTable(from_mesh, mesh);
  EXPECT_EQ(table.str().substr(0, table.str().find("Engine")),
            from_mesh.str().substr(0, from_mesh.str().find("Engine")));
}

TEST_F(RunOutputsTest, TimeSeriesRowsAddUpToTheSummary) {
  runInto(root_ / "run");
  ptree summary;
  boost::property_tree::read_json((root_ / "run" / "summary.json").string(), summary);
  std::ifstream in(root_ / "run" / "timeseries.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("interval_start_s,interval_s,service,arrivals,", 0), 0u) << line;
  std::map<std::string, std::uint64_t> arrivals;
  std::map<std::string, std::uint64_t> completed;
  std::map<std::string, std::set<std::string>> starts;
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    std::string cell;
    while (std::getline(fields, cell, ',')) {
      cells.push_back(cell);
    }
    if (line.back() == ',') {
      cells.emplace_back();
    }
    ASSERT_EQ(cells.size(), 15u) << line;
    EXPECT_EQ(cells[1], "1") << line;
    arrivals[cells[2]] += std::stoull(cells[3]);
    completed[cells[2]] += std::stoull(cells[5]);
    starts[cells[2]].insert(cells[0]);
    ++rows;
  }
  EXPECT_EQ(rows, 6u * 4u);  // 6 one-second intervals x (3 services + _e2e)
  EXPECT_EQ(starts["_e2e"], (std::set<std::string>{"1", "2", "3", "4", "5", "6"}));
  for (const char* service : {"front", "mid", "back"}) {
    EXPECT_EQ(arrivals[service],
              summary.get<std::uint64_t>(std::string("services.") + service + ".requests"))
        << service;
    EXPECT_EQ(completed[service],
              summary.get<std::uint64_t>(std::string("services.") + service + ".completed"))
        << service;
  }
  EXPECT_EQ(completed["_e2e"], summary.get<std::uint64_t>("requests.total"));
}

TEST_F(RunOutputsTest, PrometheusLinesAreWellFormed) {
  runInto(root_ / "run");
  std::ifstream in(root_ / "run" / "metrics.prom");
  const std::regex sample(
      R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*",)*[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"\} (-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)$)re");
  const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::string line;
  std::set<std::string> names;
  std::uint64_t requests_to_back_v2 = 0;
  std::uint64_t requests_from_mid = 0;
  std::size_t lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    std::smatch match;
    if (line.rfind("# ", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, match, sample)) << line;
    names.insert(match[1]);
    if (match[1] == "istio_requests_total" &&
        line.find("source_workload=\"mid-v1\"") != std::string::npos) {
      requests_from_mid += std::stoull(match[3]);
    }
    if (match[1] == "istio_requests_total" &&
        line.find("destination_workload=\"back-v2\"") != std::string::npos) {
      EXPECT_NE(line.find("destination_version=\"v2\""), std::string::npos) << line;
      EXPECT_NE(line.find("reporter=\"source\""), std::string::npos) << line;
      EXPECT_NE(line.find("source_workload=\"mid-v1\""), std::string::npos) << line;
      EXPECT_NE(line.find("response_code=\"200\""), std::string::npos) << line;
      requests_to_back_v2 += std::stoull(match[3]);
    }
  }
  EXPECT_GT(lines, 100u);
  EXPECT_GT(requests_to_back_v2, 0u);
  for (const char* name :
       {"istio_requests_total", "istio_request_duration_milliseconds_bucket",
        "istio_request_duration_milliseconds_sum", "istio_request_duration_milliseconds_count",
        "envoy_cluster_upstream_rq_retry", "envoy_cluster_upstream_rq_total",
        "envoy_cluster_outlier_detection_ejections_enforced_total"}) {
    EXPECT_TRUE(names.contains(name)) << name;
  }
  const std::string text = read(root_ / "run" / "metrics.prom");
  EXPECT_NE(text.find("le=\"+Inf\""), std::string::npos);
  EXPECT_NE(text.find("destination_workload=\"back-v1\",destination_version=\"v1\""),
            std::string::npos);
  // istio_requests_total from mid to back adds up to the edge's finished requests.
  ptree summary;
  boost::property_tree::read_json((root_ / "run" / "summary.json").string(), summary);
  std::uint64_t edge_requests = 0;
  for (const auto& [unused, edge] : summary.get_child("edges")) {
    if (edge.get<std::string>("from") == "mid") {
      edge_requests = edge.get<std::uint64_t>("requests");
    }
  }
  EXPECT_EQ(requests_from_mid, edge_requests);
}

TEST_F(RunOutputsTest, TracesAreZipkinSpansWithExistingParents) {
  runInto(root_ / "run");
  ptree traces;
  boost::property_tree::read_json((root_ / "run" / "traces.json").string(), traces);
  std::set<std::string> ids;
  for (const auto& [key, span] : traces) {
    EXPECT_TRUE(key.empty());  // an array
    ids.insert(span.get<std::string>("id"));
  }
  ASSERT_GT(ids.size(), 10u);
  std::set<std::string> trace_ids;
  std::size_t roots = 0;
  std::size_t clients = 0;
  std::size_t servers = 0;
  const std::regex hex16("^[0-9a-f]{16}$");
  for (const auto& [key, span] : traces) {
    const std::string trace_id = span.get<std::string>("traceId");
    EXPECT_TRUE(std::regex_match(trace_id, hex16)) << trace_id;
    EXPECT_TRUE(std::regex_match(span.get<std::string>("id"), hex16));
    trace_ids.insert(trace_id);
    if (const auto parent = span.get_optional<std::string>("parentId")) {
      EXPECT_TRUE(ids.contains(*parent)) << *parent;
    } else {
      ++roots;
      EXPECT_EQ(span.get<std::string>("localEndpoint.serviceName"), "load-generator");
    }
    const std::string kind = span.get<std::string>("kind");
    EXPECT_TRUE(kind == "CLIENT" || kind == "SERVER") << kind;
    (kind == "CLIENT" ? clients : servers) += 1;
    EXPECT_GE(span.get<std::int64_t>("timestamp"), 1'000'000);  // after the 1 s warm-up
    EXPECT_GE(span.get<std::int64_t>("duration"), 1);
    // Zipkin tag names contain dots: look them up with another path separator.
    const ptree& tags = span.get_child("tags");
    const auto tag = [&](const char* name) {
      return tags.get<std::string>(ptree::path_type(name, '/'), "");
    };
    EXPECT_FALSE(tag("http.status_code").empty());
    EXPECT_FALSE(tag("response_flags").empty());
    EXPECT_FALSE(tag("upstream_cluster").empty());
  }
  EXPECT_EQ(roots, trace_ids.size());  // one root per trace
  // Mesh retries send one client span's request to the server more than once.
  EXPECT_GT(servers, 0u);
  EXPECT_GT(clients, 0u);
  // ~1 % of ~1800 requests.
  EXPECT_GE(trace_ids.size(), 5u);
  EXPECT_LE(trace_ids.size(), 50u);
}

// The CLI itself: bad input exits 2 and leaves no directory behind.
class CliTest : public RunOutputsTest {
 protected:
  static fs::path cli() {
    // build/tests/meshsim_sim_tests -> build/sim/meshsim
    return fs::canonical("/proc/self/exe").parent_path().parent_path() / "sim" / "meshsim";
  }
  int runCli(const std::string& arguments) {
    const std::string command = "cd '" + root_.string() + "' && '" + cli().string() + "' " +
                                arguments + " > cli.out 2> cli.err";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void SetUp() override {
    RunOutputsTest::SetUp();
    if (!fs::exists(cli())) {
      GTEST_SKIP() << "meshsim binary not built at " << cli();
    }
    std::ofstream(root_ / "good.yaml") << kScenario;
    std::string bad = kScenario;
    bad.replace(bad.find("concurrency: 8"), 14, "concurency: 8");
    std::ofstream(root_ / "bad.yaml") << bad;
  }
  std::set<std::string> entries() const {
    std::set<std::string> out;
    for (const auto& entry : fs::directory_iterator(root_)) {
      out.insert(entry.path().filename().string());
    }
    return out;
  }
};

TEST_F(CliTest, BadInputExitsTwoAndCreatesNothing) {
  const std::set<std::string> before = {"good.yaml", "bad.yaml", "cli.out", "cli.err"};
  EXPECT_EQ(runCli("run bad.yaml --out out"), 2);
  EXPECT_NE(read(root_ / "cli.err").find("bad.yaml"), std::string::npos) << read(root_ / "cli.err");
  EXPECT_EQ(runCli("run missing.yaml --out out"), 2);
  EXPECT_EQ(runCli("run good.yaml --out out --set workload.rate=fast"), 2);
  EXPECT_EQ(runCli("run good.yaml --out out --duration soon"), 2);
  EXPECT_EQ(runCli("run good.yaml --out out --seed"), 2);
  EXPECT_EQ(runCli("run good.yaml --out out --no-out"), 2);
  EXPECT_EQ(runCli("run good.yaml --bogus"), 2);
  EXPECT_EQ(runCli("run bad.yaml"), 2);  // the default directory is not created either
  EXPECT_EQ(entries(), before);

  // A directory that holds something other than a run is never replaced.
  fs::create_directories(root_ / "mine");
  std::ofstream(root_ / "mine" / "notes.txt") << "keep";
  EXPECT_EQ(runCli("run good.yaml --out mine"), 2);
  EXPECT_EQ(read(root_ / "mine" / "notes.txt"), "keep");
}

TEST_F(CliTest, RunWritesTheDirectoryAndOverridesApply) {
  ASSERT_EQ(runCli("run good.yaml --seed 5 --duration 3s"), 0) << read(root_ / "cli.err");
  const fs::path dir = root_ / "runs" / "outputs-test-seed5";
  for (const std::string& file : kFiles) {
    EXPECT_TRUE(fs::exists(dir / file)) << file;
  }
  ptree summary;
  boost::property_tree::read_json((dir / "summary.json").string(), summary);
  EXPECT_EQ(summary.get<std::uint64_t>("seed"), 5u);
  EXPECT_EQ(summary.get<double>("duration_s"), 3.0);
  // The table on stdout carries the same end-to-end count.
  EXPECT_NE(read(root_ / "cli.out")
                .find("End to end   " + summary.get<std::string>("requests.total") + " requests"),
            std::string::npos);
  // Running again replaces the previous run directory, leaving no temporary behind.
  const std::string first = read(dir / "summary.json");
  ASSERT_EQ(runCli("run good.yaml --seed 5 --duration 3s"), 0);
  EXPECT_EQ(read(dir / "summary.json"), first);
  std::set<std::string> runs;
  for (const auto& entry : fs::directory_iterator(root_ / "runs")) {
    runs.insert(entry.path().filename().string());
  }
  EXPECT_EQ(runs, (std::set<std::string>{"outputs-test-seed5"}));
  // --no-out prints and writes nothing.
  ASSERT_EQ(runCli("run good.yaml --no-out --seed 6"), 0);
  EXPECT_FALSE(fs::exists(root_ / "runs" / "outputs-test-seed6"));
}

}  // namespace
}  // namespace meshsim::sim
