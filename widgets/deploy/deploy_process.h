#pragma once

#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QStringList>

/** One `qnnw deploy --json` or `qnnw board test --json` child process: the
 *  GUI links no torch and never blocks, so every board operation runs in
 *  qnnw and comes back as JSON lines turned into signals here. */
class DeployProcess : public QObject
{
    Q_OBJECT
public:
    explicit DeployProcess(QObject* parent = nullptr);
    ~DeployProcess() override;

    /** qnnw next to this executable, then $QNNW, then the PATH. */
    static QString qnnwPath();

    /** Starts qnnw with `arguments` (--json is added); `password`, when not
     *  empty, goes to its stdin with --password-stdin, never into argv. */
    void start(const QStringList& arguments, const QString& password = {});
    /** SIGINT: qnnw stops at the next poll of the step it is in. */
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    void step(const QString& step, const QString& message);
    void progress(qint64 done, qint64 total);
    /** kind "unknown" or "changed", host, key_type, fingerprint, known_hosts. */
    void hostKey(const QJsonObject& problem);
    /** A deploy's "result" event, or board test's one line. */
    void result(const QJsonObject& result);
    void failed(const QString& message);
    void finished(int exitCode);

private:
    void readLines();

    QProcess* m_process;
    QByteArray m_buffer;
    QString m_lastError;
};
