#pragma once

#include "core/graph/edge.h"

#include <QGraphicsItem>
#include <QString>

#include <vector>

class GraphScene;
class PortItem;

/** Item types of the editor scene, for qgraphicsitem_cast. */
enum EditorItemType { NodeItemType = QGraphicsItem::UserType + 1, PortItemType, EdgeItemType, EdgeLabelItemType };

/** One layer on the canvas. Holds only its node id; everything it draws is
 *  read from the scene's GraphDocument, so it can never disagree with it. */
class NodeItem : public QGraphicsItem
{
public:
    static constexpr double kWidth = 140;
    static constexpr double kHeight = 76;
    /** Pixel size of the layer's name at 100 % zoom; on screen it is this times the zoom. */
    static constexpr int kNamePixelSize = 12;

    NodeItem(GraphScene* scene, qnn::NodeId id);

    qnn::NodeId id() const { return m_id; }
    int type() const override { return NodeItemType; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    /** Re-reads the node: ports (their count may change), tooltip, position. */
    void refresh();
    /** "W1A1", "A2", "FP32" ("W1A?" while a weight layer's input is unknown), or
     *  empty for layers whose precision is not theirs to choose. */
    QString badgeText() const;
    /** "→ 1024", or "→ ?" when the shape is unknown. */
    QString shapeText() const;
    /** True when the analysis reports an error on this node. */
    bool hasError() const;
    PortItem* port(bool input, int index) const;
    const std::vector<PortItem*>& inputPorts() const { return m_inputs; }
    const std::vector<PortItem*>& outputPorts() const { return m_outputs; }

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

private:
    void rebuildPorts(int inputs, int outputs);

    GraphScene* m_scene;
    qnn::NodeId m_id;
    std::vector<PortItem*> m_inputs;
    std::vector<PortItem*> m_outputs;
};

/** An input or output port of a NodeItem. Dragging from it makes a
 *  connection; GraphScene handles that gesture so that no item is deleted
 *  inside its own mouse handler. */
class PortItem : public QGraphicsItem
{
public:
    static constexpr double kRadius = 6;

    PortItem(NodeItem* node, bool input, int index);

    NodeItem* node() const { return m_node; }
    bool isInput() const { return m_input; }
    int index() const { return m_index; }
    int type() const override { return PortItemType; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    void setHighlighted(bool on);

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

private:
    NodeItem* m_node;
    bool m_input;
    int m_index;
    bool m_highlighted = false;
};
