#pragma once

#include <QGraphicsItem>
#include <QGraphicsObject>
#include <vector>

#include "sim/live/mesh_topology.h"
#include "sim/live/snapshot.h"

namespace meshsim::gui {

class EdgeItem;

// One service (or the load generator) in the topology view.
class NodeItem : public QGraphicsItem {
 public:
  NodeItem(std::size_t index, const sim::TopologyNode& node);

  std::size_t index() const { return index_; }
  const sim::TopologyNode& node() const { return node_; }
  void addEdge(EdgeItem* edge) { edges_.push_back(edge); }
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
  void adjust();

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
  sim::EdgeSnapshot state_;
  bool has_state_ = false;
  double width_ = 1.5;
};

}  // namespace meshsim::gui
