#pragma once

// What the sweep tests share: qnnw as a child process, the synthetic example
// copied into a temporary folder, and JSON helpers.
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTemporaryDir>

namespace sweeptest {

struct Result {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

inline Result qnnw(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
                   int timeoutMs = 300000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QNNW_PATH, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

inline QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

inline QList<QJsonObject> jsonLines(const QByteArray& text)
{
    QList<QJsonObject> out;
    for (const QByteArray& line : text.split('\n'))
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    return out;
}

/** The last JSON line whose "event" is `kind`. */
inline QJsonObject lastEvent(const QByteArray& text, const QString& kind)
{
    QJsonObject found;
    for (const QJsonObject& o : jsonLines(text))
        if (o["event"].toString() == kind)
            found = o;
    return found;
}

inline QString copyExample(const QTemporaryDir& dir)
{
    const QString path = dir.filePath("p.qnnproj");
    QFile::copy(QStringLiteral(QNN_SOURCE_DIR "/projects/synthetic-digits-w1a1.qnnproj"), path);
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    return path;
}

/** Point id → its row of `sweep status --json`. */
inline QMap<QString, QJsonObject> pointsById(const QJsonObject& status)
{
    QMap<QString, QJsonObject> out;
    for (const QJsonValue& v : status["points"].toArray())
        out[v.toObject()["id"].toString()] = v.toObject();
    return out;
}

inline QJsonObject status(const QString& sweep, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
{
    const Result r = qnnw({"sweep", "status", sweep, "--json"}, env);
    return QJsonDocument::fromJson(r.out).object();
}

/** Short training: one epoch on 400 images, one thread. */
inline QStringList shortTraining()
{
    return {"--epochs", "1", "--train-limit", "400", "--threads", "1"};
}

} // namespace sweeptest
