#include "gui/main_window.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "config/yaml_node.h"
#include "gui/chart_panel.h"
#include "gui/knob_panel.h"
#include "gui/topology_view.h"
#include "sim/live/ab_comparison.h"
#include "sim/live/lesson_catalog.h"
#include "sim/live/live_session.h"

namespace meshsim::gui {
namespace {

QString qs(std::string_view text) {
  return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString fixed(double value, int decimals = 2) {
  return QString::number(value, 'f', decimals);
}

struct Speed {
  const char* label;
  double multiple;
};
constexpr Speed kSpeeds[] = {{"1× real time", 1},
                             {"2×", 2},
                             {"5×", 5},
                             {"10×", 10},
                             {"50×", 50},
                             {"100×", 100},
                             {"as fast as possible", RunController::kAsFastAsPossible}};

}  // namespace

QString scenarioDirectory() {
  const QString configured = qEnvironmentVariable("MESHSIM_SCENARIOS");
  return configured.isEmpty() ? QStringLiteral(MESHSIM_SCENARIO_DIR) : configured;
}

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      topology_(new TopologyView()),
      charts_(new ChartPanel()),
      timeline_(new QSlider(Qt::Horizontal)),
      time_label_(new QLabel()),
      speed_(new QComboBox()) {
  setWindowTitle(QStringLiteral("meshsim-gui %1").arg(QStringLiteral(MESHSIM_VERSION)));
  auto* left = new QWidget();
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  left_layout->addWidget(topology_, 1);
  auto* timeline_row = new QHBoxLayout();
  timeline_->setEnabled(false);
  timeline_->setToolTip(tr("Scrub back through the recorded snapshots (replay)"));
  time_label_->setMinimumWidth(190);
  timeline_row->addWidget(new QLabel(tr("Timeline")));
  timeline_row->addWidget(timeline_, 1);
  timeline_row->addWidget(time_label_);
  left_layout->addLayout(timeline_row);

  auto* splitter = new QSplitter(this);
  splitter->addWidget(left);
  splitter->addWidget(charts_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  splitter->setSizes({740, 480});
  setCentralWidget(splitter);

  for (const Speed& speed : kSpeeds) {
    speed_->addItem(QString::fromUtf8(speed.label), speed.multiple);
  }
  speed_->setCurrentIndex(3);
  connect(speed_, &QComboBox::currentIndexChanged, this,
          [this] { controller_.setSpeed(speed_->currentData().toDouble()); });
  controller_.setSpeed(speed_->currentData().toDouble());

  buildMenus();
  buildDocks();

  connect(&controller_, &RunController::snapshotAdded, this, &MainWindow::onSnapshotAdded);
  connect(&controller_, &RunController::runFinished, this, &MainWindow::onRunFinished);
  connect(&controller_, &RunController::stateChanged, this, &MainWindow::refreshControls);
  connect(timeline_, &QSlider::valueChanged, this, [this](int value) {
    if (value < 0 || static_cast<std::size_t>(value) >= controller_.history().size()) {
      return;
    }
    follow_ = static_cast<std::size_t>(value) + 1 == controller_.history().size();
    showSnapshot(static_cast<std::size_t>(value));
    refreshStatus();
  });
  connect(topology_, &TopologyView::nodeSelected, this, [this](std::size_t node) {
    selected_node_ = node;
    selected_edge_.reset();
    if (node < controller_.topology().nodes.size() && !controller_.topology().nodes[node].client) {
      knobs_->setService(qs(controller_.topology().nodes[node].name));
    }
    refreshCharts();
    refreshDetails();
  });
  connect(topology_, &TopologyView::edgeSelected, this, [this](std::size_t edge) {
    selected_edge_ = edge;
    selected_node_.reset();
    refreshCharts();
    refreshDetails();
  });
  connect(topology_, &TopologyView::selectionCleared, this, [this] {
    selected_node_.reset();
    selected_edge_.reset();
    refreshCharts();
    refreshDetails();
  });
  statusBar()->showMessage(tr("Open a scenario (File ▸ Open, or a lesson)"));
  refreshControls();
  resize(1600, 950);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open scenario…"), this, &MainWindow::openDialog);
  open->setShortcut(QKeySequence::Open);
  QMenu* shipped = file->addMenu(tr("Open &shipped scenario"));
  const QDir directory(scenarioDirectory());
  for (const QString& name :
       directory.entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name)) {
    shipped->addAction(name, this, [this, path = directory.filePath(name)] { openScenario(path); });
  }
  file->addAction(tr("Save scenario &as…"), this, &MainWindow::saveDialog);
  file->addSeparator();
  file->addAction(tr("Export topology view as PNG…"), this, [this] {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export view"), QString(), tr("PNG images (*.png)"));
    if (!path.isEmpty() && !exportView(path)) {
      reportError(tr("Could not write %1").arg(path));
    }
  });
  file->addAction(tr("Export charts as PNG…"), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export charts"), QString(),
                                                      tr("PNG images (*.png)"));
    if (!path.isEmpty() && !exportCharts(path)) {
      reportError(tr("Could not write %1").arg(path));
    }
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), this, &QWidget::close)->setShortcut(QKeySequence::Quit);

