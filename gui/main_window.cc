#include "gui/main_window.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QLineSeries>
#include <QSplitter>
#include <QStatusBar>
#include <QValueAxis>

namespace meshsim::gui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      topology_scene_(new QGraphicsScene(this)),
      topology_view_(new QGraphicsView(topology_scene_)) {
  setWindowTitle(QStringLiteral("meshsim %1").arg(QStringLiteral(MESHSIM_VERSION)));
  topology_view_->setRenderHint(QPainter::Antialiasing);
  topology_view_->setDragMode(QGraphicsView::ScrollHandDrag);

  auto* chart = new QChart();
  chart->setTitle(tr("End-to-end latency (ms) over simulated time (s)"));
  auto* p99 = new QLineSeries(chart);
  p99->setName(tr("p99"));
  chart->addSeries(p99);
  auto* x_axis = new QValueAxis(chart);
  auto* y_axis = new QValueAxis(chart);
  chart->addAxis(x_axis, Qt::AlignBottom);
  chart->addAxis(y_axis, Qt::AlignLeft);
  p99->attachAxis(x_axis);
  p99->attachAxis(y_axis);
  auto* chart_view = new QChartView(chart);
  chart_view->setRenderHint(QPainter::Antialiasing);

  auto* splitter = new QSplitter(this);
  splitter->addWidget(topology_view_);
  splitter->addWidget(chart_view);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  setCentralWidget(splitter);
  statusBar()->showMessage(tr("No scenario loaded"));
  resize(1280, 800);
}

}  // namespace meshsim::gui
