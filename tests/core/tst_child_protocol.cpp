// core/util/child_protocol: the JSON-lines protocol between qnnw and whoever
// runs it. The writer's events read back; bytes cut anywhere join into the
// same lines; garbage, unknown events and newer versions are sentences.
#include "core/util/child_protocol.h"

#include <QtTest>

#include <sstream>

using namespace qnn::protocol;

class TestChildProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writtenEventsReadBack();
    void piecesJoinIntoLines();
    void partialLastLine();
    void garbageIsASentence();
    void versionsAndFields();
};

void TestChildProtocol::writtenEventsReadBack()
{
    std::ostringstream out;
    writeEvent(out, stepEvent("start", "training lfc", {{"run", "/r/1"}, {"type", "start"}}));
    writeEvent(out, progressEvent(3, 10, "train", {{"epoch", 2}, {"loss", 0.5}}));
    writeEvent(out, resultEvent({{"status", "completed"}, {"test_accuracy", 0.97}}));
    writeEvent(out, errorEvent("the board did not answer", {{"host_key", {{"kind", "unknown"}}}}));
    const std::string text = out.str();
    QCOMPARE(std::count(text.begin(), text.end(), '\n'), 4);

    ChildLineReader reader;
    const auto lines = reader.feed(text);
    QCOMPARE(lines.size(), size_t(4));
    for (const auto& l : lines) {
        QVERIFY2(l.ok, l.error.c_str());
        QCOMPARE(l.event.body.at("version").get<int>(), kVersion);
        // The old training key is gone: one name per line.
        QVERIFY(!l.event.body.contains("type"));
    }
    QCOMPARE(lines[0].event.kind, EventKind::Step);
    QCOMPARE(lines[0].event.step(), std::string("start"));
    QCOMPARE(lines[0].event.message(), std::string("training lfc"));
    QCOMPARE(lines[0].event.body.at("run").get<std::string>(), std::string("/r/1"));
    QCOMPARE(lines[1].event.kind, EventKind::Progress);
    QCOMPARE(lines[1].event.body.at("done").get<int>(), 3);
    QCOMPARE(lines[1].event.body.at("total").get<int>(), 10);
    QCOMPARE(lines[1].event.body.at("epoch").get<int>(), 2);
    QCOMPARE(lines[2].event.kind, EventKind::Result);
    QCOMPARE(lines[2].event.body.at("test_accuracy").get<double>(), 0.97);
    QCOMPARE(lines[3].event.kind, EventKind::Error);
    QCOMPARE(lines[3].event.message(), std::string("the board did not answer"));
    QCOMPARE(lines[3].event.body.at("host_key").at("kind").get<std::string>(), std::string("unknown"));
    QCOMPARE(reader.pending(), size_t(0));
}

void TestChildProtocol::piecesJoinIntoLines()
{
    const std::string text = progressEvent(1, 2, "upload").dump() + "\r\n\n" + resultEvent({{"n", 7}}).dump() + "\n";
    // Every cut point, and one byte at a time: the same two events.
    for (size_t cut = 0; cut <= text.size(); ++cut) {
        ChildLineReader reader;
        auto lines = reader.feed(text.substr(0, cut));
        const auto rest = reader.feed(text.substr(cut));
        lines.insert(lines.end(), rest.begin(), rest.end());
        QCOMPARE(lines.size(), size_t(2));
        QVERIFY(lines[0].ok && lines[1].ok);
        QCOMPARE(lines[1].event.body.at("n").get<int>(), 7);
    }
    ChildLineReader bytewise;
    size_t events = 0;
    for (char c : text) {
        for (const auto& l : bytewise.feed(std::string_view(&c, 1))) {
            QVERIFY(l.ok);
            ++events;
        }
    }
    QCOMPARE(events, size_t(2));
    QVERIFY(bytewise.finish().empty());
}

void TestChildProtocol::partialLastLine()
{
    // A whole event without its newline still counts at the end of the stream.
    ChildLineReader whole;
    QVERIFY(whole.feed(resultEvent({{"n", 1}}).dump()).empty());
    QVERIFY(whole.pending() > 0);
    const auto last = whole.finish();
    QCOMPARE(last.size(), size_t(1));
    QVERIFY(last[0].ok);

    // A line cut off (the child was killed mid-write) is said so.
    ChildLineReader cut;
    const std::string line = resultEvent({{"n", 1}}).dump();
    QVERIFY(cut.feed(progressEvent(1, 2, "x").dump() + "\n" + line.substr(0, line.size() / 2)).size() == 1);
    const auto end = cut.finish();
    QCOMPARE(end.size(), size_t(1));
    QVERIFY(!end[0].ok);
    QVERIFY2(end[0].error.find("ended in the middle of line 2") != std::string::npos, end[0].error.c_str());
    QCOMPARE(cut.pending(), size_t(0));
}

void TestChildProtocol::garbageIsASentence()
{
    ChildLineReader reader;
    const auto lines = reader.feed("Segmentation fault\n[1, 2]\n{\"version\": 1}\n{\"event\": \"batch\", \"version\": 1}\n");
    QCOMPARE(lines.size(), size_t(4));
    for (const auto& l : lines)
        QVERIFY(!l.ok);
    QCOMPARE(lines[0].error, std::string("line 1: a line that is not JSON: 'Segmentation fault'"));
    QCOMPARE(lines[1].error, std::string("line 2: a JSON line that is not an object: '[1, 2]'"));
    QVERIFY(lines[2].error.find("without an \"event\"") != std::string::npos);
    QCOMPARE(lines[3].error,
             std::string("line 4: an unknown event \"batch\" (known: progress, step, result, error)"));
    // A long garbage line is quoted short.
    const auto longLine = reader.feed(std::string(5000, 'x') + "\n");
    QVERIFY(longLine[0].error.size() < 120);
}

void TestChildProtocol::versionsAndFields()
{
    ChildEvent e;
    std::string error;
    QVERIFY(!parseEventLine(R"({"event": "result", "version": 2})", e, error));
    QCOMPARE(error, std::string("protocol version 2, but this program reads version 1: use a qnnw and a "
                                "workbench from the same release"));
    QVERIFY(!parseEventLine(R"({"event": "result"})", e, error));
    QVERIFY(error.find("without a protocol \"version\"") != std::string::npos);
    QVERIFY(!parseEventLine(R"({"event": "result", "version": "1"})", e, error));
    QVERIFY(!parseEventLine(R"({"event": "progress", "version": 1, "done": 3})", e, error));
    QVERIFY2(error.find("without its \"total\"") != std::string::npos, error.c_str());
    QVERIFY(!parseEventLine(R"({"event": "step", "version": 1})", e, error));
    QVERIFY(!parseEventLine(R"({"event": "error", "version": 1, "message": 3})", e, error));
    QVERIFY(parseEventLine(R"({"event": "error", "version": 1, "message": "no"})", e, error));
    QCOMPARE(e.kind, EventKind::Error);
    QVERIFY(parseEventLine(R"({"event": "result", "version": 1})", e, error));
    QCOMPARE(e.kind, EventKind::Result);
}

QTEST_GUILESS_MAIN(TestChildProtocol)
#include "tst_child_protocol.moc"
