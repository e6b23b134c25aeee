#include "widgets/training/run_launcher.h"

#include "widgets/deploy/deploy_process.h"

#include <QJsonDocument>
#include <QProcess>

#include <signal.h>

RunStartEvent runStartFromJson(const QJsonObject& o)
{
    RunStartEvent e;
    e.runDir = o.value("run").toString();
    e.name = o.value("name").toString();
    e.colour = o.value("colour").toString();
    e.epochs = o.value("epochs").toInt();
    e.epochsDone = o.value("epochs_done").toInt();
    e.batches = o.value("batches").toInteger();
    e.params = o.value("params").toInteger();
    e.resumed = o.value("resumed").toBool();
    e.fp32Twin = o.value("fp32_twin").toBool();
    return e;
}

RunBatchEvent runBatchFromJson(const QJsonObject& o)
{
    RunBatchEvent e;
    e.epoch = o.value("epoch").toInt();
    e.epochs = o.value("epochs").toInt();
    e.batch = o.value("batch").toInteger();
    e.batches = o.value("batches").toInteger();
    e.loss = o.value("loss").toDouble();
    e.accuracy = o.value("accuracy").toDouble();
    e.learningRate = o.value("lr").toDouble();
    e.imagesPerSecond = o.value("images_per_s").toDouble();
    e.etaSeconds = o.value("eta_s").toDouble();
    return e;
}

qnn::RunEpoch runEpochFromJson(const QJsonObject& o)
{
    qnn::RunEpoch e;
    e.epoch = o.value("epoch").toInt();
    e.trainLoss = o.value("train_loss").toDouble();
    e.trainAccuracy = o.value("train_accuracy").toDouble();
    e.valLoss = o.value("val_loss").toDouble();
    e.valAccuracy = o.value("val_accuracy").toDouble();
    e.learningRate = o.value("lr").toDouble();
    e.imagesPerSecond = o.value("images_per_s").toDouble();
    e.seconds = o.value("seconds").toDouble();
    return e;
}

ProcessRunLauncher::ProcessRunLauncher(QObject* parent)
    : RunLauncher(parent)
    , m_process(new QProcess(this))
{
    qRegisterMetaType<RunStartEvent>();
    qRegisterMetaType<RunBatchEvent>();
    qRegisterMetaType<qnn::RunEpoch>();
    connect(m_process, &QProcess::readyReadStandardOutput, this, &ProcessRunLauncher::readLines);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        // Sentences come as "error" events too; stderr keeps the last line for a crash.
        const QString text = QString::fromUtf8(m_process->readAllStandardError()).trimmed();
        if (!text.isEmpty())
            m_lastError = text.section('\n', -1);
    });
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        readLines();
        const bool crashed = status == QProcess::CrashExit;
        if (crashed)
            Q_EMIT failed(tr("the training process stopped unexpectedly%1")
                              .arg(m_lastError.isEmpty() ? QString() : ": " + m_lastError));
        else if (code != 0 && code != 130 && !m_sawError && !m_lastError.isEmpty())
            Q_EMIT failed(m_lastError.startsWith("qnnw: ") ? m_lastError.mid(6) : m_lastError);
        Q_EMIT finished(crashed ? -1 : code, crashed);
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            Q_EMIT failed(tr("cannot start %1: %2").arg(m_process->program(), m_process->errorString()));
            Q_EMIT finished(-1, true);
        }
    });
}

ProcessRunLauncher::~ProcessRunLauncher()
{
    if (isRunning()) {
        // A run outlives no window: stop it resumably, then for good.
        stop();
        if (!m_process->waitForFinished(3000))
            m_process->kill();
        m_process->waitForFinished(1000);
    }
}

QString ProcessRunLauncher::qnnwPath()
{
    // One rule for every qnnw child of the workbench.
    return DeployProcess::qnnwPath();
}

void ProcessRunLauncher::start(const QStringList& arguments)
{
    m_buffer.clear();
    m_lastError.clear();
    m_sawError = false;
    m_process->start(qnnwPath(), QStringList{"train"} + arguments + QStringList{"--json", "--progress"});
}

void ProcessRunLauncher::stop()
{
    if (isRunning())
        ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
}

void ProcessRunLauncher::kill()
{
    if (isRunning())
        ::kill(static_cast<pid_t>(m_process->processId()), SIGKILL);
}

bool ProcessRunLauncher::isRunning() const { return m_process->state() != QProcess::NotRunning; }

qint64 ProcessRunLauncher::processId() const { return m_process->processId(); }

void ProcessRunLauncher::readLines()
{
    m_buffer += m_process->readAllStandardOutput();
    int newline = -1;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(newline).trimmed();
        m_buffer.remove(0, newline + 1);
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (!o.isEmpty())
            handleLine(o);
    }
}

void ProcessRunLauncher::handleLine(const QJsonObject& o)
{
    const QString type = o.value("type").toString();
    if (type == "start")
        Q_EMIT runStarted(runStartFromJson(o));
    else if (type == "batch")
        Q_EMIT batch(runBatchFromJson(o));
    else if (type == "epoch")
        Q_EMIT epoch(runEpochFromJson(o));
    else if (type == "summary")
        Q_EMIT summary(o);
    else if (type == "error") {
        m_sawError = true;
        Q_EMIT failed(o.value("message").toString());
    }
}
