#pragma once

#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include "sim/live/lesson_catalog.h"
#include "sim/live/scenario_editor.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace meshsim::gui {

// Policy knobs without YAML: load and replicas, and per destination service the VirtualService
// (retries, timeout, traffic split, fault injection) and DestinationRule (outlier detection,
// connection-pool limits) settings, and failing replicas (scenario error_rate faults). The Istio
// knobs show the policy in force and say where it comes from (a manifest or the profile's
// default); under a profile that applies no Istio manifest they are read-only. apply() writes the
// knobs the user changed into the ScenarioEditor; the window then reloads the scenario through the
// normal loader and reruns it.
class KnobPanel : public QWidget {
  Q_OBJECT

 public:
  explicit KnobPanel(QWidget* parent = nullptr);

  // `editor` outlives the panel's use of it (the window replaces both together); `services` are
  // the scenario's services, in order.
  void setEditor(sim::ScenarioEditor* editor, const QStringList& services);
  void setService(const QString& service);
  QString service() const;
  // Writes every knob whose value differs from the scenario's into the editor.
  void apply();
  // Brings the knob group of `kind` into view and gives it focus (lessons).
  void focusKnob(sim::KnobKind kind);

  // The widgets, for tests and lessons.
  QDoubleSpinBox* loadBox() const { return load_; }
  QSpinBox* retryAttemptsBox() const { return retry_attempts_; }
  QLineEdit* retryOnEdit() const { return retry_on_; }
  QSpinBox* timeoutBox() const { return timeout_ms_; }
  // The "from …" line of a knob group (ScenarioEditor::origin); empty for load and replicas.
  QString origin(sim::KnobKind kind) const;
  QGroupBox* replicasGroup() const { return replicas_group_; }
  QGroupBox* outlierGroup() const { return outlier_; }
  QSpinBox* maxEjectionBox() const { return max_ejection_; }
  QDoubleSpinBox* abortPercentBox() const { return abort_percent_; }
  QSpinBox* maxRequestsBox() const { return max_requests_; }
  QGroupBox* failingGroup() const { return failing_group_; }
  QComboBox* failingVersionBox() const { return failing_version_; }
  QSpinBox* failingReplicasBox() const { return failing_replicas_; }
  QSpinBox* failingFromBox() const { return failing_from_s_; }

 signals:
  void applyRequested();
  void saveRequested();

 private:
  void refresh();
  QGroupBox* group(sim::KnobKind kind) const;
  // Adds the group's "from …" line as the first row of its form.
  void addOrigin(sim::KnobKind kind, QFormLayout* form);

  sim::ScenarioEditor* editor_ = nullptr;
  QComboBox* services_;
  QDoubleSpinBox* load_;
  QGroupBox* replicas_group_;
  QFormLayout* replicas_form_;
  std::vector<std::pair<std::string, QSpinBox*>> replicas_;
  QGroupBox* retries_group_;
  QSpinBox* retry_attempts_;
  QSpinBox* per_try_ms_;
  QLineEdit* retry_on_;
  QGroupBox* timeout_group_;
  QSpinBox* timeout_ms_;
  QGroupBox* outlier_;
  QSpinBox* consecutive_;
  QSpinBox* interval_s_;
  QSpinBox* ejection_s_;
  QSpinBox* max_ejection_;
  QGroupBox* pool_group_;
  QSpinBox* max_connections_;
  QSpinBox* max_pending_;
  QSpinBox* max_requests_;
  QSpinBox* max_retries_;
  QGroupBox* split_group_;
  QFormLayout* split_form_;
  std::vector<std::pair<std::string, QSpinBox*>> split_;
  QGroupBox* fault_group_;
  QDoubleSpinBox* abort_percent_;
  QSpinBox* abort_status_;
  QDoubleSpinBox* delay_percent_;
  QSpinBox* delay_ms_;
  QGroupBox* failing_group_;
  QComboBox* failing_version_;
  QSpinBox* failing_replicas_;
  QDoubleSpinBox* failing_percent_;
  QSpinBox* failing_status_;
  QSpinBox* failing_from_s_;
  QSpinBox* failing_until_s_;
  QGroupBox* load_group_;
  std::map<sim::KnobKind, QLabel*> origins_;
};

}  // namespace meshsim::gui
