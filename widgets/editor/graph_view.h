#pragma once

#include "core/graph/edge.h"
#include "core/graph/layer_kind.h"

#include <QGraphicsView>

#include <optional>
#include <vector>

class GraphScene;
class QuickAddPopup;

/** The canvas widget: zoom (wheel), pan (middle button, space+drag), fit,
 *  drops from the palette (onto an edge inserts), and quick-add (Tab or
 *  start typing). */
class GraphView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit GraphView(GraphScene* scene, QWidget* parent = nullptr);

    GraphScene* graphScene() const { return m_scene; }
    /** Fits every node into view (F), never above 100 %. */
    void fitToContents();
    /** Fits, and fits again while the view's size settles (a window being
     *  shown, docks being laid out), until the user zooms or pans. */
    void showContents();
    /** Arranges the layers in bands shaped for this view and fits them (Ctrl+L). */
    void arrange();
    /** Arranges a graph laid out in one row (or a two-line zigzag) whose layer names, fitted into
     *  the canvas, would be drawn below 8 px; true when it did. The arrange is
     *  an undo step, and the document stays unmodified: the file changes only
     *  when it is saved. */
    bool arrangeIfUnreadable();
    /** The pixel height layer names are drawn at now. */
    double namePixelSize() const;
    /** Scrolls to these nodes; zooms out when they do not fit at the current zoom. */
    void showNodes(const std::vector<qnn::NodeId>& ids);
    /** Opens the quick-add box at the cursor (or the centre), pre-filled with `text`. */
    void openQuickAdd(const QString& text = {});
    QuickAddPopup* quickAddPopup() const { return m_quickAdd; }
    double zoom() const;
    /** Multiplies the zoom, within 10 % … 300 %. */
    void setZoom(double factor);

    /** The right-click menu for a point of the scene: layer, edge or empty canvas. Caller owns it. */
    class QMenu* createContextMenu(QPointF scenePos);

    /** The MIME type the palette drags and the canvas accepts: a layer kind name. */
    static const char* layerMimeType();

Q_SIGNALS:
    void message(const QString& text);

protected:
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool focusNextPrevChild(bool next) override;

private:
    void addFromQuickAdd(qnn::LayerKind kind);
    void setDropEdge(class EdgeItem* edge);

    GraphScene* m_scene;
    QuickAddPopup* m_quickAdd = nullptr;
    QPointF m_quickAddScenePos;
    /** The edge a palette drop would insert into, highlighted while dragging over it. */
    std::optional<qnn::Edge> m_dropEdge;
    bool m_keepFitted = false;
    QSize m_fittedSize;
    bool m_fitting = false;
    bool m_spaceHeld = false;
    bool m_panning = false;
    QPoint m_panStart;
};

/** A search box over every layer kind; Enter picks the highlighted one. */
class QuickAddPopup : public QFrame
{
    Q_OBJECT
public:
    explicit QuickAddPopup(QWidget* parent);
    void open(QPoint pos, const QString& text);
    class QLineEdit* lineEdit() const { return m_edit; }
    /** Layer kinds shown for the current text, best match first. */
    QStringList visibleKinds() const;

Q_SIGNALS:
    void kindChosen(qnn::LayerKind kind);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void filter(const QString& text);
    void choose();

    class QLineEdit* m_edit;
    class QListWidget* m_list;
};
