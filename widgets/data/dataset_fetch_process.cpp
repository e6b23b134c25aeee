#include "widgets/data/dataset_fetch_process.h"

#include "widgets/process/child_process.h"

#include <QJsonObject>

DatasetFetchProcess::DatasetFetchProcess(QObject* parent)
    : QObject(parent)
    , m_child(new ChildProcess(this))
{
    connect(m_child, &ChildProcess::progress, this, [this](const QJsonObject& o) {
        Q_EMIT progress(o["done"].toInteger(), o["total"].toInteger(), o["file"].toString());
    });
    connect(m_child, &ChildProcess::step, this, [this](const QJsonObject& o) { Q_EMIT step(o["message"].toString()); });
    connect(m_child, &ChildProcess::result, this, [this](const QJsonObject& o) {
        m_succeeded = true;
        m_resultDir = o["dir"].toString();
    });
    connect(m_child, &ChildProcess::failed, this, [this](const QString& message, const QJsonObject& o) {
        m_error = message;
        m_cancelled = m_cancelled || o["cancelled"].toBool();
    });
    connect(m_child, &ChildProcess::finished, this, [this](int code, bool crashed) {
        if (m_succeeded && code == 0 && !crashed) {
            Q_EMIT succeeded(m_resultDir);
            return;
        }
        QString message = m_error;
        if (message.isEmpty())
            message = crashed ? tr("qnnw data fetch stopped unexpectedly.")
                              : tr("qnnw data fetch ended with code %1.").arg(code);
        // 130: it stopped on SIGINT, which only Cancel sends.
        Q_EMIT failed(message, m_cancelled || code == 130);
    });
}

DatasetFetchProcess::~DatasetFetchProcess()
{
    // The child stops on its own (SIGINT, then SIGKILL); the .part file stays for a resume.
    m_child->disconnect(this);
}

void DatasetFetchProcess::start(const QString& name, const QStringList& extra)
{
    m_error.clear();
    m_resultDir.clear();
    m_cancelled = false;
    m_succeeded = false;
    m_child->start(QStringList{"data", "fetch", name} + extra + QStringList{"--json"});
}

void DatasetFetchProcess::cancel()
{
    if (isRunning())
        m_child->interrupt();
}

bool DatasetFetchProcess::isRunning() const { return m_child->isRunning(); }
