// Structural fuzzing of the project loader and of what `qnnw check` runs on a
// loaded project (analysis, summary, connection checks, the JSON report):
// every example file is parsed, one to three of its JSON values are replaced
// by hostile ones (wrong types, huge and negative numbers, ids at the integer
// limits, deep nesting, missing keys), and the result must load or be refused
// with a sentence, never crash. QNN_FUZZ_CASES sets the number of cases (the
// asan test preset runs many more); the seed is fixed, so a failure repeats.
#include "core/graph/graph_analysis.h"
#include "core/graph/graph_summary.h"
#include "core/project/project.h"
#include "core/quant/quantization.h"

#include <QtTest>

#include <QDir>
#include <QFile>

#include <climits>
#include <cmath>
#include <limits>
#include <random>

using namespace qnn;
using nlohmann::json;

namespace {

int caseCount()
{
    const int fromEnv = qEnvironmentVariableIntValue("QNN_FUZZ_CASES");
    return fromEnv > 0 ? fromEnv : 3000;
}

std::vector<json> examples()
{
    std::vector<json> out;
    QDir dir(QNN_SOURCE_DIR "/projects");
    for (const QString& name : dir.entryList({"*.qnnproj"}, QDir::Files, QDir::Name)) {
        QFile f(dir.filePath(name));
        if (f.open(QIODevice::ReadOnly))
            out.push_back(json::parse(f.readAll().toStdString()));
    }
    return out;
}

json deep(int depth, bool objects)
{
    json v = 1;
    for (int i = 0; i < depth; ++i)
        v = objects ? json{{"x", v}} : json::array({v});
    return v;
}

json hostile(std::mt19937& rng)
{
    switch (rng() % 20) {
    case 0: return INT_MAX;
    case 1: return int64_t(INT_MAX) + 1;
    case 2: return INT_MIN;
    case 3: return std::numeric_limits<int64_t>::max();
    case 4: return std::numeric_limits<int64_t>::min();
    case 5: return std::numeric_limits<uint64_t>::max();
    case 6: return 4294967297LL; // wraps to 1 in an int
    case 7: return -1;
    case 8: return 0;
    case 9: return 1e308;
    case 10: return -1e308;
    case 11: return 0.5;
    case 12: return "x";
    case 13: return nullptr;
    case 14: return true;
    case 15: return json::array();
    case 16: return json::object();
    case 17: return deep(int(rng() % 400), rng() % 2);
    case 18: return json::array({INT_MAX, -1, "a"});
    default: return INT_MAX - 1;
    }
}

/** Every value in the tree, parents before children, with a way back to it. */
void collect(json& v, std::vector<json*>& out)
{
    out.push_back(&v);
    if (v.is_object() || v.is_array())
        for (auto& child : v)
            collect(child, out);
}

void mutate(json& root, std::mt19937& rng)
{
    std::vector<json*> values;
    collect(root, values);
    json* target = values[rng() % values.size()];
    switch (rng() % 5) {
    case 0: // drop a key or an element
        if (target->is_object() && !target->empty()) {
            auto it = target->begin();
            std::advance(it, long(rng() % target->size()));
            target->erase(it.key());
            return;
        }
        if (target->is_array() && !target->empty()) {
            target->erase(target->begin() + long(rng() % target->size()));
            return;
        }
        [[fallthrough]];
    case 1: // duplicate an element (two nodes with one id, one edge twice)
        if (target->is_array() && !target->empty()) {
            target->push_back((*target)[rng() % target->size()]);
            return;
        }
        [[fallthrough]];
    default: *target = hostile(rng);
    }
}

// What `qnnw check --json` and the editor do with a loaded project.
void exercise(const Project& p)
{
    const GraphAnalysis analysis = analyzeGraph(p.graph);
    json report = json::array();
    for (const Diagnostic& d : analysis.diagnostics) {
        QVERIFY(!d.message.empty());
        report.push_back({{"node", d.node}, {"severity", severityName(d.severity)}, {"message", d.message}});
    }
    (void)report.dump();
    const GraphSummary summary = summarizeGraph(p.graph, analysis);
    QVERIFY(summary.layers.size() <= p.graph.size());
    (void)formatSummaryTable(summary);
    for (const Edge& e : p.graph.edges())
        (void)connectionProblem(p.graph, e);
    // Whatever loads saves, and what it saves loads again to the same bytes.
    const std::string saved = serializeProject(p);
    Project again;
    std::string error;
    QVERIFY2(parseProject(saved, again, error), error.c_str());
    QCOMPARE(serializeProject(again), saved);
}

} // namespace

