#include "widgets/editor/graph_scene.h"

#include "core/graph/graph_analysis.h"
#include "widgets/editor/edge_item.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/node_item.h"

#include <QGraphicsPathItem>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsView>

#include <algorithm>
#include <cmath>

using qnn::Edge;
using qnn::NodeId;

GraphScene::GraphScene(GraphDocument* document, QObject* parent) : QGraphicsScene(parent), m_document(document)
{
    setBackgroundBrush(QColor("#f5f7fa"));
    // Items move all the time (drags, undo of moves) and graphs have hundreds
    // of nodes, not millions: a linear scan beats keeping a BSP tree current.
    setItemIndexMethod(QGraphicsScene::NoIndex);
    qnn::LayoutGrid grid;
    grid.nodeWidth = NodeItem::kWidth;
    grid.nodeHeight = NodeItem::kHeight;
    document->setLayoutGrid(grid);
    connect(document, &GraphDocument::graphReset, this, &GraphScene::rebuild);
    connect(document, &GraphDocument::nodeAdded, this, &GraphScene::onNodeAdded);
    connect(document, &GraphDocument::nodeAboutToBeRemoved, this, &GraphScene::onNodeAboutToBeRemoved);
    connect(document, &GraphDocument::nodeChanged, this, &GraphScene::onNodeChanged);
    connect(document, &GraphDocument::nodeMoved, this, &GraphScene::onNodeMoved);
    connect(document, &GraphDocument::edgeAdded, this, &GraphScene::onEdgeAdded);
    connect(document, &GraphDocument::edgeRemoved, this, &GraphScene::onEdgeRemoved);
    connect(document, &GraphDocument::analysisChanged, this, &GraphScene::onAnalysisChanged);
    connect(document, &GraphDocument::highlightChanged, this, [this](qnn::NodeId previous, qnn::NodeId current) {
        for (qnn::NodeId id : {previous, current})
            if (auto it = m_nodes.find(id); it != m_nodes.end())
                it->second->update();
    });
    rebuild();
}

GraphScene::~GraphScene()
{
    // Our maps own the items; release them before QGraphicsScene deletes what
    // is left. Observers may be gone already: deleting selected items must not
    // tell them the selection changed.
    blockSignals(true);
    clearConnectionDrag();
    m_edges.clear();
    m_nodes.clear();
}

NodeItem* GraphScene::nodeItem(NodeId id) const
{
    auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : it->second.get();
}

EdgeItem* GraphScene::edgeItem(const Edge& edge) const
{
    auto it = m_edges.find(edge);
    return it == m_edges.end() ? nullptr : it->second.get();
}

