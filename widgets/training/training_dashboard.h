#pragma once

#include "core/run/run_info.h"
#include "widgets/training/run_launcher.h"

#include <QWidget>

#include <vector>

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

/** The Training dock: live loss and accuracy per epoch (training and
 *  validation), a smoothed per-batch training loss, the learning rate, the
 *  best epoch marked, a progress line (epoch, batch, images/s, ETA) and Stop.
 *  Redraws are batched: at most four a second, whatever the event rate.
 *  With no run going it shows the runs selected in the Runs dock overlaid
 *  (a seed group as its mean with a ±1 std band). */
class TrainingDashboard : public QWidget
{
    Q_OBJECT
public:
    explicit TrainingDashboard(QWidget* parent = nullptr);

    QCustomPlot* plot() const { return m_plot; }
    QCustomPlot* lrPlot() const { return m_lrPlot; }
    /** The live run's curves (empty graphs when showing finished runs). */
    QCPGraph* trainLossGraph() const { return m_trainLoss; }
    QCPGraph* valLossGraph() const { return m_valLoss; }
    QCPGraph* trainAccuracyGraph() const { return m_trainAcc; }
    QCPGraph* valAccuracyGraph() const { return m_valAcc; }
    QCPGraph* batchLossGraph() const { return m_batchLoss; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* progressLabel() const { return m_progressLabel; }
    QPushButton* stopButton() const { return m_stop; }
    /** The epoch marked as best (0: none). */
    int markedBestEpoch() const { return m_bestEpoch; }
    /** How many times the plots were redrawn (the batching is measurable). */
    int redrawCount() const { return m_redraws; }
    /** The name of the run on the curves ("" when overlaying). */
    QString liveRunName() const { return m_live.name; }

    // Live run, in the order the launcher reports it.
    void startRun(const RunStartEvent& event, const std::vector<qnn::RunEpoch>& earlier = {});
    void addBatch(const RunBatchEvent& event);
    void addEpoch(const qnn::RunEpoch& epoch);
    /** The run `name` ended with `status` (completed, stopped, diverged, failed). */
    void finishRun(const QString& name, const QString& status, const QString& message = {});
    /** A queued job (`job`: "run", "FP32 twin") was refused before it had a
     *  run folder: says so without naming any earlier run. */
    void showRefused(const QString& job, const QString& message);
    /** A run training in a process this window did not start, as its folder
     *  says now: its epochs so far, where it is, and Stop. */
    void showFollowed(const qnn::RunInfo& run);
    /** The sentence under the progress bar (how the last run ended). */
    QString statusText() const;

    /** Overlays finished runs: validation accuracy and loss in each run's colour;
     *  runs of one seed group as a mean with a ±1 std band. */
    void showRuns(const std::vector<qnn::RunInfo>& runs);

    /** Redraws now if anything changed (the timer does this on its own). */
    void flush();

Q_SIGNALS:
    void stopRequested();

private:
    void clearPlots();
    void setStatus(const QString& text);
    void setProgressText(const QString& text);
    void showLine();
    void markBest(int epoch, double valAccuracy);
    void scheduleRedraw();
    void setupAxes();

    QCustomPlot* m_plot;
    QCustomPlot* m_lrPlot;
    QCPGraph* m_trainLoss = nullptr;
    QCPGraph* m_valLoss = nullptr;
    QCPGraph* m_trainAcc = nullptr;
    QCPGraph* m_valAcc = nullptr;
    QCPGraph* m_batchLoss = nullptr;
    QCPGraph* m_lr = nullptr;
    QCPItemStraightLine* m_bestLine = nullptr;
    QCPItemText* m_bestText = nullptr;
    QProgressBar* m_progress;
    QLabel* m_progressLabel;
    QLabel* m_status;
    QPushButton* m_stop;
    QPushButton* m_export;
    QTimer* m_redrawTimer;
    bool m_dirty = false;
    int m_redraws = 0;
    int m_bestEpoch = 0;
    double m_bestValAccuracy = -1;
    double m_smoothedLoss = -1;
    RunStartEvent m_live;
    QString m_progressText;
    std::string m_followed;
    size_t m_followedEpochs = 0;
};
