#include "widgets/training/training_workbench.h"

#include "core/run/run_info.h"
#include "widgets/data/dataset_download_dialog.h"
#include "widgets/editor/graph_document.h"
#include "widgets/process/child_process.h"
#include "widgets/training/confusion_view.h"
#include "widgets/training/pareto_view.h"
#include "widgets/training/run_comparison_view.h"
#include "widgets/training/run_follower.h"
#include "widgets/training/runs_panel.h"
#include "widgets/training/training_controller.h"
#include "widgets/training/training_dashboard.h"
#include "widgets/training/training_settings_form.h"
#include "widgets/sweep/new_sweep_dialog.h"
#include "widgets/sweep/sweep_table.h"
#include "widgets/training/run_launcher.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QInputDialog>
#include <QMainWindow>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTabWidget>

#include <memory>
#include <utility>

TrainingWorkbench* installTrainingDocks(QMainWindow* window, GraphDocument* document,
                                        std::function<bool()> ensureSaved)
{
    return new TrainingWorkbench(window, document, std::move(ensureSaved));
}

TrainingWorkbench::TrainingWorkbench(QMainWindow* window, GraphDocument* document, std::function<bool()> ensureSaved)
    : QObject(window)
    , m_window(window)
    , m_document(document)
    , m_controller(new TrainingController(document, this))
    , m_dashboard(new TrainingDashboard)
    , m_runs(nullptr)
    , m_compare(new RunComparisonView)
    , m_pareto(new ParetoView)
    , m_confusion(new ConfusionView)
    , m_settings(new TrainingSettingsForm(document))
    , m_tabs(new QTabWidget)
    , m_follower(new RunFollower(document, m_controller, this))
{
    setObjectName("TrainingWorkbench");
    m_ensureSaved = ensureSaved;
    m_document = document;
    m_controller->setEnsureSaved(std::move(ensureSaved));
    m_runs = new RunsPanel(document, m_controller);

    m_trainingDock = new QDockWidget(tr("Training"), window);
    m_trainingDock->setObjectName("training");
    m_trainingDock->setWidget(m_dashboard);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_trainingDock);
    auto* runsDock = new QDockWidget(tr("Runs"), window);
    runsDock->setObjectName("runs");
    runsDock->setWidget(m_runs);
    window->addDockWidget(Qt::BottomDockWidgetArea, runsDock);
    m_tabs->addTab(m_compare, tr("Compare"));
    m_tabs->addTab(m_pareto, tr("Pareto"));
    m_tabs->addTab(m_confusion, tr("Confusion matrix"));
    m_analysisDock = new QDockWidget(tr("Analysis"), window);
    m_analysisDock->setObjectName("analysis");
    m_analysisDock->setWidget(m_tabs);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_analysisDock);
    // Tabs beside the Issues list rather than more columns in the bottom area,
    // which would squeeze every bottom dock to a sliver.
    if (auto* issues = window->findChild<QDockWidget*>("issues")) {
        window->tabifyDockWidget(issues, m_trainingDock);
        window->tabifyDockWidget(issues, runsDock);
        window->tabifyDockWidget(issues, m_analysisDock);
        issues->raise();
    } else {
        window->tabifyDockWidget(m_trainingDock, runsDock);
        window->tabifyDockWidget(m_trainingDock, m_analysisDock);
        m_trainingDock->raise();
    }

    auto* settingsDock = new QDockWidget(tr("Training settings"), window);
    settingsDock->setObjectName("trainingSettings");
    settingsDock->setWidget(m_settings);
    window->addDockWidget(Qt::RightDockWidgetArea, settingsDock);
    if (auto* inspector = window->findChild<QDockWidget*>("inspector")) {
        window->tabifyDockWidget(inspector, settingsDock);
        inspector->raise();
    }

    QMenu* menu = window->menuBar()->addMenu(tr("&Training"));
    m_train = menu->addAction(tr("&Train"), this, [this] {
        run([this](QString* e, TrainingController::Place p) { return m_controller->train(e, p); });
    });
    m_train->setShortcut(QKeySequence(Qt::Key_F5));
    m_train->setStatusTip(tr("Train the project as saved in a qnnw process; the editor stays usable"));
    m_twin = menu->addAction(tr("Train FP32 &twin"), this, [this] {
        run([this](QString* e, TrainingController::Place p) { return m_controller->trainFp32Twin(e, p); });
    });
    m_twin->setStatusTip(tr("Train the same graph and settings with every bit-width at 32, to compare against"));
    m_seeds = menu->addAction(tr("Repeat with N &seeds…"), this, [this] {
        bool ok = false;
        const int n = QInputDialog::getInt(m_window, tr("Repeat with seeds"),
                                           tr("Runs (seeds s, s+1, …):"), 3, 2, 100, 1, &ok);
        if (ok)
            run([this, n](QString* e, TrainingController::Place p) { return m_controller->repeatWithSeeds(n, e, p); });
    });
    // Sweeps (issue 21): a grid of runs on this machine's queue or on Slurm.
    m_sweep = new SweepTable;
    m_sweepDock = new QDockWidget(tr("Sweep"), window);
    m_sweepDock->setObjectName("sweep");
    m_sweepDock->setWidget(m_sweep);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_sweepDock);
    window->tabifyDockWidget(m_analysisDock, m_sweepDock);
    m_analysisDock->raise();
    m_sweepProcess = new ChildProcess(this);
    m_newSweep = menu->addAction(tr("New S&weep…"), this, [this] {
        if (m_ensureSaved && !m_ensureSaved())
            return;
        NewSweepDialog dialog(m_document, m_window);
        if (dialog.exec() == QDialog::Accepted && dialog.startRequested())
            startSweep(dialog.arguments());
    });
    m_newSweep->setStatusTip(tr("Train a grid of precisions, layer sizes and settings; see accuracy against LUTs and FPS"));
    menu->addAction(tr("Open Sweep…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(m_window, tr("Open a sweep folder"));
        QString error;
        if (!dir.isEmpty() && !m_sweep->setSweep(dir, &error))
            showMessage(error);
        else if (!dir.isEmpty())
            m_sweepDock->raise();
    });
    // A sweep's runs are listed in the Runs dock; a click on a point (its row
    // or its Pareto marker) selects its run there, and the Training curves,
    // the confusion matrix and Compare follow as for any run.
    connect(m_sweep, &SweepTable::sweepChanged, m_runs, &RunsPanel::setSweep);
    connect(m_sweep, &SweepTable::pointsChanged, m_runs, &RunsPanel::refresh);
    auto selectSweepRun = [this](const QString& runDir) {
        if (!m_runs->selectRunDir(runDir)) {
            m_runs->refresh(); // a run that started since the last re-read
            if (!m_runs->selectRunDir(runDir)) {
                showMessage(tr("Run folder: %1").arg(runDir));
                return false;
            }
        }
        const auto selected = m_runs->selectedRuns();
        if (!selected.empty())
            showMessage(tr("Run %1 selected in the Runs dock").arg(QString::fromStdString(selected.front().name)));
        return true;
    };
    connect(m_sweep, &SweepTable::runSelected, this, selectSweepRun);
    connect(m_sweep, &SweepTable::runOpened, this, [this, selectSweepRun](const QString& runDir) {
        if (selectSweepRun(runDir)) {
            m_trainingDock->show();
            m_trainingDock->raise();
        }
    });
    // The sweep's first step names its folder: the table follows it from there.
    auto follow = [this](const QJsonObject& o) {
        const QString dir = o["sweep"].toString();
        if (dir.isEmpty() || m_sweep->sweepDir() == dir)
            return;
        m_sweep->setSweep(dir);
        m_sweepDock->show();
        m_sweepDock->raise();
    };
    connect(m_sweepProcess, &ChildProcess::step, this, follow);
    connect(m_sweepProcess, &ChildProcess::progress, this, follow);
    connect(m_sweepProcess, &ChildProcess::failed, this, [this](const QString& message) { showMessage(message); });
    connect(m_sweepProcess, &ChildProcess::finished, this, [this] { m_sweep->refresh(); });
    menu->addSeparator();
    m_stop = menu->addAction(tr("S&top"), this, &TrainingWorkbench::stop);
    m_stop->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_stop->setEnabled(false);
    menu->addSeparator();
    menu->addAction(m_trainingDock->toggleViewAction());
    menu->addAction(settingsDock->toggleViewAction());
    menu->addAction(runsDock->toggleViewAction());
    menu->addAction(m_analysisDock->toggleViewAction());
    menu->addAction(m_sweepDock->toggleViewAction());

    connect(m_dashboard, &TrainingDashboard::stopRequested, this, &TrainingWorkbench::stop);
    connect(m_controller, &TrainingController::stateChanged, this,
            [this] { m_stop->setEnabled(m_controller->isBusy() || !m_follower->runName().isEmpty()); });
    // A run left to finish in the background by a closed window (or started
    // from a terminal) is followed from its folder.
    auto seen = std::make_shared<std::pair<std::string, int>>("", -1);
    connect(m_follower, &RunFollower::progressed, this, [this, seen](const qnn::RunInfo& run) {
        if (m_controller->currentRun())
            return;
        m_dashboard->showFollowed(run);
        m_stop->setEnabled(true);
        // The Runs dock re-reads when an epoch ends, not every second.
        if (seen->first != run.name || seen->second != run.epochsDone) {
            *seen = {run.name, run.epochsDone};
            m_runs->refresh();
        }
    });
    connect(m_follower, &RunFollower::ended, this, [this](const QString& name, const QString& status) {
        m_dashboard->finishRun(name, status);
        m_stop->setEnabled(m_controller->isBusy());
        m_runs->refresh();
    });
    connect(m_controller, &TrainingController::runStarted, this, [this](const RunStartEvent& e) {
        std::vector<qnn::RunEpoch> earlier;
        if (e.resumed && e.epochsDone > 0)
            earlier = qnn::readRunInfo(e.runDir.toStdString()).history;
        m_dashboard->startRun(e, earlier);
        m_trainingDock->raise();
        showMessage(tr("Training %1").arg(e.name));
    });
    connect(m_controller, &TrainingController::batch, m_dashboard, &TrainingDashboard::addBatch);
    connect(m_controller, &TrainingController::epoch, m_dashboard, &TrainingDashboard::addEpoch);
    connect(m_controller, &TrainingController::runFinished, this,
            [this](const QString& name, const QString& status, const QJsonObject& summary) {
                m_dashboard->finishRun(name, status, summary.value("error").toString());
                showMessage(tr("Run %1: %2").arg(name, status));
            });
    connect(m_controller, &TrainingController::runFailed, this,
            [this](const QString& run, const QString& job, const QString& message) {
                if (run.isEmpty())
                    m_dashboard->showRefused(job, message);
                else
                    m_dashboard->finishRun(run, QStringLiteral("failed"), message);
                showMessage(message);
            });
    connect(m_runs, &RunsPanel::selectionChanged, this, [this](const std::vector<qnn::RunInfo>& runs) {
        // A live run keeps the curves; otherwise the selection is overlaid.
        if (!m_controller->currentRun() && !runs.empty())
            m_dashboard->showRuns(runs);
        if (!runs.empty())
            m_confusion->setRun(runs.front());
        // Compare follows too: the selected run (against its twin or the best), or the two selected.
        if (runs.size() == 1)
            m_compare->compare(QString::fromStdString(runs[0].name));
        else if (runs.size() == 2)
            m_compare->compare(QString::fromStdString(runs[0].name), QString::fromStdString(runs[1].name));
    });
    connect(m_runs, &RunsPanel::runsReloaded, this, [this] {
        m_compare->setRuns(m_runs->runs());
        m_pareto->setRuns(m_runs->runs());
    });
    connect(m_pareto, &ParetoView::runClicked, m_runs, &RunsPanel::selectRun);
    connect(m_runs, &RunsPanel::compareRequested, this, [this](const QString& a, const QString& b) {
        m_compare->compare(a, b);
        m_tabs->setCurrentWidget(m_compare);
        m_analysisDock->raise();
    });
    m_compare->setRuns(m_runs->runs());
    m_pareto->setRuns(m_runs->runs());
}

