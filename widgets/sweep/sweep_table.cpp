#include "widgets/sweep/sweep_table.h"

#include "core/run/run_info.h"
#include "core/sweep/slurm_backend.h"
#include "widgets/training/pareto_view.h"
#include "widgets/process/child_process.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace {

QString number(double v, int decimals)
{
    return v < 0 ? QStringLiteral("-") : QString::number(v, 'f', decimals);
}

double hw(const nlohmann::json& h, const char* key)
{
    return h.is_object() && h.value("ok", false) && h.contains(key) && h[key].is_number() ? h[key].get<double>()
                                                                                         : -1.0;
}

QColor stateColour(const std::string& s)
{
    if (s == "completed")
        return QColor("#2ca02c");
    if (s == "running")
        return QColor("#1f77b4");
    if (s == "failed" || s == "diverged" || s == "invalid")
        return QColor("#d62728");
    if (s == "stopped")
        return QColor("#ff7f0e");
    return QColor("#7f7f7f");
}

} // namespace

SweepTable::SweepTable(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(tr("No sweep open"), this))
    , m_table(new QTableWidget(this))
    , m_pareto(new ParetoView(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_resubmit(new QPushButton(tr("Resubmit"), this))
    , m_openProject(new QPushButton(tr("Open as project"), this))
    , m_timer(new QTimer(this))
    , m_process(new ChildProcess(this))
    , m_canceller(new ChildProcess(this))
    , m_problem(new QLabel(this))
{
    setObjectName("SweepTable");
    m_cancel->setToolTip(tr("Stop every point that waits or runs (scancel on Slurm); they resume on a resubmit"));
    m_resubmit->setToolTip(tr("Run the points that are missing, failed or cancelled again"));
    m_openProject->setToolTip(tr("Open the selected point's graph as a project to edit"));
    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    m_problem->setObjectName("sweepProblem");
    m_problem->setStyleSheet("color: #b00020");
    m_problem->hide();
    top->addWidget(m_problem);
    top->addWidget(m_openProject);
    top->addWidget(m_resubmit);
    top->addWidget(m_cancel);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_pareto);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    m_pareto->setAxis(0);
    for (QPushButton* b : {m_cancel, m_resubmit, m_openProject})
        b->setEnabled(false);

    connect(m_timer, &QTimer::timeout, this, &SweepTable::refresh);
    m_timer->setInterval(1000);
    connect(m_cancel, &QPushButton::clicked, this,
            [this] { runQnnw({"sweep", "cancel", QString::fromStdString(m_sweep.dir()), "--json"}); });
    connect(m_resubmit, &QPushButton::clicked, this,
            [this] { runQnnw({"sweep", "resubmit", QString::fromStdString(m_sweep.dir()), "--json"}); });
    connect(m_openProject, &QPushButton::clicked, this, [this] {
        const int i = selectedIndex();
        if (i >= 0 && m_status[size_t(i)].point->valid)
            Q_EMIT projectOpened(QString::fromStdString(m_sweep.pointProjectPath(*m_status[size_t(i)].point)));
    });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const int i = selectedIndex();
        m_openProject->setEnabled(i >= 0 && m_status[size_t(i)].point->valid);
        if (!m_refreshing && !runOf(i).isEmpty())
            Q_EMIT runSelected(runOf(i));
    });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        if (!runOf(row).isEmpty())
            Q_EMIT runOpened(runOf(row));
    });
    connect(m_pareto, &ParetoView::runClicked, this, [this](const QString& name) {
        for (int i = 0; i < int(m_status.size()); ++i)
            if (!runOf(i).isEmpty() && QFileInfo(runOf(i)).fileName() == name) {
                const bool already = selectedIndex() == i;
                m_table->selectRow(i);
                if (already) // no selection change, so say it here
                    Q_EMIT runSelected(runOf(i));
                return;
            }
    });
    for (ChildProcess* child : {m_process, m_canceller}) {
        connect(child, &ChildProcess::finished, this, &SweepTable::refresh);
        // A sweep command that fails says why beside the buttons (a cancel of an
        // ended sweep, a resubmit qnnw refused), until the next command starts.
        connect(child, &ChildProcess::failed, this, [this](const QString& message) {
            m_problem->setText(message);
            m_problem->setToolTip(message);
            m_problem->show();
        });
    }
}

SweepTable::~SweepTable()
{
    // A resubmit on the local backend runs the queue in this child: stop it
    // resumably rather than leave it orphaned.
    m_process->stop(10000);
}

bool SweepTable::setSweep(const QString& dir, QString* error)
{
    std::string e;
    qnn::SweepFolder f;
    if (!qnn::SweepFolder::open(dir.toStdString(), f, e)) {
        if (error)
            *error = QString::fromStdString(e);
        return false;
    }
    m_sweep = f;
    m_hasSweep = true;
    QStringList header{tr("point")};
    for (const qnn::SweepAxis& a : m_sweep.spec().axes)
        header << QString::fromStdString(a.key);
    header << tr("seed") << tr("state") << tr("epoch") << tr("test acc %") << tr("LUT") << tr("BRAM36") << tr("DSP")
           << tr("FPS") << tr("fits") << tr("reason");
    m_table->clear();
    m_table->setColumnCount(header.size());
    m_table->setHorizontalHeaderLabels(header);
    m_table->horizontalHeader()->setStretchLastSection(true);
    for (QPushButton* b : {m_cancel, m_resubmit})
        b->setEnabled(true);
    m_signature.clear();
    refresh();
    m_timer->start();
    Q_EMIT sweepChanged(QString::fromStdString(m_sweep.dir()));
    return true;
}

