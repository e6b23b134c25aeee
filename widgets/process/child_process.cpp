#include "widgets/process/child_process.h"

#include "core/util/child_protocol.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace {

// QProcess kills a child it still counts as running when it is destroyed;
// a released child must live on, so it is first marked as not running
// (setProcessState is QProcess' own hook for subclasses).
class ReleasableProcess : public QProcess
{
public:
    using QProcess::QProcess;
    void forget() { setProcessState(QProcess::NotRunning); }
};

QJsonObject toQt(const nlohmann::json& j)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object();
}

} // namespace

ChildProcess::ChildProcess(QObject* parent)
    : QObject(parent)
    , m_process(new ReleasableProcess(this))
    , m_reader(std::make_unique<qnn::protocol::ChildLineReader>())
{
    connectProcess();
}

void ChildProcess::connectProcess()
{
    connect(m_process, &QProcess::readyReadStandardOutput, this, [this] { readOutput(false); });
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        // Sentences come as "error" events; stderr keeps the last line for a crash.
        const QString text = QString::fromUtf8(m_process->readAllStandardError()).trimmed();
        if (!text.isEmpty())
            m_lastStderrLine = text.section('\n', -1);
    });
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        readOutput(true);
        const bool crashed = status == QProcess::CrashExit;
        if (crashed)
            fail(tr("qnnw stopped unexpectedly%1")
                     .arg(m_lastStderrLine.isEmpty() ? QString() : ": " + m_lastStderrLine));
        else if (code != 0 && code != 130 && !m_sawError && !m_sawResult)
            // qnnw says why in an error event or its result (a diverged run);
            // a usage error (exit 2) says it on stderr only.
            fail(m_lastStderrLine.isEmpty() ? tr("qnnw ended with exit code %1").arg(code)
                 : m_lastStderrLine.startsWith("qnnw: ") ? m_lastStderrLine.mid(6)
                                                         : m_lastStderrLine);
        Q_EMIT finished(crashed ? -1 : code, crashed);
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        fail(tr("qnnw could not be started (%1): %2").arg(m_process->program(), m_process->errorString()));
        Q_EMIT finished(-1, true);
    });
}

ChildProcess::~ChildProcess()
{
    // A child outlives no window: stop it resumably, then for good. Signals
    // are blocked: whoever listened may be half destroyed already.
    blockSignals(true);
    if (isRunning())
        stop();
}

QString ChildProcess::qnnwPath()
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

void ChildProcess::start(const QStringList& arguments, const QByteArray& input)
{
    if (isRunning())
        return;
    m_reader = std::make_unique<qnn::protocol::ChildLineReader>();
    m_lastStderrLine.clear();
    m_sawError = false;
    m_sawResult = false;
    m_protocolBroken = false;
    if (m_ownSession)
        m_process->setChildProcessModifier([] { ::setsid(); });
    m_process->start(qnnwPath(), arguments);
    if (!input.isEmpty()) {
        m_process->write(input);
        m_process->closeWriteChannel();
    }
}

void ChildProcess::interrupt()
{
    if (isRunning())
        ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
}

void ChildProcess::kill()
{
    if (isRunning())
        ::kill(static_cast<pid_t>(m_process->processId()), SIGKILL);
}

void ChildProcess::stop(int graceMs)
{
    if (!isRunning())
        return;
    interrupt();
    if (!m_process->waitForFinished(graceMs))
        m_process->kill();
    m_process->waitForFinished(1000);
}

bool ChildProcess::isRunning() const { return m_process->state() != QProcess::NotRunning; }

qint64 ChildProcess::processId() const { return m_process->processId(); }

qint64 ChildProcess::release()
{
    if (!isRunning())
        return 0;
    const qint64 pid = m_process->processId();
    m_process->disconnect(this);
    static_cast<ReleasableProcess*>(m_process)->forget();
    delete m_process; // closes the pipes; the child is not signalled
    m_process = new ReleasableProcess(this);
    connectProcess();
    // Nobody else waits for it now: reap it when it ends, so that it leaves
    // no zombie behind for as long as this program runs.
    std::thread([pid] { ::waitpid(static_cast<pid_t>(pid), nullptr, __WALL); }).detach();
    return pid;
}

void ChildProcess::readOutput(bool atEnd)
{
    const QByteArray bytes = m_process->readAllStandardOutput();
    auto lines = m_reader->feed(std::string_view(bytes.constData(), size_t(bytes.size())));
    if (atEnd) {
        auto last = m_reader->finish();
        lines.insert(lines.end(), std::make_move_iterator(last.begin()), std::make_move_iterator(last.end()));
    }
    for (const auto& line : lines) {
        if (!line.ok) {
            // Once: a child we cannot understand is stopped, not watched blindly.
            if (!m_protocolBroken) {
                m_protocolBroken = true;
                fail(tr("qnnw wrote %1").arg(QString::fromStdString(line.error)));
                interrupt();
            }
            continue;
        }
        const QJsonObject o = toQt(line.event.body);
        switch (line.event.kind) {
        case qnn::protocol::EventKind::Progress:
            Q_EMIT progress(o);
            break;
        case qnn::protocol::EventKind::Step:
            Q_EMIT step(o);
            break;
        case qnn::protocol::EventKind::Result:
            m_sawResult = true;
            Q_EMIT result(o);
            break;
        case qnn::protocol::EventKind::Error:
            fail(o.value("message").toString(), o);
            break;
        }
    }
}

void ChildProcess::fail(const QString& message, const QJsonObject& event)
{
    // One sentence per cause: an error event is not followed by "exit code 1".
    m_sawError = true;
    Q_EMIT failed(message, event);
}
