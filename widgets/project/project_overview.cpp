#include "widgets/project/project_overview.h"

#include "core/graph/graph_summary.h"
#include "core/graph/layer_registry.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

ProjectOverview::ProjectOverview(QWidget* parent) : QWidget(parent)
{
    m_layers = new QTreeWidget(this);
    m_layers->setHeaderLabels({tr("Layer"), tr("Kind"), tr("Output"), tr("Precision"), tr("Inputs")});
    m_layers->setRootIsDecorated(false);
    m_issues = new QTreeWidget(this);
    m_issues->setHeaderLabels({tr("Layer"), tr("Severity"), tr("Message")});
    m_issues->setRootIsDecorated(false);
    m_summary = new QPlainTextEdit(this);
    m_summary->setReadOnly(true);
    m_summary->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_summary->setLineWrapMode(QPlainTextEdit::NoWrap);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_layers);
    split->addWidget(m_issues);
    split->addWidget(m_summary);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setStretchFactor(2, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
}

void ProjectOverview::setProject(const qnn::Project& project)
{
    const qnn::GraphAnalysis analysis = qnn::analyzeGraph(project.graph);
    m_layers->clear();
    for (qnn::NodeId id : analysis.order) {
        const qnn::Node& n = *project.graph.node(id);
        const qnn::LayerSpec& spec = qnn::LayerRegistry::spec(n.kind);
        const qnn::TensorType* out = analysis.outputType(id);
        QString precision;
        if (spec.hasWeights || spec.hasActivationBits)
            precision = QString::fromStdString(
                qnn::precisionLabel(spec.hasWeights ? n.quant.weightBits : 32, n.quant.actBits));
        QStringList inputs;
        for (const qnn::Edge& e : project.graph.inEdges(id))
            inputs << QString::fromStdString(project.graph.node(e.fromNode)->name);
        auto* item = new QTreeWidgetItem(
            {QString::fromStdString(n.name), QString::fromStdString(spec.name),
             out ? QString::fromStdString(qnn::tensorTypeToString(*out)) : tr("?"), precision, inputs.join(", ")});
        m_layers->addTopLevelItem(item);
    }
    for (int c = 0; c < m_layers->columnCount(); ++c)
        m_layers->resizeColumnToContents(c);

    m_issues->clear();
    for (const qnn::Diagnostic& d : analysis.diagnostics) {
        const qnn::Node* n = project.graph.node(d.node);
        m_issues->addTopLevelItem(new QTreeWidgetItem({n ? QString::fromStdString(n->name) : tr("(graph)"),
                                                       QString::fromStdString(qnn::severityName(d.severity)),
                                                       QString::fromStdString(d.message)}));
    }
    if (analysis.diagnostics.empty())
        m_issues->addTopLevelItem(new QTreeWidgetItem({QString(), QString(), tr("No problems found.")}));

    m_summary->setPlainText(
        QString::fromStdString(qnn::formatSummaryTable(qnn::summarizeGraph(project.graph, analysis))));
}

int ProjectOverview::layerRowCount() const { return m_layers->topLevelItemCount(); }
