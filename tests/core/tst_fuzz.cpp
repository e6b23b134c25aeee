// Structural fuzzing of the project loader and of what `qnnw check` runs on a
// loaded project (analysis, summary, connection checks, the JSON report):
// every example file is parsed, one to three of its JSON values are replaced
// by hostile ones (wrong types, huge and negative numbers, ids at the integer
// limits, deep nesting, missing keys), and the result must load or be refused
// with a sentence, never crash. QNN_FUZZ_CASES sets the number of cases (the
// asan test preset runs many more); the seed is fixed, so a failure repeats.
#include "tiny_packed_net.h"

#include "core/graph/graph_analysis.h"
#include "core/hw/device.h"
#include "core/pack/integer_engine.h"
#include "core/pack/packed_folder.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"
#include "core/util/sha256.h"
#include "core/weights/weight_file.h"
#include "core/graph/graph_summary.h"
#include "core/project/project.h"
#include "core/quant/quantization.h"

#include <QtTest>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <climits>
#include <cstdio>
#include <cmath>
#include <limits>
#include <map>
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

// The fuzzers rewrite one small file per case: no fsync (AtomicFile's) is needed for that.
bool writePlain(const std::string& path, const std::string& bytes)
{
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return false;
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
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
    void mutatedPackedManifestsLoadOrSaySentence();
    void mutatedWeightFilesLoadOrSaySentence();
    void mutatedDeviceFilesLoadOrSaySentence();
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
    qInfo("%d cases: %d loaded, %d refused with a sentence", cases, loaded, refused);
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
                 {{"nodes", json::array({{{"id", 1},
                                          {"kind", "Input"},
                                          {"name", "in"},
                                          {"attrs", {{"shape", {10}}}},
                                          {"act_bits", 32}},
                                         {{"id", id}, {"kind", "Output"}, {"name", "out"}, {"attrs", {{"classes", 10}}}}})},
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

// A packed folder's manifest with hostile values, resealed (its own
// SHA-256 recomputed) so that the mutation reaches the layer checks; in a
// third of the cases one of its weight or threshold files is also cut,
// grown or changed, with the checksum the manifest lists for it recomputed
// (as a hostile folder would). What loads must also load into the integer
// engine and classify an image.
void TestFuzz::mutatedPackedManifestsLoadOrSaySentence()
{
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString() + "/packed";
    std::string error;
    QVERIFY2(pack::writePackedFolder(dir, tinyNet(), {}, error), error.c_str());
    std::string text;
    QVERIFY(readFile(dir + "/manifest.json", text, error));
    const json original = json::parse(text);
    std::map<std::string, std::string> files; // the .bin files as written
    for (const auto& [name, sha] : original["files"].items())
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".bin") == 0)
            QVERIFY(readFile(dir + "/" + name, files[name], error));
    QVERIFY(!files.empty());
    std::mt19937 rng(20261206);
    // Each case writes and hashes a folder: a tenth of the project cases keeps CI fast.
    const int cases = std::max(50, caseCount() / 10);
    int loaded = 0, refused = 0;
    std::string changed; // the file the last case changed
    for (int i = 0; i < cases; ++i) {
        json m = original;
        if (!changed.empty()) {
            QVERIFY(writePlain(dir + "/" + changed, files[changed]));
            changed.clear();
        }
        if (rng() % 3 == 0) {
            auto it = files.begin();
            std::advance(it, rng() % files.size());
            std::string bytes = it->second;
            switch (rng() % 4) {
            case 0: bytes.resize(rng() % (bytes.size() + 1)); break;
            case 1: bytes += std::string(1 + rng() % 64, char(rng())); break;
            case 2: bytes.clear(); break;
            default:
                for (int k = 1 + int(rng() % 8); k > 0 && !bytes.empty(); --k)
                    bytes[rng() % bytes.size()] = char(rng());
            }
            QVERIFY(writePlain(dir + "/" + it->first, bytes));
            m["files"][it->first] = sha256Hex(bytes);
            changed = it->first;
        }
        // Mostly the layer, where the geometry lives.
        json& target = rng() % 4 ? m["layers"][0] : m;
        const int edits = 1 + int(rng() % 2);
        for (int e = 0; e < edits; ++e)
            mutate(target.is_object() ? target : m, rng);
        if (!m.is_object()) {
            m = original;
            continue;
        }
        reseal(m);
        QVERIFY(writePlain(dir + "/manifest.json", m.dump()));
        pack::PackedNet net;
        if (pack::readPackedFolder(dir, "", net, error)) {
            pack::IntegerEngine engine;
            if (engine.load(net, error)) {
                ++loaded;
                std::vector<int8_t> codes(size_t(net.channels) * net.height * net.width, 1);
                const int cls = engine.classify(codes.data());
                QVERIFY2(cls >= 0 && cls < net.layers.back().rows, qPrintable(QString::fromStdString(m.dump())));
                continue;
            }
        }
        ++refused;
        QVERIFY2(!error.empty() && error.size() < 2000, error.c_str());
        QCOMPARE(validUtf8(error), error);
    }
    qInfo("%d cases: %d loaded, %d refused with a sentence", cases, loaded, refused);
    QVERIFY2(loaded > 0, qPrintable(QString::number(loaded)));
    QVERIFY2(refused > cases / 4, qPrintable(QString::number(refused)));
}

