#include "widgets/editor/graph_view.h"

#include "core/graph/graph_layout.h"
#include "core/graph/layer_registry.h"
#include "widgets/editor/edge_item.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"
#include "widgets/editor/node_item.h"

#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMimeData>
#include <QScrollBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

constexpr double kMinZoom = 0.1;
constexpr double kMaxZoom = 3.0;

} // namespace

const char* GraphView::layerMimeType() { return "application/x-qnn-layer-kind"; }

GraphView::GraphView(GraphScene* scene, QWidget* parent) : QGraphicsView(scene, parent), m_scene(scene)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    // Scroll bars that come and go change the viewport under a fit; always
    // shown, the fitted picture stays whole and keeps its size.
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    m_quickAdd = new QuickAddPopup(viewport());
    connect(m_quickAdd, &QuickAddPopup::kindChosen, this, &GraphView::addFromQuickAdd);
    connect(scene, &GraphScene::message, this, &GraphView::message);
}

double GraphView::zoom() const { return transform().m11(); }

void GraphView::setZoom(double factor)
{
    // The transformation anchor (under the mouse) keeps the pointed-at spot in place.
    m_keepFitted = false;
    const double target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    scale(target / zoom(), target / zoom());
}

void GraphView::fitToContents()
{
    m_fitting = true;
    m_fittedSize = viewport()->size();
    QRectF bounds;
    for (QGraphicsItem* item : m_scene->items())
        if (item->type() == NodeItemType)
            bounds |= item->sceneBoundingRect();
    if (bounds.isEmpty()) {
        resetTransform();
        centerOn(0, 0);
    } else {
        // Wider margins at the sides, where edges back to the next row loop round.
        fitInView(bounds.adjusted(-40, -24, 40, 24), Qt::KeepAspectRatio);
        // A small graph should not be blown up beyond its natural size.
        if (zoom() > 1.0) {
            resetTransform();
            centerOn(bounds.center());
        }
    }
    m_fitting = false;
}

void GraphView::showContents()
{
    fitToContents();
    m_keepFitted = true;
}

void GraphView::arrange()
{
    GraphDocument* doc = m_scene->document();
    const QSize size = viewport()->size();
    doc->autoArrange(qnn::bestColumnsPerBand(doc->graph(), doc->analysis(), size.width(), size.height(),
                                             doc->layoutGrid()));
    fitToContents();
}

double GraphView::namePixelSize() const { return zoom() * NodeItem::kNamePixelSize; }

bool GraphView::arrangeIfUnreadable()
{
    GraphDocument* doc = m_scene->document();
    const qnn::Graph& g = doc->graph();
    if (g.size() < 2 || namePixelSize() >= 8)
        return false;
    // One row, or the zigzag of two that older examples used; anything taller
    // was laid out by hand and is not ours to move.
    double top = g.nodes().begin()->second.pos.y, bottom = top;
    for (const auto& [id, node] : g.nodes()) {
        top = std::min(top, node.pos.y);
        bottom = std::max(bottom, node.pos.y);
    }
    if (bottom - top > 2 * NodeItem::kHeight)
        return false;
    const bool wasClean = !doc->isModified();
    arrange();
    if (wasClean)
        doc->undoStack()->setClean();
    m_keepFitted = true;
    return true;
}

void GraphView::showNodes(const std::vector<qnn::NodeId>& ids)
{
    QRectF bounds;
    for (qnn::NodeId id : ids)
        if (NodeItem* item = m_scene->nodeItem(id))
            bounds |= item->sceneBoundingRect();
    if (bounds.isEmpty())
        return;
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    if (visible.contains(bounds))
        return;
    const QRectF wanted = bounds.adjusted(-40, -40, 40, 40);
    if (wanted.width() <= visible.width() && wanted.height() <= visible.height())
        centerOn(bounds.center());
    else
        fitInView(wanted, Qt::KeepAspectRatio);
}

void GraphView::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    // A scroll bar coming or going after a fit changes the size by its width:
    // refitting on that would toggle it again, forever. Real size changes only.
    constexpr int kScrollBarSlack = 24;
    const QSize now = viewport()->size();
    if (m_keepFitted && (std::abs(now.width() - m_fittedSize.width()) > kScrollBarSlack ||
                         std::abs(now.height() - m_fittedSize.height()) > kScrollBarSlack))
        fitToContents();
}

