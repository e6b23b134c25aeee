#include "widgets/data/dataset_download_dialog.h"

#include "widgets/data/dataset_fetch_process.h"

#include "core/data/dataset.h"
#include "core/data/dataset_catalog.h"
#include "core/run/run_paths.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace {

QLabel* wrapped(const QString& text, QWidget* parent)
{
    auto* l = new QLabel(text, parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

} // namespace

DatasetDownloadDialog::DatasetDownloadDialog(const QString& name, QWidget* parent)
    : QDialog(parent)
    , m_name(name)
    , m_fetch(new DatasetFetchProcess(this))
    , m_status(wrapped(QString(), this))
    , m_progress(new QProgressBar(this))
    , m_download(new QPushButton(tr("&Download"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName("datasetDownload");
    const qnn::CatalogEntry* e = qnn::findCatalogEntry(qnn::datasetCatalog(), name.toStdString());
    Q_ASSERT(e);
    setWindowTitle(tr("Download %1").arg(QString::fromStdString(e->title)));
    setMinimumWidth(520);

    auto* layout = new QVBoxLayout(this);
    auto* heading = new QLabel(tr("<b>%1</b> is not on this machine. Download it now?")
                                   .arg(QString::fromStdString(e->title).toHtmlEscaped()),
                               this);
    heading->setWordWrap(true);
    layout->addWidget(heading);
    auto* form = new QFormLayout;
    form->addRow(tr("Size:"), wrapped(QString::fromStdString(qnn::formatBytes(e->totalBytes())), this));
    QStringList sources;
    for (const std::string& s : e->sources)
        sources << QString::fromStdString(s);
    form->addRow(tr("Source:"), wrapped(sources.first() + (sources.size() > 1 ? tr("\nmirrors: %1").arg(sources.mid(1).join(", ")) : QString()), this));
    form->addRow(tr("Licence:"), wrapped(QString::fromStdString(e->licence), this));
    form->addRow(tr("Into:"), wrapped(QString::fromStdString(qnn::userDatasetsDir() + "/" + e->name), this));
    form->addRow(tr("Checked:"), wrapped(tr("against the published checksums kept in the workbench"), this));
    layout->addLayout(form);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%1 / %2").arg("0 MB", QString::fromStdString(qnn::formatBytes(e->totalBytes()))));
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_download, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);
    m_download->setDefault(true);
    layout->addWidget(buttons);

    connect(m_download, &QPushButton::clicked, this, &DatasetDownloadDialog::startDownload);
    connect(m_cancel, &QPushButton::clicked, this, &DatasetDownloadDialog::reject);
    connect(m_fetch, &DatasetFetchProcess::progress, this, [this](qint64 done, qint64 total, const QString& file) {
        m_progress->setValue(total > 0 ? static_cast<int>(1000 * done / total) : 0);
        m_progress->setFormat(QString("%1 / %2  %3")
                                  .arg(QString::fromStdString(qnn::formatBytes(static_cast<uint64_t>(done))),
                                       QString::fromStdString(qnn::formatBytes(static_cast<uint64_t>(total))), file));
    });
    connect(m_fetch, &DatasetFetchProcess::step, this, [this](const QString& s) { m_status->setText(s); });
    connect(m_fetch, &DatasetFetchProcess::succeeded, this, [this](const QString& dir) {
        m_dir = dir;
        m_progress->setValue(1000);
        m_status->setText(tr("Downloaded and verified in %1.").arg(dir));
        accept();
    });
    connect(m_fetch, &DatasetFetchProcess::failed, this, &DatasetDownloadDialog::onFailed);
}

QString DatasetDownloadDialog::status() const { return m_status->text(); }

void DatasetDownloadDialog::startDownload()
{
    m_download->setEnabled(false);
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Starting the download…"));
    m_fetch->start(m_name);
}

void DatasetDownloadDialog::reject()
{
    if (m_fetch->isRunning()) {
        // Close once qnnw has stopped and said so; a second Cancel does not force it.
        m_closeWhenStopped = true;
        m_cancel->setEnabled(false);
        m_status->setText(tr("Cancelling…"));
        m_fetch->cancel();
        return;
    }
    QDialog::reject();
}

void DatasetDownloadDialog::onFailed(const QString& message, bool cancelled)
{
    if (m_closeWhenStopped || cancelled) {
        QDialog::reject();
        return;
    }
    m_status->setStyleSheet("color: #b00020");
    m_status->setText(message);
    m_download->setText(tr("&Retry"));
    m_download->setEnabled(true);
}

bool DatasetDownloadDialog::isMissing(const qnn::DatasetChoice& choice, const QString& projectFile)
{
    if (!choice.path.empty() || !qnn::findCatalogEntry(qnn::datasetCatalog(), choice.name))
        return false;
    qnn::DatasetRequest r;
    r.choice = choice;
    r.projectDir = projectFile.isEmpty() ? std::string() : qnn::projectDirOf(projectFile.toStdString());
    return qnn::findDatasetDir(r).empty();
}

bool DatasetDownloadDialog::offerIfMissing(QWidget* parent, const qnn::DatasetChoice& choice, const QString& projectFile)
{
    if (!isMissing(choice, projectFile))
        return true;
    DatasetDownloadDialog dialog(QString::fromStdString(choice.name), parent);
    return dialog.exec() == QDialog::Accepted;
}
