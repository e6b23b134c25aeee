#include "widgets/training/training_controller.h"

#include "widgets/editor/graph_document.h"

#include "core/project/project.h"
#include "core/run/run_info.h"
#include "core/run/run_paths.h"

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

bool TrainingController::enqueue(const QStringList& arguments, const QString& label, QString* error, Place place)
{
    if (m_ensureSaved && !m_ensureSaved())
        return false;
    const QString path = m_document->fileName();
    if (path.isEmpty() || !QFileInfo::exists(path)) {
        if (error)
            *error = tr("Save the project first: a run trains the project file as saved.");
        return false;
    }
    Job job{m_nextId++, arguments, label};
    if (place == Place::First)
        m_queue.insert(m_queue.begin(), job);
    else
        m_queue.push_back(job);
    Q_EMIT stateChanged();
    startNext();
    return true;
}

bool TrainingController::train(QString* error, Place place) { return enqueue({}, tr("run"), error, place); }

bool TrainingController::trainFp32Twin(QString* error, Place place)
{
    return enqueue({"--fp32-twin"}, tr("FP32 twin"), error, place);
}

bool TrainingController::repeatWithSeeds(int n, QString* error, Place place)
{
    if (n < 2) {
        if (error)
            *error = tr("Repeat with seeds needs 2 runs or more.");
        return false;
    }
    return enqueue({"--seeds", QString::number(n)}, tr("%1 seeds").arg(n), error, place);
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
        m_active.push_back({launcher, job.label, {}, false, false});
        attach(launcher);
        launcher->start(QStringList{m_document->fileName()} + job.arguments + m_extra);
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
    connect(launcher, &RunLauncher::failed, this, [this, find](const QString& message) {
        const Active* a = find();
        Q_EMIT runFailed(a && a->started ? a->start.name : QString(), a ? a->label : QString(), message);
        Q_EMIT failed(message);
    });
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
    stopRunning();
}

void TrainingController::stopRunning()
{
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

std::vector<QueuedJob> TrainingController::queue() const
{
    std::vector<QueuedJob> out;
    for (const Job& j : m_queue)
        out.push_back({j.id, j.label, settingsOf(j)});
    return out;
}

bool TrainingController::cancelQueued(int id)
{
    const auto it = std::find_if(m_queue.begin(), m_queue.end(), [id](const Job& j) { return j.id == id; });
    if (it == m_queue.end())
        return false;
    m_queue.erase(it);
    Q_EMIT stateChanged();
    return true;
}

bool TrainingController::moveQueued(int id, int delta)
{
    const auto it = std::find_if(m_queue.begin(), m_queue.end(), [id](const Job& j) { return j.id == id; });
    if (it == m_queue.end() || delta == 0)
        return false;
    const long from = it - m_queue.begin();
    const long to = std::clamp<long>(from + delta, 0, long(m_queue.size()) - 1);
    if (to == from)
        return false;
    Job job = *it;
    m_queue.erase(it);
    m_queue.insert(m_queue.begin() + to, job);
    Q_EMIT stateChanged();
    return true;
}

QString TrainingController::settingsOf(const Job& job) const
{
    // The file as saved is what qnnw will read when the job starts; the
    // document may hold newer, unsaved edits that the job will not see.
    qnn::Project p;
    std::string error;
    if (!qnn::loadProject(m_document->fileName().toStdString(), p, error))
        return QString::fromStdString(error);
    const int resumeAt = job.arguments.indexOf("--resume");
    if (resumeAt >= 0) {
        const QString name = job.arguments.value(resumeAt + 1);
        const qnn::RunInfo r =
            qnn::readRunInfo(qnn::runsDirOf(m_document->fileName().toStdString()) + "/" + name.toStdString());
        return tr("%1 as it started (%2), from epoch %3 of %4")
            .arg(name, QString::fromStdString(r.precision))
            .arg(r.epochsDone)
            .arg(r.epochs);
    }
    const qnn::TrainingConfig& c = p.training;
    QStringList parts;
    parts << (c.epochs == 1 ? tr("1 epoch") : tr("%1 epochs").arg(c.epochs)) << tr("batch %1").arg(c.batchSize)
          << QStringLiteral("%1 lr %2 (%3)")
                 .arg(QString::fromStdString(c.optimizer))
                 .arg(c.learningRate)
                 .arg(QString::fromStdString(c.schedule))
          << tr("seed %1").arg(c.seed) << QString::fromStdString(p.dataset.name);
    if (job.arguments.contains("--fp32-twin"))
        parts << tr("every layer FP32");
    else
        parts << QString::fromStdString(qnn::graphPrecisionLabel(p.graph));
    if (const int at = job.arguments.indexOf("--seeds"); at >= 0)
        parts << tr("seeds %1 to %2").arg(c.seed).arg(c.seed + job.arguments.value(at + 1).toULongLong() - 1);
    if (!m_extra.isEmpty())
        parts << m_extra.join(' ');
    return parts.join(QStringLiteral(" · "));
}

QStringList TrainingController::continueInBackground(QString* error)
{
    m_queue.clear();
    QStringList handed, problems;
    for (auto it = m_active.begin(); it != m_active.end();) {
        const QString name = it->started ? it->start.name : it->label;
        if (it->launcher->release() > 0) {
            handed << name;
            it->launcher->deleteLater();
            it = m_active.erase(it);
            continue;
        }
        // A launcher that cannot let go: the run stops resumably rather than dying with the window.
        it->launcher->stop();
        problems << tr("%1 cannot train on without this window: it is stopped, and Resume continues it").arg(name);
        ++it;
    }
    if (error)
        *error = problems.join('\n');
    Q_EMIT stateChanged();
    return handed;
}

const RunStartEvent* TrainingController::currentRun() const
{
    for (const Active& a : m_active)
        if (a.started)
            return &a.start;
    return nullptr;
}
