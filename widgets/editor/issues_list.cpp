#include "widgets/editor/issues_list.h"

#include "widgets/editor/graph_document.h"

#include <QHeaderView>

IssuesList::IssuesList(GraphDocument* document, QWidget* parent) : QTreeWidget(parent), m_document(document)
{
    setColumnCount(4);
    setHeaderLabels({tr("Severity"), tr("Layer"), tr("Category"), tr("Problem")});
    setRootIsDecorated(false);
    setAlternatingRowColors(true);
    setUniformRowHeights(true);
    header()->setStretchLastSection(true);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    connect(document, &GraphDocument::analysisChanged, this, &IssuesList::refresh);
    connect(document, &GraphDocument::externalDiagnosticsChanged, this, &IssuesList::refresh);
    connect(this, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
        const qnn::NodeId id = item->data(0, Qt::UserRole).toInt();
        if (id != qnn::kInvalidNode)
            Q_EMIT nodeActivated(id);
    });
    refresh();
}

qnn::NodeId IssuesList::nodeOfRow(int row) const
{
    QTreeWidgetItem* item = topLevelItem(row);
    return item ? item->data(0, Qt::UserRole).toInt() : qnn::kInvalidNode;
}

std::vector<qnn::Diagnostic> IssuesList::allDiagnostics() const
{
    std::vector<qnn::Diagnostic> all = m_document->analysis().diagnostics;
    const std::vector<qnn::Diagnostic> external = m_document->externalDiagnostics();
    all.insert(all.end(), external.begin(), external.end());
    return all;
}

void IssuesList::refresh()
{
    clear();
    const qnn::Graph& g = m_document->graph();
    QList<QTreeWidgetItem*> rows;
    for (const qnn::Diagnostic& d : allDiagnostics()) {
        const qnn::Node* n = g.node(d.node);
        QString message = QString::fromStdString(d.message);
        if (!d.fix.empty())
            message += QStringLiteral(" — ") + QString::fromStdString(d.fix);
        auto* item = new QTreeWidgetItem({QString::fromStdString(qnn::severityName(d.severity)),
                                          n ? QString::fromStdString(n->name) : tr("(graph)"),
                                          QString::fromStdString(qnn::categoryName(d.category)), message});
        item->setData(0, Qt::UserRole, d.node);
        item->setToolTip(3, message);
        const QColor color = d.severity == qnn::Severity::Error     ? QColor("#c62828")
                             : d.severity == qnn::Severity::Warning ? QColor("#b26a00")
                                                                    : QColor("#52606d");
        item->setForeground(0, color);
        rows << item;
    }
    addTopLevelItems(rows);
    Q_EMIT titleChanged(summaryTitle());
}

QString IssuesList::summaryTitle() const
{
    int errors = 0, warnings = 0, notes = 0;
    for (const qnn::Diagnostic& d : allDiagnostics())
        (d.severity == qnn::Severity::Error ? errors : d.severity == qnn::Severity::Warning ? warnings : notes) += 1;
    if (errors == 0 && warnings == 0 && notes == 0)
        return tr("Issues — none");
    QStringList parts;
    if (errors)
        parts << tr("%n error(s)", nullptr, errors);
    if (warnings)
        parts << tr("%n warning(s)", nullptr, warnings);
    if (notes)
        parts << tr("%n note(s)", nullptr, notes);
    return tr("Issues — %1").arg(parts.join(", "));
}
