#pragma once

#include "core/run/run_info.h"

#include <QObject>
#include <QString>

class GraphDocument;
class QTimer;
class TrainingController;

/** Follows a run of the open project that trains in a process this window
 *  did not start (one left to finish in the background when a window
 *  closed, or a `qnnw train` from a terminal): the run folder is the one
 *  source of truth, so it reads summary.json and metrics.jsonl every second
 *  while such a run is "running", and says when it ends. It can stop the
 *  run (SIGINT, resumable) when it trains on this machine. */
class RunFollower : public QObject
{
    Q_OBJECT
public:
    RunFollower(GraphDocument* document, TrainingController* controller, QObject* parent = nullptr);

    /** The followed run's name; empty when none. */
    QString runName() const { return m_name; }
    /** Its process id, from summary.json (0 when unknown). */
    qint64 processId() const { return m_pid; }
    /** Asks the followed run to stop after its batch; false with a sentence when it cannot. */
    bool stop(QString* error = nullptr);
    /** Reads the run folders now (the timer does this every second). */
    void poll();

Q_SIGNALS:
    /** The followed run, as read now (its history grows epoch by epoch). */
    void progressed(const qnn::RunInfo& run);
    /** It is no longer running: `status` as its folder says. */
    void ended(const QString& name, const QString& status);

private:
    GraphDocument* m_document;
    TrainingController* m_controller;
    QTimer* m_timer;
    QString m_name;
    qint64 m_pid = 0;
    int m_epochsSeen = -1;
};
