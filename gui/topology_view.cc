#include "gui/topology_view.h"

#include <QGraphicsScene>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "gui/topology_items.h"
#include "sim/live/graph_layout.h"

namespace meshsim::gui {

QColor healthColour(double error_rate) {
  if (error_rate >= 0.2) {
    return QColor(0xc9, 0x19, 0x0b);
  }
  if (error_rate >= 0.001) {
    return QColor(0xf0, 0xab, 0x00);
  }
  return QColor(0x3e, 0x86, 0x35);
}

TopologyView::TopologyView(QWidget* parent)
    : QGraphicsView(parent), scene_(new QGraphicsScene(this)) {
  setScene(scene_);
  setRenderHint(QPainter::Antialiasing);
  setDragMode(QGraphicsView::ScrollHandDrag);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setBackgroundBrush(QColor(0xf5, 0xf5, 0xf5));
  connect(scene_, &QGraphicsScene::selectionChanged, this, &TopologyView::onSelectionChanged);
}

void TopologyView::setTopology(const sim::MeshTopology& topology) {
  const QSignalBlocker blocker(scene_);
  scene_->clear();
  nodes_.clear();
  edges_.clear();
  const std::vector<sim::NodePosition> positions = sim::layoutTopology(topology);
  // Spread the unit square so that nodes (180 x 78) do not overlap on typical graphs.
  const double scale = 260.0 * std::sqrt(static_cast<double>(topology.nodes.size())) + 200;
  for (std::size_t i = 0; i < topology.nodes.size(); ++i) {
    auto* item = new NodeItem(i, topology.nodes[i]);
    item->setPos(positions[i].x * scale, positions[i].y * scale);
    scene_->addItem(item);
    nodes_.push_back(item);
  }
  for (std::size_t e = 0; e < topology.edges.size(); ++e) {
    const sim::TopologyEdge& edge = topology.edges[e];
    auto* item = new EdgeItem(e, edge, nodes_[edge.from], nodes_[edge.to]);
    scene_->addItem(item);
    edges_.push_back(item);
  }
  scene_->setSceneRect(scene_->itemsBoundingRect().adjusted(-120, -120, 120, 120));
  resetTransform();
  fitInView(scene_->sceneRect(), Qt::KeepAspectRatio);
}

void TopologyView::showSnapshot(const sim::Snapshot& snapshot) {
  double max_rps = 0;
  for (const sim::EdgeSnapshot& edge : snapshot.edges) {
    max_rps = std::max(max_rps, edge.rps);
  }
  for (NodeItem* node : nodes_) {
    node->setState(node->index() < snapshot.services.size() ? &snapshot.services[node->index()]
                                                            : nullptr);
  }
  for (EdgeItem* edge : edges_) {
    edge->setState(edge->index() < snapshot.edges.size() ? &snapshot.edges[edge->index()] : nullptr,
                   max_rps);
  }
}

void TopologyView::select(std::optional<std::size_t> node, std::optional<std::size_t> edge) {
  scene_->clearSelection();
  if (node && *node < nodes_.size()) {
    nodes_[*node]->setSelected(true);
  }
  if (edge && *edge < edges_.size()) {
    edges_[*edge]->setSelected(true);
  }
}

void TopologyView::wheelEvent(QWheelEvent* event) {
  const double factor = std::pow(1.0015, event->angleDelta().y());
  scale(factor, factor);
  event->accept();
}

void TopologyView::onSelectionChanged() {
  const QList<QGraphicsItem*> selected = scene_->selectedItems();
  if (selected.isEmpty()) {
    emit selectionCleared();
    return;
  }
  if (auto* node = dynamic_cast<NodeItem*>(selected.front())) {
    emit nodeSelected(node->index());
  } else if (auto* edge = dynamic_cast<EdgeItem*>(selected.front())) {
    emit edgeSelected(edge->index());
  }
}

}  // namespace meshsim::gui
