#include "widgets/editor/layer_palette.h"

#include "core/graph/layer_registry.h"
#include "widgets/editor/editor_style.h"
#include "widgets/editor/graph_view.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QMimeData>
#include <QPainter>
#include <QVBoxLayout>

namespace {

QIcon swatch(const QColor& color)
{
    QPixmap pm(12, 12);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    p.drawRoundedRect(QRectF(1, 1, 10, 10), 3, 3);
    return QIcon(pm);
}

} // namespace

PaletteTree::PaletteTree(QWidget* parent) : QTreeWidget(parent)
{
    setHeaderHidden(true);
    setRootIsDecorated(false);
    setIndentation(8);
    setDragEnabled(true);
    setDragDropMode(QAbstractItemView::DragOnly);
    setSelectionMode(QAbstractItemView::SingleSelection);
}

QStringList PaletteTree::mimeTypes() const { return {QString::fromLatin1(GraphView::layerMimeType())}; }

QMimeData* PaletteTree::mimeData(const QList<QTreeWidgetItem*>& items) const
{
    for (QTreeWidgetItem* item : items)
        if (auto kind = qnn::layerKindFromName(item->data(0, Qt::UserRole).toString().toStdString()))
            return LayerPalette::mimeDataFor(*kind);
    return nullptr;
}

LayerPalette::LayerPalette(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter layers…"));
    m_filter->setClearButtonEnabled(true);
    m_tree = new PaletteTree(this);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree);

    for (const std::string& category : qnn::LayerRegistry::categories()) {
        auto* group = new QTreeWidgetItem(m_tree, {QString::fromStdString(category)});
        QFont bold = group->font(0);
        bold.setBold(true);
        group->setFont(0, bold);
        group->setFlags(Qt::ItemIsEnabled);
        for (const qnn::LayerSpec& spec : qnn::LayerRegistry::all()) {
            if (spec.category != category)
                continue;
            auto* item = new QTreeWidgetItem(group, {QString::fromStdString(spec.name)});
            item->setData(0, Qt::UserRole, QString::fromStdString(spec.name));
            item->setToolTip(0, QString::fromStdString(spec.doc));
            item->setIcon(0, swatch(EditorStyle::categoryColor(spec.category)));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
        }
    }
    m_tree->expandAll();
    connect(m_filter, &QLineEdit::textChanged, this, &LayerPalette::applyFilter);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        if (auto kind = qnn::layerKindFromName(item->data(0, Qt::UserRole).toString().toStdString()))
            Q_EMIT kindActivated(*kind);
    });
}

QMimeData* LayerPalette::mimeDataFor(qnn::LayerKind kind)
{
    auto* mime = new QMimeData;
    mime->setData(GraphView::layerMimeType(), QByteArray::fromStdString(qnn::layerKindName(kind)));
    return mime;
}

void LayerPalette::setFilterText(const QString& text) { m_filter->setText(text); }

void LayerPalette::applyFilter(const QString& text)
{
    const QString needle = text.trimmed();
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = m_tree->topLevelItem(g);
        const bool groupMatches = group->text(0).contains(needle, Qt::CaseInsensitive);
        int shown = 0;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem* item = group->child(i);
            const bool show = needle.isEmpty() || groupMatches || item->text(0).contains(needle, Qt::CaseInsensitive);
            item->setHidden(!show);
            shown += show ? 1 : 0;
        }
        group->setHidden(shown == 0);
    }
}

QStringList LayerPalette::visibleKinds() const
{
    QStringList kinds;
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = m_tree->topLevelItem(g);
        if (group->isHidden())
            continue;
        for (int i = 0; i < group->childCount(); ++i)
            if (!group->child(i)->isHidden())
                kinds << group->child(i)->data(0, Qt::UserRole).toString();
    }
    return kinds;
}
