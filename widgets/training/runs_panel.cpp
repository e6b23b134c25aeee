#include "widgets/training/runs_panel.h"

#include "core/project/project.h"
#include "core/project/project_lock.h"
#include "core/run/run_paths.h"
#include "core/run/run_setup.h"
#include "core/run/seed_stats.h"
#include "core/sweep/sweep_folder.h"
#include "widgets/editor/graph_document.h"
#include "widgets/training/training_controller.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace {

enum Column { Name, Started, Precision, Status, BestVal, Test, Speed, RecipeColumn, ColumnCount };

QString percent(double v) { return v < 0 ? QStringLiteral("–") : QString::number(100 * v, 'f', 2) + " %"; }

QIcon swatch(const QColor& c)
{
    QPixmap p(12, 12);
    p.fill(Qt::transparent);
    QPainter painter(&p);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(c);
    painter.setPen(c.darker(130));
    painter.drawEllipse(1, 1, 10, 10);
    return QIcon(p);
}

QString statusText(const qnn::RunInfo& r)
{
    if (!r.readable)
        return QObject::tr("unreadable: %1").arg(QString::fromStdString(r.problem));
    QString s = QString::fromStdString(r.status);
    if (!r.error.empty())
        s += ": " + QString::fromStdString(r.error);
    if (r.resumable)
        s += QObject::tr(" (resumable)");
    if (!r.listed)
        s += QObject::tr(" — not in the project's list");
    return s;
}

} // namespace

RunsPanel::RunsPanel(GraphDocument* document, TrainingController* controller, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_controller(controller)
    , m_table(new QTableWidget(0, ColumnCount, this))
    , m_queueBox(new QWidget(this))
    , m_queueTable(new QTableWidget(0, 2, m_queueBox))
    , m_jobUp(new QPushButton(tr("Move up"), m_queueBox))
    , m_jobDown(new QPushButton(tr("Move down"), m_queueBox))
    , m_jobCancel(new QPushButton(tr("Remove from queue"), m_queueBox))
    , m_note(new QLabel(this))
    , m_resume(new QPushButton(tr("Resume"), this))
    , m_compare(new QPushButton(tr("Compare"), this))
    , m_rename(new QPushButton(tr("Rename…"), this))
    , m_delete(new QPushButton(tr("Delete…"), this))
    , m_add(new QPushButton(tr("Add found runs"), this))
{
    setObjectName("RunsPanel");
    m_table->setHorizontalHeaderLabels(
        {tr("Run"), tr("Started"), tr("Precision"), tr("Status"), tr("Best val"), tr("Test"), tr("Images/s"),
         tr("Recipe")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_note->setWordWrap(true);
    m_add->setToolTip(tr("Run folders under runs/ that the project does not list (copied from another machine)"));

    m_queueTable->setObjectName("queue");
    m_queueTable->setHorizontalHeaderLabels({tr("Waiting"), tr("Will train with")});
    m_queueTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_queueTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_queueTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_queueTable->verticalHeader()->hide();
    m_queueTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_queueTable->horizontalHeader()->setStretchLastSection(true);
    m_queueTable->setWordWrap(false);
    auto* queueLayout = new QVBoxLayout(m_queueBox);
    queueLayout->setContentsMargins(0, 0, 0, 0);
    auto* queueTitle = new QLabel(tr("<b>Queue</b> — each job starts when the one before it ends, and trains the "
                                     "project file as saved then"), m_queueBox);
    queueTitle->setWordWrap(true);
    queueLayout->addWidget(queueTitle);
    queueLayout->addWidget(m_queueTable);
    auto* jobButtons = new QHBoxLayout;
    for (QPushButton* b : {m_jobUp, m_jobDown, m_jobCancel})
        jobButtons->addWidget(b);
    jobButtons->addStretch(1);
    queueLayout->addLayout(jobButtons);
    m_queueBox->hide();
    connect(m_jobUp, &QPushButton::clicked, this, [this] { moveSelectedJob(-1); });
    connect(m_jobDown, &QPushButton::clicked, this, [this] { moveSelectedJob(+1); });
    connect(m_jobCancel, &QPushButton::clicked, this, &RunsPanel::cancelSelectedJob);
    connect(m_queueTable, &QTableWidget::itemSelectionChanged, this, &RunsPanel::updateButtons);

    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_resume, m_compare, m_rename, m_delete, m_add})
        buttons->addWidget(b);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_queueBox);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_note);

    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        updateButtons();
        Q_EMIT selectionChanged(selectedRuns());
    });
    connect(m_table, &QWidget::customContextMenuRequested, this, &RunsPanel::contextMenu);
    connect(m_resume, &QPushButton::clicked, this, [this] {
        QString error;
        if (!resumeSelected(&error) && !error.isEmpty())
            QMessageBox::warning(this, tr("Resume"), error);
    });
    connect(m_compare, &QPushButton::clicked, this, [this] {
        const auto sel = selectedRuns();
        if (sel.size() == 2)
            Q_EMIT compareRequested(QString::fromStdString(sel[0].name), QString::fromStdString(sel[1].name));
        else if (sel.size() == 1)
            Q_EMIT compareRequested(QString::fromStdString(sel[0].name), QString());
    });
    connect(m_rename, &QPushButton::clicked, this, [this] {
        const auto sel = selectedRuns();
        if (sel.size() != 1)
            return;
        const QString from = QString::fromStdString(sel[0].name);
        bool ok = false;
        const QString to = QInputDialog::getText(this, tr("Rename run"), tr("New name:"), QLineEdit::Normal, from, &ok);
        QString error;
        if (ok && to != from && !renameRun(from, to, &error))
            QMessageBox::warning(this, tr("Rename run"), error);
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        QString error;
        if (!deleteSelected(true, &error) && !error.isEmpty())
            QMessageBox::warning(this, tr("Delete runs"), error);
    });
    connect(m_add, &QPushButton::clicked, this, [this] {
        QString error;
        if (addUnlisted(&error) < 0)
            QMessageBox::warning(this, tr("Add runs"), error);
    });
    connect(m_controller, &TrainingController::runsChanged, this, &RunsPanel::refresh);
    connect(m_controller, &TrainingController::stateChanged, this, &RunsPanel::refresh);
    connect(m_document, &GraphDocument::fileNameChanged, this, &RunsPanel::refresh);
    connect(m_document, &GraphDocument::graphReset, this, &RunsPanel::refresh);
    refresh();
}

