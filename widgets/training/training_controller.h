#pragma once

#include "widgets/training/run_launcher.h"

#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

class GraphDocument;

/** The workbench's training queue: turns Train, Train FP32 twin, Repeat with
 *  N seeds and Resume into `qnnw train` jobs, runs at most `limit` of them at
 *  a time (one by default: two cores), and keeps the document's runs list in
 *  step with what qnnw records in the project file. The project is trained
 *  as saved: a job starts only after `ensureSaved` says the file is current. */
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
    /** How many runs train side by side. */
    void setLimit(int limit);
    int limit() const { return m_limit; }

    /** Queues a run of the project as saved; false with a sentence when it cannot. */
    bool train(QString* error = nullptr);
    bool trainFp32Twin(QString* error = nullptr);
    /** Seeds s..s+n-1 of the project's seed, one run each, drawn as a group. */
    bool repeatWithSeeds(int n, QString* error = nullptr);
    bool resume(const QString& runName, QString* error = nullptr);
    /** Stops the running runs after their current batch (resumable) and empties the queue. */
    void stop();
    /** SIGKILL: what a crash of the training process looks like. */
    void killRunning();

    bool isBusy() const;
    /** Labels of the jobs waiting ("queued" in the runs list). */
    QStringList queuedJobs() const;
    /** The run being trained (its start event), if any. */
    const RunStartEvent* currentRun() const;

Q_SIGNALS:
    void runStarted(const RunStartEvent& event);
    void batch(const RunBatchEvent& event);
    void epoch(const qnn::RunEpoch& epoch);
    /** status as summary.json says it (completed, cancelled, diverged, failed) or "failed" for a crash. */
    void runFinished(const QString& name, const QString& status, const QJsonObject& summary);
    void failed(const QString& message);
    /** Queue or running state changed (enable Stop, show "queued"). */
    void stateChanged();
    /** A run folder appeared or changed status: the runs list should re-read. */
    void runsChanged();

private:
    struct Job {
        QStringList arguments;
        QString label;
    };
    bool enqueue(const QStringList& arguments, const QString& label, QString* error);
    void startNext();
    void attach(RunLauncher* launcher);

    GraphDocument* m_document;
    std::function<bool()> m_ensureSaved;
    LauncherFactory m_factory;
    QStringList m_extra;
    int m_limit = 1;
    std::vector<Job> m_queue;
    struct Active {
        RunLauncher* launcher = nullptr;
        RunStartEvent start;
        bool started = false;
        bool summarized = false;
    };
    std::vector<Active> m_active;
};