  QToolBar* run = addToolBar(tr("Run"));
  run->setObjectName(QStringLiteral("run"));
  run->addAction(open);
  play_ = run->addAction(tr("Play"), &controller_, &RunController::play);
  pause_ = run->addAction(tr("Pause"), &controller_, &RunController::pause);
  step_ = run->addAction(tr("Step"), &controller_, &RunController::step);
  run->addWidget(new QLabel(tr(" Speed ")));
  run->addWidget(speed_);
  run->addSeparator();
  pin_ = run->addAction(tr("Pin as baseline (A)"), this, &MainWindow::pinBaseline);
  pin_->setToolTip(
      tr("Keep this run as A (its snapshots so far, all of them once finished, and its "
         "scenario); the next run (B) is drawn over it and compared, live and then with "
         "replications"));
  run->addAction(tr("Clear baseline"), this, &MainWindow::clearBaseline);
  run->addAction(tr("Apply knobs && rerun"), this, &MainWindow::applyKnobs);
  run->addAction(tr("Compare with replications"), this, &MainWindow::compareWithReplications)
      ->setToolTip(tr("meshsim compare: R replications of A and B with common random numbers"));
  run->addSeparator();
  run->addAction(tr("Zoom to fit"), this, [this] { topology_->zoomToFit(); });
}

