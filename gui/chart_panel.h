#pragma once

#include <QWidget>
#include <optional>
#include <vector>

#include "sim/live/run_history.h"

class QAreaSeries;
class QChart;
class QLineSeries;
class QValueAxis;
class QLabel;

namespace meshsim::gui {

// Live charts over simulated time, one per sim::LiveMetric: mesh-wide (end-to-end) figures, or
// one service's once it is selected. A pinned baseline run is drawn dashed under the current run,
// the warm-up is shaded (only what the mesh records then is plotted in it: sidecar CPU and
// ejections), and a vertical marker shows the time of the snapshot on display (the one scrubbed
// to while replaying).
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
  // The marker's simulated time (end of the snapshot shown); nullopt hides it.
  void setMarker(std::optional<double> seconds);
  // Shades [0, seconds] as the warm-up; 0 hides the band.
  void setWarmup(double seconds);
  std::optional<double> marker() const { return marker_; }
  double warmup() const { return warmup_; }
  // Points in the current run's series of the chart for `metric`.
  int pointCount(sim::LiveMetric metric) const;
  int baselinePointCount(sim::LiveMetric metric) const;
  // The largest value of the current run's series of the chart for `metric` (0 when empty).
  double peak(sim::LiveMetric metric) const;

 private:
  struct Chart {
    sim::LiveMetric metric;
    QChart* chart;
    QLineSeries* current;
    QLineSeries* baseline;
    QLineSeries* marker;
    QAreaSeries* warmup;
    QValueAxis* x;
    QValueAxis* y;
  };
  void rescale(Chart& chart);
  void drawOverlays(Chart& chart);
  const Chart& chartFor(sim::LiveMetric metric) const;

  std::vector<Chart> charts_;
  std::optional<std::size_t> service_;
  const sim::RunHistory* baseline_ = nullptr;
  std::optional<double> marker_;
  double warmup_ = 0;
  QLabel* scope_;
};

}  // namespace meshsim::gui
