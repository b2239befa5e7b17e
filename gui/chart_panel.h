#pragma once

#include <QWidget>
#include <optional>
#include <vector>

#include "sim/live/run_history.h"

class QChart;
class QLineSeries;
class QValueAxis;
class QLabel;

namespace meshsim::gui {

// Live charts over simulated time, one per sim::LiveMetric: mesh-wide (end-to-end) figures, or
// one service's once it is selected. A pinned baseline run is drawn dashed under the current run.
class ChartPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ChartPanel(QWidget* parent = nullptr);

  // Redraws every chart from `history` (a new run, or another service selected).
  void setHistory(const sim::RunHistory& history, std::optional<std::size_t> service,
                  const QString& scope);
  // Adds the latest snapshot's points.
  void append(const sim::Snapshot& snapshot);
  void setBaseline(const sim::RunHistory* baseline);
  // Points in the current run's series of the chart for `metric`.
  int pointCount(sim::LiveMetric metric) const;
  int baselinePointCount(sim::LiveMetric metric) const;

 private:
  struct Chart {
    sim::LiveMetric metric;
    QChart* chart;
    QLineSeries* current;
    QLineSeries* baseline;
    QValueAxis* x;
    QValueAxis* y;
  };
  void rescale(Chart& chart);
  const Chart& chartFor(sim::LiveMetric metric) const;

  std::vector<Chart> charts_;
  std::optional<std::size_t> service_;
  const sim::RunHistory* baseline_ = nullptr;
  QLabel* scope_;
};

}  // namespace meshsim::gui
