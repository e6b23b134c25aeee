#pragma once

#include "core/sweep/sweep_status.h"

#include <QWidget>

class ChildProcess;
class ParetoView;
class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;

/** One sweep, live: a row per point (queued, running with its epoch,
 *  completed with accuracy and hardware estimate, failed with its reason),
 *  Cancel and Resubmit (run as `qnnw sweep cancel|resubmit` child
 *  processes), and the Pareto view of its completed runs against LUT, BRAM
 *  and FPS with the device's capacity and the target FPS. The sweep folder
 *  is the source of truth: the table re-reads it on a timer, whatever runs
 *  the points (this window's queue, a terminal, Slurm). */
class SweepTable : public QWidget
{
    Q_OBJECT
public:
    explicit SweepTable(QWidget* parent = nullptr);
    ~SweepTable() override;

    /** Shows the sweep in `dir`; false with a sentence when it is none. */
    bool setSweep(const QString& dir, QString* error = nullptr);
    QString sweepDir() const;
    /** Re-reads the folder now (the timer does it every `intervalMs`). */
    void refresh();
    void setPollInterval(int intervalMs);

    QTableWidget* table() const { return m_table; }
    ParetoView* pareto() const { return m_pareto; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* resubmitButton() const { return m_resubmit; }
    const std::vector<qnn::PointStatus>& status() const { return m_status; }

    /** Why the last Cancel or Resubmit failed, as shown beside the buttons; empty when it did not. */
    QString problem() const;

Q_SIGNALS:
    /** Another sweep is shown (its folder). */
    void sweepChanged(const QString& sweepDir);
    /** A point's state, epoch or run changed since the last re-read. */
    void pointsChanged();
    /** A point's run folder, when a click selects its row or its Pareto point. */
    void runSelected(const QString& runDir);
    /** A point's run folder, from a double click on its row. */
    void runOpened(const QString& runDir);
    /** A point's project file ("Open as project"). */
    void projectOpened(const QString& projectPath);

private:
    void runQnnw(const QStringList& args);
    int selectedIndex() const;
    /** The run of the point in `row`; empty when it has none yet. */
    QString runOf(int row) const;

    qnn::SweepFolder m_sweep;
    bool m_hasSweep = false;
    std::vector<qnn::PointStatus> m_status;
    QLabel* m_title;
    QTableWidget* m_table;
    ParetoView* m_pareto;
    QPushButton* m_cancel;
    QPushButton* m_resubmit;
    QPushButton* m_openProject;
    QTimer* m_timer;
    /** Resubmit (the local queue runs in it) and Cancel: qnnw children on the one protocol. */
    ChildProcess* m_process;
    ChildProcess* m_canceller;
    QLabel* m_problem;
    /** Every point's state, epoch and run at the last re-read. */
    QString m_signature;
    /** Set while refresh() rebuilds the rows, whose selection is not a click. */
    bool m_refreshing = false;
};
