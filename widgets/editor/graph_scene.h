#pragma once

#include "core/graph/edge.h"

#include <QGraphicsScene>

#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

class EdgeItem;
class GraphDocument;
class NodeItem;
class PortItem;
class QGraphicsPathItem;
class QGraphicsSimpleTextItem;
class QGraphicsRectItem;

/** The canvas: a pure observer of a GraphDocument with one NodeItem per node
 *  id and one EdgeItem per edge. User gestures (moving nodes, dragging
 *  connections) become calls on the document, never direct item changes
 *  that the model does not know of. */
class GraphScene : public QGraphicsScene
{
    Q_OBJECT
public:
    explicit GraphScene(GraphDocument* document, QObject* parent = nullptr);
    ~GraphScene() override;

    GraphDocument* document() const { return m_document; }
    NodeItem* nodeItem(qnn::NodeId id) const;
    EdgeItem* edgeItem(const qnn::Edge& edge) const;
    size_t nodeItemCount() const { return m_nodes.size(); }
    size_t edgeItemCount() const { return m_edges.size(); }

    std::vector<qnn::NodeId> selectedNodeIds() const;
    std::vector<qnn::Edge> selectedEdges() const;
    void selectNodes(const std::vector<qnn::NodeId>& ids);
    /** The edge whose curve passes near this point, if any. */
    EdgeItem* edgeAt(QPointF scenePos) const;

    /** What the hint beside the cursor says while a connection is dragged. */
    QString connectionHint() const;
    /** Why the last dropped connection was refused (empty when it was not). */
    QString lastRefusal() const { return m_lastRefusal; }

    // Connection dragging: a press on a port (or near an edge's target end), move, release.
    /** Starts from a port; `detached` is an existing edge being picked up by its target end. */
    void beginConnection(PortItem* port, QPointF scenePos, std::optional<qnn::Edge> detached = {});
    void updateConnection(QPointF scenePos);
    void endConnection(QPointF scenePos);
    bool isConnecting() const { return m_dragFrom != nullptr; }
    /** Drops the connection being dragged without changing anything (Escape). */
    void cancelConnection() { clearConnectionDrag(); }

    /** Called by NodeItem while it is dragged, to bend its edges along. */
    void nodeItemMoved(NodeItem* item);
    /** Pushes one move step for every node item standing elsewhere than its model position. */
    void commitMoves();

    /** Puts every item back in line with the document (after a reset). */
    void rebuild();

Q_SIGNALS:
    /** A sentence for the status bar: a refused connection and why. */
    void message(const QString& text);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;

private:
    void onNodeAdded(qnn::NodeId id);
    void onNodeAboutToBeRemoved(qnn::NodeId id);
    void onNodeChanged(qnn::NodeId id);
    void onNodeMoved(qnn::NodeId id);
    void onEdgeAdded(const qnn::Edge& edge);
    void onEdgeRemoved(const qnn::Edge& edge);
    void onAnalysisChanged();
    void refreshEdgesOf(qnn::NodeId id);
    PortItem* portNear(QPointF scenePos) const;
    /** The edge a drop on `target` would make, from the port where the drag started. */
    std::optional<qnn::Edge> candidateEdge(PortItem* target) const;
    void clearConnectionDrag();

    GraphDocument* m_document;
    std::unordered_map<qnn::NodeId, std::unique_ptr<NodeItem>> m_nodes;
    std::map<qnn::Edge, std::unique_ptr<EdgeItem>> m_edges;
    bool m_syncing = false;

    PortItem* m_dragFrom = nullptr;
    std::optional<qnn::Edge> m_detached;
    PortItem* m_hoverTarget = nullptr;
    QString m_hintText;
    QString m_lastRefusal;
    QGraphicsPathItem* m_dragPath = nullptr;
    QGraphicsSimpleTextItem* m_hint = nullptr;
    QGraphicsRectItem* m_hintBox = nullptr;
};
