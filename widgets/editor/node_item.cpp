#include "widgets/editor/node_item.h"

#include "core/graph/graph_summary.h"
#include "core/graph/layer_registry.h"
#include "widgets/editor/editor_style.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"

#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace {

constexpr double kHeader = 22;

} // namespace

NodeItem::NodeItem(GraphScene* scene, qnn::NodeId id) : m_scene(scene), m_id(id)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
    setZValue(1);
    setAcceptHoverEvents(true);
    refresh();
}

QRectF NodeItem::boundingRect() const
{
    // Room for the selection / error outline and the highlight ring.
    return QRectF(0, 0, kWidth, kHeight).adjusted(-5, -5, 5, 5);
}

QString NodeItem::badgeText() const
{
    const GraphDocument* doc = m_scene->document();
    const qnn::Node* n = doc->graph().node(m_id);
    if (!n)
        return {};
    const qnn::LayerSpec& spec = qnn::LayerRegistry::spec(n->kind);
    if (spec.hasWeights) {
        // The A of W1A1 is what the layer multiplies: the bits arriving at its input.
        auto it = doc->analysis().inputTypes.find(m_id);
        if (it == doc->analysis().inputTypes.end() || it->second.empty()) // not connected yet
            return QString::fromStdString(qnn::precisionLabel(n->quant.weightBits, 1)).replace("A1", "A?");
        return QString::fromStdString(qnn::precisionLabel(n->quant.weightBits, it->second.front().bits));
    }
    if (spec.hasActivationBits) {
        const qnn::TensorType* out = doc->analysis().outputType(m_id);
        const int bits = out ? out->bits : n->quant.actBits;
        return bits >= 32 ? QStringLiteral("FP32") : QStringLiteral("A%1").arg(bits);
    }
    return {};
}

QString NodeItem::shapeText() const
{
    const qnn::TensorType* out = m_scene->document()->analysis().outputType(m_id);
    return QStringLiteral("→ ") + (out ? QString::fromStdString(qnn::shapeToString(out->shape)) : QStringLiteral("?"));
}

bool NodeItem::hasError() const
{
    for (const qnn::Diagnostic& d : m_scene->document()->analysis().diagnosticsFor(m_id))
        if (d.severity == qnn::Severity::Error)
            return true;
    return false;
}

PortItem* NodeItem::port(bool input, int index) const
{
    const auto& ports = input ? m_inputs : m_outputs;
    return index >= 0 && index < int(ports.size()) ? ports[size_t(index)] : nullptr;
}

void NodeItem::refresh()
{
    const GraphDocument* doc = m_scene->document();
    const qnn::Node* n = doc->graph().node(m_id);
    if (!n)
        return;
    const qnn::LayerSpec& spec = qnn::LayerRegistry::spec(n->kind);
    const int inputs = std::max(0, spec.inputCount(*n));
    if (inputs != int(m_inputs.size()) || spec.outputs != int(m_outputs.size()))
        rebuildPorts(inputs, spec.outputs);
    const QPointF pos(n->pos.x, n->pos.y);
    if (this->pos() != pos)
        setPos(pos);

    QString tip = QStringLiteral("<b>%1</b> (%2)<br>%3")
                      .arg(QString::fromStdString(n->name).toHtmlEscaped(), QString::fromStdString(spec.name),
                           QString::fromStdString(spec.doc).toHtmlEscaped());
    for (const qnn::LayerSummary& row : doc->summary().layers)
        if (row.id == m_id) {
            // The layer's own `qnnw summary` row.
            tip += QStringLiteral("<br>%1: %2 · %3: %4 · %5: %6 · %7: %8")
                       .arg(QObject::tr("Parameters"), QString::fromStdString(qnn::humanCount(double(row.params))),
                            QObject::tr("weight memory"),
                            QString::fromStdString(qnn::humanBytes(double((row.weightMemoryBits + 7) / 8))),
                            QObject::tr("MACs"), QString::fromStdString(qnn::humanCount(double(row.macs))),
                            QObject::tr("BOPs"), QString::fromStdString(qnn::humanCount(double(row.bops))));
            break;
        }
    for (const qnn::Diagnostic& d : doc->analysis().diagnosticsFor(m_id)) {
        const QString color = d.severity == qnn::Severity::Error ? "#c62828" : "#b26a00";
        tip += QStringLiteral("<br><span style='color:%1'>%2: %3</span>")
                   .arg(color, QString::fromStdString(qnn::severityName(d.severity)),
                        QString::fromStdString(d.message).toHtmlEscaped());
    }
    setToolTip(tip);
    update();
}

