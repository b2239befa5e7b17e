#include "gui/knob_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <chrono>

namespace meshsim::gui {
namespace {

QSpinBox* spin(int max, const QString& suffix = {}, const QString& zero = {}) {
  auto* box = new QSpinBox();
  box->setRange(0, max);
  box->setSuffix(suffix);
  box->setSpecialValueText(zero);
  return box;
}

QDoubleSpinBox* percent() {
  auto* box = new QDoubleSpinBox();
  box->setRange(0, 100);
  box->setDecimals(1);
  box->setSuffix(QStringLiteral(" %"));
  return box;
}

void clearForm(QFormLayout* form) {
  while (form->rowCount() > 0) {
    form->removeRow(0);
  }
}

core::Duration ms(int value) {
  return std::chrono::milliseconds(value);
}
int toMs(core::Duration d) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

KnobPanel::KnobPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  load_group_ = new QGroupBox(tr("Load"));
  load_ = new QDoubleSpinBox();
  load_->setRange(0, 1e6);
  load_->setDecimals(1);
  load_->setToolTip(tr("workload.rate (req/s), or workload.users for a closed workload"));
  auto* load_form = new QFormLayout(load_group_);
  load_form->addRow(tr("Rate or users"), load_);
  layout->addWidget(load_group_);

  services_ = new QComboBox();
  auto* service_row = new QFormLayout();
  service_row->addRow(tr("Destination service"), services_);
  layout->addLayout(service_row);

  replicas_group_ = new QGroupBox(tr("Replicas"));
  replicas_form_ = new QFormLayout(replicas_group_);
  layout->addWidget(replicas_group_);

  retries_group_ = new QGroupBox(tr("Retries (VirtualService)"));
  retries_group_->setToolTip(
      tr("The callers' sidecars retry: a caller without a sidecar (the load generator, services "
         "with sidecar: false) never does. Attempts 0 writes attempts: 0, which turns Istio's "
         "default retries off"));
  retry_attempts_ = spin(100);
  per_try_ms_ = spin(600000, tr(" ms"), tr("none"));
  retry_on_ = new QLineEdit();
  auto* retries = new QFormLayout(retries_group_);
  addOrigin(sim::KnobKind::kRetries, retries);
  retries->addRow(tr("Attempts"), retry_attempts_);
  retries->addRow(tr("Per-try timeout"), per_try_ms_);
  retries->addRow(tr("Retry on"), retry_on_);
  layout->addWidget(retries_group_);

  timeout_group_ = new QGroupBox(tr("Timeout (VirtualService)"));
  timeout_ms_ = spin(3600000, tr(" ms"), tr("none"));
  auto* timeout = new QFormLayout(timeout_group_);
  addOrigin(sim::KnobKind::kTimeout, timeout);
  timeout->addRow(tr("Route timeout"), timeout_ms_);
  layout->addWidget(timeout_group_);

  outlier_ = new QGroupBox(tr("Outlier detection (DestinationRule)"));
  outlier_->setCheckable(true);
  consecutive_ = spin(1000);
  interval_s_ = spin(3600, tr(" s"));
  ejection_s_ = spin(3600, tr(" s"));
  max_ejection_ = spin(100, tr(" %"));
  auto* outlier = new QFormLayout(outlier_);
  addOrigin(sim::KnobKind::kOutlierDetection, outlier);
  outlier->addRow(tr("Consecutive 5xx"), consecutive_);
  outlier->addRow(tr("Interval"), interval_s_);
  outlier->addRow(tr("Base ejection time"), ejection_s_);
  outlier->addRow(tr("Max ejection"), max_ejection_);
  layout->addWidget(outlier_);

  pool_group_ = new QGroupBox(tr("Connection pool / circuit breaker (DestinationRule)"));
  max_connections_ = spin(1000000, {}, tr("unlimited"));
  max_pending_ = spin(1000000, {}, tr("unlimited"));
  max_requests_ = spin(1000000, {}, tr("unlimited"));
  max_retries_ = spin(1000000, {}, tr("unlimited"));
  auto* pool = new QFormLayout(pool_group_);
  addOrigin(sim::KnobKind::kConnectionPool, pool);
  pool->addRow(tr("Max connections"), max_connections_);
  pool->addRow(tr("Max pending requests"), max_pending_);
  pool->addRow(tr("Max requests"), max_requests_);
  pool->addRow(tr("Max retries"), max_retries_);
  layout->addWidget(pool_group_);