void MainWindow::buildDocks() {
  details_ = new QTextBrowser();
  auto* details_dock = new QDockWidget(tr("Details"), this);
  details_dock->setObjectName(QStringLiteral("details"));
  details_dock->setWidget(details_);
  addDockWidget(Qt::LeftDockWidgetArea, details_dock);

  knobs_ = new KnobPanel();
  auto* scroll = new QScrollArea();
  scroll->setWidget(knobs_);
  scroll->setWidgetResizable(true);
  auto* knobs_dock = new QDockWidget(tr("Policy knobs"), this);
  knobs_dock->setObjectName(QStringLiteral("knobs"));
  knobs_dock->setWidget(scroll);
  addDockWidget(Qt::LeftDockWidgetArea, knobs_dock);
  connect(knobs_, &KnobPanel::applyRequested, this, &MainWindow::applyKnobs);
  connect(knobs_, &KnobPanel::saveRequested, this, &MainWindow::saveDialog);

  auto* lessons = new QWidget();
  auto* lessons_layout = new QVBoxLayout(lessons);
  lessons_ = new QComboBox();
  for (const sim::Lesson& lesson : sim::lessons()) {
    lessons_->addItem(qs(lesson.title));
  }
  lesson_text_ = new QTextBrowser();
  auto* open_lesson = new QPushButton(tr("Open this lesson"));
  lessons_layout->addWidget(lessons_);
  lessons_layout->addWidget(lesson_text_, 1);
  lessons_layout->addWidget(open_lesson);
  auto show_lesson = [this](int index) {
    if (index < 0) {
      return;
    }
    const sim::Lesson& lesson = sim::lessons()[static_cast<std::size_t>(index)];
    lesson_text_->setHtml(
        QStringLiteral("<h3>%1</h3><p><i>%2</i></p><p>%3</p><p><b>Try this:</b> %4</p>")
            .arg(qs(lesson.title), qs(lesson.scenario), qs(lesson.explanation),
                 qs(lesson.try_this)));
  };
  connect(lessons_, &QComboBox::currentIndexChanged, this, show_lesson);
  show_lesson(0);
  connect(open_lesson, &QPushButton::clicked, this,
          [this] { openLesson(static_cast<std::size_t>(lessons_->currentIndex())); });
  auto* lessons_dock = new QDockWidget(tr("Lessons"), this);
  lessons_dock->setObjectName(QStringLiteral("lessons"));
  lessons_dock->setWidget(lessons);
  addDockWidget(Qt::LeftDockWidgetArea, lessons_dock);

  comparison_ = new QTableWidget(0, 5);
  comparison_->setHorizontalHeaderLabels(
      {tr("Metric"), tr("A (baseline)"), tr("B (this run)"), tr("B − A"), tr("95 % CI of B − A")});
  comparison_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  comparison_->verticalHeader()->hide();
  comparison_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  auto* comparison_panel = new QWidget();
  auto* comparison_layout = new QVBoxLayout(comparison_panel);
  comparison_layout->setContentsMargins(2, 2, 2, 2);
  auto* comparison_row = new QHBoxLayout();
  comparison_status_ = new QLabel(tr("Pin a run as the baseline (A), change a knob and apply (B)"));
  comparison_status_->setWordWrap(true);
  comparison_progress_ = new QProgressBar();
  comparison_progress_->setVisible(false);
  comparison_progress_->setMaximumWidth(220);
  replications_ = new QSpinBox();
  replications_->setRange(2, 100);
  replications_->setValue(5);
  replications_->setToolTip(tr("Replications of A and of B for the comparison with intervals"));
  comparison_row->addWidget(comparison_status_, 1);
  comparison_row->addWidget(comparison_progress_);
  comparison_row->addWidget(new QLabel(tr("Replications")));
  comparison_row->addWidget(replications_);
  comparison_layout->addLayout(comparison_row);
  comparison_layout->addWidget(comparison_, 1);
  connect(&comparison_runner_, &ComparisonRunner::progress, this, [this](int done, int total) {
    comparison_progress_->setRange(0, total);
    comparison_progress_->setValue(done);
    comparison_status_->setText(tr("Running %1 replications of A and of B with common random "
                                   "numbers: %2 of %3 runs done…")
                                    .arg(comparison_runner_.replications())
                                    .arg(done)
                                    .arg(total));
  });
  connect(&comparison_runner_, &ComparisonRunner::finished, this, &MainWindow::showReplicated);
  connect(&comparison_runner_, &ComparisonRunner::failed, this, [this](const QString& message) {
    comparison_progress_->setVisible(false);
    reportError(message);
  });
  auto* comparison_dock = new QDockWidget(tr("A/B comparison (common random numbers)"), this);
  comparison_dock->setObjectName(QStringLiteral("comparison"));
  comparison_dock->setWidget(comparison_panel);
  addDockWidget(Qt::BottomDockWidgetArea, comparison_dock);

  messages_ = new QPlainTextEdit();
  messages_->setReadOnly(true);
  auto* messages_dock = new QDockWidget(tr("Messages"), this);
  messages_dock->setObjectName(QStringLiteral("messages"));
  messages_dock->setWidget(messages_);
  addDockWidget(Qt::BottomDockWidgetArea, messages_dock);
  tabifyDockWidget(details_dock, knobs_dock);
  tabifyDockWidget(knobs_dock, lessons_dock);
  details_dock->raise();
  tabifyDockWidget(comparison_dock, messages_dock);
  comparison_dock->raise();
  resizeDocks({details_dock}, {380}, Qt::Horizontal);
  resizeDocks({comparison_dock}, {170}, Qt::Vertical);
}

