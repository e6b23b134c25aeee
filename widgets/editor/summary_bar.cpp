#include "widgets/editor/summary_bar.h"

#include "core/graph/graph_summary.h"
#include "widgets/editor/graph_document.h"

#include <QHBoxLayout>
#include <QLabel>

SummaryBar::SummaryBar(GraphDocument* document, QWidget* parent) : QFrame(parent), m_document(document)
{
    setFrameShape(QFrame::StyledPanel);
    auto* layout = new QHBoxLayout(this);
    m_figures = layout;
    layout->setContentsMargins(10, 4, 10, 4);
    layout->setSpacing(18);
    const QList<QPair<QString, QString>> figures{{"params", tr("Parameters")}, {"memory", tr("Weight memory")},
                                                 {"macs", tr("MACs")},          {"bops", tr("BOPs")},
                                                 {"compression", tr("vs FP32")}};
    for (const auto& [key, title] : figures) {
        auto* caption = new QLabel(title, this);
        caption->setStyleSheet("color: #616e7c;");
        auto* value = new QLabel(this);
        value->setObjectName(key);
        value->setStyleSheet("font-weight: bold;");
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        auto* pair = new QHBoxLayout;
        pair->setSpacing(5);
        pair->addWidget(caption);
        pair->addWidget(value);
        layout->addLayout(pair);
        m_labels[key] = value;
    }
    layout->addStretch(1);
    auto* status = new QLabel(this);
    status->setObjectName("status");
    layout->addWidget(status);
    m_labels["status"] = status;
    connect(document, &GraphDocument::analysisChanged, this, &SummaryBar::refresh);
    refresh();
}

void SummaryBar::setFigure(const QString& key, const QString& caption, const QString& text)
{
    QLabel* value = m_labels.value(key);
    if (!value) {
        auto* captionLabel = new QLabel(caption, this);
        captionLabel->setStyleSheet("color: #616e7c;");
        value = new QLabel(this);
        value->setObjectName(key);
        value->setStyleSheet("font-weight: bold;");
        auto* pair = new QHBoxLayout;
        pair->setSpacing(5);
        pair->addWidget(captionLabel);
        pair->addWidget(value);
        // Before the stretch and the status: after the last pair of figures.
        m_figures->insertLayout(m_figures->count() - 2, pair);
        m_labels[key] = value;
    }
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
    const size_t errors = m_document->analysis().errorCount();
    const size_t all = m_document->analysis().diagnostics.size();
    QLabel* status = m_labels["status"];
    if (m_document->graph().empty()) {
        status->setText(tr("Empty graph: drag a layer from the palette or press Tab"));
        status->setStyleSheet("color: #616e7c;");
    } else if (errors > 0) {
        status->setText(tr("%n error(s)", nullptr, int(errors)) + (s.complete ? QString() : tr(" — figures incomplete")));
        status->setStyleSheet("color: #c62828; font-weight: bold;");
    } else if (all > 0) {
        status->setText(tr("%n warning(s)", nullptr, int(all)));
        status->setStyleSheet("color: #b26a00; font-weight: bold;");
    } else {
        status->setText(tr("✓ no problems"));
        status->setStyleSheet("color: #2e7d32; font-weight: bold;");
    }
}
