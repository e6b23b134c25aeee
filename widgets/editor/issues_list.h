#pragma once

#include "core/graph/diagnostic.h"
#include "core/graph/edge.h"

#include <QTreeWidget>

class GraphDocument;

/** Every diagnostic of the graph (and the document's external ones, such as
 *  hardware fit), one row each (severity, layer, category,
 *  message and fix); clicking a row asks to select its layer. */
class IssuesList : public QTreeWidget
{
    Q_OBJECT
public:
    explicit IssuesList(GraphDocument* document, QWidget* parent = nullptr);

    /** The node a row is about (kInvalidNode for graph-wide problems). */
    qnn::NodeId nodeOfRow(int row) const;

    /** "Issues", "Issues — 2 errors, 1 warning": a title for the dock. */
    QString summaryTitle() const;

Q_SIGNALS:
    void nodeActivated(qnn::NodeId id);
    /** After every refresh, with summaryTitle(). */
    void titleChanged(const QString& title);

private:
    void refresh();
    /** The analysis' diagnostics, then those of other panels (hardware fit). */
    std::vector<qnn::Diagnostic> allDiagnostics() const;

    GraphDocument* m_document;
};
