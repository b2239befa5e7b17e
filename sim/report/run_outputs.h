#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sim/mesh/mesh.h"
#include "sim/report/json_writer.h"
#include "sim/report/run_summary.h"

namespace meshsim::sim {

// The files of a run directory (docs/outputs.md documents every field). Each writer is a pure
// function of the finished run, except writeEngineJson, which carries the wall-clock figures and
// is therefore the one file that differs between two runs of the same scenario and seed.
void writeSummaryJson(std::ostream& out, const RunSummary& summary);
// The warm-up fields of summary.json (`warmup_s`, `warmup_detected`, and for a detected warm-up
// `warmup_method` and `warmup_at_search_limit`), shared by the single-run and replicated files.
void writeWarmupFields(JsonWriter& json, const RunSummary& summary);
void writeEngineJson(std::ostream& out, const RunSummary& summary);
void writeTimeSeriesCsv(std::ostream& out, const Mesh& mesh);
void writeEdgesCsv(std::ostream& out, const RunSummary& summary);
void writePrometheus(std::ostream& out, const Mesh& mesh);
void writeTraces(std::ostream& out, const Mesh& mesh);

// Why `dir` cannot receive a run's outputs (it is a file, or a directory that is not empty and
// holds no summary.json), or nullopt when it can. Checked before the run so that bad input costs
// nothing and leaves nothing.
std::optional<std::string> checkRunDirectory(const std::filesystem::path& dir);

// Writes every file into a fresh temporary sibling of `dir` and renames it into place only once
// all of them are complete, replacing a previous run directory. On failure nothing is left behind
// (the temporary directory is removed) and std::runtime_error says what went wrong.
//
// `files` (name, writer) replace the standard file of that name or add one, written the same way;
// a replicated run uses it for its aggregated summary.json and replications.csv.
using RunFileWriter = std::function<void(std::ostream&)>;
void writeRunDirectory(const std::filesystem::path& dir, const Mesh& mesh,
                       const RunSummary& summary,
                       const std::vector<std::pair<std::string, RunFileWriter>>& files = {});

}  // namespace meshsim::sim
