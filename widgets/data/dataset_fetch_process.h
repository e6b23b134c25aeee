#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

class ChildProcess;

/** A `qnnw data fetch NAME --json` child process (through ChildProcess, the
 *  one protocol reader): the window never links libcurl, and a download
 *  outlives nothing it should not. Turns the protocol's events into the
 *  download dialog's signals. */
class DatasetFetchProcess : public QObject
{
    Q_OBJECT
public:
    explicit DatasetFetchProcess(QObject* parent = nullptr);
    /** A download still running is interrupted (its .part file stays for a resume). */
    ~DatasetFetchProcess() override;

    /** `extra` goes after the name (e.g. --mirror URL). */
    void start(const QString& name, const QStringList& extra = {});
    /** SIGINT, as Ctrl-C on a terminal: qnnw stops and says "cancelled". */
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    void progress(qint64 done, qint64 total, const QString& file);
    void step(const QString& message);
    void succeeded(const QString& dir);
    /** A sentence from qnnw, or why the process could not run. */
    void failed(const QString& message, bool cancelled);

private:
    ChildProcess* m_child;
    QString m_error;
    QString m_resultDir;
    bool m_cancelled = false;
    bool m_succeeded = false;
};