void RunsPanel::refresh()
{
    const QString path = m_document->fileName();
    QStringList selected;
    for (const auto& r : selectedRuns())
        selected << QString::fromStdString(r.name);
    m_runs = path.isEmpty() ? std::vector<qnn::RunInfo>{} : qnn::listRuns(path.toStdString(), m_document->project());
    // The Sweep dock's sweep: each point's newest run, so that its curves,
    // confusion matrix and comparison are one click away like any run's.
    m_sweepRuns = 0;
    qnn::SweepFolder sweep;
    std::string ignored;
    if (!m_sweepDir.isEmpty() && qnn::SweepFolder::open(m_sweepDir.toStdString(), sweep, ignored)) {
        const auto& palette = qnn::runPalette();
        for (const qnn::SweepPoint& p : sweep.points()) {
            const std::string dir = sweep.latestRun(p);
            if (dir.empty())
                continue;
            qnn::RunInfo r = qnn::readRunInfo(dir);
            r.name = sweep.name() + "/" + p.id;
            // Every point's runs/ holds one run, so each would take the first colour.
            r.colour = palette[size_t(p.index) % palette.size()];
            r.listed = true; // listed by the sweep, not missing from the project
            r.resumable = false;
            m_runs.push_back(std::move(r));
            ++m_sweepRuns;
        }
    }
    fillQueue();
    fillTable();
    m_table->blockSignals(true);
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem* it = m_table->item(row, Name);
        if (it && selected.contains(it->data(Qt::UserRole).toString()))
            m_table->selectRow(row);
    }
    m_table->blockSignals(false);
    updateButtons();
    Q_EMIT runsReloaded();
}