  split_group_ = new QGroupBox(tr("Traffic split (VirtualService weights)"));
  auto* split = new QVBoxLayout(split_group_);
  auto* split_rows = new QWidget();
  split_form_ = new QFormLayout(split_rows);
  split_form_->setContentsMargins(0, 0, 0, 0);
  auto* split_origin = new QFormLayout();
  addOrigin(sim::KnobKind::kTrafficSplit, split_origin);
  split->addLayout(split_origin);
  split->addWidget(split_rows);
  layout->addWidget(split_group_);

  fault_group_ = new QGroupBox(tr("Fault injection (VirtualService)"));
  abort_percent_ = percent();
  abort_status_ = spin(599);
  abort_status_->setMinimum(200);
  delay_percent_ = percent();
  delay_ms_ = spin(600000, tr(" ms"));
  delay_ms_->setMinimum(1);
  auto* fault = new QFormLayout(fault_group_);
  addOrigin(sim::KnobKind::kFaultInjection, fault);
  fault->addRow(tr("Abort"), abort_percent_);
  fault->addRow(tr("Abort status"), abort_status_);
  fault->addRow(tr("Delay"), delay_percent_);
  fault->addRow(tr("Fixed delay"), delay_ms_);
  layout->addWidget(fault_group_);

  failing_group_ = new QGroupBox(tr("Failing replicas (the replicas' own errors)"));
  failing_group_->setCheckable(true);
  failing_group_->setToolTip(
      tr("Scenario error_rate faults: the caller's sidecar sees these errors from the upstream "
         "replica, so mesh retries and outlier detection react to them"));
  failing_version_ = new QComboBox();
  failing_replicas_ = spin(1000);
  failing_replicas_->setMinimum(1);
  failing_percent_ = percent();
  failing_status_ = spin(599);
  failing_status_->setMinimum(200);
  failing_from_s_ = spin(86400, tr(" s"));
  failing_until_s_ = spin(86400, tr(" s"), tr("end of run"));
  auto* failing = new QFormLayout(failing_group_);
  failing->addRow(tr("Version"), failing_version_);
  failing->addRow(tr("Replicas"), failing_replicas_);
  failing->addRow(tr("Requests failing"), failing_percent_);
  failing->addRow(tr("Status"), failing_status_);
  failing->addRow(tr("From (run time)"), failing_from_s_);
  failing->addRow(tr("Until"), failing_until_s_);
  layout->addWidget(failing_group_);

