#pragma once

#include "core/run/run_info.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

/** The "start" step: the run folder exists and training begins. */
struct RunStartEvent {
    QString runDir;
    QString name;
    QString colour;
    int epochs = 0;
    int epochsDone = 0; ///< > 0 for a resumed run
    qint64 batches = 0;
    qint64 params = 0;
    bool resumed = false;
    bool fp32Twin = false;
};

/** A "train" progress event: at most ten a second; `loss` is the mean since the last one. */
struct RunBatchEvent {
    int epoch = 0, epochs = 0;
    qint64 batch = 0, batches = 0;
    double loss = 0, accuracy = 0, learningRate = 0, imagesPerSecond = 0, etaSeconds = 0;
};

/** Starts and stops training runs somewhere and turns their JSON lines into
 *  signals. The workbench never trains in its own process (ARCHITECTURE.md,
 *  "Runs are processes"); this interface leaves room for other places (a
 *  remote machine, a cluster queue) beside the local child process. */
class RunLauncher : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    /** `qnnw train` arguments after the command name (PROJECT and options);
     *  --json --progress are added. */
    virtual void start(const QStringList& arguments) = 0;
    /** Asks the run to stop after its current batch (resumable). */
    virtual void stop() = 0;
    /** Ends it at once (SIGKILL): what a crash looks like. */
    virtual void kill() = 0;
    virtual bool isRunning() const = 0;
    /** Lets the run train on without this launcher (its window closes): no
     *  signals come from it any more. Returns the process id it goes on in, or
     *  0 when this launcher cannot let go of it (it then keeps running here). */
    virtual qint64 release() { return 0; }

Q_SIGNALS:
    void runStarted(const RunStartEvent& event);
    void batch(const RunBatchEvent& event);
    void epoch(const qnn::RunEpoch& epoch);
    /** The "result" event (status, best epoch, accuracies, ...). */
    void summary(const QJsonObject& summary);
    /** A sentence: qnnw's error event, or why the process died. */
    void failed(const QString& message);
    /** The process ended; `crashed` when it was killed or aborted. */
    void finished(int exitCode, bool crashed);
};

/** RunLauncher for a local `qnnw train --json --progress` child process. */
class ProcessRunLauncher : public RunLauncher
{
    Q_OBJECT
public:
    explicit ProcessRunLauncher(QObject* parent = nullptr);
    ~ProcessRunLauncher() override;

    /** qnnw beside this executable, then $QNNW, then the PATH. */
    static QString qnnwPath();

    void start(const QStringList& arguments) override;
    void stop() override;
    void kill() override;
    bool isRunning() const override;
    qint64 release() override;
    qint64 processId() const;

private:
    class ChildProcess* m_child;
};

/** Reads the fields of `qnnw train --json --progress` events (docs/protocol.md):
 *  the "start" step, a "train" progress event, an "epoch" step. */
RunStartEvent runStartFromJson(const QJsonObject& o);
RunBatchEvent runBatchFromJson(const QJsonObject& o);
qnn::RunEpoch runEpochFromJson(const QJsonObject& o);

Q_DECLARE_METATYPE(RunStartEvent)
Q_DECLARE_METATYPE(RunBatchEvent)
Q_DECLARE_METATYPE(qnn::RunEpoch)
