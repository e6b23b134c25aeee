#include "widgets/deploy/deploy_process.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>

#include <signal.h>

DeployProcess::DeployProcess(QObject* parent)
    : QObject(parent)
    , m_process(new QProcess(this))
{
    connect(m_process, &QProcess::readyReadStandardOutput, this, &DeployProcess::readLines);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        // Errors come as JSON "error" events too; stderr keeps the last sentence for a crash.
        const QString text = QString::fromUtf8(m_process->readAllStandardError()).trimmed();
        if (!text.isEmpty())
            m_lastError = text.section('\n', -1);
    });
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        readLines();
        if (status == QProcess::CrashExit)
            Q_EMIT failed(tr("qnnw stopped unexpectedly: %1").arg(m_lastError));
        Q_EMIT finished(status == QProcess::CrashExit ? -1 : code);
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            Q_EMIT failed(tr("cannot start %1: %2").arg(m_process->program(), m_process->errorString()));
            Q_EMIT finished(-1);
        }
    });
}

DeployProcess::~DeployProcess()
{
    if (isRunning()) {
        cancel();
        if (!m_process->waitForFinished(3000))
            m_process->kill();
        m_process->waitForFinished(1000);
    }
}

QString DeployProcess::qnnwPath()
{
    const QString beside = QCoreApplication::applicationDirPath() + "/qnnw";
    if (QFileInfo(beside).isExecutable())
        return beside;
    const QString env = qEnvironmentVariable("QNNW");
    if (!env.isEmpty())
        return env;
    const QString onPath = QStandardPaths::findExecutable("qnnw");
    return onPath.isEmpty() ? QStringLiteral("qnnw") : onPath;
}

void DeployProcess::start(const QStringList& arguments, const QString& password)
{
    m_buffer.clear();
    m_lastError.clear();
    QStringList args = arguments;
    args << "--json";
    if (!password.isEmpty())
        args << "--password-stdin";
    m_process->start(qnnwPath(), args);
    if (!password.isEmpty()) {
        m_process->write(password.toUtf8() + "\n");
        m_process->closeWriteChannel();
    }
}

void DeployProcess::cancel()
{
    if (isRunning())
        ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
}

bool DeployProcess::isRunning() const
{
    return m_process->state() != QProcess::NotRunning;
}

void DeployProcess::readLines()
{
    m_buffer += m_process->readAllStandardOutput();
    int newline = -1;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(newline).trimmed();
        m_buffer.remove(0, newline + 1);
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty())
            continue;
        const QString event = o.value("event").toString();
        if (event == "step")
            Q_EMIT step(o.value("step").toString(), o.value("message").toString());
        else if (event == "progress")
            Q_EMIT progress(o.value("done").toInteger(), o.value("total").toInteger());
        else if (event == "host_key")
            Q_EMIT hostKey(o);
        else if (event == "error")
            Q_EMIT failed(o.value("message").toString());
        else if (event == "result" || event.isEmpty())
            Q_EMIT result(o);
    }
}
