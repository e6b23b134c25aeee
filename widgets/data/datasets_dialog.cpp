#include "widgets/data/datasets_dialog.h"

#include "widgets/data/dataset_download_dialog.h"
#include "widgets/process/child_process.h"

#include "core/data/dataset_catalog.h"

#include <algorithm>

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

DatasetsDialog::DatasetsDialog(QWidget* parent)
    : QDialog(parent)
    , m_table(new QTableWidget(0, 5, this))
    , m_status(new QLabel(this))
    , m_download(new QPushButton(tr("&Download…"), this))
    , m_list(new ChildProcess(this))
{
    setObjectName("datasets");
    setWindowTitle(tr("Datasets"));
    resize(1100, 360);
    auto* layout = new QVBoxLayout(this);
    m_table->setHorizontalHeaderLabels({tr("Dataset"), tr("Found in"), tr("Size"), tr("Checksums"), tr("Licence")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table);
    m_status->setWordWrap(true);
    m_status->setMinimumHeight(m_status->fontMetrics().lineSpacing() * 2 + 4);
    layout->addWidget(m_status);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_download, QDialogButtonBox::ActionRole);
    auto* refreshButton = buttons->addButton(tr("&Refresh"), QDialogButtonBox::ActionRole);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(refreshButton, &QPushButton::clicked, this, &DatasetsDialog::refresh);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &DatasetsDialog::updateButtons);
    connect(m_download, &QPushButton::clicked, this, [this] {
        const int row = m_table->currentRow();
        if (row < 0 || row >= m_datasets.size())
            return;
        DatasetDownloadDialog dialog(m_datasets[row].toObject()["name"].toString(), this);
        if (dialog.exec() == QDialog::Accepted)
            refresh();
    });
    connect(m_list, &ChildProcess::result, this, [this](const QJsonObject& result) {
        fill(result["datasets"].toArray());
        m_status->setText(tr("qnnw data fetch downloads into %1. The search path also has $QNN_DATASETS "
                             "and shared/datasets folders above the project.")
                              .arg(result["user_dir"].toString()));
    });
    connect(m_list, &ChildProcess::failed, this, [this](const QString& message, const QJsonObject&) {
        m_status->setText(tr("qnnw data list failed: %1").arg(message));
    });
    connect(m_list, &ChildProcess::finished, this, [this] { Q_EMIT refreshed(); });
    updateButtons();
    refresh();
}

QString DatasetsDialog::status() const { return m_status->text(); }

void DatasetsDialog::refresh()
{
    if (m_list->isRunning())
        return;
    m_status->setText(tr("Checking the datasets on this machine…"));
    m_list->start({"data", "list", "--json"});
}

void DatasetsDialog::fill(const QJsonArray& datasets)
{
    m_datasets = datasets;
    m_table->setRowCount(datasets.size());
    for (int row = 0; row < datasets.size(); ++row) {
        const QJsonObject d = datasets[row].toObject();
        const bool found = d["found"].toBool();
        const QJsonValue verified = d["verified"];
        const QString check = !found                 ? tr("—")
                              : verified.isNull()    ? tr("not checked")
                              : verified.toBool()    ? tr("verified")
                                                     : tr("MISMATCH");
        const QStringList cells{d["title"].toString(),
                                found ? d["dir"].toString() : tr("not found"),
                                QString::fromStdString(qnn::formatBytes(
                                    static_cast<uint64_t>((found ? d["bytes"] : d["download_bytes"]).toInteger()))) +
                                    (found ? QString() : tr(" to download")),
                                check, d["licence"].toString()};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setToolTip(c == 3 ? d["verification"].toString() : cells[c]);
            m_table->setItem(row, c, item);
        }
    }
    m_table->resizeColumnsToContents();
    // The licence column takes the rest; a long folder is elided (its tooltip has it whole).
    m_table->setColumnWidth(1, std::min(m_table->columnWidth(1), 360));
    updateButtons();
}

void DatasetsDialog::updateButtons()
{
    const int row = m_table->currentRow();
    const bool any = row >= 0 && row < m_datasets.size();
    const QJsonObject d = any ? m_datasets[row].toObject() : QJsonObject();
    // A dataset found and verified needs nothing; one that is missing or does not match can be fetched.
    m_download->setEnabled(any && !(d["found"].toBool() && d["verified"].toBool()));
}