void GraphView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    // A scroll of the user's own (not one of our fits) ends the keep-fitted phase.
    if (!m_fitting && isVisible() && (dx != 0 || dy != 0) && QApplication::mouseButtons() != Qt::NoButton)
        m_keepFitted = false;
}

void GraphView::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        setZoom(std::pow(1.15, steps));
    event->accept();
}

void GraphView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton || (m_spaceHeld && event->button() == Qt::LeftButton)) {
        m_panning = true;
        m_keepFitted = false;
        m_panStart = event->pos();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    if (m_quickAdd->isVisible())
        m_quickAdd->hide();
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent* event)
{
    if (m_panning) {
        const QPoint delta = event->pos() - m_panStart;
        m_panStart = event->pos();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_panning && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        m_panning = false;
        viewport()->setCursor(m_spaceHeld ? Qt::OpenHandCursor : Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

bool GraphView::focusNextPrevChild(bool next)
{
    // Tab belongs to quick-add on the canvas, not to focus navigation.
    if (hasFocus())
        return false;
    return QGraphicsView::focusNextPrevChild(next);
}

void GraphView::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Tab && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier))) {
        openQuickAdd();
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_Space) {
        if (!event->isAutoRepeat()) {
            m_spaceHeld = true;
            viewport()->setCursor(Qt::OpenHandCursor);
        }
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_Escape && m_scene->isConnecting()) {
        m_scene->cancelConnection();
        return;
    }
    const std::vector<qnn::NodeId> selected = m_scene->selectedNodeIds();
    if (!selected.empty()) {
        // Arrow keys nudge the selection (Shift: a bigger step); a run of nudges is one undo step.
        const double step = (event->modifiers() & Qt::ShiftModifier) ? 50 : 10;
        double dx = 0, dy = 0;
        switch (event->key()) {
        case Qt::Key_Left: dx = -step; break;
        case Qt::Key_Right: dx = step; break;
        case Qt::Key_Up: dy = -step; break;
        case Qt::Key_Down: dy = step; break;
        default: break;
        }
        if (dx != 0 || dy != 0) {
            m_scene->document()->nudgeNodes(selected, dx, dy);
            event->accept();
            return;
        }
    }
    const QString text = event->text();
    if (!text.isEmpty() && text.at(0).isLetter() && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier))) {
        openQuickAdd(text);
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void GraphView::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        m_panning = false;
        viewport()->setCursor(Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void GraphView::openQuickAdd(const QString& text)
{
    QPoint pos = viewport()->mapFromGlobal(QCursor::pos());
    if (!viewport()->rect().contains(pos))
        pos = viewport()->rect().center();
    m_quickAddScenePos = mapToScene(pos);
    m_quickAdd->open(pos, text);
}

void GraphView::addFromQuickAdd(qnn::LayerKind kind)
{
    GraphDocument* doc = m_scene->document();
    const std::vector<qnn::NodeId> selected = m_scene->selectedNodeIds();
    qnn::NodeId id;
    if (selected.size() == 1) {
        // With one layer selected, the new one goes right after it: Tab, Tab, Tab builds a chain.
        const qnn::Node* prev = doc->graph().node(selected.front());
        // Right of it; further down while that spot is taken (a second branch).
        qnn::Point pos{prev->pos.x + 200, prev->pos.y};
        auto taken = [doc](qnn::Point p) {
            for (const auto& [nid, n] : doc->graph().nodes())
                if (std::abs(n.pos.x - p.x) < NodeItem::kWidth && std::abs(n.pos.y - p.y) < NodeItem::kHeight)
                    return true;
            return false;
        };
        while (taken(pos))
            pos.y += NodeItem::kHeight + 30;
        QString notConnected;
        id = doc->addNodeAfter(kind, pos, prev->id, &notConnected);
        if (!notConnected.isEmpty())
            Q_EMIT message(notConnected);
    } else {
        id = doc->addNode(kind, {std::round(m_quickAddScenePos.x() - NodeItem::kWidth / 2),
                                 std::round(m_quickAddScenePos.y() - NodeItem::kHeight / 2)});
    }
    m_scene->selectNodes({id});
    if (NodeItem* item = m_scene->nodeItem(id))
        ensureVisible(item, 40, 40);
    setFocus();
}

void GraphView::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasFormat(layerMimeType()))
        event->acceptProposedAction();
    else
        QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent* event)
{
    if (event->mimeData()->hasFormat(layerMimeType())) {
        event->acceptProposedAction();
        setDropEdge(m_scene->edgeAt(mapToScene(event->position().toPoint())));
    } else {
        QGraphicsView::dragMoveEvent(event);
    }
}

