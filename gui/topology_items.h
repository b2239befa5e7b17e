#pragma once

#include <QGraphicsItem>
#include <QGraphicsObject>
#include <functional>
#include <vector>

#include "sim/live/mesh_topology.h"
#include "sim/live/snapshot.h"

namespace meshsim::gui {

class EdgeItem;

// Sizes in scene units (pixels at zoom 1). The view's default zoom never goes below
// TopologyView::kReadableZoom, so the node details and the edge labels (kDetailPx, kEdgeLabelPx)
// stay at least 10 px on screen.
inline constexpr double kNodeWidth = 210;
inline constexpr double kNodeHeight = 104;
inline constexpr int kNamePx = 17;
inline constexpr int kDetailPx = 14;
inline constexpr int kBadgePx = 12;
inline constexpr int kEdgeLabelPx = 14;

// One service (or the load generator) in the topology view.
class NodeItem : public QGraphicsItem {
 public:
  NodeItem(std::size_t index, const sim::TopologyNode& node);

  std::size_t index() const { return index_; }
  const sim::TopologyNode& node() const { return node_; }
  void addEdge(EdgeItem* edge) { edges_.push_back(edge); }
  // Called after the node moved (a drag) and its edges followed, so the view can re-place labels.
  void setMovedCallback(std::function<void()> moved) { moved_ = std::move(moved); }
  void setState(const sim::ServiceSnapshot* state);
  // Text drawn on the node, for tests and the detail panel: name, versions and replicas.
  QString label() const;
  QStringList badges() const;

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 protected:
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

 private:
  std::size_t index_;
  sim::TopologyNode node_;
  std::vector<EdgeItem*> edges_;
  std::function<void()> moved_;
  sim::ServiceSnapshot state_;
  bool has_state_ = false;
};

// One caller -> callee edge, drawn from border to border with an arrow head.
class EdgeItem : public QGraphicsItem {
 public:
  EdgeItem(std::size_t index, const sim::TopologyEdge& edge, NodeItem* from, NodeItem* to);

  std::size_t index() const { return index_; }
  const sim::TopologyEdge& edge() const { return edge_; }
  void setState(const sim::EdgeSnapshot* state, double max_rps);
  QString label() const;
  // Recomputes the line's ends and the label's size, and centres the label on the visible
  // segment until the view places it (TopologyView::placeLabels).
  void adjust();
  // The visible segment, from border to border.
  QLineF segment() const { return QLineF(start_, end_); }
  // The label's box in scene coordinates (empty without a label).
  QRectF labelRect() const { return label_rect_; }
  void setLabelRect(const QRectF& rect);

  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  std::size_t index_;
  sim::TopologyEdge edge_;
  NodeItem* from_;
  NodeItem* to_;
  QPointF start_;
  QPointF end_;
  QRectF label_rect_;
  sim::EdgeSnapshot state_;
  bool has_state_ = false;
  double width_ = 1.5;
};

}  // namespace meshsim::gui
