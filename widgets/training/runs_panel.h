#pragma once

#include "core/run/run_info.h"

#include <QWidget>

#include <vector>

class GraphDocument;
class QLabel;
class QPushButton;
class QTableWidget;
class TrainingController;

/** The Runs dock: every run of the project (name, start time, precision,
 *  status with its reason, best validation and test accuracy, images/s), each
 *  in its own colour. Above it, while jobs wait, the queue: each job with the
 *  settings it will train with, to cancel or move up and down. Several selected runs are overlaid
 *  on the Training dock. Resume, Compare, Rename, Delete (the folder too,
 *  after asking) and Add for run folders found beside the project that its
 *  list lacks. Reads the run folders, never writes what qnnw could not read. */
class RunsPanel : public QWidget
{
    Q_OBJECT
public:
    RunsPanel(GraphDocument* document, TrainingController* controller, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    /** The waiting jobs, one row each, in the order they start (hidden when none wait). */
    QTableWidget* queueTable() const { return m_queueTable; }
    /** Acts on the job selected in the queue table. */
    bool cancelSelectedJob();
    bool moveSelectedJob(int delta);
    /** Found-but-unlisted runs and seed groups' mean ± std, one sentence a line. */
    QString note() const;
    const std::vector<qnn::RunInfo>& runs() const { return m_runs; }
    /** The selected runs, in list order. */
    std::vector<qnn::RunInfo> selectedRuns() const;
    void selectRun(const QString& name);
    /** Selects the run whose folder is `dir` (a sweep point's run); false when none is listed. */
    bool selectRunDir(const QString& dir);

    /** Lists the runs of the sweep in `sweepDir` (the Sweep dock's) below
     *  the project's, one per point that has a run, named "SWEEP/pNNN";
     *  empty = none. They are read-only here: no Resume, Rename or Delete
     *  (the sweep's Resubmit does that). */
    void setSweep(const QString& sweepDir);
    QString sweepDir() const { return m_sweepDir; }
    /** Whether `name` is one of the sweep's runs rather than the project's. */
    bool isSweepRun(const std::string& name) const;

    /** Re-reads the project's run folders. */
    void refresh();

    // Actions on the selection (also the buttons and the context menu).
    bool resumeSelected(QString* error = nullptr);
    /** Deletes the selected runs' folders; `confirm` false skips the question (tests). */
    bool deleteSelected(bool confirm = true, QString* error = nullptr);
    bool renameRun(const QString& from, const QString& to, QString* error = nullptr);
    /** Adds the unlisted runs found under runs/ to the project's list (saved at once). */
    int addUnlisted(QString* error = nullptr);

Q_SIGNALS:
    void selectionChanged(const std::vector<qnn::RunInfo>& runs);
    void compareRequested(const QString& a, const QString& b);
    void runsReloaded();

private:
    void fillTable();
    void updateButtons();
    bool writeRunsList(const std::vector<std::string>& runs, QString* error);
    void contextMenu(const QPoint& pos);

    GraphDocument* m_document;
    TrainingController* m_controller;
    void fillQueue();
    int selectedJob() const;

    QTableWidget* m_table;
    QWidget* m_queueBox;
    QTableWidget* m_queueTable;
    QPushButton* m_jobUp;
    QPushButton* m_jobDown;
    QPushButton* m_jobCancel;
    QLabel* m_note;
    QPushButton* m_resume;
    QPushButton* m_compare;
    QPushButton* m_rename;
    QPushButton* m_delete;
    QPushButton* m_add;
    std::vector<qnn::RunInfo> m_runs;
    QString m_sweepDir;
    /** How many of m_runs (at the end) are the sweep's. */
    size_t m_sweepRuns = 0;
};
