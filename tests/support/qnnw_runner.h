#pragma once

// Running the built qnnw from a test and reading what it printed: the exit
// code, stdout, stderr, and stdout's JSON lines checked against the child
// protocol (core/util/child_protocol.h) by the same reader the window uses.
#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace qnn::test {

/** The qnnw this build made (QNNW_PATH). */
QString qnnwPath();
/** The folder of that qnnw, where qnn-run and its cross builds are. */
QString qnnwDir();

struct QnnwRun {
    int exitCode = -1; ///< -1: crashed or timed out
    QByteArray out;
    QByteArray err;
    /** stdout's protocol events, in order (a --json run). */
    QList<QJsonObject> events;
    /** The first line that broke the protocol, as the reader says it; empty when none did. */
    QString protocolError;

    /** The events named `event` ("progress", "step", "result", "error"). */
    QList<QJsonObject> ofEvent(const QString& event) const;
    /** The step events of one step name ("start", "epoch", "upload", ...). */
    QList<QJsonObject> ofStep(const QString& step) const;
    /** The last event named `event`; empty when there is none. */
    QJsonObject last(const QString& event) const;
};

/** Runs qnnw with `arguments`; `input` goes to its stdin. A run that outlives
 *  `timeoutMs` is killed and fails the test with its stderr. */
QnnwRun runQnnw(const QStringList& arguments, int timeoutMs = 300000, const QByteArray& input = {});

/** Parses `text` as protocol lines; `error` gets the first broken line. */
QList<QJsonObject> protocolEvents(const QByteArray& text, QString* error);

/** A JSON file's top object; empty when it cannot be read. */
QJsonObject readJsonObject(const QString& path);

} // namespace qnn::test
