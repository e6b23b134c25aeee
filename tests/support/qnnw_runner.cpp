#include "support/qnnw_runner.h"

#include <QFileInfo>

#include "core/util/child_protocol.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>

namespace qnn::test {

QString qnnwPath() { return QStringLiteral(QNNW_PATH); }

QString qnnwDir() { return QFileInfo(qnnwPath()).absolutePath(); }

QList<QJsonObject> QnnwRun::ofEvent(const QString& event) const
{
    QList<QJsonObject> found;
    for (const QJsonObject& o : events)
        if (o.value("event").toString() == event)
            found << o;
    return found;
}

QList<QJsonObject> QnnwRun::ofStep(const QString& step) const
{
    QList<QJsonObject> found;
    for (const QJsonObject& o : ofEvent("step"))
        if (o.value("step").toString() == step)
            found << o;
    return found;
}

QJsonObject QnnwRun::last(const QString& event) const
{
    const QList<QJsonObject> found = ofEvent(event);
    return found.isEmpty() ? QJsonObject() : found.last();
}

QList<QJsonObject> protocolEvents(const QByteArray& text, QString* error)
{
    protocol::ChildLineReader reader;
    auto lines = reader.feed(std::string_view(text.constData(), size_t(text.size())));
    auto last = reader.finish();
    lines.insert(lines.end(), last.begin(), last.end());
    QList<QJsonObject> events;
    for (const auto& line : lines) {
        if (!line.ok) {
            if (error && error->isEmpty())
                *error = QString::fromStdString(line.error);
            continue;
        }
        events << QJsonDocument::fromJson(QByteArray::fromStdString(line.event.body.dump())).object();
    }
    return events;
}

QnnwRun runQnnw(const QStringList& arguments, int timeoutMs, const QByteArray& input)
{
    QProcess p;
    p.start(qnnwPath(), arguments);
    if (!input.isEmpty()) {
        p.write(input);
        p.closeWriteChannel();
    }
    QnnwRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        qWarning("qnnw %s did not finish in %d ms: %s", qPrintable(arguments.join(' ')), timeoutMs,
                 p.readAllStandardError().constData());
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    if (arguments.contains("--json"))
        r.events = protocolEvents(r.out, &r.protocolError);
    return r;
}

QJsonObject readJsonObject(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace qnn::test
