#include "widgets/editor/edge_item.h"

#include "core/graph/tensor_type.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"
#include "widgets/editor/node_item.h"

#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <cmath>

EdgeItem::EdgeItem(GraphScene* scene, const qnn::Edge& edge) : m_scene(scene), m_edge(edge)
{
    setFlags(ItemIsSelectable);
    setZValue(0);
    m_label = new EdgeLabelItem(this);
    scene->addItem(m_label);
}

EdgeItem::~EdgeItem() { delete m_label; }

int EdgeItem::type() const { return EdgeItemType; }

QPainterPath EdgeItem::curve(QPointF from, QPointF to)
{
    const double dx = std::max(40.0, std::abs(to.x() - from.x()) / 2);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
    return path;
}

QPointF EdgeItem::midPoint() const { return m_path.pointAtPercent(0.5); }

QString EdgeItem::labelText() const
{
    const qnn::TensorType* t = m_scene->document()->analysis().outputType(m_edge.fromNode);
    return t ? QString::fromStdString(qnn::tensorTypeToString(*t)) : QStringLiteral("?");
}

void EdgeItem::refresh()
{
    const NodeItem* from = m_scene->nodeItem(m_edge.fromNode);
    const NodeItem* to = m_scene->nodeItem(m_edge.toNode);
    const PortItem* out = from ? from->port(false, m_edge.fromPort) : nullptr;
    const PortItem* in = to ? to->port(true, m_edge.toPort) : nullptr;
    // A port may be gone (Concat lost inputs); draw to the node's edge so the bad edge stays visible.
    m_from = out ? out->scenePos() : (from ? from->scenePos() + QPointF(NodeItem::kWidth, NodeItem::kHeight / 2) : QPointF());
    m_to = in ? in->scenePos() : (to ? to->scenePos() + QPointF(0, NodeItem::kHeight / 2) : QPointF());
    prepareGeometryChange();
    m_path = curve(m_from, m_to);
    // Between nodes standing close together, "1024 · bipolar" goes on two lines so it fits the gap.
    m_label->setText(labelText(), std::abs(m_to.x() - m_from.x()) - 10);
    m_label->setPos(midPoint());
    const qnn::Graph& g = m_scene->document()->graph();
    if (const qnn::Node *a = g.node(m_edge.fromNode), *b = g.node(m_edge.toNode); a && b)
        setToolTip(QStringLiteral("%1 → %2: %3")
                       .arg(QString::fromStdString(a->name), QString::fromStdString(b->name), labelText()));
    update();
}

QRectF EdgeItem::boundingRect() const { return m_path.boundingRect().adjusted(-6, -6, 6, 6); }

QPainterPath EdgeItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(10);
    return stroker.createStroke(m_path);
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const qnn::TensorType* t = m_scene->document()->analysis().outputType(m_edge.fromNode);
    QColor color("#7b8794");
    if (t && t->bits < 32)
        color = QColor("#8e24aa"); // quantized tensors stand out from float ones
    const bool strong = (option->state & QStyle::State_Selected) || m_dropTarget;
    if (strong)
        color = QColor("#1e88e5");
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(color, m_dropTarget ? 5 : strong ? 3 : 2, Qt::SolidLine, Qt::RoundCap));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);
}

void EdgeItem::setDropTarget(bool on)
{
    if (m_dropTarget == on)
        return;
    m_dropTarget = on;
    update();
}

void EdgeItem::setDimmed(bool on)
{
    setOpacity(on ? 0.25 : 1.0);
    m_label->setOpacity(on ? 0.25 : 1.0);
}

EdgeLabelItem::EdgeLabelItem(EdgeItem* edge) : m_edge(edge)
{
    setZValue(2);
    setAcceptedMouseButtons(Qt::NoButton);
}

int EdgeLabelItem::type() const { return EdgeLabelItemType; }

static QFont labelFont(bool compact)
{
    QFont f;
    f.setPixelSize(compact ? 9 : 10);
    return f;
}

void EdgeLabelItem::setText(const QString& text, double room)
{
    QString shown = text;
    const bool compact = QFontMetricsF(labelFont(false)).horizontalAdvance(text) + 8 > room;
    if (compact && text.contains(QStringLiteral(" · ")))
        shown = QString(text).replace(QStringLiteral(" · "), QStringLiteral("\n"));
    if (text == m_text && shown == m_shown)
        return;
    prepareGeometryChange();
    m_text = text;
    m_shown = shown;
    m_compact = compact;
    const QFontMetricsF fm(labelFont(compact));
    const QRectF r = fm.boundingRect(QRectF(0, 0, 1000, 1000), Qt::AlignCenter, shown);
    const double w = r.width() + (compact ? 4 : 8);
    const double h = r.height() + 2;
    m_rect = QRectF(-w / 2, -h / 2, w, h);
    update();
}

QRectF EdgeLabelItem::boundingRect() const { return m_rect.adjusted(-1, -1, 1, 1); }

void EdgeLabelItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(QColor("#cbd2d9"), 1));
    painter->setBrush(QColor(255, 255, 255, 235));
    painter->drawRoundedRect(m_rect, 4, 4);
    painter->setFont(labelFont(m_compact));
    painter->setPen(QColor("#3e4c59"));
    painter->drawText(m_rect, Qt::AlignCenter, m_shown);
}