void TrainingWorkbench::run(const std::function<bool(QString*, TrainingController::Place)>& job)
{
    // A run that needs a dataset this machine lacks offers the download first, and starts when it ends.
    if (!DatasetDownloadDialog::offerIfMissing(m_window, m_document->project().dataset, m_document->fileName()))
        return;
    m_settings->checkDataset();
    TrainingController::Place place = TrainingController::Place::Last;
    bool stopFirst = false;
    if (m_controller->isTraining()) {
        const RunStartEvent* current = m_controller->currentRun();
        QMessageBox box(QMessageBox::Question, tr("Train"),
                        tr("%1 is training. Queue the new run after it, or stop it and start the new run?")
                            .arg(current ? current->name : tr("A run")),
                        QMessageBox::NoButton, m_window);
        box.setInformativeText(tr("A stopped run keeps its checkpoint: Resume in the Runs dock continues it."));
        QPushButton* queue = box.addButton(tr("Queue after it"), QMessageBox::AcceptRole);
        QPushButton* stop = box.addButton(tr("Stop it and start"), QMessageBox::DestructiveRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(queue);
        box.setObjectName("trainWhileBusy");
        box.exec();
        if (box.clickedButton() == stop) {
            place = TrainingController::Place::First;
            stopFirst = true;
        } else if (box.clickedButton() != queue) {
            return;
        }
    }
    QString error;
    if (!job(&error, place)) {
        if (!error.isEmpty())
            QMessageBox::warning(m_window, tr("Train"), error);
        return;
    }
    if (stopFirst)
        m_controller->stopRunning();
    else if (m_controller->isTraining())
        showMessage(tr("Queued: it starts when the running run ends (Runs dock)"));
}

void TrainingWorkbench::stop()
{
    if (m_controller->isBusy()) {
        m_controller->stop();
        return;
    }
    QString error;
    if (!m_follower->stop(&error))
        QMessageBox::warning(m_window, tr("Stop"), error);
    else
        showMessage(tr("Stopping %1 after its current batch").arg(m_follower->runName()));
}

void TrainingWorkbench::showMessage(const QString& text)
{
    if (m_window->statusBar())
        m_window->statusBar()->showMessage(text, 8000);
}

void TrainingWorkbench::startSweep(const QStringList& arguments)
{
    if (m_sweepProcess->isRunning()) {
        showMessage(tr("A sweep is still being submitted or run from this window; cancel it first"));
        return;
    }
    m_sweepProcess->start(arguments);
}