void MainWindow::reportError(const QString& text) {
  messages_->appendPlainText(text);
  statusBar()->showMessage(text);
  if (auto* dock = qobject_cast<QDockWidget*>(messages_->parentWidget())) {
    dock->raise();
  }
}

QString MainWindow::comparisonStatus() const {
  return comparison_status_->text();
}

QString MainWindow::statusText() const {
  return statusBar()->currentMessage();
}

QString MainWindow::messages() const {
  return messages_->toPlainText();
}
QString MainWindow::details() const {
  return details_->toPlainText();
}

bool MainWindow::openScenario(const QString& path) {
  try {
    auto editor =
        std::make_unique<sim::ScenarioEditor>(sim::ScenarioEditor::open(path.toStdString()));
    config::Warnings warnings;
    auto variant = sim::loadVariant(path.toStdString(), {}, warnings);
    for (const config::Warning& warning : warnings) {
      messages_->appendPlainText(QString::fromStdString(warning.format()));
    }
    editor_ = std::move(editor);
    scenario_path_ = path;
    run_text_ = editor_->text();
    startRun(std::move(variant), QFileInfo(path).fileName());
    return true;
  } catch (const std::exception& error) {
    reportError(QString::fromStdString(error.what()));
    return false;
  }
}

void MainWindow::startRun(std::unique_ptr<sim::Variant> variant, const QString& title) {
  auto session = std::make_unique<sim::LiveSession>(std::move(variant));
  QStringList services;
  for (const sim::ServiceSpec& service : session->scenario().services) {
    services << QString::fromStdString(service.name);
  }
  const QString previous_service = knobs_->service();
  comparison_runner_.cancel();
  comparison_progress_->setVisible(false);
  controller_.load(std::move(session));
  ++run_;
  topology_->setTopology(controller_.topology());
  selected_node_.reset();
  selected_edge_.reset();
  shown_ = 0;
  follow_ = true;
  timeline_->setRange(0, 0);
  timeline_->setEnabled(false);
  time_label_->clear();
  knobs_->setEditor(editor_.get(), services);
  knobs_->setService(previous_service);
  refreshCharts();
  refreshDetails();
  setWindowTitle(QStringLiteral("meshsim-gui — %1").arg(title));
  title_ = title;
  charts_->setMarker(std::nullopt);
  charts_->setWarmup(controller_.warmupSeconds());
  if (baseline_ && baseline_run_ != run_) {
    comparison_->setRowCount(0);
    comparison_status_->setText(tr("B is running: live B − A per interval as it plays"));
  }
  refreshStatus();
}

bool MainWindow::applyKnobs() {
  if (!editor_) {
    reportError(tr("Open a scenario first"));
    return false;
  }
  try {
    knobs_->apply();
    config::Warnings warnings;
    auto variant = editor_->load(warnings);
    run_text_ = editor_->text();
    for (const config::Warning& warning : warnings) {
      messages_->appendPlainText(QString::fromStdString(warning.format()));
    }
    startRun(std::move(variant), QFileInfo(scenario_path_).fileName() + tr(" (edited)"));
    controller_.play();
    return true;
  } catch (const std::exception& error) {
    reportError(QString::fromStdString(error.what()));
    return false;
  }
}

bool MainWindow::pinBaseline() {
  if (controller_.history().empty()) {
    reportError(tr("Nothing to pin yet: play or step the run first"));
    return false;
  }
  baseline_ = controller_.history();
  baseline_summary_ = controller_.summary();
  baseline_run_ = run_;
  baseline_text_ = run_text_;
  baseline_path_ = scenario_path_;
  charts_->setBaseline(&*baseline_);
  comparison_->setRowCount(0);
  comparison_status_->setText(
      tr("Baseline (A) pinned at t = %1 s%2: change a knob and apply to run B")
          .arg(fixed(baseline_->back().endSeconds(), 1))
          .arg(controller_.finished() ? QString()
                                      : tr(" (before the end: its charts stop there)")));
  return true;
}