QString SweepTable::runOf(int row) const
{
    return row >= 0 && size_t(row) < m_status.size() ? QString::fromStdString(m_status[size_t(row)].run) : QString();
}

QString SweepTable::sweepDir() const
{
    return m_hasSweep ? QString::fromStdString(m_sweep.dir()) : QString();
}

void SweepTable::setPollInterval(int intervalMs)
{
    m_timer->setInterval(intervalMs);
}

void SweepTable::refresh()
{
    if (!m_hasSweep)
        return;
    std::map<int, qnn::TaskState> tasks;
    if (m_sweep.readBackend().value("backend", std::string()) == "slurm") {
        std::string ignored;
        qnn::querySlurm(m_sweep, tasks, ignored);
    }
    const int selected = selectedIndex();
    m_refreshing = true;
    m_status = qnn::collectSweepStatus(m_sweep, tasks);
    m_table->setRowCount(int(m_status.size()));
    QString signature;
    QStringList counts;
    for (const auto& [state, n] : qnn::countStates(m_status))
        counts << QString("%1 %2").arg(n).arg(QString::fromStdString(state));
    m_title->setText(tr("Sweep %1: %2").arg(QString::fromStdString(m_sweep.name()), counts.join(", ")));
    QMap<QString, ParetoView::Hardware> hardware;
    ParetoView::Hardware capacity;
    std::vector<qnn::RunInfo> runs;
    for (size_t r = 0; r < m_status.size(); ++r) {
        const qnn::PointStatus& s = m_status[r];
        signature += QString("%1 %2 %3\n").arg(QString::fromStdString(s.state)).arg(s.epoch).arg(QString::fromStdString(s.run));
        QStringList cells{QString::fromStdString(s.point->id)};
        for (const auto& kv : s.point->values)
            cells << QString::fromStdString(kv.second);
        QString state = QString::fromStdString(s.state);
        cells << QString::number(s.point->seed) << state
              << (s.epochs > 0 ? QString("%1/%2").arg(s.epoch).arg(s.epochs) : QString("-"))
              << number(s.testAccuracy >= 0 ? 100 * s.testAccuracy : -1, 2) << number(hw(s.hardware, "lut"), 0)
              << number(hw(s.hardware, "bram36"), 1) << number(hw(s.hardware, "dsp"), 0)
              << number(hw(s.hardware, "fps"), 0)
              << (hw(s.hardware, "lut") < 0 ? QString("-")
                                            : s.hardware.value("fits", false) ? tr("yes") : tr("no"))
              << QString::fromStdString(s.reason);
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c == int(s.point->values.size()) + 2)
                item->setForeground(stateColour(s.state));
            if (c == cells.size() - 1)
                item->setToolTip(cells[c]);
            m_table->setItem(int(r), c, item);
        }
        if (s.state == "completed" && !s.run.empty()) {
            qnn::RunInfo info = qnn::readRunInfo(s.run);
            if (info.readable) {
                const QString name = QString::fromStdString(info.name);
                hardware[name] = {hw(s.hardware, "lut"), hw(s.hardware, "bram36"), hw(s.hardware, "fps")};
                runs.push_back(std::move(info));
            }
        }
        if (s.hardware.is_object() && s.hardware.contains("capacity")) {
            capacity.lut = s.hardware["capacity"].value("lut", -1.0);
            capacity.bram36 = s.hardware["capacity"].value("bram36", -1.0);
        }
    }
    m_table->resizeColumnsToContents();
    if (selected >= 0 && selected < m_table->rowCount())
        m_table->selectRow(selected);
    m_refreshing = false;
    m_pareto->setRuns(runs);
    m_pareto->setHardware(hardware, capacity, m_sweep.spec().targetFps);
    if (qnn::sweepEnded(m_status) && !m_process->isRunning())
        m_cancel->setEnabled(false);
    else
        m_cancel->setEnabled(true);
    if (signature != m_signature) {
        m_signature = signature;
        Q_EMIT pointsChanged();
    }
}

void SweepTable::runQnnw(const QStringList& args)
{
    m_problem->hide();
    if (args.value(1) == "cancel") {
        // The local queue runs in our own child: stop it directly, and let
        // `sweep cancel` mark the points (and scancel on Slurm).
        m_process->interrupt();
        m_canceller->start(args);
        return;
    }
    m_process->start(args); // a resubmit while one runs is ignored
}

int SweepTable::selectedIndex() const
{
    const auto rows = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList{};
    return rows.isEmpty() ? -1 : rows.first().row();
}

QString SweepTable::problem() const { return m_problem->isHidden() ? QString() : m_problem->text(); }
