#pragma once

#include "widgets/training/run_launcher.h"

#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

class GraphDocument;

/** A job waiting in the training queue, as the Runs dock shows it. */
struct QueuedJob {
    int id = 0;          ///< stable while it waits: cancel and move by it
    QString label;       ///< "run", "FP32 twin", "3 seeds", "resume run-3"
    QString settings;    ///< what it will train with, read from the project file as saved
};

/** The workbench's training queue: turns Train, Train FP32 twin, Repeat with
 *  N seeds and Resume into `qnnw train` jobs, runs at most `limit` of them at
 *  a time (one by default: two cores), and keeps the document's runs list in
 *  step with what qnnw records in the project file. The project is trained
 *  as saved: a job starts only after `ensureSaved` says the file is current.
 *  Waiting jobs can be cancelled and reordered. */
class TrainingController : public QObject
{
    Q_OBJECT
public:
    using LauncherFactory = std::function<RunLauncher*(QObject* parent)>;

    explicit TrainingController(GraphDocument* document, QObject* parent = nullptr);
    ~TrainingController() override;

    /** Asked before a job is queued; false (the user cancelled) queues nothing. */
    void setEnsureSaved(std::function<bool()> ensureSaved) { m_ensureSaved = std::move(ensureSaved); }
    /** Where jobs run; the default starts local qnnw processes. */
    void setLauncherFactory(LauncherFactory factory) { m_factory = std::move(factory); }
    /** Extra `qnnw train` options for every job (tests: --epochs 2 --train-limit ...). */
    void setExtraArguments(const QStringList& arguments) { m_extra = arguments; }
    QStringList extraArguments() const { return m_extra; }
    /** How many runs train side by side. */
    void setLimit(int limit);
    int limit() const { return m_limit; }

    /** Where a new job goes: after the waiting ones, or first (it starts as
     *  soon as the running run ends: "stop it and start"). */
    enum class Place { Last, First };

    /** Queues a run of the project as saved; false with a sentence when it cannot. */
    bool train(QString* error = nullptr, Place place = Place::Last);
    bool trainFp32Twin(QString* error = nullptr, Place place = Place::Last);
    /** Seeds s..s+n-1 of the project's seed, one run each, drawn as a group. */
    bool repeatWithSeeds(int n, QString* error = nullptr, Place place = Place::Last);
    bool resume(const QString& runName, QString* error = nullptr);
    /** Stops the running runs after their current batch (resumable) and empties the queue. */
    void stop();
    /** Stops the running runs only: the queue then goes on with its first job. */
    void stopRunning();
    /** SIGKILL: what a crash of the training process looks like. */
    void killRunning();

    bool isBusy() const;
    /** Whether a run is training now (not only waiting jobs). */
    bool isTraining() const { return !m_active.empty(); }
    /** Labels of the jobs waiting, in the order they will start. */
    QStringList queuedJobs() const;
    std::vector<QueuedJob> queue() const;
    /** Takes a waiting job out of the queue; false when it already started. */
    bool cancelQueued(int id);
    /** Moves a waiting job up (delta < 0) or down; false at either end. */
    bool moveQueued(int id, int delta);
    /** The run being trained (its start event), if any. */
    const RunStartEvent* currentRun() const;

    /** Lets the running runs train on after this window closes: their
     *  processes are released (they have sessions of their own and write
     *  everything into their run folders), so they keep training, and the
     *  next window that opens the project follows them there. Waiting jobs
     *  are dropped. Returns the names handed over; `error` says which could
     *  not be (they are stopped, resumable). */
    QStringList continueInBackground(QString* error = nullptr);

Q_SIGNALS:
    void runStarted(const RunStartEvent& event);
    void batch(const RunBatchEvent& event);
    void epoch(const qnn::RunEpoch& epoch);
    /** status as summary.json says it (completed, stopped, diverged, failed) or "failed" for a crash. */
    void runFinished(const QString& name, const QString& status, const QJsonObject& summary);
    void failed(const QString& message);
    /** The same failure with whom it concerns: `run` is the run's name once it
     *  started, or empty for a job refused before it had a run folder (the
     *  memory check, a bad option), so that no earlier run is blamed; `job`
     *  is the queue's label of it. */
    void runFailed(const QString& run, const QString& job, const QString& message);
    /** Queue or running state changed (enable Stop, show the queue). */
    void stateChanged();
    /** A run folder appeared or changed status: the runs list should re-read. */
    void runsChanged();

private:
    struct Job {
        int id = 0;
        QStringList arguments; ///< after PROJECT, before m_extra
        QString label;
    };
    bool enqueue(const QStringList& arguments, const QString& label, QString* error, Place place = Place::Last);
    QString settingsOf(const Job& job) const;
    void startNext();
    void attach(RunLauncher* launcher);

    GraphDocument* m_document;
    std::function<bool()> m_ensureSaved;
    LauncherFactory m_factory;
    QStringList m_extra;
    int m_limit = 1;
    int m_nextId = 1;
    std::vector<Job> m_queue;
    struct Active {
        RunLauncher* launcher = nullptr;
        QString label;
        RunStartEvent start;
        bool started = false;
        bool summarized = false;
    };
    std::vector<Active> m_active;
};