void RunsPanel::fillTable()
{
    m_table->setRowCount(0);
    int row = 0;
    m_table->setRowCount(static_cast<int>(m_runs.size()));
    int unlisted = 0;
    for (const qnn::RunInfo& r : m_runs) {
        const QString name = QString::fromStdString(r.name);
        auto* item = new QTableWidgetItem(swatch(QColor(QString::fromStdString(r.colour.empty() ? "#7f7f7f" : r.colour))),
                                          r.fp32Twin ? name + tr(" (FP32 twin)") : name);
        item->setData(Qt::UserRole, name);
        item->setToolTip(isSweepRun(r.name) ? tr("A run of the sweep in the Sweep dock: %1").arg(QString::fromStdString(r.dir))
                                            : QString::fromStdString(r.dir));
        m_table->setItem(row, Name, item);
        m_table->setItem(row, Started, new QTableWidgetItem(QString::fromStdString(r.started)));
        m_table->setItem(row, Precision, new QTableWidgetItem(QString::fromStdString(r.precision)));
        auto* status = new QTableWidgetItem(statusText(r));
        status->setToolTip(status->text());
        if (!r.readable || r.status == "failed" || r.status == "diverged")
            status->setForeground(QColor("#b00020"));
        m_table->setItem(row, Status, status);
        auto* bestVal = new QTableWidgetItem(r.selectBy == "test" ? tr("test set") : percent(r.bestValAccuracy));
        if (r.selectBy == "test")
            bestVal->setToolTip(tr("Every training image was trained on and the test set chose the best epoch "
                                   "(Brevitas' protocol): the Test column is that epoch's, an optimistic figure"));
        m_table->setItem(row, BestVal, bestVal);
        m_table->setItem(row, Test, new QTableWidgetItem(percent(r.testAccuracy)));
        m_table->setItem(row, Speed, new QTableWidgetItem(r.imagesPerSecond > 0 ? QString::number(qRound(r.imagesPerSecond)) : QString("–")));
        // The exact preset and version, as config.json recorded it when the run started.
        m_table->setItem(row, RecipeColumn,
                         new QTableWidgetItem(r.recipe.empty() ? QString("–") : QString::fromStdString(r.recipe)));
        unlisted += r.listed ? 0 : 1;
        ++row;
    }
    m_add->setVisible(unlisted > 0);
    QStringList notes;
    if (unlisted > 0)
        notes << tr("%n run folder(s) under runs/ are not in the project's list: Add found runs adds them.", nullptr,
                    unlisted);
    // Seed groups: their figures as mean ± std over the finished runs.
    std::map<std::string, std::vector<double>> groups;
    for (const qnn::RunInfo& r : m_runs)
        if (!r.seedGroup.empty() && r.testAccuracy >= 0)
            groups[r.seedGroup].push_back(r.testAccuracy);
    if (m_sweepRuns > 0)
        notes << tr("The last %n row(s) are the runs of the sweep %1 (its points' newest runs).", nullptr,
                    int(m_sweepRuns))
                     .arg(QFileInfo(m_sweepDir).fileName());
    for (const auto& [group, values] : groups) {
        const qnn::MeanStd m = qnn::meanStd(values);
        notes << tr("Seed group %1: test accuracy %2 ± %3 % over %4 runs")
                     .arg(QString::fromStdString(group))
                     .arg(100 * m.mean, 0, 'f', 2)
                     .arg(100 * m.std, 0, 'f', 2)
                     .arg(m.count);
    }
    m_note->setText(notes.join("\n"));
}

QString RunsPanel::note() const { return m_note->text(); }

std::vector<qnn::RunInfo> RunsPanel::selectedRuns() const
{
    std::vector<qnn::RunInfo> out;
    QList<int> rows;
    for (const QModelIndex& i : m_table->selectionModel()->selectedRows())
        rows << i.row();
    std::sort(rows.begin(), rows.end());
    for (int row : rows) {
        const QTableWidgetItem* it = m_table->item(row, Name);
        if (!it)
            continue;
        const QString name = it->data(Qt::UserRole).toString();
        for (const qnn::RunInfo& r : m_runs)
            if (QString::fromStdString(r.name) == name)
                out.push_back(r);
    }
    return out;
}

