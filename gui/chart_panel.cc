#include "gui/chart_panel.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

namespace meshsim::gui {
namespace {

void fill(QLineSeries* series, const std::vector<std::pair<double, double>>& points) {
  QList<QPointF> list;
  list.reserve(static_cast<qsizetype>(points.size()));
  for (const auto& [x, y] : points) {
    list.append(QPointF(x, y));
  }
  series->replace(list);
}

}  // namespace

ChartPanel::ChartPanel(QWidget* parent) : QWidget(parent), scope_(new QLabel(this)) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(2, 2, 2, 2);
  outer->addWidget(scope_);
  auto* grid = new QGridLayout();
  grid->setSpacing(2);
  outer->addLayout(grid, 1);
  int cell = 0;
  for (const sim::LiveMetric metric : sim::kLiveMetrics) {
    auto* chart = new QChart();
    chart->setTitle(QString::fromUtf8(sim::liveMetricName(metric).data(),
                                      static_cast<qsizetype>(sim::liveMetricName(metric).size())));
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));
    QFont title = chart->titleFont();
    title.setPointSizeF(8);
    chart->setTitleFont(title);
    auto* current = new QLineSeries(chart);
    auto* baseline = new QLineSeries(chart);
    auto* marker = new QLineSeries(chart);
    marker->setPen(QPen(QColor(0xc9, 0x19, 0x0b), 1.5));
    auto* warmup = new QAreaSeries(new QLineSeries(chart), new QLineSeries(chart));
    warmup->setPen(Qt::NoPen);
    warmup->setBrush(QColor(0xd2, 0xd2, 0xd2, 0x90));
    chart->addSeries(warmup);
    baseline->setPen(QPen(QColor(0x8a, 0x8d, 0x90), 1.5, Qt::DashLine));
    current->setPen(QPen(QColor(0x00, 0x66, 0xcc), 2));
    chart->addSeries(baseline);
    chart->addSeries(current);
    chart->addSeries(marker);
    auto* x = new QValueAxis(chart);
    auto* y = new QValueAxis(chart);
    QFont labels = x->labelsFont();
    labels.setPointSizeF(7);
    x->setLabelsFont(labels);
    y->setLabelsFont(labels);
    x->setLabelFormat(QStringLiteral("%.0f"));
    x->setTitleText(QString());
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries* s :
         std::initializer_list<QAbstractSeries*>{current, baseline, marker, warmup}) {
      s->attachAxis(x);
      s->attachAxis(y);
    }
    auto* view = new QChartView(chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(200, 130);
    grid->addWidget(view, cell / 2, cell % 2);
    charts_.push_back(Chart{metric, chart, current, baseline, marker, warmup, x, y});
    ++cell;
  }
  scope_->setText(tr("Mesh-wide over simulated time (s)"));
}

void ChartPanel::setHistory(const sim::RunHistory& history, std::optional<std::size_t> service,
                            const QString& scope) {
  service_ = service;
  scope_->setText(scope);
  for (Chart& chart : charts_) {
    fill(chart.current, history.points(chart.metric, service_));
    fill(chart.baseline, baseline_ != nullptr ? baseline_->points(chart.metric, service_)
                                              : std::vector<std::pair<double, double>>{});
    rescale(chart);
  }
}

void ChartPanel::setBaseline(const sim::RunHistory* baseline) {
  baseline_ = baseline;
  for (Chart& chart : charts_) {
    fill(chart.baseline, baseline_ != nullptr ? baseline_->points(chart.metric, service_)
                                              : std::vector<std::pair<double, double>>{});
    rescale(chart);
  }
}

void ChartPanel::append(const sim::Snapshot& snapshot) {
  for (Chart& chart : charts_) {
    if (!snapshot.warmup || sim::recordedDuringWarmup(chart.metric)) {
      chart.current->append(snapshot.endSeconds(),
                            sim::RunHistory::value(snapshot, chart.metric, service_));
    }
    rescale(chart);
  }
}

void ChartPanel::setMarker(std::optional<double> seconds) {
  marker_ = seconds;
  for (Chart& chart : charts_) {
    drawOverlays(chart);
  }
}

void ChartPanel::setWarmup(double seconds) {
  warmup_ = seconds;
  for (Chart& chart : charts_) {
    rescale(chart);
  }
}

void ChartPanel::drawOverlays(Chart& chart) {
  const double top = chart.y->max();
  if (marker_) {
    chart.marker->replace({QPointF(*marker_, 0), QPointF(*marker_, top)});
  } else {
    chart.marker->clear();
  }
  if (warmup_ > 0) {
    chart.warmup->upperSeries()->replace({QPointF(0, top), QPointF(warmup_, top)});
    chart.warmup->lowerSeries()->replace({QPointF(0, 0), QPointF(warmup_, 0)});
  } else {
    chart.warmup->upperSeries()->clear();
    chart.warmup->lowerSeries()->clear();
  }
}

void ChartPanel::rescale(Chart& chart) {
  double max_x = 1;
  double max_y = 0;
  for (const QLineSeries* series : {chart.current, chart.baseline}) {
    for (const QPointF& p : series->points()) {
      max_x = std::max(max_x, p.x());
      max_y = std::max(max_y, p.y());
    }
  }
  chart.x->setRange(0, std::max(max_x, warmup_));
  chart.y->setRange(0, max_y > 0 ? max_y * 1.1 : 1);
  drawOverlays(chart);
}

const ChartPanel::Chart& ChartPanel::chartFor(sim::LiveMetric metric) const {
  return *std::find_if(charts_.begin(), charts_.end(),
                       [metric](const Chart& c) { return c.metric == metric; });
}

int ChartPanel::pointCount(sim::LiveMetric metric) const {
  return static_cast<int>(chartFor(metric).current->count());
}

int ChartPanel::baselinePointCount(sim::LiveMetric metric) const {
  return static_cast<int>(chartFor(metric).baseline->count());
}

double ChartPanel::peak(sim::LiveMetric metric) const {
  double most = 0;
  for (const QPointF& point : chartFor(metric).current->points()) {
    most = std::max(most, point.y());
  }
  return most;
}

}  // namespace meshsim::gui
