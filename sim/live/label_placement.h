#pragma once

#include <vector>

namespace meshsim::sim {

// An axis-aligned box in the topology view's scene units.
struct LabelBox {
  double left = 0;
  double top = 0;
  double width = 0;
  double height = 0;

  double right() const { return left + width; }
  double bottom() const { return top + height; }
  // A shared area, as QRectF::intersects: boxes that only touch do not intersect.
  bool intersects(const LabelBox& other) const;
};

// An edge's label to place: the visible segment of its edge (border to border, caller to callee)
// and the size of its text box. A 0 x 0 label (nothing to show) is not placed and blocks nothing.
struct EdgeLabelRequest {
  double x1 = 0;
  double y1 = 0;
  double x2 = 0;
  double y2 = 0;
  double width = 0;
  double height = 0;
};

// Space kept between a label and any other label or node.
inline constexpr double kLabelGap = 4;
// How far off its segment a label may move (scene units) before it settles for an overlap.
inline constexpr double kMaxSideways = 360;

// Where each label goes so that no two labels overlap and no label overlaps an obstacle (the
// nodes): the free spot nearest the middle of its segment, on an 8-unit grid, sliding along the
// segment (within its middle 80 %) and moving off it sideways, where a step sideways costs twice a
// step along (a label beside its line still reads as that edge's). Labels of the shortest
// segments, which have the least room, are placed first (ties in request order), so the result is
// a pure function of the geometry. When no spot within kMaxSideways of the segment is free, the
// label takes the one it overlaps least. Returns one box per request (empty for an empty label),
// in request order.
std::vector<LabelBox> placeEdgeLabels(const std::vector<EdgeLabelRequest>& labels,
                                      const std::vector<LabelBox>& obstacles);

}  // namespace meshsim::sim
