#pragma once

#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <memory>

class QProcess;

namespace qnn::protocol {
class ChildLineReader;
}

/** One `qnnw ... --json` child process and its JSON-lines protocol
 *  (core/util/child_protocol.h, docs/protocol.md): starts it, turns its
 *  lines into signals, says in a sentence why it failed, and stops it. Every
 *  dock that runs qnnw uses this, so that a run, a deploy or a pack start,
 *  fail and stop the same way. */
class ChildProcess : public QObject
{
    Q_OBJECT
public:
    explicit ChildProcess(QObject* parent = nullptr);
    /** A child still running is stopped: SIGINT, then SIGKILL after 3 s. */
    ~ChildProcess() override;

    /** qnnw beside this executable, then $QNNW, then the PATH. */
    static QString qnnwPath();

    /** Starts `qnnw arguments` (the caller adds --json); `input`, when not
     *  empty, is written to its stdin, which is then closed (a password goes
     *  this way, never into argv). A running child is not restarted. */
    void start(const QStringList& arguments, const QByteArray& input = {});
    /** SIGINT: qnnw stops at its next check and exits 130 (a run stays resumable). */
    void interrupt();
    /** SIGKILL: ends it at once (what a crash looks like). */
    void kill();
    /** interrupt(), wait up to `graceMs`, then kill(); blocks. */
    void stop(int graceMs = 3000);
    bool isRunning() const;
    qint64 processId() const;

    /** Children started from now on get a session of their own, so that a
     *  terminal's Ctrl+C or hang-up aimed at the window does not reach them
     *  and release() can leave them running. Training runs use it. */
    void setOwnSession(bool on) { m_ownSession = on; }
    /** Lets go of the running child without stopping it: no more signals
     *  come from it, its output is no longer read (its pipes close: the child
     *  must carry on without them, as `qnnw train` does, writing into its run
     *  folder), and this object will not stop it when destroyed. Returns its
     *  process id, or 0 when none was running. */
    qint64 release();

Q_SIGNALS:
    void progress(const QJsonObject& event);
    void step(const QJsonObject& event);
    void result(const QJsonObject& event);
    /** A sentence: the command's error event (`event` holds its details), a
     *  line outside the protocol, a crash, or why qnnw did not start. */
    void failed(const QString& message, const QJsonObject& event);
    /** The process ended; exitCode -1 and crashed when it was killed, crashed
     *  or never started. 130: it stopped on SIGINT. */
    void finished(int exitCode, bool crashed);

private:
    void connectProcess();
    void readOutput(bool atEnd);
    void fail(const QString& message, const QJsonObject& event = {});

    QProcess* m_process;
    std::unique_ptr<qnn::protocol::ChildLineReader> m_reader;
    QString m_lastStderrLine;
    bool m_sawError = false;
    bool m_sawResult = false;
    bool m_protocolBroken = false;
    bool m_ownSession = false;
};
