#include "widgets/training/training_controller.h"

#include "widgets/editor/graph_document.h"

#include <QFileInfo>

#include <algorithm>

TrainingController::TrainingController(GraphDocument* document, QObject* parent)
    : QObject(parent)
    , m_document(document)
    , m_factory([](QObject* p) { return new ProcessRunLauncher(p); })
{
    qRegisterMetaType<RunStartEvent>();
    qRegisterMetaType<RunBatchEvent>();
    qRegisterMetaType<qnn::RunEpoch>();
}

TrainingController::~TrainingController() = default;

void TrainingController::setLimit(int limit)
{
    m_limit = std::max(1, limit);
    startNext();
}

bool TrainingController::enqueue(const QStringList& arguments, const QString& label, QString* error)
{
    if (m_ensureSaved && !m_ensureSaved())
        return false;
    const QString path = m_document->fileName();
    if (path.isEmpty() || !QFileInfo::exists(path)) {
        if (error)
            *error = tr("Save the project first: a run trains the project file as saved.");
        return false;
    }
    m_queue.push_back({QStringList{path} + arguments + m_extra, label});
    Q_EMIT stateChanged();
    startNext();
    return true;
}

bool TrainingController::train(QString* error) { return enqueue({}, tr("run"), error); }

bool TrainingController::trainFp32Twin(QString* error) { return enqueue({"--fp32-twin"}, tr("FP32 twin"), error); }

bool TrainingController::repeatWithSeeds(int n, QString* error)
{
    if (n < 2) {
        if (error)
            *error = tr("Repeat with seeds needs 2 runs or more.");
        return false;
    }
    return enqueue({"--seeds", QString::number(n)}, tr("%1 seeds").arg(n), error);
}

bool TrainingController::resume(const QString& runName, QString* error)
{
    return enqueue({"--resume", runName}, tr("resume %1").arg(runName), error);
}

void TrainingController::startNext()
{
    while (!m_queue.empty() && static_cast<int>(m_active.size()) < m_limit) {
        const Job job = m_queue.front();
        m_queue.erase(m_queue.begin());
        RunLauncher* launcher = m_factory(this);
        m_active.push_back({launcher, {}, false, false});
        attach(launcher);
        launcher->start(job.arguments);
    }
    Q_EMIT stateChanged();
}

void TrainingController::attach(RunLauncher* launcher)
{
    auto find = [this, launcher]() -> Active* {
        for (Active& a : m_active)
            if (a.launcher == launcher)
                return &a;
        return nullptr;
    };
    connect(launcher, &RunLauncher::runStarted, this, [this, find](const RunStartEvent& e) {
        if (Active* a = find()) {
            a->start = e;
            a->started = true;
            a->summarized = false;
        }
        // qnnw recorded the run in the file; the document mirrors it so that the next save keeps it.
        std::vector<std::string> runs = m_document->project().runs;
        if (std::find(runs.begin(), runs.end(), e.name.toStdString()) == runs.end()) {
            runs.push_back(e.name.toStdString());
            m_document->setRunsRaw(runs);
        }
        Q_EMIT runStarted(e);
        Q_EMIT runsChanged();
    });
    connect(launcher, &RunLauncher::batch, this, &TrainingController::batch);
    connect(launcher, &RunLauncher::epoch, this, &TrainingController::epoch);
    connect(launcher, &RunLauncher::summary, this, [this, find](const QJsonObject& s) {
        if (Active* a = find())
            a->summarized = true;
        Q_EMIT runFinished(s.value("name").toString(), s.value("status").toString(), s);
        Q_EMIT runsChanged();
    });
    connect(launcher, &RunLauncher::failed, this, &TrainingController::failed);
    connect(launcher, &RunLauncher::finished, this, [this, find, launcher](int, bool) {
        Active* a = find();
        if (a && a->started && !a->summarized)
            // Killed or crashed: no summary came; the folder reads as failed (resumable from its checkpoint).
            Q_EMIT runFinished(a->start.name, QStringLiteral("failed"), {});
        m_active.erase(std::remove_if(m_active.begin(), m_active.end(),
                                      [launcher](const Active& x) { return x.launcher == launcher; }),
                       m_active.end());
        launcher->deleteLater();
        Q_EMIT runsChanged();
        startNext();
    });
}

void TrainingController::stop()
{
    m_queue.clear();
    for (Active& a : m_active)
        a.launcher->stop();
    Q_EMIT stateChanged();
}

void TrainingController::killRunning()
{
    for (Active& a : m_active)
        a.launcher->kill();
}

bool TrainingController::isBusy() const { return !m_active.empty() || !m_queue.empty(); }

QStringList TrainingController::queuedJobs() const
{
    QStringList out;
    for (const Job& j : m_queue)
        out << j.label;
    return out;
}

const RunStartEvent* TrainingController::currentRun() const
{
    for (const Active& a : m_active)
        if (a.started)
            return &a.start;
    return nullptr;
}