bool MainWindow::compareWithReplications() {
  if (!baseline_ || baseline_run_ == run_) {
    reportError(tr("Pin a baseline (A), then apply a change (B) to compare"));
    return false;
  }
  try {
    config::Warnings warnings;
    auto a = sim::loadEditedVariant(baseline_text_, baseline_path_.toStdString(), warnings);
    auto b = sim::loadEditedVariant(run_text_, scenario_path_.toStdString(), warnings);
    const auto replications = static_cast<std::size_t>(replications_->value());
    comparison_progress_->setRange(0, static_cast<int>(2 * replications));
    comparison_progress_->setValue(0);
    comparison_progress_->setVisible(true);
    comparison_status_->setText(tr("Running %1 replications of A and of B with common random "
                                   "numbers…")
                                    .arg(replications));
    comparison_runner_.start(std::move(a), std::move(b), replications);
    return true;
  } catch (const std::exception& error) {
    reportError(QString::fromStdString(error.what()));
    return false;
  }
}

void MainWindow::clearBaseline() {
  comparison_runner_.cancel();
  comparison_progress_->setVisible(false);
  baseline_.reset();
  baseline_summary_.reset();
  baseline_run_ = -1;
  charts_->setBaseline(nullptr);
  comparison_->setRowCount(0);
  comparison_status_->setText(tr("Pin a run as the baseline (A), change a knob and apply (B)"));
}

bool MainWindow::openLesson(std::size_t index) {
  if (index >= sim::lessons().size()) {
    return false;
  }
  const sim::Lesson& lesson = sim::lessons()[index];
  lessons_->setCurrentIndex(static_cast<int>(index));
  if (!openScenario(QDir(scenarioDirectory()).filePath(qs(lesson.scenario)))) {
    return false;
  }
  if (!lesson.service.empty()) {
    knobs_->setService(qs(lesson.service));
  }
  knobs_->focusKnob(lesson.knob);
  if (auto* dock = qobject_cast<QDockWidget*>(lesson_text_->parentWidget()->parentWidget())) {
    dock->raise();
  }
  return true;
}

bool MainWindow::runUntil(double seconds, int timeout_ms) {
  const double speed = controller_.speed();
  controller_.setSpeed(RunController::kAsFastAsPossible);
  QEventLoop loop;
  QTimer timeout;
  timeout.setSingleShot(true);
  auto reached = [&] {
    return controller_.finished() ||
           (!controller_.history().empty() && controller_.history().back().endSeconds() >= seconds);
  };
  auto check = [&] {
    if (reached()) {
      loop.quit();
    }
  };
  connect(&controller_, &RunController::snapshotAdded, &loop, check);
  connect(&controller_, &RunController::runFinished, &loop, check);
  connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
  if (!reached()) {
    controller_.play();
    timeout.start(timeout_ms);
    loop.exec();
  }
  controller_.pause();
  controller_.setSpeed(speed);
  return reached();
}

bool MainWindow::exportView(const QString& path) {
  return topology_->grab().save(path, "PNG");
}
bool MainWindow::exportCharts(const QString& path) {
  return charts_->grab().save(path, "PNG");
}

void MainWindow::selectService(std::size_t service) {
  topology_->select(service, std::nullopt);
}

void MainWindow::onSnapshotAdded(std::size_t index) {
  const sim::Snapshot& snapshot = controller_.history().at(index);
  charts_->append(snapshot);
  pin_->setEnabled(true);
  {
    const QSignalBlocker blocker(timeline_);
    timeline_->setEnabled(true);
    timeline_->setRange(0, static_cast<int>(index));
    if (follow_) {
      timeline_->setValue(static_cast<int>(index));
    }
  }
  if (follow_) {
    showSnapshot(index);
  }
  if (baseline_ && baseline_run_ != run_ && !controller_.finished()) {
    showLiveDifference(snapshot);
  }
  refreshStatus();
}

void MainWindow::onRunFinished() {
  refreshStatus();
  if (baseline_ && baseline_run_ != run_) {
    showComparison();
    compareWithReplications();
  }
}

