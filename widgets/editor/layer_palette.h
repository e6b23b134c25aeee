#pragma once

#include "core/graph/layer_kind.h"

#include <QTreeWidget>
#include <QWidget>

class QLineEdit;
class QMimeData;

/** The tree of layer kinds; dragging an entry carries its kind name. */
class PaletteTree : public QTreeWidget
{
    Q_OBJECT
public:
    explicit PaletteTree(QWidget* parent = nullptr);

    // Public so that a test can drop exactly what a drag carries.
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override;
};

/** Every layer kind, grouped by the registry's categories (Inputs, Layers,
 *  Quantization, Pooling, Merge, Outputs), with a filter box on top. A drag
 *  source for the canvas; double-click adds the layer too. */
class LayerPalette : public QWidget
{
    Q_OBJECT
public:
    explicit LayerPalette(QWidget* parent = nullptr);

    /** What a drag of this kind carries (the canvas accepts exactly this). */
    static QMimeData* mimeDataFor(qnn::LayerKind kind);

    void setFilterText(const QString& text);
    /** Kind names not hidden by the filter, in display order. */
    QStringList visibleKinds() const;
    QTreeWidget* tree() const { return m_tree; }
    QLineEdit* filterEdit() const { return m_filter; }

Q_SIGNALS:
    /** Double-click or Enter on an entry. */
    void kindActivated(qnn::LayerKind kind);

private:
    void applyFilter(const QString& text);

    QLineEdit* m_filter;
    PaletteTree* m_tree;
};
