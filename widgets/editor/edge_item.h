#pragma once

#include "core/graph/edge.h"

#include <QGraphicsItem>
#include <QPainterPath>

class GraphScene;
class EdgeLabelItem;

/** One connection on the canvas: a curve between two ports and a label with
 *  the tensor it carries ("1024 · bipolar"). Holds only its Edge value. */
class EdgeItem : public QGraphicsItem
{
public:
    EdgeItem(GraphScene* scene, const qnn::Edge& edge);
    ~EdgeItem() override;

    const qnn::Edge& edge() const { return m_edge; }
    int type() const override;
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    /** Re-reads port positions and the carried type. */
    void refresh();
    QString labelText() const;
    QPointF sourcePos() const { return m_from; }
    QPointF targetPos() const { return m_to; }
    /** The middle of the curve, where the label sits and where a drop inserts. */
    QPointF midPoint() const;

    /** Drawn highlighted: a palette drop here would insert the layer into this edge. */
    void setDropTarget(bool on);
    /** Faded (with its label) while it is being dragged by its end. */
    void setDimmed(bool on);

    /** The curve from one point to another, as every connection draws it. */
    static QPainterPath curve(QPointF from, QPointF to);

private:
    GraphScene* m_scene;
    qnn::Edge m_edge;
    QPointF m_from;
    QPointF m_to;
    QPainterPath m_path;
    EdgeLabelItem* m_label = nullptr;
    bool m_dropTarget = false;
};

/** The label of an edge, drawn above nodes so that it stays readable. */
class EdgeLabelItem : public QGraphicsItem
{
public:
    explicit EdgeLabelItem(EdgeItem* edge);
    int type() const override;
    EdgeItem* edge() const { return m_edge; }
    /** `room`: the width available; a wider label breaks into shape and element type. */
    void setText(const QString& text, double room);
    QString text() const { return m_text; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    EdgeItem* m_edge;
    QString m_text;
    QString m_shown;
    bool m_compact = false;
    QRectF m_rect;
};
