#include "widgets/verify/verify_panel.h"

#include "widgets/editor/graph_document.h"
#include "widgets/process/child_process.h"

#include "core/project/project.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {

QTableWidgetItem* cell(const QString& text, bool number = false)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QString count(double v) { return QLocale().toString(qint64(v)); }

} // namespace

VerifyPanel::VerifyPanel(GraphDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_runs(new QComboBox)
    , m_limit(new QSpinBox)
    , m_verify(new QPushButton(tr("Verify")))
    , m_cancel(new QPushButton(tr("Cancel")))
    , m_status(new QLabel(tr("Float vs integer, layer by layer, for a trained run.")))
    , m_layers(new QTableWidget(0, 6))
    , m_images(new QTableWidget(0, 4))
    , m_process(new ChildProcess(this))
{
    m_limit->setRange(0, 1000000);
    m_limit->setSpecialValueText(tr("all test images"));
    m_limit->setValue(0);
    m_cancel->setEnabled(false);
    m_status->setWordWrap(true);
    m_layers->setHorizontalHeaderLabels({tr("Layer"), tr("Compared at"), tr("Elements"), tr("Differing"), tr("Ties"),
                                         tr("Images")});
    m_images->setHorizontalHeaderLabels({tr("Image"), tr("Label"), tr("Float"), tr("Integer")});
    for (QTableWidget* t : {m_layers, m_images}) {
        t->verticalHeader()->hide();
        t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        t->horizontalHeader()->setStretchLastSection(true);
        t->setSelectionBehavior(QAbstractItemView::SelectRows);
    }
    auto* form = new QFormLayout;
    form->addRow(tr("Run"), m_runs);
    form->addRow(tr("Images"), m_limit);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_verify);
    buttons->addWidget(m_cancel);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(m_layers, 2);
    layout->addWidget(new QLabel(tr("Images whose predictions differ")));
    layout->addWidget(m_images, 1);

    connect(m_verify, &QPushButton::clicked, this, &VerifyPanel::verify);
    connect(m_runs, &QComboBox::currentTextChanged, this, [this](const QString& run) {
        if (!isRunning())
            showRun(run);
    });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_error = tr("Cancelled.");
        m_process->kill();
    });
    connect(m_process, &ChildProcess::result, this, [this](const QJsonObject& r) { m_result = r; });
    connect(m_process, &ChildProcess::failed, this, [this](const QString& message) {
        if (m_error.isEmpty()) // the first cause, and a cancel over the crash it causes
            m_error = message;
    });
    connect(m_process, &ChildProcess::finished, this, &VerifyPanel::processFinished);
    connect(m_document, &GraphDocument::fileNameChanged, this, &VerifyPanel::refreshRuns);
    connect(m_document, &GraphDocument::deployChanged, this, &VerifyPanel::refreshRuns);
    // A run started from the workbench is listed at once, not at the next open.
    connect(m_document, &GraphDocument::runsChanged, this, &VerifyPanel::refreshRuns);
    connect(m_layers, &QTableWidget::cellClicked, this, [this](int row, int) {
        const QVariant node = m_layers->item(row, 0)->data(Qt::UserRole);
        if (node.isValid())
            m_document->setHighlightedNode(qnn::NodeId(node.toLongLong()), m_layers->item(row, 0)->text());
    });
    refreshRuns();
}

QStringList VerifyPanel::compareArguments(const QString& packedDir, const QString& runDir, const QString& project,
                                          int limit)
{
    QStringList args{"run-packed", packedDir, "--compare", runDir, "--project", project, "--json"};
    if (limit > 0)
        args << "--limit" << QString::number(limit);
    return args;
}

QString VerifyPanel::projectFile() const { return m_document->fileName(); }

QString VerifyPanel::runDir() const
{
    return QFileInfo(projectFile()).absolutePath() + "/runs/" + m_runs->currentText();
}

QString VerifyPanel::busyRunDir() const
{
    return QFileInfo(projectFile()).absolutePath() + "/runs/" + (m_busyRun.isEmpty() ? m_runs->currentText() : m_busyRun);
}

void VerifyPanel::showEvent(QShowEvent* event)
{
    refreshRuns();
    QWidget::showEvent(event);
}