void GraphView::dragLeaveEvent(QDragLeaveEvent* event)
{
    setDropEdge(nullptr);
    QGraphicsView::dragLeaveEvent(event);
}

void GraphView::setDropEdge(EdgeItem* edge)
{
    // Look the old one up again: an edit may have deleted its item meanwhile.
    if (m_dropEdge)
        if (EdgeItem* old = m_scene->edgeItem(*m_dropEdge))
            old->setDropTarget(false);
    m_dropEdge.reset();
    if (edge) {
        edge->setDropTarget(true);
        m_dropEdge = edge->edge();
    }
}

void GraphView::dropEvent(QDropEvent* event)
{
    if (!event->mimeData()->hasFormat(layerMimeType())) {
        QGraphicsView::dropEvent(event);
        return;
    }
    const std::string name = event->mimeData()->data(layerMimeType()).toStdString();
    const std::optional<qnn::LayerKind> kind = qnn::layerKindFromName(name);
    if (!kind) {
        Q_EMIT message(tr("Unknown layer kind '%1'.").arg(QString::fromStdString(name)));
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    setDropEdge(nullptr);
    const QPointF at = mapToScene(event->position().toPoint());
    const qnn::Point pos{std::round(at.x() - NodeItem::kWidth / 2), std::round(at.y() - NodeItem::kHeight / 2)};
    GraphDocument* doc = m_scene->document();
    qnn::NodeId id = qnn::kInvalidNode;
    if (EdgeItem* edge = m_scene->edgeAt(at)) {
        QString error;
        id = doc->insertOnEdge(*kind, edge->edge(), pos, &error);
        if (id == qnn::kInvalidNode)
            Q_EMIT message(tr("Cannot insert here: %1").arg(error));
    } else {
        id = doc->addNode(*kind, pos);
    }
    if (id != qnn::kInvalidNode)
        m_scene->selectNodes({id});
    setFocus();
}

void GraphView::contextMenuEvent(QContextMenuEvent* event)
{
    std::unique_ptr<QMenu> menu(createContextMenu(mapToScene(event->pos())));
    menu->exec(event->globalPos());
    event->accept();
}

QMenu* GraphView::createContextMenu(QPointF scenePos)
{
    GraphDocument* doc = m_scene->document();
    auto* menu = new QMenu(this);
    const qnn::Point at{std::round(scenePos.x() - NodeItem::kWidth / 2), std::round(scenePos.y() - NodeItem::kHeight / 2)};
    NodeItem* node = nullptr;
    for (QGraphicsItem* item : m_scene->items(scenePos))
        if (item->type() == NodeItemType) {
            node = static_cast<NodeItem*>(item);
            break;
        }
    if (node) {
        if (!node->isSelected())
            m_scene->selectNodes({node->id()});
        const std::vector<qnn::NodeId> ids = m_scene->selectedNodeIds();
        menu->addAction(tr("Duplicate"), this, [this, doc, ids] { m_scene->selectNodes(doc->duplicateNodes(ids)); });
        menu->addAction(tr("Delete"), this, [doc, ids] { doc->removeItems(ids); });
        QMenu* precision = menu->addMenu(tr("Precision"));
        for (const PrecisionPreset& p : precisionPresets())
            precision->addAction(QString::fromLatin1(p.label), this,
                                 [doc, ids, p] { doc->applyPreset(p, ids); });
        return menu;
    }
    if (EdgeItem* edge = m_scene->edgeAt(scenePos)) {
        const qnn::Edge e = edge->edge();
        QMenu* insert = menu->addMenu(tr("Insert"));
        for (const qnn::LayerSpec& spec : qnn::LayerRegistry::all()) {
            if (spec.outputs < 1 || spec.inputs != 1)
                continue;
            insert->addAction(QString::fromStdString(spec.name), this, [this, doc, e, at, kind = spec.kind] {
                QString error;
                const qnn::NodeId id = doc->insertOnEdge(kind, e, at, &error);
                if (id == qnn::kInvalidNode)
                    Q_EMIT message(tr("Cannot insert here: %1").arg(error));
                else
                    m_scene->selectNodes({id});
            });
        }
        menu->addAction(tr("Delete connection"), this, [doc, e] { doc->disconnectEdge(e); });
        return menu;
    }
    QMenu* add = menu->addMenu(tr("Add layer"));
    for (const std::string& category : qnn::LayerRegistry::categories()) {
        QMenu* group = add->addMenu(QString::fromStdString(category));
        for (const qnn::LayerSpec& spec : qnn::LayerRegistry::all())
            if (spec.category == category)
                group->addAction(QString::fromStdString(spec.name), this, [this, doc, at, kind = spec.kind] {
                    m_scene->selectNodes({doc->addNode(kind, at)});
                });
    }
    menu->addSeparator();
    menu->addAction(tr("Arrange layers"), this, &GraphView::arrange);
    menu->addAction(tr("Fit to view"), this, &GraphView::fitToContents);
    return menu;
}

// --- quick add ------------------------------------------------------------------

QuickAddPopup::QuickAddPopup(QWidget* parent) : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_edit = new QLineEdit(this);
    m_edit->setPlaceholderText(tr("Add layer…"));
    m_list = new QListWidget(this);
    m_list->setFixedHeight(180);
    layout->addWidget(m_edit);
    layout->addWidget(m_list);
    setFixedWidth(220);
    m_edit->installEventFilter(this);
    connect(m_edit, &QLineEdit::textChanged, this, &QuickAddPopup::filter);
    connect(m_list, &QListWidget::itemActivated, this, &QuickAddPopup::choose);
    connect(m_list, &QListWidget::itemClicked, this, &QuickAddPopup::choose);
    hide();
}