void MainWindow::showComparison() {
  if (baseline_summary_) {
    fillComparison(sim::compareLiveRuns(*baseline_summary_, *controller_.summary()), false);
  }
  if (auto* dock = qobject_cast<QDockWidget*>(comparison_->parentWidget()->parentWidget())) {
    dock->raise();
  }
}

void MainWindow::showReplicated(const std::vector<sim::MetricComparison>& rows) {
  comparison_progress_->setVisible(false);
  fillComparison(rows, true);
  comparison_status_->setText(
      tr("%1 replications of A and of B with common random numbers (meshsim compare): mean, and "
         "B − A with its paired 95 % interval; * = significant")
          .arg(comparison_runner_.replications()));
}

void MainWindow::fillComparison(const std::vector<sim::MetricComparison>& rows, bool intervals) {
  comparison_->setRowCount(static_cast<int>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const sim::MetricComparison& row = rows[i];
    const double difference = row.difference.difference.mean;
    const int r = static_cast<int>(i);
    comparison_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(row.metric.label)));
    comparison_->setItem(r, 1, new QTableWidgetItem(QString::number(row.a.mean, 'g', 6)));
    comparison_->setItem(r, 2, new QTableWidgetItem(QString::number(row.b.mean, 'g', 6)));
    const bool significant = intervals && row.difference.significant;
    auto* delta = new QTableWidgetItem((difference > 0 ? QStringLiteral("+") : QString()) +
                                       QString::number(difference, 'g', 6) +
                                       (significant ? QStringLiteral(" *") : QString()));
    if (significant) {
      delta->setForeground(QColor(0x00, 0x66, 0xcc));
    }
    comparison_->setItem(r, 3, delta);
    comparison_->setItem(
        r, 4,
        new QTableWidgetItem(intervals ? QStringLiteral("± %1").arg(QString::number(
                                             row.difference.difference.half_width, 'g', 4))
                                       : tr("(replications running)")));
  }
  if (!intervals) {
    comparison_status_->setText(
        tr("Replication 0 of A and of B (the runs shown); intervals once the replications end"));
  }
}

void MainWindow::showLiveDifference(const sim::Snapshot& snapshot) {
  const std::vector<sim::LiveDifference> rows = sim::liveDifference(*baseline_, snapshot);
  comparison_->setRowCount(static_cast<int>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int r = static_cast<int>(i);
    comparison_->setItem(r, 0, new QTableWidgetItem(qs(sim::liveMetricName(rows[i].metric))));
    comparison_->setItem(r, 1, new QTableWidgetItem(QString::number(rows[i].a, 'g', 5)));
    comparison_->setItem(r, 2, new QTableWidgetItem(QString::number(rows[i].b, 'g', 5)));
    comparison_->setItem(
        r, 3,
        new QTableWidgetItem((rows[i].difference > 0 ? QStringLiteral("+") : QString()) +
                             QString::number(rows[i].difference, 'g', 5)));
    comparison_->setItem(r, 4, new QTableWidgetItem(tr("(one interval)")));
  }
  comparison_status_->setText(
      rows.empty()
          ? tr("B at t = %1 s: the baseline has no interval ending then")
                .arg(fixed(snapshot.endSeconds(), 1))
          : tr("Live: the interval ending at t = %1 s of A and of B (same random streams)%2")
                .arg(fixed(snapshot.endSeconds(), 1))
                .arg(snapshot.warmup ? tr(", warm-up") : QString()));
}

