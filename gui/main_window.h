#pragma once

#include <QMainWindow>
#include <memory>
#include <optional>

#include "gui/comparison_runner.h"
#include "gui/run_controller.h"
#include "sim/live/run_history.h"
#include "sim/live/scenario_editor.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QSlider;
class QSpinBox;
class QTableWidget;
class QTextBrowser;

namespace meshsim::gui {

class ChartPanel;
class KnobPanel;
class TopologyView;

// The directory of the shipped scenarios: $MESHSIM_SCENARIOS, else the source tree's scenarios/.
QString scenarioDirectory();

// meshsim-gui's window: the topology view and its timeline on the left, live charts on the right,
// and docks for the selection's details, the policy knobs, the lessons, the A/B comparison and
// messages. Errors (a bad file, a bad knob value) go to the messages dock with file:line:column;
// nothing is modal except the file dialogs the user asks for.
class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Loads a scenario and shows its first frame, paused; false (and the error in messages()) if it
  // does not load.
  bool openScenario(const QString& path);
  // Writes the knobs into the scenario and reruns it; false if the result does not load.
  bool applyKnobs();
  // Pins the current run as the baseline (A) of the A/B comparison: its snapshots so far (all of
  // them once it has finished) and its scenario; false before the first snapshot.
  bool pinBaseline();
  // Runs the replicated comparison of the baseline's scenario and this run's (`meshsim compare`
  // with the replications of the A/B dock) on a worker thread; false without a baseline or when
  // this run is the baseline. Started by itself when a run after the baseline finishes.
  bool compareWithReplications();
  void clearBaseline();
  bool openLesson(std::size_t index);
  // Plays as fast as possible until `seconds` of simulated time are shown (or the run ends);
  // false on timeout. For --screenshot and tests.
  bool runUntil(double seconds, int timeout_ms);
  bool exportView(const QString& path);
  bool exportCharts(const QString& path);
  void selectService(std::size_t service);

  RunController& controller() { return controller_; }
  TopologyView* topologyView() const { return topology_; }
  ChartPanel* charts() const { return charts_; }
  KnobPanel* knobs() const { return knobs_; }
  QTableWidget* comparison() const { return comparison_; }
  QString comparisonStatus() const;
  QSpinBox* replicationsBox() const { return replications_; }
  ComparisonRunner& comparisonRunner() { return comparison_runner_; }
  QString statusText() const;
  QSlider* timeline() const { return timeline_; }
  QString details() const;
  QString messages() const;
  std::size_t shownSnapshot() const { return shown_; }

 private:
  void buildMenus();
  void buildDocks();
  void reportError(const QString& text);
  void startRun(std::unique_ptr<sim::Variant> variant, const QString& title);
  void onSnapshotAdded(std::size_t index);
  void onRunFinished();
  void showSnapshot(std::size_t index);
  void refreshCharts();
  void refreshDetails();
  void refreshControls();
  void showComparison();
  void showLiveDifference(const sim::Snapshot& snapshot);
  void showReplicated(const std::vector<sim::MetricComparison>& rows);
  void fillComparison(const std::vector<sim::MetricComparison>& rows, bool intervals);
  void refreshStatus();
  void openDialog();
  void saveDialog();

  RunController controller_;
  std::unique_ptr<sim::ScenarioEditor> editor_;
  QString scenario_path_;
  QString title_;
  // The scenario text of the run on display (ScenarioEditor::text()), to rerun it.
  std::string run_text_;
  TopologyView* topology_;
  ChartPanel* charts_;
  KnobPanel* knobs_ = nullptr;
  QSlider* timeline_;
  QLabel* time_label_;
  QComboBox* speed_;
  QTextBrowser* details_ = nullptr;
  QTextBrowser* lesson_text_ = nullptr;
  QComboBox* lessons_ = nullptr;
  QTableWidget* comparison_ = nullptr;
  QLabel* comparison_status_ = nullptr;
  QProgressBar* comparison_progress_ = nullptr;
  QSpinBox* replications_ = nullptr;
  ComparisonRunner comparison_runner_;
  QPlainTextEdit* messages_ = nullptr;
  QAction* play_ = nullptr;
  QAction* pause_ = nullptr;
  QAction* step_ = nullptr;
  QAction* pin_ = nullptr;
  std::size_t shown_ = 0;
  bool follow_ = true;
  std::optional<std::size_t> selected_node_;
  std::optional<std::size_t> selected_edge_;
  int run_ = 0;
  // The pinned baseline (A) of the A/B comparison.
  std::optional<sim::RunHistory> baseline_;
  std::optional<sim::RunSummary> baseline_summary_;
  int baseline_run_ = -1;
  std::string baseline_text_;
  QString baseline_path_;
};

}  // namespace meshsim::gui