void QuickAddPopup::open(QPoint pos, const QString& text)
{
    const QWidget* host = parentWidget();
    const QSize size = sizeHint();
    pos.setX(std::clamp(pos.x(), 0, std::max(0, host->width() - width())));
    pos.setY(std::clamp(pos.y(), 0, std::max(0, host->height() - size.height())));
    move(pos);
    m_edit->setText(text);
    filter(text);
    show();
    raise();
    m_edit->setFocus();
}

QStringList QuickAddPopup::visibleKinds() const
{
    QStringList kinds;
    for (int i = 0; i < m_list->count(); ++i)
        kinds << m_list->item(i)->data(Qt::UserRole).toString();
    return kinds;
}

void QuickAddPopup::filter(const QString& text)
{
    m_list->clear();
    const QString needle = text.trimmed();
    QList<QPair<int, const qnn::LayerSpec*>> matches;
    for (const qnn::LayerSpec& spec : qnn::LayerRegistry::all()) {
        const QString name = QString::fromStdString(spec.name);
        if (needle.isEmpty() || name.contains(needle, Qt::CaseInsensitive) ||
            QString::fromStdString(spec.category).contains(needle, Qt::CaseInsensitive)) {
            const int rank = name.startsWith(needle, Qt::CaseInsensitive) ? 0 : 1;
            matches.append({rank, &spec});
        }
    }
    std::stable_sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [rank, spec] : matches) {
        auto* item = new QListWidgetItem(
            QStringLiteral("%1  —  %2").arg(QString::fromStdString(spec->name), QString::fromStdString(spec->category)),
            m_list);
        item->setData(Qt::UserRole, QString::fromStdString(spec->name));
        item->setToolTip(QString::fromStdString(spec->doc));
    }
    m_list->setCurrentRow(m_list->count() > 0 ? 0 : -1);
}

void QuickAddPopup::choose()
{
    QListWidgetItem* item = m_list->currentItem();
    if (!item)
        return;
    const auto kind = qnn::layerKindFromName(item->data(Qt::UserRole).toString().toStdString());
    hide();
    if (kind)
        Q_EMIT kindChosen(*kind);
}

bool QuickAddPopup::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_edit && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        switch (key->key()) {
        case Qt::Key_Down:
        case Qt::Key_Up: {
            const int step = key->key() == Qt::Key_Down ? 1 : -1;
            const int row = std::clamp(m_list->currentRow() + step, 0, std::max(0, m_list->count() - 1));
            m_list->setCurrentRow(row);
            return true;
        }
        case Qt::Key_Return:
        case Qt::Key_Enter:
            choose();
            return true;
        case Qt::Key_Escape:
            hide();
            if (parentWidget())
                parentWidget()->setFocus();
            return true;
        default:
            break;
        }
    }
    if (watched == m_edit && event->type() == QEvent::FocusOut) {
        // Clicking elsewhere closes the box, unless the click went to its own list.
        if (!m_list->hasFocus())
            hide();
    }
    return QFrame::eventFilter(watched, event);
}