void MainWindow::refreshStatus() {
  if (!controller_.loaded()) {
    return;
  }
  const sim::RunHistory& history = controller_.history();
  const double now = history.empty() ? 0 : history.back().endSeconds();
  QString state;
  if (!history.empty() && !follow_) {
    state = tr("replaying t = %1 s of %2 s (drag the timeline to its end to follow the run)")
                .arg(fixed(history.at(shown_).endSeconds(), 1), fixed(now, 1));
  } else if (controller_.finished()) {
    state = tr("finished at t = %1 s: %2 requests, %3 % success")
                .arg(fixed(now, 1))
                .arg(controller_.summary()->requests)
                .arg(fixed(100 * controller_.summary()->success_rate, 2));
  } else if (controller_.playing()) {
    state =
        controller_.speed() == RunController::kAsFastAsPossible
            ? tr("playing as fast as possible, t = %1 s").arg(fixed(now, 1))
            : tr("playing at %1× real time, t = %2 s").arg(controller_.speed()).arg(fixed(now, 1));
  } else if (history.empty()) {
    state = tr("paused at the start: press Play or Step");
  } else {
    state = tr("paused at t = %1 s").arg(fixed(now, 1));
  }
  if (!history.empty() && history.back().warmup && !controller_.finished()) {
    state += tr(" (in the warm-up)");
  }
  statusBar()->showMessage(
      QStringLiteral("%1: %2 · %3").arg(title_, state, controller_.warmupText()));
}

void MainWindow::showSnapshot(std::size_t index) {
  shown_ = index;
  const sim::Snapshot& snapshot = controller_.history().at(index);
  topology_->showSnapshot(snapshot);
  time_label_->setText(tr("t = %1 s  (%2 / %3)%4")
                           .arg(fixed(snapshot.endSeconds(), 1))
                           .arg(index + 1)
                           .arg(controller_.history().size())
                           .arg(snapshot.warmup ? tr(" warm-up") : QString()));
  charts_->setMarker(snapshot.endSeconds());
  refreshDetails();
}

void MainWindow::refreshCharts() {
  const auto& nodes = controller_.topology().nodes;
  if (selected_node_ && *selected_node_ + 1 < nodes.size()) {
    charts_->setHistory(
        controller_.history(), *selected_node_,
        tr("Service %1 over simulated time (s)").arg(qs(nodes[*selected_node_].name)));
  } else {
    charts_->setHistory(controller_.history(), std::nullopt,
                        tr("End to end and mesh-wide over simulated time (s)"));
  }
}