  auto* buttons = new QHBoxLayout();
  auto* apply_button = new QPushButton(tr("Apply && rerun"));
  auto* save_button = new QPushButton(tr("Save scenario as…"));
  buttons->addWidget(apply_button);
  buttons->addWidget(save_button);
  layout->addLayout(buttons);
  layout->addStretch(1);
  connect(apply_button, &QPushButton::clicked, this, &KnobPanel::applyRequested);
  connect(save_button, &QPushButton::clicked, this, &KnobPanel::saveRequested);
  connect(services_, &QComboBox::currentTextChanged, this, [this] { refresh(); });
  setEnabled(false);
}

void KnobPanel::setEditor(sim::ScenarioEditor* editor, const QStringList& services) {
  editor_ = editor;
  setEnabled(editor_ != nullptr);
  {
    const QSignalBlocker blocker(services_);
    services_->clear();
    services_->addItems(services);
  }
  refresh();
}

void KnobPanel::setService(const QString& service) {
  const int index = services_->findText(service);
  if (index >= 0) {
    services_->setCurrentIndex(index);
  }
}

QString KnobPanel::service() const {
  return services_->currentText();
}

void KnobPanel::addOrigin(sim::KnobKind kind, QFormLayout* form) {
  auto* label = new QLabel();
  label->setWordWrap(true);
  label->setStyleSheet(QStringLiteral("color: #6a6e73; font-style: italic;"));
  form->addRow(label);
  origins_[kind] = label;
}

QString KnobPanel::origin(sim::KnobKind kind) const {
  const auto it = origins_.find(kind);
  return it == origins_.end() ? QString() : it->second->text();
}

void KnobPanel::refresh() {
  clearForm(replicas_form_);
  clearForm(split_form_);
  replicas_.clear();
  split_.clear();
  if (editor_ == nullptr || services_->currentText().isEmpty()) {
    return;
  }
  const std::string service = services_->currentText().toStdString();
  load_->setValue(editor_->load());
  for (const auto& [version, weight] : editor_->trafficSplit(service)) {
    auto* replicas = spin(1000);
    replicas->setMinimum(1);
    replicas->setValue(static_cast<int>(editor_->replicas(service, version)));
    replicas_form_->addRow(QString::fromStdString(version), replicas);
    replicas_.emplace_back(version, replicas);
    auto* share = spin(100);
    share->setValue(static_cast<int>(weight));
    split_form_->addRow(QString::fromStdString(version), share);
    split_.emplace_back(version, share);
  }
  // Only Istio sidecars apply the manifests these knobs write.
  const bool istio = editor_->profile() == core::ProxyProfile::kIstio;
  for (const auto& [kind, label] : origins_) {
    label->setText(tr("From: %1").arg(QString::fromStdString(editor_->origin(kind, service))));
    group(kind)->setEnabled(istio);
  }
  const sim::RetryKnob retries = editor_->retries(service);
  retry_attempts_->setValue(static_cast<int>(retries.attempts));
  per_try_ms_->setValue(toMs(retries.per_try_timeout));
  retry_on_->setText(QString::fromStdString(retries.retry_on));
  retry_on_->setCursorPosition(0);
  retry_on_->setToolTip(retry_on_->text());
  timeout_ms_->setValue(toMs(editor_->timeout(service)));
  const sim::OutlierKnob od = editor_->outlierDetection(service);
  outlier_->setChecked(od.enabled);
  consecutive_->setValue(static_cast<int>(od.consecutive_5xx));
  interval_s_->setValue(static_cast<int>(core::toSeconds(od.interval)));
  ejection_s_->setValue(static_cast<int>(core::toSeconds(od.base_ejection_time)));
  max_ejection_->setValue(static_cast<int>(od.max_ejection_percent));
  const sim::PoolKnob pool = editor_->connectionPool(service);
  max_connections_->setValue(static_cast<int>(pool.max_connections));
  max_pending_->setValue(static_cast<int>(pool.max_pending_requests));
  max_requests_->setValue(static_cast<int>(pool.max_requests));
  max_retries_->setValue(static_cast<int>(pool.max_retries));
  const sim::FaultKnob fault = editor_->faultInjection(service);
  abort_percent_->setValue(fault.abort_percent);
  abort_status_->setValue(static_cast<int>(fault.abort_status));
  delay_percent_->setValue(fault.delay_percent);
  delay_ms_->setValue(toMs(fault.delay));
  const sim::FailingReplicaKnob failing_knob = editor_->failingReplicas(service);
  failing_version_->clear();
  for (const auto& [version, box] : replicas_) {
    failing_version_->addItem(QString::fromStdString(version));
  }
  failing_version_->setCurrentText(QString::fromStdString(failing_knob.version));
  failing_group_->setChecked(failing_knob.percent > 0);
  failing_replicas_->setValue(static_cast<int>(failing_knob.replicas));
  // Unchecked, the group offers the common case: every request of the replica fails.
  failing_percent_->setValue(failing_knob.percent > 0 ? failing_knob.percent : 100);
  failing_status_->setValue(static_cast<int>(failing_knob.status));
  failing_from_s_->setValue(static_cast<int>(core::toSeconds(failing_knob.at)));
  failing_until_s_->setValue(static_cast<int>(core::toSeconds(failing_knob.until)));
}

void KnobPanel::apply() {
  if (editor_ == nullptr || services_->currentText().isEmpty()) {
    return;
  }
  const std::string service = services_->currentText().toStdString();
  if (load_->value() != editor_->load()) {
    editor_->setLoad(load_->value());
  }
  for (const auto& [version, box] : replicas_) {
    if (static_cast<std::uint32_t>(box->value()) != editor_->replicas(service, version)) {
      editor_->setReplicas(service, version, static_cast<std::uint32_t>(box->value()));
    }
  }
  const sim::RetryKnob retries{retry_attempts_->value(), ms(per_try_ms_->value()),
                               retry_on_->text().toStdString()};
  if (!(retries == editor_->retries(service))) {
    editor_->setRetries(service, retries);
  }
  if (ms(timeout_ms_->value()) != editor_->timeout(service)) {
    editor_->setTimeout(service, ms(timeout_ms_->value()));
  }
  sim::OutlierKnob od{outlier_->isChecked(), consecutive_->value(),
                      std::chrono::seconds(interval_s_->value()),
                      std::chrono::seconds(ejection_s_->value()), max_ejection_->value()};
  const sim::OutlierKnob current_od = editor_->outlierDetection(service);
  if (!od.enabled && !current_od.enabled) {
    od = current_od;
  }
  if (!(od == current_od)) {
    editor_->setOutlierDetection(service, od);
  }
  const sim::PoolKnob pool{max_connections_->value(), max_pending_->value(), max_requests_->value(),
                           max_retries_->value()};
  if (!(pool == editor_->connectionPool(service))) {
    editor_->setConnectionPool(service, pool);
  }
  std::vector<std::pair<std::string, std::int64_t>> split;
  for (const auto& [version, box] : split_) {
    split.emplace_back(version, box->value());
  }
  if (split != editor_->trafficSplit(service)) {
    editor_->setTrafficSplit(service, split);
  }
  const sim::FaultKnob fault{abort_percent_->value(), abort_status_->value(),
                             delay_percent_->value(), ms(delay_ms_->value())};
  const sim::FaultKnob current_fault = editor_->faultInjection(service);
  const bool both_off = fault.abort_percent == 0 && fault.delay_percent == 0 &&
                        current_fault.abort_percent == 0 && current_fault.delay_percent == 0;
  if (!both_off && !(fault == current_fault)) {
    editor_->setFaultInjection(service, fault);
  }
  const sim::FailingReplicaKnob failing{failing_version_->currentText().toStdString(),
                                        static_cast<std::uint32_t>(failing_replicas_->value()),
                                        failing_group_->isChecked() ? failing_percent_->value() : 0,
                                        failing_status_->value(),
                                        std::chrono::seconds(failing_from_s_->value()),
                                        std::chrono::seconds(failing_until_s_->value())};
  const sim::FailingReplicaKnob current_failing = editor_->failingReplicas(service);
  if ((failing.percent > 0 || current_failing.percent > 0) && !(failing == current_failing)) {
    editor_->setFailingReplicas(service, failing);
  }
}

QGroupBox* KnobPanel::group(sim::KnobKind kind) const {
  switch (kind) {
    case sim::KnobKind::kLoad:
      return load_group_;
    case sim::KnobKind::kReplicas:
      return replicas_group_;
    case sim::KnobKind::kRetries:
      return retries_group_;
    case sim::KnobKind::kTimeout:
      return timeout_group_;
    case sim::KnobKind::kOutlierDetection:
      return outlier_;
    case sim::KnobKind::kConnectionPool:
      return pool_group_;
    case sim::KnobKind::kTrafficSplit:
      return split_group_;
    case sim::KnobKind::kFaultInjection:
      return fault_group_;
  }
  return load_group_;
}

void KnobPanel::focusKnob(sim::KnobKind kind) {
  QGroupBox* target = group(kind);
  for (QGroupBox* box : findChildren<QGroupBox*>()) {
    box->setStyleSheet(box == target
                           ? QStringLiteral("QGroupBox { font-weight: bold; color: #0066cc; }")
                           : QString());
  }
  target->setFocus();
}

}  // namespace meshsim::gui