void NodeItem::rebuildPorts(int inputs, int outputs)
{
    for (PortItem* p : m_inputs)
        delete p;
    for (PortItem* p : m_outputs)
        delete p;
    m_inputs.clear();
    m_outputs.clear();
    for (int i = 0; i < inputs; ++i) {
        auto* p = new PortItem(this, true, i);
        p->setPos(0, kHeader + (kHeight - kHeader) * (i + 1) / (inputs + 1));
        m_inputs.push_back(p);
    }
    for (int i = 0; i < outputs; ++i) {
        auto* p = new PortItem(this, false, i);
        p->setPos(kWidth, kHeader + (kHeight - kHeader) * (i + 1) / (outputs + 1));
        m_outputs.push_back(p);
    }
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const GraphDocument* doc = m_scene->document();
    const qnn::Node* n = doc->graph().node(m_id);
    if (!n)
        return;
    const qnn::LayerSpec& spec = qnn::LayerRegistry::spec(n->kind);
    const QColor accent = EditorStyle::categoryColor(spec.category);
    const QRectF body(0, 0, kWidth, kHeight);
    const bool selected = option->state & QStyle::State_Selected;

    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0, 0, 0, 28));
    painter->drawRoundedRect(body.translated(2, 3), 6, 6);

    painter->setBrush(Qt::white);
    painter->setPen(QPen(QColor("#9aa5b1"), 1));
    painter->drawRoundedRect(body, 6, 6);

    QPainterPath header;
    header.setFillRule(Qt::WindingFill);
    header.addRoundedRect(QRectF(0, 0, kWidth, kHeader), 6, 6);
    header.addRect(QRectF(0, kHeader / 2, kWidth, kHeader / 2));
    painter->setPen(Qt::NoPen);
    painter->setBrush(accent);
    painter->drawPath(header.simplified());

    QFont font = painter->font();
    font.setPixelSize(11);
    font.setBold(true);
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(QRectF(8, 0, kWidth - 16, kHeader), Qt::AlignVCenter | Qt::AlignLeft,
                      QString::fromStdString(spec.name));

    const QString badge = badgeText();
    if (!badge.isEmpty()) {
        QFont bf = font;
        bf.setPixelSize(10);
        painter->setFont(bf);
        const double w = QFontMetricsF(bf).horizontalAdvance(badge) + 10;
        const QRectF pill(kWidth - w - 5, 4, w, kHeader - 8);
        painter->setBrush(Qt::white);
        painter->setPen(Qt::NoPen);
        painter->drawRoundedRect(pill, 6, 6);
        painter->setPen(accent.darker(130));
        painter->drawText(pill, Qt::AlignCenter, badge);
    }

    font.setPixelSize(kNamePixelSize);
    font.setBold(true);
    painter->setFont(font);
    painter->setPen(QColor("#1f2933"));
    const QFontMetricsF fm(font);
    painter->drawText(QRectF(10, kHeader + 4, kWidth - 20, 18), Qt::AlignVCenter | Qt::AlignLeft,
                      fm.elidedText(QString::fromStdString(n->name), Qt::ElideRight, kWidth - 20));

    font.setPixelSize(11);
    font.setBold(false);
    painter->setFont(font);
    painter->setPen(QColor("#52606d"));
    painter->drawText(QRectF(10, kHeader + 26, kWidth - 20, 18), Qt::AlignVCenter | Qt::AlignLeft, shapeText());

    // Problems win over selection: a selected broken node must still look broken.
    QColor outline;
    double width = 0;
    bool error = false, warning = false;
    for (const qnn::Diagnostic& d : doc->analysis().diagnosticsFor(m_id)) {
        error = error || d.severity == qnn::Severity::Error;
        warning = warning || d.severity == qnn::Severity::Warning;
    }
    if (error) {
        outline = QColor("#d32f2f");
        width = 2.5;
    } else if (warning) {
        outline = QColor("#ef8f00");
        width = 2;
    }
    if (selected) {
        painter->setPen(QPen(QColor("#1e88e5"), 2.5));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(body.adjusted(-2, -2, 2, 2), 7, 7);
    }
    if (width > 0) {
        painter->setPen(QPen(outline, width));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(body, 6, 6);
    }
    // The document's highlighted node (the Hardware dock's bottleneck): an
    // amber ring and its note at the bottom right.
    if (doc->highlightedNode() == m_id) {
        painter->setPen(QPen(QColor("#f59e0b"), 3, Qt::DashLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(body.adjusted(-4, -4, 4, 4), 8, 8);
        QFont nf = painter->font();
        nf.setPixelSize(11);
        nf.setBold(true);
        painter->setFont(nf);
        painter->setPen(QColor("#b45309"));
        painter->drawText(QRectF(10, kHeight - 20, kWidth - 20, 16), Qt::AlignRight | Qt::AlignVCenter,
                          doc->highlightNote());
    }
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value)
{
    if (change == ItemPositionHasChanged)
        m_scene->nodeItemMoved(this);
    return QGraphicsItem::itemChange(change, value);
}

PortItem::PortItem(NodeItem* node, bool input, int index)
    : QGraphicsItem(node), m_node(node), m_input(input), m_index(index)
{
    setAcceptHoverEvents(true);
    setCursor(Qt::CrossCursor);
    setToolTip(input ? QObject::tr("Input %1: drag to an output to connect").arg(index)
                     : QObject::tr("Output: drag to an input to connect"));
}

QRectF PortItem::boundingRect() const
{
    const double r = kRadius + 2;
    return QRectF(-r, -r, 2 * r, 2 * r);
}

void PortItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(QColor("#52606d"), 1.5));
    painter->setBrush(m_highlighted ? QColor("#1e88e5") : (m_input ? QColor("#ffffff") : QColor("#cbd2d9")));
    const double r = m_highlighted ? kRadius + 1.5 : kRadius;
    painter->drawEllipse(QPointF(0, 0), r, r);
}

void PortItem::setHighlighted(bool on)
{
    if (m_highlighted == on)
        return;
    m_highlighted = on;
    update();
}

void PortItem::hoverEnterEvent(QGraphicsSceneHoverEvent*) { setHighlighted(true); }

void PortItem::hoverLeaveEvent(QGraphicsSceneHoverEvent*) { setHighlighted(false); }
