// The local HTTP server of the dataset download tests (dataset_http_server.py),
// started on 127.0.0.1 by the test and stopped with it.
#pragma once

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>

class DatasetServer
{
public:
    /** Serves /<name>/<file> for each name=dir in `roots`. */
    bool start(const QStringList& roots)
    {
        m_log = m_dir.filePath("requests.log");
        m_process.start("python3", QStringList{QStringLiteral(QNN_SOURCE_DIR "/tests/support/dataset_http_server.py"), m_log} +
                                       roots);
        if (!m_process.waitForStarted(10000))
            return false;
        for (int i = 0; i < 100 && !m_process.canReadLine(); ++i)
            m_process.waitForReadyRead(100);
        m_port = m_process.readLine().trimmed().toInt();
        return m_port > 0;
    }
    ~DatasetServer()
    {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    /** "http://127.0.0.1:PORT/" + path. */
    QString url(const QString& path) const { return QString("http://127.0.0.1:%1/%2").arg(m_port).arg(path); }
    /** One line per request: "<path> <Range header or ->". */
    QStringList requests() const
    {
        QFile f(m_log);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    }

private:
    QTemporaryDir m_dir;
    QString m_log;
    QProcess m_process;
    int m_port = 0;
};

/** An environment for a qnnw child that reaches only the test server: no proxy
 *  (unless a test sets one), the user data folder in `dataHome`. */
inline QProcessEnvironment fetchEnvironment(const QString& dataHome)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy",
                             "NO_PROXY", "QNN_DATASETS", "QNN_DATASET_MIRROR", "QNN_DATASET_CHECKSUMS"})
        env.remove(name);
    env.insert("XDG_DATA_HOME", dataHome);
    // A resolver that cannot be reached answers within a second.
    env.insert("RES_OPTIONS", "timeout:1 attempts:1");
    return env;
}
