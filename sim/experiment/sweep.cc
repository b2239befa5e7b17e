#include "sim/experiment/sweep.h"

#include <cmath>
#include <stdexcept>

#include "sim/report/json_writer.h"

namespace meshsim::sim {

GridAxis parseGridAxis(const std::string& argument) {
  const std::size_t equals = argument.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw std::invalid_argument("--grid '" + argument + "': expected key=v1,v2,...");
  }
  GridAxis axis{argument.substr(0, equals), {}};
  const std::string values = argument.substr(equals + 1);
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = values.find(',', start);
    const std::string value = values.substr(start, comma - start);
    if (value.empty()) {
      throw std::invalid_argument("--grid '" + argument + "': empty value");
    }
    axis.values.push_back(value);
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return axis;
}

std::vector<std::vector<std::string>> gridPoints(const std::vector<GridAxis>& axes) {
  std::vector<std::vector<std::string>> points{{}};
  for (const GridAxis& axis : axes) {
    std::vector<std::vector<std::string>> next;
    next.reserve(points.size() * axis.values.size());
    for (const std::vector<std::string>& point : points) {
      for (const std::string& value : axis.values) {
        next.push_back(point);
        next.back().push_back(axis.key + "=" + value);
      }
    }
    points = std::move(next);
  }
  return points;
}

namespace {

// CSV field: quoted when it holds a separator, quote or line break (RFC 4180).
std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) {
    return text;
  }
  std::string out = "\"";
  for (const char c : text) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

void number(std::ostream& out, double value) {
  if (std::isfinite(value)) {
    JsonWriter::formatNumber(out, value);
  }
}

}  // namespace

void writeSweepCsv(std::ostream& out, const std::vector<GridAxis>& axes,
                   const std::vector<ReplicatedMetrics>& points) {
  std::vector<const ReplicatedMetrics*> runs;
  for (const ReplicatedMetrics& point : points) {
    runs.push_back(&point);
  }
  const std::vector<KeyMetric> metrics = keyMetrics(runs);
  const auto column = [](const std::string& label) {
    std::string name = label;
    for (char& c : name) {
      c = c == ' ' ? '_' : c;
    }
    return name;
  };
  bool first = true;
  for (const GridAxis& axis : axes) {
    out << (first ? "" : ",") << csvField(axis.key);
    first = false;
  }
  for (const KeyMetric& metric : metrics) {
    const std::string name = csvField(column(metric.label));
    out << (first ? "" : ",") << name << "_mean," << name << "_ci_low," << name << "_ci_high";
    first = false;
  }
  out << '\n';
  const std::vector<std::vector<std::string>> grid = gridPoints(axes);
  for (std::size_t p = 0; p < points.size(); ++p) {
    first = true;
    for (const std::string& assignment : grid[p]) {
      out << (first ? "" : ",") << csvField(assignment.substr(assignment.find('=') + 1));
      first = false;
    }
    for (const KeyMetric& metric : metrics) {
      const ConfidenceInterval ci = studentT95(points[p].values(metric.path));
      out << (first ? "" : ",");
      number(out, ci.mean);
      out << ',';
      number(out, ci.lower());
      out << ',';
      number(out, ci.upper());
      first = false;
    }
    out << '\n';
  }
}

}  // namespace meshsim::sim
