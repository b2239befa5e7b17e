#include "sim/live/label_placement.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshsim::sim {
namespace {

double centreX(const LabelBox& b) {
  return b.left + b.width / 2;
}
double centreY(const LabelBox& b) {
  return b.top + b.height / 2;
}

TEST(LabelBoxTest, TouchingIsNotIntersecting) {
  const LabelBox a{0, 0, 10, 10};
  EXPECT_TRUE(a.intersects({9, 9, 10, 10}));
  EXPECT_FALSE(a.intersects({10, 0, 10, 10}));
  EXPECT_FALSE(a.intersects({0, 10, 10, 10}));
  EXPECT_FALSE(a.intersects({20, 20, 1, 1}));
}

// Alone and unobstructed, a label sits on the middle of its segment; an empty one gets no box.
TEST(PlaceEdgeLabelsTest, FreeLabelStaysInTheMiddle) {
  const auto placed = placeEdgeLabels({{0, 0, 400, 0, 100, 40}, {0, 0, 10, 10, 0, 0}}, {});
  ASSERT_EQ(placed.size(), 2U);
  EXPECT_DOUBLE_EQ(centreX(placed[0]), 200);
  EXPECT_DOUBLE_EQ(centreY(placed[0]), 0);
  EXPECT_DOUBLE_EQ(placed[0].width, 100);
  EXPECT_DOUBLE_EQ(placed[0].height, 40);
  EXPECT_EQ(placed[1].width, 0);
}

// A node over the middle: the label slides along its edge (cheaper than sideways) to the nearest
// grid spot (8 units) that clears the node by the gap.
TEST(PlaceEdgeLabelsTest, SlidesAlongItsEdgeAwayFromANode) {
  const LabelBox node{160, -100, 80, 200};  // x from 160 to 240 over the middle (200)
  const auto placed = placeEdgeLabels({{0, 0, 400, 0, 60, 20}}, {node});
  EXPECT_FALSE(placed[0].intersects(node));
  EXPECT_DOUBLE_EQ(centreY(placed[0]), 0) << "it stays on its line";
  // Clear of the node and the gap: centre <= 126 or >= 274; on the grid, 80 from the middle either
  // way (stepping 120 sideways would cost 240).
  EXPECT_DOUBLE_EQ(std::abs(centreX(placed[0]) - 200), 80);
}

// Two edges crossing at the same middle: the first label keeps the middle; the second takes the
// cheapest grid spot that clears it by the gap: 64 along its edge and 16 to the side (cost
// hypot(64, 2 x 16) = 71.6, less than sliding 80 alone).
TEST(PlaceEdgeLabelsTest, CrossingEdgesGetSeparateLabels) {
  const std::vector<EdgeLabelRequest> labels = {{0, 0, 400, 400, 120, 50},
                                                {0, 400, 400, 0, 120, 50}};
  const auto placed = placeEdgeLabels(labels, {});
  EXPECT_DOUBLE_EQ(centreX(placed[0]), 200);
  EXPECT_DOUBLE_EQ(centreY(placed[0]), 200);
  const double r = std::sqrt(0.5);
  EXPECT_NEAR(centreX(placed[1]), 200 + (64 - 16) * r, 1e-9);
  EXPECT_NEAR(centreY(placed[1]), 200 - (64 + 16) * r, 1e-9);
  const LabelBox spaced{placed[1].left - kLabelGap, placed[1].top - kLabelGap,
                        placed[1].width + 2 * kLabelGap, placed[1].height + 2 * kLabelGap};
  EXPECT_FALSE(spaced.intersects(placed[0]));
}

// Parallel edges too short to slide: the later labels step off their lines, as little as they can.
TEST(PlaceEdgeLabelsTest, StackedParallelEdgesStepSideways) {
  std::vector<EdgeLabelRequest> labels;
  for (int i = 0; i < 5; ++i) {
    labels.push_back({0, 10.0 * i, 40, 10.0 * i, 150, 36});
  }
  const auto placed = placeEdgeLabels(labels, {});
  for (std::size_t i = 0; i < placed.size(); ++i) {
    for (std::size_t j = i + 1; j < placed.size(); ++j) {
      EXPECT_FALSE(placed[i].intersects(placed[j])) << i << " " << j;
    }
    EXPECT_LE(std::abs(centreY(placed[i]) - 10.0 * static_cast<double>(i)), 5 * (36 + kLabelGap));
  }
  // The same geometry always gives the same picture.
  const auto again = placeEdgeLabels(labels, {});
  for (std::size_t i = 0; i < placed.size(); ++i) {
    EXPECT_EQ(placed[i].left, again[i].left);
    EXPECT_EQ(placed[i].top, again[i].top);
  }
}

// Shorter segments are served first: they have the least room. The long edge's label then steps
// 40 sideways (cost 80), which is cheaper than sliding 104 along.
TEST(PlaceEdgeLabelsTest, ShortestSegmentFirst) {
  const std::vector<EdgeLabelRequest> labels = {{-300, 0, 300, 0, 100, 30},
                                                {0, -30, 0, 30, 100, 30}};
  const auto placed = placeEdgeLabels(labels, {});
  EXPECT_DOUBLE_EQ(centreX(placed[1]), 0);
  EXPECT_DOUBLE_EQ(centreY(placed[1]), 0);
  EXPECT_DOUBLE_EQ(centreX(placed[0]), 0);
  EXPECT_DOUBLE_EQ(centreY(placed[0]), 40);
  EXPECT_FALSE(placed[0].intersects(placed[1]));
}

// With no free spot in reach, the label takes the one it overlaps least: here a corridor 16 units
// high around y = 96, too narrow for a 20-unit label and its gap, so it is centred in it.
TEST(PlaceEdgeLabelsTest, NoFreeSpotTakesTheLeastOverlap) {
  const LabelBox above{-1000, -1000, 2000, 1088};
  const LabelBox below{-1000, 104, 2000, 1000};
  const auto placed = placeEdgeLabels({{0, 0, 100, 0, 40, 20}}, {above, below});
  EXPECT_DOUBLE_EQ(centreX(placed[0]), 50);
  EXPECT_DOUBLE_EQ(centreY(placed[0]), 96);
  EXPECT_TRUE(placed[0].intersects(above));
}

}  // namespace
}  // namespace meshsim::sim
