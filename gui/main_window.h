#pragma once

#include <QMainWindow>

class QGraphicsScene;
class QGraphicsView;

namespace QtCharts {}

namespace meshsim::gui {

// The application window: topology view on the left, charts on the right. The views are filled
// by the scenario model once it exists; until then they show the empty mesh.
class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);

 private:
  QGraphicsScene* topology_scene_;
  QGraphicsView* topology_view_;
};

}  // namespace meshsim::gui
