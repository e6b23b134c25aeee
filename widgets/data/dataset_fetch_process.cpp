#include "widgets/data/dataset_fetch_process.h"

#include "widgets/deploy/deploy_process.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <signal.h>

DatasetFetchProcess::DatasetFetchProcess(QObject* parent)
    : QObject(parent)
    , m_process(new QProcess(this))
{
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &DatasetFetchProcess::readLines);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            Q_EMIT failed(tr("Cannot start %1: %2").arg(DeployProcess::qnnwPath(), m_process->errorString()), false);
    });
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        readLines();
        if (m_succeeded && code == 0 && status == QProcess::NormalExit) {
            Q_EMIT succeeded(m_resultDir);
            return;
        }
        QString message = m_error;
        if (message.isEmpty()) {
            const QString err = QString::fromUtf8(m_process->readAllStandardError()).trimmed();
            message = status == QProcess::CrashExit ? tr("qnnw data fetch stopped unexpectedly.")
                                                    : tr("qnnw data fetch ended with code %1.").arg(code);
            if (!err.isEmpty())
                message += " " + err.section('\n', -1);
        }
        Q_EMIT failed(message, m_cancelled);
    });
}

DatasetFetchProcess::~DatasetFetchProcess()
{
    if (isRunning()) {
        m_process->disconnect(this);
        ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
        if (!m_process->waitForFinished(3000))
            m_process->kill();
    }
}

void DatasetFetchProcess::start(const QString& name, const QStringList& extra)
{
    m_buffer.clear();
    m_error.clear();
    m_resultDir.clear();
    m_cancelled = false;
    m_succeeded = false;
    m_process->start(DeployProcess::qnnwPath(), QStringList{"data", "fetch", name} + extra + QStringList{"--json"});
}

void DatasetFetchProcess::cancel()
{
    if (isRunning())
        ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
}

bool DatasetFetchProcess::isRunning() const { return m_process->state() != QProcess::NotRunning; }

void DatasetFetchProcess::readLines()
{
    m_buffer += m_process->readAllStandardOutput();
    int newline = -1;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QString event = o["event"].toString();
        if (event == "progress")
            Q_EMIT progress(o["done"].toInteger(), o["total"].toInteger(), o["file"].toString());
        else if (event == "step")
            Q_EMIT step(o["message"].toString());
        else if (event == "result") {
            m_succeeded = true;
            m_resultDir = o["dir"].toString();
        } else if (event == "error") {
            m_error = o["message"].toString();
            m_cancelled = o["cancelled"].toBool();
        }
    }
}
