#pragma once

#include <QGraphicsView>
#include <optional>
#include <vector>

#include "sim/live/mesh_topology.h"
#include "sim/live/snapshot.h"

class QGraphicsScene;

namespace meshsim::gui {

class NodeItem;
class EdgeItem;

// Kiali's graph over simulated time: services as nodes (versions, replicas, ejected and crashed
// replicas), calls as edges labelled with rps, p99 and error rate, width by traffic, health
// colours and policy badges. Laid out by sim::layoutTopology; nodes can be dragged, the view
// zooms with the wheel and pans by dragging the background. A click selects a node or an edge.
class TopologyView : public QGraphicsView {
  Q_OBJECT

 public:
  // The default zoom never goes below this: the node details (kDetailPx) stay >= 10 px on screen.
  // A graph too large for the view at this zoom is centred and panned; "Zoom to fit" shows all.
  static constexpr double kReadableZoom = 0.75;

  explicit TopologyView(QWidget* parent = nullptr);
  // Deleting the items must not report a selection change to a window being destroyed.
  ~TopologyView() override { scene_->blockSignals(true); }

  void setTopology(const sim::MeshTopology& topology);
  void showSnapshot(const sim::Snapshot& snapshot);
  std::size_t nodeCount() const { return nodes_.size(); }
  std::size_t edgeCount() const { return edges_.size(); }
  NodeItem* node(std::size_t index) const { return nodes_.at(index); }
  EdgeItem* edge(std::size_t index) const { return edges_.at(index); }
  void select(std::optional<std::size_t> node, std::optional<std::size_t> edge);
  // Places every edge label (sim::placeEdgeLabels): clear of the nodes and of each other, near the
  // middle of its edge. Runs when the labels' text changes and whenever a node is dragged.
  void placeLabels();
  // Fits the graph, but not below kReadableZoom nor above 1.25 (followed on resize until the user
  // zooms with the wheel).
  void zoomToDefault();
  void zoomToFit();
  double zoom() const;

 signals:
  void nodeSelected(std::size_t node);
  void edgeSelected(std::size_t edge);
  void selectionCleared();

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void onSelectionChanged();

  QGraphicsScene* scene_;
  std::vector<NodeItem*> nodes_;
  std::vector<EdgeItem*> edges_;
  bool user_zoomed_ = false;
};

// Kiali's thresholds: red from 20 % errors, orange from 0.1 %.
QColor healthColour(double error_rate);

}  // namespace meshsim::gui