// A weight file's header with hostile values (shapes, offsets, counts) and
// its data cut or padded: it loads with every tensor whole, or is refused.
void TestFuzz::mutatedWeightFilesLoadOrSaySentence()
{
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/w.qnnw";
    WeightFile w;
    w.epoch = 2;
    w.tag = "last";
    for (NodeId id : {2, 5}) {
        NodeWeights n;
        n.node = id;
        n.nodeName = "n" + std::to_string(id);
        n.kind = id == 2 ? "Dense" : "BatchNorm";
        n.scalars["eps"] = 1e-5;
        for (const char* name : {"weight", "bias"}) {
            WeightTensor t;
            t.name = name;
            t.shape = id == 2 && name == std::string("weight") ? std::vector<int64_t>{4, 3} : std::vector<int64_t>{4};
            t.values.assign(size_t(t.elementCount()), 0.25f);
            n.tensors.push_back(t);
        }
        w.nodes[id] = n;
    }
    std::string error;
    QVERIFY(writeWeightFile(path, w, error));
    std::string bytes;
    QVERIFY(readFile(path, bytes, error));
    const size_t a = bytes.find('\n'), b = bytes.find('\n', a + 1);
    const std::string magic = bytes.substr(0, a + 1), data = bytes.substr(b + 1);
    const json header = json::parse(bytes.substr(a + 1, b - a - 1));
    std::mt19937 rng(7);
    const int cases = std::max(100, caseCount() / 3);
    int loaded = 0, refused = 0;
    for (int i = 0; i < cases; ++i) {
        json h = header;
        for (int e = 1 + int(rng() % 2); e > 0; --e)
            mutate(h, rng);
        std::string d = data;
        if (rng() % 8 == 0)
            d.resize(size_t(rng() % (data.size() + 16)), '\0');
        QVERIFY(writePlain(path, magic + h.dump() + "\n" + d));
        WeightFile back;
        if (readWeightFile(path, back, error)) {
            ++loaded;
            for (const auto& [id, n] : back.nodes)
                for (const WeightTensor& t : n.tensors)
                    QCOMPARE(int64_t(t.values.size()), t.elementCount());
        } else {
            ++refused;
            QVERIFY2(!error.empty() && error.size() < 2000, error.c_str());
        }
    }
    qInfo("%d cases: %d loaded, %d refused with a sentence", cases, loaded, refused);
    QVERIFY2(loaded > cases / 20, qPrintable(QString::number(loaded)));
    QVERIFY2(refused > cases / 4, qPrintable(QString::number(refused)));
}

// The device table (resources/devices.json) with hostile values: a user's
// own devices file goes through the same reader.
void TestFuzz::mutatedDeviceFilesLoadOrSaySentence()
{
    QFile f(QNN_SOURCE_DIR "/resources/devices.json");
    QVERIFY(f.open(QIODevice::ReadOnly));
    const json original = json::parse(f.readAll().toStdString());
    std::mt19937 rng(4242);
    const int cases = std::max(200, caseCount() / 3);
    int loaded = 0, refused = 0;
    for (int i = 0; i < cases; ++i) {
        json doc = original;
        for (int e = 1 + int(rng() % 3); e > 0; --e)
            mutate(doc, rng);
        DeviceDatabase db;
        std::string error;
        if (db.addJson(doc.dump(), "devices.json", error)) {
            ++loaded;
            for (const Device& d : db.devices()) {
                QVERIFY(!d.part.empty());
                QVERIFY(d.lut > 0 && d.ff >= 0 && d.bram36 >= 0 && d.uram >= 0 && d.dsp >= 0);
                QVERIFY(d.defaultClockMhz > 0 && d.defaultClockMhz <= 2000);
            }
        } else {
            ++refused;
            QVERIFY2(!error.empty() && error.size() < 2000, error.c_str());
        }
    }
    qInfo("%d cases: %d loaded, %d refused with a sentence", cases, loaded, refused);
    QVERIFY2(loaded > cases / 20 && refused > cases / 10,
             qPrintable(QString("%1 loaded, %2 refused").arg(loaded).arg(refused)));
}

QTEST_APPLESS_MAIN(TestFuzz)
#include "tst_fuzz.moc"
