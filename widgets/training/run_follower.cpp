#include "widgets/training/run_follower.h"

#include "widgets/editor/graph_document.h"
#include "widgets/training/training_controller.h"

#include "core/run/run_paths.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSysInfo>
#include <QTimer>

#include <signal.h>

RunFollower::RunFollower(GraphDocument* document, TrainingController* controller, QObject* parent)
    : QObject(parent)
    , m_document(document)
    , m_controller(controller)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &RunFollower::poll);
    m_timer->start();
}

void RunFollower::poll()
{
    if (m_document->fileName().isEmpty())
        return;
    const QString mine = m_controller->currentRun() ? m_controller->currentRun()->name : QString();
    // Every second in every window: only summary.json files are read, and a
    // run folder in full only when one says "running" (or was followed).
    const QDir runsDir(QString::fromStdString(qnn::runsDirOf(m_document->fileName().toStdString())));
    std::vector<qnn::RunInfo> runs;
    for (const QString& d : runsDir.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(runsDir.filePath(d + "/summary.json"));
        const bool running = f.open(QIODevice::ReadOnly) &&
                             QJsonDocument::fromJson(f.readAll()).object().value("status").toString() == "running";
        if (running || d == m_name)
            runs.push_back(qnn::readRunInfo(runsDir.filePath(d).toStdString()));
    }
    const qnn::RunInfo* found = nullptr;
    for (const qnn::RunInfo& r : runs)
        // A run this window trains is on the dashboard already; one it started
        // and has not yet heard of is in m_active without a start event.
        if (r.readable && r.status == "running" && QString::fromStdString(r.name) != mine &&
            (m_name == QString::fromStdString(r.name) || !m_controller->isTraining()))
            found = &r;
    if (!found) {
        if (!m_name.isEmpty()) {
            QString status = QStringLiteral("ended");
            for (const qnn::RunInfo& r : runs)
                if (QString::fromStdString(r.name) == m_name)
                    status = QString::fromStdString(r.status);
            const QString name = m_name;
            m_name.clear();
            m_pid = 0;
            m_epochsSeen = -1;
            Q_EMIT ended(name, status);
        }
        return;
    }
    m_name = QString::fromStdString(found->name);
    QFile summary(QString::fromStdString(found->dir) + "/summary.json");
    m_pid = 0;
    if (summary.open(QIODevice::ReadOnly)) {
        const QJsonObject s = QJsonDocument::fromJson(summary.readAll()).object();
        // A process id means something only on the machine that wrote it.
        if (s.value("host").toString() == QSysInfo::machineHostName())
            m_pid = s.value("pid").toInteger();
    }
    Q_EMIT progressed(*found);
}

bool RunFollower::stop(QString* error)
{
    if (m_name.isEmpty()) {
        if (error)
            *error = tr("No run of this project is training in another process.");
        return false;
    }
    if (m_pid <= 0) {
        if (error)
            *error = tr("%1 trains on another machine: stop it there.").arg(m_name);
        return false;
    }
    if (::kill(static_cast<pid_t>(m_pid), SIGINT) != 0) {
        if (error)
            *error = tr("%1 cannot be stopped from here: process %2 is not this user's.").arg(m_name).arg(m_pid);
        return false;
    }
    return true;
}