class TestFuzz : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mutatedProjectsLoadOrSaySentence();
    void idsAtTheIntegerLimits_data();
    void idsAtTheIntegerLimits();
    void versionIsReadAtFullWidth_data();
    void versionIsReadAtFullWidth();
    void nanQuantizesToZero();
};

void TestFuzz::mutatedProjectsLoadOrSaySentence()
{
    const std::vector<json> originals = examples();
    QCOMPARE(int(originals.size()), 10);
    std::mt19937 rng(20261202);
    const int cases = caseCount();
    int loaded = 0, refused = 0;
    for (int i = 0; i < cases; ++i) {
        json doc = originals[size_t(i) % originals.size()];
        const int edits = 1 + int(rng() % 3);
        for (int e = 0; e < edits; ++e)
            mutate(doc, rng);
        Project p;
        std::string error;
        if (parseProject(doc.dump(), p, error)) {
            ++loaded;
            exercise(p);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("case %1: %2").arg(i).arg(QString::fromStdString(doc.dump()).left(300))));
        } else {
            ++refused;
            QVERIFY2(!error.empty() && error.size() < 2000, error.c_str());
        }
    }
    // Both outcomes must be exercised, or the mutations miss the loader.
    QVERIFY2(loaded > cases / 20, qPrintable(QString::number(loaded)));
    QVERIFY2(refused > cases / 10, qPrintable(QString::number(refused)));
}

void TestFuzz::idsAtTheIntegerLimits_data()
{
    QTest::addColumn<qint64>("id");
    QTest::addColumn<bool>("loads");
    QTest::newRow("INT_MAX") << qint64(INT_MAX) << false; // id + 1 would overflow
    QTest::newRow("INT_MAX - 1") << qint64(INT_MAX) - 1 << true;
    QTest::newRow("2^31") << qint64(INT_MAX) + 1 << false;
    QTest::newRow("0") << qint64(0) << false;
    QTest::newRow("-1") << qint64(-1) << false;
    QTest::newRow("INT64_MIN") << std::numeric_limits<qint64>::min() << false;
}

void TestFuzz::idsAtTheIntegerLimits()
{
    QFETCH(qint64, id);
    QFETCH(bool, loads);
    json doc = {{"format", "qnn-workbench-project"},
                {"version", 1},
                {"graph",
                 {{"nodes", json::array({{{"id", 1}, {"kind", "Input"}, {"name", "in"}},
                                         {{"id", id}, {"kind", "Output"}, {"name", "out"}}})},
                  {"edges", json::array()}}}};
    Project p;
    std::string error;
    QCOMPARE(parseProject(doc.dump(), p, error), loads);
    if (!loads) {
        QVERIFY2(QString::fromStdString(error).contains("node ids must be whole numbers from 1 to 2147483646"),
                 error.c_str());
        return;
    }
    // The largest id loads, and the graph then has no id left to give: adding fails cleanly.
    QCOMPARE(p.graph.nextId(), INT_MAX);
    QCOMPARE(p.graph.addNode(LayerKind::Dense), kInvalidNode);
    QCOMPARE(int(p.graph.size()), 2);
    exercise(p);
}

void TestFuzz::versionIsReadAtFullWidth_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("error");
    QTest::newRow("2^32 + 1") << "4294967297" << "newer QNN Workbench (file version 4294967297";
    QTest::newRow("2^64 - 1") << "18446744073709551615" << "newer QNN Workbench";
    QTest::newRow("-2^32 + 1") << "-4294967295" << "-4294967295 is not a valid project version";
}

void TestFuzz::versionIsReadAtFullWidth()
{
    QFETCH(QString, version);
    QFETCH(QString, error);
    const std::string text = R"({"format": "qnn-workbench-project", "version": )" + version.toStdString() +
                             R"(, "graph": {"nodes": [], "edges": []}})";
    Project p;
    std::string got;
    QVERIFY(!parseProject(text, p, got));
    QVERIFY2(QString::fromStdString(got).contains(error), got.c_str());
}

void TestFuzz::nanQuantizesToZero()
{
    const QuantLevels levels = activationLevels(4, true, 1.0);
    QCOMPARE(quantizeToLevel(std::nan(""), levels), int64_t(0));
    QCOMPARE(quantizeToLevel(std::numeric_limits<double>::infinity(), levels), levels.maxLevel);
    QCOMPARE(quantizeToLevel(-std::numeric_limits<double>::infinity(), levels), levels.minLevel);
    QCOMPARE(quantizeValue(std::nan(""), levels), 0.0);
}

QTEST_APPLESS_MAIN(TestFuzz)
#include "tst_fuzz.moc"
