#pragma once

#include "widgets/training/training_controller.h"

#include <QObject>

#include <functional>

class GraphDocument;
class QAction;
class QDockWidget;
class QMainWindow;
class QTabWidget;
class ConfusionView;
class ParetoView;
class RunComparisonView;
class RunFollower;
class RunsPanel;
class SweepTable;
class ChildProcess;
class TrainingController;
class TrainingDashboard;
class TrainingSettingsForm;

/** Everything training adds to the main window: the Training, Runs and
 *  Analysis (Compare, Pareto, Confusion) docks, the Training menu (Train F5, Train FP32 twin, Repeat with N
 *  seeds, Stop) and the controller behind them. Owned by the window. */
class TrainingWorkbench : public QObject
{
    Q_OBJECT
public:
    TrainingWorkbench(QMainWindow* window, GraphDocument* document, std::function<bool()> ensureSaved);

    TrainingController* controller() const { return m_controller; }
    TrainingDashboard* dashboard() const { return m_dashboard; }
    RunsPanel* runsPanel() const { return m_runs; }
    RunComparisonView* comparison() const { return m_compare; }
    ParetoView* pareto() const { return m_pareto; }
    ConfusionView* confusion() const { return m_confusion; }
    TrainingSettingsForm* settings() const { return m_settings; }
    QTabWidget* analysisTabs() const { return m_tabs; }
    RunFollower* follower() const { return m_follower; }
    QAction* trainAction() const { return m_train; }
    QAction* twinAction() const { return m_twin; }
    QAction* seedsAction() const { return m_seeds; }
    QAction* stopAction() const { return m_stop; }
    SweepTable* sweepTable() const { return m_sweep; }
    QAction* newSweepAction() const { return m_newSweep; }
    /** Starts `qnnw sweep ARGS` (from the New Sweep dialog) and shows the sweep once its folder is known. */
    void startSweep(const QStringList& arguments);

private:
    /** Queues a job; while a run trains, first asks whether to queue it
     *  after that run or to stop that run and start this one. */
    void run(const std::function<bool(QString*, TrainingController::Place)>& job);
    void showMessage(const QString& text);
    /** Stops this window's runs, or else the run it follows. */
    void stop();

    QMainWindow* m_window;
    GraphDocument* m_document;
    TrainingController* m_controller;
    TrainingDashboard* m_dashboard;
    RunsPanel* m_runs;
    RunComparisonView* m_compare;
    ParetoView* m_pareto;
    ConfusionView* m_confusion;
    TrainingSettingsForm* m_settings;
    QTabWidget* m_tabs;
    RunFollower* m_follower;
    QDockWidget* m_trainingDock;
    QDockWidget* m_analysisDock;
    QAction* m_train;
    QAction* m_twin;
    QAction* m_seeds;
    QAction* m_stop;
    QAction* m_newSweep;
    SweepTable* m_sweep;
    QDockWidget* m_sweepDock;
    ChildProcess* m_sweepProcess;
    std::function<bool()> m_ensureSaved;
};

/** The one call the main window makes (main_window.cpp is shared). */
TrainingWorkbench* installTrainingDocks(QMainWindow* window, GraphDocument* document,
                                        std::function<bool()> ensureSaved);
