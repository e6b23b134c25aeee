#include "widgets/editor/summary_bar.h"

#include "core/graph/graph_summary.h"
#include "widgets/editor/graph_document.h"

#include "widgets/editor/flow_layout.h"

#include <QHBoxLayout>
#include <QLabel>

#include <algorithm>

SummaryBar::SummaryBar(GraphDocument* document, QWidget* parent) : QFrame(parent), m_document(document)
{
    setFrameShape(QFrame::StyledPanel);
    // Figures wrap onto a second line in a narrow window rather than being cut off.
    m_figures = new FlowLayout(this);
    m_figures->setContentsMargins(10, 4, 10, 4);
    const QList<QPair<QString, QString>> figures{{"params", tr("Parameters")}, {"memory", tr("Weight memory")},
                                                 {"macs", tr("MACs")},          {"bops", tr("BOPs")},
                                                 {"compression", tr("vs FP32")}};
    for (const auto& [key, title] : figures)
        addFigure(key, title);
    auto* status = new QLabel(this);
    status->setObjectName("status");
    m_figures->addWidget(status);
    m_labels["status"] = status;
    connect(document, &GraphDocument::analysisChanged, this, &SummaryBar::refresh);
    // The hardware estimate's problems (a layer that does not fit) are the
    // Issues list's too: the bar counts what the list shows.
    connect(document, &GraphDocument::externalDiagnosticsChanged, this, &SummaryBar::refresh);
    refresh();
}

QLabel* SummaryBar::addFigure(const QString& key, const QString& caption)
{
    auto* pair = new QWidget(this);
    auto* layout = new QHBoxLayout(pair);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(5);
    auto* captionLabel = new QLabel(caption, pair);
    captionLabel->setStyleSheet("color: #616e7c;");
    auto* value = new QLabel(pair);
    value->setObjectName(key);
    value->setStyleSheet("font-weight: bold;");
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(captionLabel);
    layout->addWidget(value);
    // After the last figure, before the status.
    m_figures->insertWidget(m_labels.contains("status") ? m_figures->count() - 1 : m_figures->count(), pair);
    m_labels[key] = value;
    return value;
}

void SummaryBar::setFigure(const QString& key, const QString& caption, const QString& text)
{
    QLabel* value = m_labels.value(key);
    if (!value)
        value = addFigure(key, caption);
    value->setText(text);
}

QString SummaryBar::figure(const QString& key) const
{
    QLabel* label = m_labels.value(key);
    return label ? label->text() : QString();
}

void SummaryBar::refresh()
{
    const qnn::GraphSummary& s = m_document->summary();
    auto set = [this](const QString& key, const std::string& text) { m_labels[key]->setText(QString::fromStdString(text)); };
    set("params", qnn::humanCount(double(s.params)));
    set("memory", qnn::humanBytes(double(s.weightMemoryBytes())));
    set("macs", qnn::humanCount(double(s.macs)));
    set("bops", qnn::humanCount(double(s.bops)));
    m_labels["compression"]->setText(QStringLiteral("%1×").arg(s.compression, 0, 'f', 1));
    std::vector<qnn::Diagnostic> diagnostics = m_document->analysis().diagnostics;
    const std::vector<qnn::Diagnostic> external = m_document->externalDiagnostics();
    diagnostics.insert(diagnostics.end(), external.begin(), external.end());
    const auto errors = std::count_if(diagnostics.begin(), diagnostics.end(),
                                      [](const qnn::Diagnostic& d) { return d.severity == qnn::Severity::Error; });
    // Info diagnostics are notes, not problems: they are not counted here.
    const auto warnings = std::count_if(diagnostics.begin(), diagnostics.end(),
                                        [](const qnn::Diagnostic& d) { return d.severity == qnn::Severity::Warning; });
    QLabel* status = m_labels["status"];
    if (m_document->graph().empty()) {
        status->setText(tr("Empty graph: drag a layer from the palette or press Tab"));
        status->setStyleSheet("color: #616e7c;");
    } else if (errors > 0) {
        status->setText(tr("%n error(s)", nullptr, int(errors)) + (s.complete ? QString() : tr(" — figures incomplete")));
        status->setStyleSheet("color: #c62828; font-weight: bold;");
    } else if (warnings > 0) {
        status->setText(tr("%n warning(s)", nullptr, int(warnings)));
        status->setStyleSheet("color: #b26a00; font-weight: bold;");
    } else {
        status->setText(tr("✓ no problems"));
        status->setStyleSheet("color: #2e7d32; font-weight: bold;");
    }
}
