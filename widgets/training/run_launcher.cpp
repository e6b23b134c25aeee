#include "widgets/training/run_launcher.h"

#include "widgets/process/child_process.h"

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
    e.batch = o.value("done").toInteger();
    e.batches = o.value("total").toInteger();
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
    , m_child(new ChildProcess(this))
{
    qRegisterMetaType<RunStartEvent>();
    qRegisterMetaType<RunBatchEvent>();
    qRegisterMetaType<qnn::RunEpoch>();
    // A session of its own: the run can outlive the window (release()), and a
    // Ctrl+C in the terminal the window was started from does not end it.
    m_child->setOwnSession(true);
    connect(m_child, &ChildProcess::step, this, [this](const QJsonObject& o) {
        const QString step = o.value("step").toString();
        if (step == "start")
            Q_EMIT runStarted(runStartFromJson(o));
        else if (step == "epoch")
            Q_EMIT epoch(runEpochFromJson(o));
    });
    connect(m_child, &ChildProcess::progress, this, [this](const QJsonObject& o) { Q_EMIT batch(runBatchFromJson(o)); });
    connect(m_child, &ChildProcess::result, this, &RunLauncher::summary);
    connect(m_child, &ChildProcess::failed, this, [this](const QString& message) { Q_EMIT failed(message); });
    connect(m_child, &ChildProcess::finished, this, &RunLauncher::finished);
}

ProcessRunLauncher::~ProcessRunLauncher() = default;

QString ProcessRunLauncher::qnnwPath() { return ChildProcess::qnnwPath(); }

void ProcessRunLauncher::start(const QStringList& arguments)
{
    m_child->start(QStringList{"train"} + arguments + QStringList{"--json", "--progress"});
}

void ProcessRunLauncher::stop() { m_child->interrupt(); }

void ProcessRunLauncher::kill() { m_child->kill(); }

bool ProcessRunLauncher::isRunning() const { return m_child->isRunning(); }

qint64 ProcessRunLauncher::release() { return m_child->release(); }

qint64 ProcessRunLauncher::processId() const { return m_child->processId(); }