std::vector<NodeId> GraphScene::selectedNodeIds() const
{
    std::vector<NodeId> ids;
    for (QGraphicsItem* item : selectedItems())
        if (item->type() == NodeItemType)
            ids.push_back(static_cast<NodeItem*>(item)->id());
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::vector<Edge> GraphScene::selectedEdges() const
{
    std::vector<Edge> edges;
    for (QGraphicsItem* item : selectedItems())
        if (item->type() == EdgeItemType)
            edges.push_back(static_cast<EdgeItem*>(item)->edge());
    std::sort(edges.begin(), edges.end());
    return edges;
}

void GraphScene::selectNodes(const std::vector<NodeId>& ids)
{
    QSignalBlocker block(this);
    clearSelection();
    for (NodeId id : ids)
        if (NodeItem* item = nodeItem(id))
            item->setSelected(true);
    // One notification for the whole selection, not one per item.
    block.unblock();
    Q_EMIT selectionChanged();
}

EdgeItem* GraphScene::edgeAt(QPointF scenePos) const
{
    for (QGraphicsItem* item : items(QRectF(scenePos - QPointF(6, 6), QSizeF(12, 12)))) {
        if (item->type() == EdgeItemType)
            return static_cast<EdgeItem*>(item);
        if (item->type() == EdgeLabelItemType)
            return static_cast<EdgeLabelItem*>(item)->edge();
    }
    return nullptr;
}

void GraphScene::rebuild()
{
    clearConnectionDrag();
    m_edges.clear();
    m_nodes.clear();
    m_syncing = true;
    for (const auto& [id, n] : m_document->graph().nodes()) {
        auto item = std::make_unique<NodeItem>(this, id);
        addItem(item.get());
        m_nodes.emplace(id, std::move(item));
    }
    for (const Edge& e : m_document->graph().edges())
        onEdgeAdded(e);
    m_syncing = false;
    const QRectF bounds = itemsBoundingRect();
    setSceneRect(bounds.adjusted(-2000, -2000, 2000, 2000));
}

void GraphScene::onNodeAdded(NodeId id)
{
    auto item = std::make_unique<NodeItem>(this, id);
    m_syncing = true;
    addItem(item.get());
    m_syncing = false;
    m_nodes[id] = std::move(item);
}

void GraphScene::onNodeAboutToBeRemoved(NodeId id)
{
    // An edit in the middle of a connection drag (Ctrl+Z) cancels the drag:
    // its ports may be about to go.
    if (isConnecting())
        clearConnectionDrag();
    auto it = m_nodes.find(id);
    if (it == m_nodes.end())
        return;
    // Taken out of the scene while still whole, so that selection observers never see a half-destroyed item.
    removeItem(it->second.get());
    m_nodes.erase(it);
}

void GraphScene::onNodeChanged(NodeId id)
{
    if (isConnecting()) // ports may be rebuilt
        clearConnectionDrag();
    if (NodeItem* item = nodeItem(id)) {
        m_syncing = true;
        item->refresh();
        m_syncing = false;
        refreshEdgesOf(id);
    }
}

void GraphScene::onNodeMoved(NodeId id)
{
    if (NodeItem* item = nodeItem(id)) {
        const qnn::Node* n = m_document->graph().node(id);
        m_syncing = true;
        item->setPos(n->pos.x, n->pos.y);
        m_syncing = false;
        refreshEdgesOf(id);
    }
}

void GraphScene::onEdgeAdded(const Edge& edge)
{
    auto item = std::make_unique<EdgeItem>(this, edge);
    addItem(item.get());
    item->refresh();
    m_edges[edge] = std::move(item);
}

void GraphScene::onEdgeRemoved(const Edge& edge)
{
    auto it = m_edges.find(edge);
    if (it == m_edges.end())
        return;
    removeItem(it->second.get());
    m_edges.erase(it);
}

void GraphScene::onAnalysisChanged()
{
    for (auto& [id, item] : m_nodes)
        item->refresh();
    for (auto& [edge, item] : m_edges)
        item->refresh();
    // Keep room to scroll around every node, wherever edits put them.
    QRectF bounds;
    for (const auto& [id, n] : m_document->graph().nodes())
        bounds |= QRectF(n.pos.x, n.pos.y, NodeItem::kWidth, NodeItem::kHeight);
    const QRectF wanted = bounds.adjusted(-2000, -2000, 2000, 2000);
    if (!sceneRect().contains(wanted))
        setSceneRect(sceneRect().united(wanted));
}

void GraphScene::refreshEdgesOf(NodeId id)
{
    for (const Edge& e : m_document->graph().inEdges(id))
        if (EdgeItem* item = edgeItem(e))
            item->refresh();
    for (const Edge& e : m_document->graph().outEdges(id))
        if (EdgeItem* item = edgeItem(e))
            item->refresh();
}

void GraphScene::nodeItemMoved(NodeItem* item)
{
    if (!m_syncing)
        refreshEdgesOf(item->id());
}

void GraphScene::commitMoves()
{
    std::map<NodeId, qnn::Point> moved;
    for (const auto& [id, item] : m_nodes) {
        const qnn::Node* n = m_document->graph().node(id);
        if (n && (n->pos.x != item->pos().x() || n->pos.y != item->pos().y()))
            moved[id] = {std::round(item->pos().x()), std::round(item->pos().y())};
    }
    if (!moved.empty())
        m_document->moveNodes(moved);
}

// --- connection dragging --------------------------------------------------------

PortItem* GraphScene::portNear(QPointF scenePos) const
{
    PortItem* best = nullptr;
    double bestDist = 1e9;
    const double r = PortItem::kRadius + 6;
    for (QGraphicsItem* item : items(QRectF(scenePos - QPointF(r, r), QSizeF(2 * r, 2 * r)))) {
        if (item->type() != PortItemType)
            continue;
        const QPointF d = item->scenePos() - scenePos;
        const double dist = std::hypot(d.x(), d.y());
        if (dist < bestDist) {
            bestDist = dist;
            best = static_cast<PortItem*>(item);
        }
    }
    return best;
}

std::optional<Edge> GraphScene::candidateEdge(PortItem* target) const
{
    if (!m_dragFrom || !target || target->isInput() == m_dragFrom->isInput())
        return std::nullopt;
    PortItem* out = m_dragFrom->isInput() ? target : m_dragFrom;
    PortItem* in = m_dragFrom->isInput() ? m_dragFrom : target;
    return Edge{out->node()->id(), out->index(), in->node()->id(), in->index()};
}

void GraphScene::beginConnection(PortItem* port, QPointF scenePos, std::optional<Edge> detached)
{
    clearConnectionDrag();
    m_dragFrom = port;
    m_detached = detached;
    m_lastRefusal.clear();
    if (detached)
        if (EdgeItem* e = edgeItem(*detached))
            e->setDimmed(true);
    m_dragPath = addPath(QPainterPath(), QPen(QColor("#1e88e5"), 2, Qt::DashLine));
    m_dragPath->setZValue(3);
    m_hintBox = addRect(QRectF(), QPen(Qt::NoPen), QColor(255, 255, 255, 240));
    m_hintBox->setZValue(4);
    m_hintBox->setFlag(QGraphicsItem::ItemIgnoresTransformations);
    m_hint = new QGraphicsSimpleTextItem(m_hintBox);
    updateConnection(scenePos);
}

void GraphScene::updateConnection(QPointF scenePos)
{
    if (!m_dragFrom)
        return;
    PortItem* target = portNear(scenePos);
    const std::optional<Edge> edge = candidateEdge(target);
    if (target != m_hoverTarget) {
        if (m_hoverTarget)
            m_hoverTarget->setHighlighted(false);
        m_hoverTarget = edge ? target : nullptr;
        if (m_hoverTarget)
            m_hoverTarget->setHighlighted(true);
        if (!edge) {
            m_hintText.clear();
        } else {
            qnn::Graph trial = m_document->graph();
            if (m_detached)
                trial.disconnect(*m_detached);
            const std::string problem = qnn::connectionProblem(trial, *edge);
            const QString from = QString::fromStdString(trial.node(edge->fromNode)->name);
            const QString to = QString::fromStdString(trial.node(edge->toNode)->name);
            m_hintText = problem.empty() ? tr("✓ connect %1 → %2").arg(from, to)
                                         : tr("✗ %1").arg(QString::fromStdString(problem));
            m_hint->setBrush(problem.empty() ? QColor("#2e7d32") : QColor("#c62828"));
        }
        m_hint->setText(m_hintText);
        m_hintBox->setRect(m_hintText.isEmpty() ? QRectF() : m_hint->boundingRect().adjusted(-4, -2, 4, 2));
    }
    const QPointF start = m_dragFrom->scenePos();
    const QPointF end = m_hoverTarget ? m_hoverTarget->scenePos() : scenePos;
    m_dragPath->setPath(m_dragFrom->isInput() ? EdgeItem::curve(end, start) : EdgeItem::curve(start, end));
    // Beside the cursor, flipped to its left (or above) where it would run out of the view.
    QPointF hintPos = scenePos + QPointF(16, 12);
    if (QGraphicsView* view = views().value(0)) {
        const QPoint cursor = view->mapFromScene(scenePos);
        const QRectF box = m_hintBox->rect();
        const double zoom = view->transform().m11();
        if (cursor.x() + 16 + box.width() > view->viewport()->width())
            hintPos.setX(scenePos.x() - (16 + box.width()) / zoom);
        if (cursor.y() + 12 + box.height() > view->viewport()->height())
            hintPos.setY(scenePos.y() - (12 + box.height()) / zoom);
    }
    m_hintBox->setPos(hintPos);
}

void GraphScene::endConnection(QPointF scenePos)
{
    if (!m_dragFrom)
        return;
    const std::optional<Edge> edge = candidateEdge(portNear(scenePos));
    const std::optional<Edge> detached = m_detached;
    clearConnectionDrag();
    if (edge) {
        QString error;
        const bool ok = detached ? m_document->reconnect(*detached, *edge, &error)
                                 : m_document->connectPorts(*edge, &error);
        if (!ok) {
            const qnn::Graph& g = m_document->graph();
            m_lastRefusal = tr("Cannot connect %1 → %2: %3")
                                .arg(QString::fromStdString(g.node(edge->fromNode)->name),
                                     QString::fromStdString(g.node(edge->toNode)->name), error);
            Q_EMIT message(m_lastRefusal);
        }
    } else if (detached) {
        // Dropped on empty canvas: the picked-up edge is gone.
        m_document->disconnectEdge(*detached);
    }
}

QString GraphScene::connectionHint() const { return m_hintText; }

void GraphScene::clearConnectionDrag()
{
    if (m_detached)
        if (EdgeItem* e = edgeItem(*m_detached))
            e->setDimmed(false);
    if (m_hoverTarget)
        m_hoverTarget->setHighlighted(false);
    delete m_dragPath;
    delete m_hintBox;
    m_dragPath = nullptr;
    m_hintBox = nullptr;
    m_hint = nullptr;
    m_dragFrom = nullptr;
    m_hoverTarget = nullptr;
    m_detached.reset();
}

void GraphScene::mousePressEvent(QGraphicsSceneMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        if (PortItem* port = portNear(event->scenePos())) {
            std::optional<Edge> detached;
            if (port->isInput()) {
                // A connected input picks up its edge, to move it or to drop it on empty canvas.
                for (const Edge& e : m_document->graph().inEdges(port->node()->id()))
                    if (e.toPort == port->index())
                        detached = e;
            }
            if (detached) {
                NodeItem* from = nodeItem(detached->fromNode);
                PortItem* out = from ? from->port(false, detached->fromPort) : nullptr;
                if (out) {
                    beginConnection(out, event->scenePos(), detached);
                    event->accept();
                    return;
                }
            }
            beginConnection(port, event->scenePos());
            event->accept();
            return;
        }
        if (EdgeItem* edge = edgeAt(event->scenePos())) {
            const QPointF d = edge->targetPos() - event->scenePos();
            if (std::hypot(d.x(), d.y()) < 30) {
                NodeItem* from = nodeItem(edge->edge().fromNode);
                if (PortItem* out = from ? from->port(false, edge->edge().fromPort) : nullptr) {
                    beginConnection(out, event->scenePos(), edge->edge());
                    event->accept();
                    return;
                }
            }
        }
    }
    QGraphicsScene::mousePressEvent(event);
}

void GraphScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event)
{
    if (m_dragFrom) {
        updateConnection(event->scenePos());
        event->accept();
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event)
{
    if (m_dragFrom) {
        endConnection(event->scenePos());
        event->accept();
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    if (event->button() == Qt::LeftButton)
        commitMoves();
}