void RunsPanel::selectRun(const QString& name)
{
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem* it = m_table->item(row, Name);
        if (it && it->data(Qt::UserRole).toString() == name) {
            m_table->clearSelection();
            m_table->selectRow(row);
            return;
        }
    }
}

bool RunsPanel::selectRunDir(const QString& dir)
{
    const QString want = QDir::cleanPath(dir);
    for (const qnn::RunInfo& r : m_runs)
        if (QDir::cleanPath(QString::fromStdString(r.dir)) == want) {
            selectRun(QString::fromStdString(r.name));
            return true;
        }
    return false;
}

void RunsPanel::setSweep(const QString& sweepDir)
{
    m_sweepDir = sweepDir;
    refresh();
}

bool RunsPanel::isSweepRun(const std::string& name) const
{
    for (size_t i = m_runs.size() - m_sweepRuns; i < m_runs.size(); ++i)
        if (m_runs[i].name == name)
            return true;
    return false;
}

void RunsPanel::fillQueue()
{
    const int keep = selectedJob();
    const std::vector<QueuedJob> jobs = m_controller->queue();
    m_queueTable->blockSignals(true);
    m_queueTable->setRowCount(int(jobs.size()));
    for (int row = 0; row < int(jobs.size()); ++row) {
        auto* label = new QTableWidgetItem(QStringLiteral("%1. %2").arg(row + 1).arg(jobs[size_t(row)].label));
        label->setData(Qt::UserRole, jobs[size_t(row)].id);
        m_queueTable->setItem(row, 0, label);
        auto* settings = new QTableWidgetItem(jobs[size_t(row)].settings);
        settings->setToolTip(settings->text());
        m_queueTable->setItem(row, 1, settings);
        if (jobs[size_t(row)].id == keep)
            m_queueTable->selectRow(row);
    }
    if (m_queueTable->selectionModel()->selectedRows().isEmpty() && !jobs.empty())
        m_queueTable->selectRow(0);
    m_queueTable->blockSignals(false);
    // As tall as its rows (up to five), so that the runs below keep the space.
    const int rows = std::min<int>(5, std::max<int>(1, int(jobs.size())));
    m_queueTable->setFixedHeight(m_queueTable->horizontalHeader()->sizeHint().height() +
                                 rows * m_queueTable->verticalHeader()->defaultSectionSize() + 4);
    m_queueBox->setVisible(!jobs.empty());
}

int RunsPanel::selectedJob() const
{
    const QModelIndexList rows = m_queueTable->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return 0;
    const QTableWidgetItem* it = m_queueTable->item(rows.first().row(), 0);
    return it ? it->data(Qt::UserRole).toInt() : 0;
}

bool RunsPanel::cancelSelectedJob()
{
    const int id = selectedJob();
    return id != 0 && m_controller->cancelQueued(id);
}

bool RunsPanel::moveSelectedJob(int delta)
{
    const int id = selectedJob();
    return id != 0 && m_controller->moveQueued(id, delta);
}

void RunsPanel::updateButtons()
{
    const int job = selectedJob();
    const int jobRow = m_queueTable->selectionModel()->selectedRows().isEmpty()
                           ? -1
                           : m_queueTable->selectionModel()->selectedRows().first().row();
    m_jobCancel->setEnabled(job != 0);
    m_jobUp->setEnabled(job != 0 && jobRow > 0);
    m_jobDown->setEnabled(job != 0 && jobRow + 1 < m_queueTable->rowCount());
    const auto sel = selectedRuns();
    bool anyRunning = false, anySweep = false;
    for (const auto& r : sel) {
        anyRunning = anyRunning || r.status == "running";
        anySweep = anySweep || isSweepRun(r.name);
    }
    m_resume->setEnabled(sel.size() == 1 && sel[0].resumable && !anySweep);
    m_compare->setEnabled(sel.size() == 1 || sel.size() == 2);
    m_rename->setEnabled(sel.size() == 1 && sel[0].status != "running" && !anySweep);
    m_delete->setEnabled(!sel.empty() && !anyRunning && !anySweep);
}