void MainWindow::refreshDetails() {
  const sim::MeshTopology& topology = controller_.topology();
  const sim::Snapshot* snapshot =
      controller_.history().empty() ? nullptr : &controller_.history().at(shown_);
  QString html;
  if (selected_node_ && *selected_node_ < topology.nodes.size()) {
    const sim::TopologyNode& node = topology.nodes[*selected_node_];
    html += QStringLiteral("<h3>%1</h3>").arg(qs(node.name));
    if (node.client) {
      html += tr("<p>The load generator (outside the mesh).</p>");
    } else {
      html += tr("<p>Sidecar: %1</p>")
                  .arg(node.sidecar ? tr("yes") : tr("<b>no</b> (outside the mesh)"));
      html += QStringLiteral("<table>");
      for (std::size_t v = 0; v < node.versions.size(); ++v) {
        QString state;
        if (snapshot != nullptr) {
          const sim::ServiceSnapshot& s = snapshot->services[*selected_node_];
          state = tr(" — %1 ejected, %2 down").arg(s.ejected[v]).arg(s.down[v]);
        }
        html += QStringLiteral("<tr><td>%1</td><td>%2 replicas%3</td></tr>")
                    .arg(qs(node.versions[v]))
                    .arg(node.replicas[v])
                    .arg(state);
      }
      html += QStringLiteral("</table>");
      QStringList badges;
      if (node.circuit_breaker)
        badges << tr("circuit breaker (connection-pool limits)");
      if (node.outlier_detection)
        badges << tr("outlier detection");
      if (node.fault_injection)
        badges << tr("fault injection");
      html += tr("<p>Policies: %1</p>")
                  .arg(badges.isEmpty() ? tr("none") : badges.join(QStringLiteral(", ")));
      if (snapshot != nullptr) {
        const sim::ServiceSnapshot& s = snapshot->services[*selected_node_];
        html += tr("<p>At t = %1 s: %2 rps, %3 % errors, p50 %4 ms, p99 %5 ms, retries into it: "
                   "%6, %7 rejected, sidecar CPU %8 cores%9</p>")
                    .arg(fixed(snapshot->endSeconds(), 1), fixed(s.rps, 1),
                         fixed(100 * s.error_rate), fixed(s.p50_ms), fixed(s.p99_ms))
                    .arg(tr("%1 mesh (sidecars) + %2 app").arg(s.retries).arg(s.app_retries))
                    .arg(s.rejected)
                    .arg(fixed(s.sidecar_cpu_cores, 3))
                    .arg(s.faulted ? tr(", <b>a scenario fault is active</b>") : QString());
      }
    }
  } else if (selected_edge_ && *selected_edge_ < topology.edges.size()) {
    const sim::TopologyEdge& edge = topology.edges[*selected_edge_];
    html += QStringLiteral("<h3>%1 → %2</h3>")
                .arg(qs(topology.nodes[edge.from].name), qs(topology.nodes[edge.to].name));
    html += tr("<p>mTLS: %1</p>").arg(edge.mtls ? tr("yes") : tr("no"));
    if (snapshot != nullptr) {
      const sim::EdgeSnapshot& e = snapshot->edges[*selected_edge_];
      html += tr("<p>At t = %1 s: %2 rps, p99 %3 ms, %4 % errors, retries: %5, amplification "
                 "%6, %7 circuit-breaker overflows (UO), %8 injected faults (FI/DI)</p>")
                  .arg(fixed(snapshot->endSeconds(), 1), fixed(e.rps, 1), fixed(e.p99_ms),
                       fixed(100 * e.error_rate))
                  .arg(tr("%1 mesh (sidecar) + %2 app").arg(e.retries).arg(e.app_retries))
                  .arg(fixed(e.amplification, 3))
                  .arg(e.overflow)
                  .arg(e.injected);
    }
  } else if (snapshot != nullptr) {
    html += tr("<h3>Mesh</h3><p>At t = %1 s%2: %3 rps end to end, %4 % errors, p50 %5 ms, p99 "
               "%6 ms, retries: %7, amplification %8, %9 replicas ejected")
                .arg(fixed(snapshot->endSeconds(), 1),
                     snapshot->warmup ? tr(" (warm-up: requests are not measured)") : QString(),
                     fixed(snapshot->rps, 1), fixed(100 * snapshot->error_rate),
                     fixed(snapshot->p50_ms), fixed(snapshot->p99_ms))
                .arg(tr("%1 mesh + %2 app").arg(snapshot->retries).arg(snapshot->app_retries))
                .arg(fixed(snapshot->amplification, 3))
                .arg(snapshot->ejected_hosts);
    html += tr(", %1 sidecar cores</p><p>Click a service or an edge for its details.</p>")
                .arg(fixed(snapshot->sidecar_cpu_cores, 3));
  } else if (controller_.loaded()) {
    html += tr("<p>Press Play or Step. The warm-up (%1) is simulated first, an interval at a "
               "time, and shaded in the charts.</p>")
                .arg(controller_.warmupText());
  }
  details_->setHtml(html);
}

void MainWindow::refreshControls() {
  const bool loaded = controller_.loaded();
  play_->setEnabled(loaded && !controller_.finished() && !controller_.playing());
  pause_->setEnabled(controller_.playing());
  step_->setEnabled(loaded && !controller_.finished());
  pin_->setEnabled(!controller_.history().empty());
  charts_->setWarmup(controller_.warmupSeconds());
  refreshStatus();
}

void MainWindow::openDialog() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open scenario"), scenarioDirectory(),
                                                    tr("Scenarios (*.yaml *.yml)"));
  if (!path.isEmpty()) {
    openScenario(path);
  }
}

void MainWindow::saveDialog() {
  if (!editor_) {
    reportError(tr("Open a scenario first"));
    return;
  }
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Save scenario"), QString(), tr("Scenarios (*.yaml)"));
  if (path.isEmpty()) {
    return;
  }
  try {
    knobs_->apply();
    editor_->save(path.toStdString());
    statusBar()->showMessage(tr("Saved %1 (meshsim run %1)").arg(path));
  } catch (const std::exception& error) {
    reportError(QString::fromStdString(error.what()));
  }
}

}  // namespace meshsim::gui
