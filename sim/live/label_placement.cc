#include "sim/live/label_placement.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace meshsim::sim {
namespace {

// Candidate spots lie on a grid of this pitch along and across the segment.
constexpr double kStep = 8;
// A label slides within the middle 80 % of its segment (it stays clear of the arrow heads).
constexpr double kAlongShare = 0.4;

struct Offset {
  double along = 0;
  double sideways = 0;
  double cost = 0;
};

// 0, 1, -1, 2, -2, ...: among equally costly spots, the one ahead and to the left comes first.
int alternating(int i) {
  return i % 2 == 1 ? (i + 1) / 2 : -(i / 2);
}

std::vector<Offset> candidateOffsets(double length) {
  const int along_steps = static_cast<int>(std::floor(kAlongShare * length / kStep));
  const int side_steps = static_cast<int>(std::floor(kMaxSideways / kStep));
  std::vector<Offset> out;
  out.reserve(static_cast<std::size_t>((2 * along_steps + 1) * (2 * side_steps + 1)));
  for (int a = 0; a <= 2 * along_steps; ++a) {
    for (int s = 0; s <= 2 * side_steps; ++s) {
      const double along = kStep * alternating(a);
      const double sideways = kStep * alternating(s);
      out.push_back({along, sideways, std::hypot(along, 2 * sideways)});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Offset& x, const Offset& y) { return x.cost < y.cost; });
  return out;
}

double overlapArea(const LabelBox& a, const LabelBox& b) {
  const double w = std::min(a.right(), b.right()) - std::max(a.left, b.left);
  const double h = std::min(a.bottom(), b.bottom()) - std::max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

LabelBox grown(const LabelBox& box, double margin) {
  return {box.left - margin, box.top - margin, box.width + 2 * margin, box.height + 2 * margin};
}

double length(const EdgeLabelRequest& r) {
  return std::hypot(r.x2 - r.x1, r.y2 - r.y1);
}

}  // namespace

bool LabelBox::intersects(const LabelBox& other) const {
  return overlapArea(*this, other) > 0;
}

std::vector<LabelBox> placeEdgeLabels(const std::vector<EdgeLabelRequest>& labels,
                                      const std::vector<LabelBox>& obstacles) {
  std::vector<LabelBox> out(labels.size());
  std::vector<std::size_t> order(labels.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return length(labels[a]) < length(labels[b]);
  });
  std::vector<LabelBox> taken = obstacles;
  for (const std::size_t i : order) {
    const EdgeLabelRequest& r = labels[i];
    if (r.width <= 0 || r.height <= 0) {
      continue;
    }
    const double len = length(r);
    // A degenerate segment (the nodes touch) still gets a direction to move along.
    const double ux = len > 0 ? (r.x2 - r.x1) / len : 1;
    const double uy = len > 0 ? (r.y2 - r.y1) / len : 0;
    const double mx = (r.x1 + r.x2) / 2;
    const double my = (r.y1 + r.y2) / 2;
    LabelBox best;
    double best_overlap = -1;
    for (const Offset& offset : candidateOffsets(len)) {
      const double cx = mx + ux * offset.along - uy * offset.sideways;
      const double cy = my + uy * offset.along + ux * offset.sideways;
      const LabelBox box{cx - r.width / 2, cy - r.height / 2, r.width, r.height};
      const LabelBox spaced = grown(box, kLabelGap);
      double overlap = 0;
      for (const LabelBox& other : taken) {
        overlap += overlapArea(spaced, other);
      }
      if (best_overlap < 0 || overlap < best_overlap) {
        best = box;
        best_overlap = overlap;
      }
      if (overlap == 0) {
        break;
      }
    }
    out[i] = best;
    taken.push_back(best);
  }
  return out;
}

}  // namespace meshsim::sim
