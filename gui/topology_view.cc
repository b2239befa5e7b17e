#include "gui/topology_view.h"

#include <QGraphicsScene>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "gui/topology_items.h"
#include "sim/live/graph_layout.h"
#include "sim/live/label_placement.h"

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
  // The smallest spread of the unit square at which every pair of nodes is apart by a node and a
  // gap for an edge label, across or down: compact enough to read at the default zoom.
  constexpr double kGapX = 200;
  constexpr double kGapY = 100;
  double scale = std::max(kNodeWidth + kGapX, kNodeHeight + kGapY);
  for (std::size_t i = 0; i < positions.size(); ++i) {
    for (std::size_t j = i + 1; j < positions.size(); ++j) {
      const double dx = std::max(1e-3, std::abs(positions[i].x - positions[j].x));
      const double dy = std::max(1e-3, std::abs(positions[i].y - positions[j].y));
      scale = std::max(scale, std::min((kNodeWidth + kGapX) / dx, (kNodeHeight + kGapY) / dy));
    }
  }
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
  for (EdgeItem* edge : edges_) {
    edge->adjust();
  }
  placeLabels();
  for (NodeItem* node : nodes_) {
    node->setMovedCallback([this] { placeLabels(); });
  }
  scene_->setSceneRect(scene_->itemsBoundingRect().adjusted(-60, -60, 60, 60));
  user_zoomed_ = false;
  zoomToDefault();
}

void TopologyView::zoomToFit() {
  user_zoomed_ = true;
  resetTransform();
  fitInView(scene_->sceneRect(), Qt::KeepAspectRatio);
}

void TopologyView::zoomToDefault() {
  resetTransform();
  fitInView(scene_->sceneRect(), Qt::KeepAspectRatio);
  const double fitted = zoom();
  const double wanted = std::clamp(fitted, kReadableZoom, 1.25);
  if (wanted != fitted) {
    resetTransform();
    scale(wanted, wanted);
    centerOn(scene_->sceneRect().center());
  }
}

double TopologyView::zoom() const {
  return transform().m11();
}

void TopologyView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (!user_zoomed_) {
    zoomToDefault();
  }
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
  placeLabels();
  // Labels grow with the figures they show: the scene grows with them, so that none is out of
  // reach of the scroll bars.
  scene_->setSceneRect(
      scene_->sceneRect().united(scene_->itemsBoundingRect().adjusted(-60, -60, 60, 60)));
}

void TopologyView::placeLabels() {
  std::vector<sim::LabelBox> nodes;
  nodes.reserve(nodes_.size());
  for (const NodeItem* node : nodes_) {
    const QRectF r = node->sceneBoundingRect();
    nodes.push_back({r.left(), r.top(), r.width(), r.height()});
  }
  std::vector<sim::EdgeLabelRequest> labels;
  labels.reserve(edges_.size());
  for (const EdgeItem* edge : edges_) {
    const QLineF line = edge->segment();
    const QRectF r = edge->labelRect();
    labels.push_back({line.x1(), line.y1(), line.x2(), line.y2(), r.width(), r.height()});
  }
  const std::vector<sim::LabelBox> placed = sim::placeEdgeLabels(labels, nodes);
  for (std::size_t e = 0; e < edges_.size(); ++e) {
    const sim::LabelBox& box = placed[e];
    edges_[e]->setLabelRect(box.width > 0 ? QRectF(box.left, box.top, box.width, box.height)
                                          : QRectF());
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
  user_zoomed_ = true;
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