bool RunsPanel::resumeSelected(QString* error)
{
    const auto sel = selectedRuns();
    if (sel.size() != 1 || !sel[0].resumable || isSweepRun(sel[0].name)) {
        if (error)
            *error = tr("Select one stopped run that has a checkpoint to resume it.");
        return false;
    }
    return m_controller->resume(QString::fromStdString(sel[0].name), error);
}

bool RunsPanel::writeRunsList(const std::vector<std::string>& runs, QString* error)
{
    // The list is a fact about the folders on disk, not an edit to undo: it goes
    // into the file at once (atomically, under the project's lock) and into the
    // open document. Runs a qnnw command listed since the document last saw the
    // file stay listed.
    const std::vector<std::string> known = m_document->project().runs;
    std::vector<std::string> written = runs;
    std::string e;
    const bool ok = qnn::updateProjectFile(
        m_document->fileName().toStdString(),
        [&](qnn::Project& p) {
            for (const std::string& r : p.runs)
                if (std::find(known.begin(), known.end(), r) == known.end() &&
                    std::find(written.begin(), written.end(), r) == written.end())
                    written.push_back(r);
            p.runs = written;
            return true;
        },
        e);
    if (!ok) {
        if (error)
            *error = QString::fromStdString(e);
        return false;
    }
    m_document->setRunsRaw(written);
    return true;
}

bool RunsPanel::deleteSelected(bool confirm, QString* error)
{
    const auto sel = selectedRuns();
    if (sel.empty())
        return false;
    for (const auto& r : sel)
        if (isSweepRun(r.name)) {
            if (error)
                *error = tr("%1 is a sweep's run: the sweep keeps its points' folders.")
                             .arg(QString::fromStdString(r.name));
            return false;
        }
    QStringList names;
    for (const auto& r : sel)
        names << QString::fromStdString(r.name);
    if (confirm &&
        QMessageBox::question(this, tr("Delete runs"),
                              tr("Delete %n run(s) and their folders (metrics, checkpoints, weights)?\n%1", nullptr,
                                 names.size())
                                  .arg(names.join("\n")),
                              QMessageBox::Yes | QMessageBox::Cancel) != QMessageBox::Yes)
        return false;
    const std::string runsDir = qnn::runsDirOf(m_document->fileName().toStdString());
    std::vector<std::string> list = m_document->project().runs;
    bool ok = true;
    for (const auto& r : sel) {
        std::string e;
        if (!qnn::removeRunDir(runsDir, r.name, e)) {
            ok = false;
            if (error)
                *error = QString::fromStdString(e);
            continue;
        }
        list.erase(std::remove(list.begin(), list.end(), r.name), list.end());
    }
    if (list != m_document->project().runs && !writeRunsList(list, error))
        ok = false;
    refresh();
    return ok;
}

bool RunsPanel::renameRun(const QString& from, const QString& to, QString* error)
{
    std::string e;
    const std::string runsDir = qnn::runsDirOf(m_document->fileName().toStdString());
    if (!qnn::renameRunDir(runsDir, from.toStdString(), to.toStdString(), e)) {
        if (error)
            *error = QString::fromStdString(e);
        return false;
    }
    std::vector<std::string> list = m_document->project().runs;
    std::replace(list.begin(), list.end(), from.toStdString(), to.toStdString());
    const bool ok = list == m_document->project().runs || writeRunsList(list, error);
    refresh();
    selectRun(to);
    return ok;
}

int RunsPanel::addUnlisted(QString* error)
{
    std::vector<std::string> list = m_document->project().runs;
    int added = 0;
    for (const qnn::RunInfo& r : m_runs)
        if (!r.listed && r.readable && !isSweepRun(r.name)) {
            list.push_back(r.name);
            ++added;
        }
    if (added > 0 && !writeRunsList(list, error))
        return -1;
    refresh();
    return added;
}

void RunsPanel::contextMenu(const QPoint& pos)
{
    QMenu menu(this);
    for (QPushButton* b : {m_resume, m_compare, m_rename, m_delete})
        if (b->isEnabled())
            menu.addAction(b->text(), b, &QPushButton::click);
    if (!menu.isEmpty())
        menu.exec(m_table->viewport()->mapToGlobal(pos));
}