void VerifyPanel::refreshRuns()
{
    const QString current = m_runs->currentText();
    qnn::Project onDisk;
    std::string ignored;
    const bool fromDisk = !projectFile().isEmpty() && qnn::loadProject(projectFile().toStdString(), onDisk, ignored);
    // The document's list (runs started from this window), the file's (runs of
    // qnnw train) and run folders older trainers did not list.
    QStringList names;
    for (const std::string& r : m_document->project().runs)
        names << QString::fromStdString(r);
    if (fromDisk)
        for (const std::string& r : onDisk.runs)
            if (!names.contains(QString::fromStdString(r)))
                names << QString::fromStdString(r);
    QStringList withWeights;
    if (!projectFile().isEmpty()) {
        const QDir runsDir(QFileInfo(projectFile()).absolutePath() + "/runs");
        for (const QString& d : runsDir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            if (!names.contains(d))
                names << d;
        // Only a run with trained weights can be packed and compared: one
        // stopped before its first epoch ended has none, and is no default.
        for (const QString& n : names)
            if (QFileInfo::exists(runsDir.filePath(n + "/weights-best.qnnw")))
                withWeights << n;
    }
    withWeights.sort();
    QStringList items;
    for (auto it = withWeights.rbegin(); it != withWeights.rend(); ++it)
        items << *it;
    QStringList before;
    for (int i = 0; i < m_runs->count(); ++i)
        before << m_runs->itemText(i);
    if (items != before) {
        const QSignalBlocker block(m_runs);
        m_runs->clear();
        m_runs->addItems(items);
        const int again = m_runs->findText(current);
        m_runs->setCurrentIndex(again >= 0 ? again : (items.isEmpty() ? -1 : 0));
    }
    m_verify->setEnabled(m_runs->count() > 0 && !isRunning());
    if (!isRunning() && m_runs->currentText() != m_shownRun)
        showRun(m_runs->currentText());
}

void VerifyPanel::setSelectedRun(const QString& run)
{
    refreshRuns();
    const int i = m_runs->findText(run);
    if (i >= 0) {
        m_runs->setCurrentIndex(i);
        if (!isRunning())
            showRun(run);
        return;
    }
    if (isRunning())
        return;
    // A run without weights: nothing to show for it, and nothing of another run's either.
    clearTables();
    m_shownRun.clear();
    m_status->setText(tr("%1 has no trained weights yet (it stopped or failed before its first epoch ended): "
                         "Verify needs a run that finished an epoch. Choose one above, or resume this one.")
                          .arg(run));
}

void VerifyPanel::clearTables()
{
    m_layers->setRowCount(0);
    m_images->setRowCount(0);
    m_document->setHighlightedNode(qnn::kInvalidNode, QString());
}

void VerifyPanel::showRun(const QString& run)
{
    m_shownRun = run;
    if (m_results.contains(run)) {
        showResult(m_results.value(run));
        return;
    }
    clearTables();
    if (m_problems.contains(run))
        m_status->setText(m_problems.value(run));
    else if (run.isEmpty())
        m_status->setText(tr("No trained run yet: train the project (Training ▸ Train), then verify it here."));
    else
        m_status->setText(tr("%1 is not verified yet: Verify packs it and compares it with the float model.").arg(run));
}

bool VerifyPanel::isRunning() const { return m_process->isRunning(); }

QString VerifyPanel::statusText() const { return m_status->text(); }

void VerifyPanel::verify()
{
    if (isRunning())
        return;
    if (projectFile().isEmpty() || m_runs->currentText().isEmpty()) {
        fail(tr("Save the project and train it first: Verify compares a trained run with its packed model."));
        return;
    }
    m_busyRun = m_runs->currentText();
    const QString packed = runDir() + "/packed";
    if (QFileInfo::exists(packed + "/manifest.json")) {
        start(compareArguments(packed, runDir(), projectFile(), m_limit->value()), false);
        return;
    }
    start({"pack", projectFile(), "--run", runDir(), "--out", packed, "--json"}, true);
}

void VerifyPanel::start(const QStringList& arguments, bool packing)
{
    m_packing = packing;
    m_result = {};
    m_error.clear();
    m_shownRun = m_busyRun;
    clearTables();
    m_status->setText(packing ? tr("Packing %1…").arg(m_busyRun)
                              : tr("Running the float and the integer model on the test images…"));
    m_verify->setEnabled(false);
    m_cancel->setEnabled(true);
    m_process->start(arguments);
}

void VerifyPanel::processFinished(int exitCode, bool crashed)
{
    m_cancel->setEnabled(false);
    m_verify->setEnabled(m_runs->count() > 0);
    if (exitCode != 0 || crashed || !m_error.isEmpty()) {
        fail(!m_error.isEmpty() ? m_error : tr("qnnw stopped (exit code %1).").arg(exitCode));
        return;
    }
    if (m_packing) {
        start(compareArguments(busyRunDir() + "/packed", busyRunDir(), projectFile(), m_limit->value()), false);
        return;
    }
    m_results[m_busyRun] = m_result;
    m_problems.remove(m_busyRun);
    m_busyRun.clear();
    // The user may have chosen another run meanwhile: show what is true of it.
    showRun(m_runs->currentText());
    emit finished(m_result);
}

void VerifyPanel::fail(const QString& message)
{
    // The sentence belongs to the run it is about; no older table stays under it.
    const QString run = m_busyRun.isEmpty() ? m_runs->currentText() : m_busyRun;
    m_busyRun.clear();
    m_results.remove(run);
    m_problems[run] = message;
    m_shownRun = run;
    clearTables();
    m_status->setText(message);
    m_cancel->setEnabled(false);
    m_verify->setEnabled(m_runs->count() > 0);
    emit failed(message);
}

void VerifyPanel::showResult(const QJsonObject& c)
{
    const QJsonArray layers = c.value("layers").toArray();
    m_layers->setRowCount(layers.size());
    const QString first = c.value("first_differing_layer").toString();
    qnn::NodeId firstNode = qnn::kInvalidNode;
    for (int i = 0; i < layers.size(); ++i) {
        const QJsonObject l = layers[i].toObject();
        auto* name = cell(l.value("layer").toString());
        name->setData(Qt::UserRole, l.value("node").toVariant());
        m_layers->setItem(i, 0, name);
        m_layers->setItem(i, 1, cell(l.value("compared_at").toString()));
        m_layers->setItem(i, 2, cell(count(l.value("elements").toDouble()), true));
        m_layers->setItem(i, 3, cell(count(l.value("differing").toDouble()), true));
        m_layers->setItem(i, 4, cell(count(l.value("ties").toDouble()), true));
        m_layers->setItem(i, 5, cell(count(l.value("images_differing").toDouble()), true));
        if (l.value("layer").toString() == first) {
            firstNode = qnn::NodeId(l.value("node").toInteger());
            for (int col = 0; col < m_layers->columnCount(); ++col)
                m_layers->item(i, col)->setBackground(QColor(255, 214, 170));
        }
    }
    const QJsonArray images = c.value("differing_images").toArray();
    m_images->setRowCount(images.size());
    for (int i = 0; i < images.size(); ++i) {
        const QJsonObject d = images[i].toObject();
        m_images->setItem(i, 0, cell(QString::number(d.value("image").toInt()), true));
        m_images->setItem(i, 1, cell(QString::number(d.value("label").toInt()), true));
        m_images->setItem(i, 2, cell(QString::number(d.value("float").toInt()), true));
        m_images->setItem(i, 3, cell(QString::number(d.value("integer").toInt()), true));
    }
    const int total = c.value("images").toInt();
    const int agree = c.value("agree").toInt();
    QString text = tr("%1 of %2 images give the same class (%3 %).")
                       .arg(QLocale().toString(agree), QLocale().toString(total))
                       .arg(c.value("agreement").toDouble(), 0, 'f', 2);
    if (first.isEmpty())
        text += " " + tr("No layer differs: the packed model computes what the float model computes.");
    else
        text += " " + tr("First differing layer: %1 (highlighted on the canvas).").arg(first);
    m_status->setText(text);
    m_document->setHighlightedNode(firstNode, first.isEmpty() ? QString() : tr("first difference"));
}
