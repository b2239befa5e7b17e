#include "gui/topology_items.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QtMath>
#include <algorithm>
#include <cmath>

#include "gui/topology_view.h"

namespace meshsim::gui {
namespace {

QFont pixelFont(const QFont& base, int pixels, bool bold) {
  QFont font = base;
  font.setPixelSize(pixels);
  font.setBold(bold);
  return font;
}

QString number(double value, int decimals = 1) {
  return QString::number(value, 'f', decimals);
}

// Where the segment from the node's centre towards `towards` leaves its rectangle.
QPointF borderPoint(const QRectF& rect, QPointF towards) {
  const QPointF c = rect.center();
  const QPointF d = towards - c;
  if (d.isNull()) {
    return c;
  }
  const double sx = d.x() == 0 ? 1e9 : rect.width() / 2 / std::abs(d.x());
  const double sy = d.y() == 0 ? 1e9 : rect.height() / 2 / std::abs(d.y());
  return c + d * std::min(sx, sy);
}

}  // namespace

NodeItem::NodeItem(std::size_t index, const sim::TopologyNode& node) : index_(index), node_(node) {
  setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
  setCursor(Qt::PointingHandCursor);
  setZValue(1);
}

void NodeItem::setState(const sim::ServiceSnapshot* state) {
  has_state_ = state != nullptr;
  if (state != nullptr) {
    state_ = *state;
  }
  update();
}

QString NodeItem::label() const {
  QStringList versions;
  for (std::size_t v = 0; v < node_.versions.size(); ++v) {
    versions << QStringLiteral("%1×%2")
                    .arg(QString::fromStdString(node_.versions[v]))
                    .arg(node_.replicas[v]);
  }
  return QString::fromStdString(node_.name) + "\n" + versions.join(' ');
}

QStringList NodeItem::badges() const {
  QStringList out;
  if (node_.circuit_breaker) {
    out << QStringLiteral("CB");
  }
  if (node_.outlier_detection) {
    out << QStringLiteral("OD");
  }
  if (node_.fault_injection || (has_state_ && state_.faulted)) {
    out << QStringLiteral("FI");
  }
  if (!node_.sidecar && !node_.client) {
    out << QStringLiteral("no sidecar");
  }
  return out;
}

QRectF NodeItem::boundingRect() const {
  return QRectF(-kNodeWidth / 2 - 4, -kNodeHeight / 2 - kBadgePx - 8, kNodeWidth + 8,
                kNodeHeight + kBadgePx + 12);
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const QRectF body(-kNodeWidth / 2, -kNodeHeight / 2, kNodeWidth, kNodeHeight);
  const QColor health = node_.client ? QColor(0x6a, 0x6e, 0x73)
                        : has_state_ ? healthColour(state_.error_rate)
                                     : QColor(0x8a, 0x8d, 0x90);
  painter->setRenderHint(QPainter::Antialiasing);
  painter->setPen(
      QPen((option->state & QStyle::State_Selected) != 0 ? QColor(0x00, 0x66, 0xcc) : health,
           (option->state & QStyle::State_Selected) != 0 ? 4 : 2.5));
  painter->setBrush(QColor(0xff, 0xff, 0xff));
  if (!node_.sidecar && !node_.client) {
    painter->setPen(QPen(health, 2.5, Qt::DashLine));
  }
  painter->drawRoundedRect(body, node_.client ? 30 : 8, node_.client ? 30 : 8);

  painter->setFont(pixelFont(painter->font(), kNamePx, true));
  painter->setPen(Qt::black);
  painter->drawText(body.adjusted(6, 3, -6, 0), Qt::AlignTop | Qt::AlignHCenter,
                    QString::fromStdString(node_.name));
  painter->setFont(pixelFont(painter->font(), kDetailPx, false));
  QStringList lines;
  if (!node_.client) {
    QStringList versions;
    for (std::size_t v = 0; v < node_.versions.size(); ++v) {
      versions << QStringLiteral("%1×%2")
                      .arg(QString::fromStdString(node_.versions[v]))
                      .arg(node_.replicas[v]);
    }
    lines << versions.join(QStringLiteral("  "));
    if (has_state_) {
      lines << QStringLiteral("%1 rps · %2 % err")
                   .arg(number(state_.rps), number(100 * state_.error_rate));
      lines
          << QStringLiteral("p50 %1 · p99 %2 ms").arg(number(state_.p50_ms), number(state_.p99_ms));
    }
  } else {
    lines << QStringLiteral("load generator");
  }
  painter->drawText(body.adjusted(6, kNamePx + 6, -6, 0), Qt::AlignTop | Qt::AlignHCenter,
                    lines.join('\n'));

  // Ejected and crashed replicas, per version, in red under the figures.
  if (has_state_) {
    QStringList out;
    for (std::size_t v = 0; v < state_.ejected.size(); ++v) {
      if (state_.ejected[v] > 0) {
        out << QStringLiteral("%1: %2/%3 out")
                   .arg(QString::fromStdString(node_.versions[v]))
                   .arg(state_.ejected[v])
                   .arg(node_.replicas[v]);
      }
      if (state_.down[v] > 0) {
        out << QStringLiteral("%1: %2 down")
                   .arg(QString::fromStdString(node_.versions[v]))
                   .arg(state_.down[v]);
      }
    }
    if (!out.isEmpty()) {
      painter->setPen(QColor(0xc9, 0x19, 0x0b));
      painter->drawText(body.adjusted(6, 0, -6, -4), Qt::AlignBottom | Qt::AlignHCenter,
                        out.join(QStringLiteral("  ")));
    }
  }

  // Badges above the top-right corner, Kiali style.
  double x = body.right();
  const QFont badge_font = pixelFont(painter->font(), kBadgePx, true);
  painter->setFont(badge_font);
  const QFontMetricsF metrics(badge_font);
  for (const QString& badge : badges()) {
    const double w = metrics.horizontalAdvance(badge) + 10;
    const QRectF pill(x - w, body.top() - kBadgePx - 6, w, kBadgePx + 6);
    x -= w + 3;
    const bool ejecting = badge == QStringLiteral("OD") && has_state_ &&
                          std::any_of(state_.ejected.begin(), state_.ejected.end(),
                                      [](std::uint32_t n) { return n > 0; });
    painter->setPen(Qt::NoPen);
    painter->setBrush(badge == QStringLiteral("FI") || badge == QStringLiteral("no sidecar") ||
                              ejecting
                          ? QColor(0xc9, 0x19, 0x0b)
                          : QColor(0x00, 0x66, 0xcc));
    painter->drawRoundedRect(pill, 6, 6);
    painter->setPen(Qt::white);
    painter->drawText(pill, Qt::AlignCenter, badge);
  }
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
  if (change == ItemPositionHasChanged) {
    for (EdgeItem* edge : edges_) {
      edge->adjust();
    }
    if (moved_) {
      moved_();
    }
  }
  return QGraphicsItem::itemChange(change, value);
}

EdgeItem::EdgeItem(std::size_t index, const sim::TopologyEdge& edge, NodeItem* from, NodeItem* to)
    : index_(index), edge_(edge), from_(from), to_(to) {
  setFlags(ItemIsSelectable);
  setCursor(Qt::PointingHandCursor);
  from->addEdge(this);
  to->addEdge(this);
  adjust();
}

void EdgeItem::setState(const sim::EdgeSnapshot* state, double max_rps) {
  has_state_ = state != nullptr;
  if (state != nullptr) {
    state_ = *state;
    // Width grows with the log of the edge's share of the busiest edge's traffic.
    width_ = max_rps <= 0 || state->rps <= 0
                 ? 1.0
                 : 1.5 + 6.0 * std::log1p(9.0 * state->rps / max_rps) / std::log(10.0);
  }
  adjust();
  update();
}

QString EdgeItem::label() const {
  QStringList lines;
  if (has_state_) {
    lines << QStringLiteral("%1 rps · %2 % err")
                 .arg(number(state_.rps))
                 .arg(number(100 * state_.error_rate));
    lines << QStringLiteral("p99 %1 ms").arg(number(state_.p99_ms));
    if (state_.retries > 0 || state_.app_retries > 0) {
      lines << QStringLiteral("retries %1 mesh + %2 app · ×%3")
                   .arg(state_.retries)
                   .arg(state_.app_retries)
                   .arg(number(state_.amplification, 2));
    }
    if (state_.overflow > 0) {
      lines << QStringLiteral("%1 UO (circuit breaker)").arg(state_.overflow);
    }
  }
  if (edge_.mtls) {
    if (lines.isEmpty()) {
      lines << QStringLiteral("mTLS");
    } else {
      lines.front() = QStringLiteral("mTLS · ") + lines.front();
    }
  }
  return lines.join('\n');
}

void EdgeItem::adjust() {
  prepareGeometryChange();
  const QRectF a =
      from_->mapRectToScene(QRectF(-kNodeWidth / 2, -kNodeHeight / 2, kNodeWidth, kNodeHeight));
  const QRectF b =
      to_->mapRectToScene(QRectF(-kNodeWidth / 2, -kNodeHeight / 2, kNodeWidth, kNodeHeight));
  start_ = borderPoint(a, b.center());
  end_ = borderPoint(b, a.center());
  const QString text = label();
  if (text.isEmpty()) {
    label_rect_ = QRectF();
    return;
  }
  QFont font;
  font.setPixelSize(kEdgeLabelPx);
  const QSizeF size = QFontMetricsF(font).size(0, text) + QSizeF(10, 6);
  label_rect_ = QRectF((start_ + end_) / 2 - QPointF(size.width() / 2, size.height() / 2), size);
}

void EdgeItem::setLabelRect(const QRectF& rect) {
  if (rect != label_rect_) {
    prepareGeometryChange();
    label_rect_ = rect;
  }
}

QRectF EdgeItem::boundingRect() const {
  return QRectF(start_, end_).normalized().adjusted(-12, -12, 12, 12).united(label_rect_);
}

QPainterPath EdgeItem::shape() const {
  QPainterPath line(start_);
  line.lineTo(end_);
  QPainterPathStroker stroker;
  stroker.setWidth(std::max(10.0, width_ + 6));
  return stroker.createStroke(line);
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  const bool selected = (option->state & QStyle::State_Selected) != 0;
  const QColor colour = selected                       ? QColor(0x00, 0x66, 0xcc)
                        : has_state_ && state_.rps > 0 ? healthColour(state_.error_rate)
                                                       : QColor(0xb0, 0xb3, 0xb6);
  painter->setPen(QPen(colour, width_, edge_.mtls ? Qt::SolidLine : Qt::DashLine, Qt::RoundCap));
  painter->drawLine(start_, end_);
  const QLineF line(end_, start_);
  if (line.length() > 1) {
    const double angle = std::atan2(-line.dy(), line.dx());
    const double size = 8 + width_;
    const QPointF p1 =
        end_ + QPointF(std::sin(angle + M_PI / 3) * size, std::cos(angle + M_PI / 3) * size);
    const QPointF p2 = end_ + QPointF(std::sin(angle + M_PI - M_PI / 3) * size,
                                      std::cos(angle + M_PI - M_PI / 3) * size);
    painter->setPen(Qt::NoPen);
    painter->setBrush(colour);
    painter->drawPolygon(QPolygonF({end_, p1, p2}));
  }
  const QString text = label();
  if (!text.isEmpty()) {
    // A light box under the text, so the line does not run through it.
    painter->setPen(QPen(QColor(0xc8, 0xca, 0xcc), 1));
    painter->setBrush(QColor(0xff, 0xff, 0xff, 0xe6));
    painter->drawRoundedRect(label_rect_, 4, 4);
    painter->setFont(pixelFont(painter->font(), kEdgeLabelPx, false));
    painter->setPen(QColor(0x15, 0x15, 0x15));
    painter->drawText(label_rect_, Qt::AlignCenter, text);
  }
}

}  // namespace meshsim::gui
