// FPGA cost model: folding files, matrix shapes and padding, folding checks,
// prebuilt overlays, the device table, and the estimate itself.
#include "core/graph/graph_json.h"
#include "core/hw/dataflow.h"
#include "core/hw/device.h"
#include "core/hw/estimate.h"
#include "core/hw/folding.h"
#include "core/hw/overlay.h"
#include "core/hw/peak.h"
#include "core/project/project.h"
#include "core/util/atomic_file.h"

#include <QtTest>

#include <QTemporaryDir>

using namespace qnn;

namespace {

Project loadExample(const char* name)
{
    Project p;
    std::string error;
    const bool ok = loadProject(std::string(QNN_SOURCE_DIR "/projects/") + name, p, error);
    if (!ok)
        qWarning("%s", error.c_str());
    return p;
}

Dataflow exampleDataflow(const char* name) { return buildDataflow(loadExample(name).graph); }

bool containsText(const std::vector<Diagnostic>& ds, const std::string& text, const std::string& node = {})
{
    for (const Diagnostic& d : ds)
        if (d.message.find(text) != std::string::npos && d.category == DiagnosticCategory::HardwareFit &&
            (node.empty() || d.message.rfind(node, 0) == 0))
            return true;
    return false;
}

std::string allMessages(const std::vector<Diagnostic>& ds)
{
    std::string s;
    for (const Diagnostic& d : ds)
        s += d.message + "\n";
    return s;
}

Folding folding(std::initializer_list<std::pair<const std::string, LayerFold>> layers)
{
    Folding f;
    f.layers = layers;
    return f;
}

} // namespace

class TestEstimate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void foldingFileRoundTrip();
    void foldingAcceptsFinnConfig();
    void foldingFileErrors_data();
    void foldingFileErrors();
    void lfcShapesAndPadding();
    void cnvShapes();
    void bnnPynqFoldingsAreValid();
    void invalidFoldings_data();
    void invalidFoldings();
    void foldingMustNameEveryLayer();
    void graphsWithoutDataflow_data();
    void graphsWithoutDataflow();
    void validValuesOffered();
    void overlaysMatchTheExamples_data();
    void overlaysMatchTheExamples();
    void overlayNamesTheDifferences();
    void devicesBuiltIn();
    void deviceFileErrors_data();
    void deviceFileErrors();
    void userDeviceAdded();
    void projectStoresFolding();
    void bnnPynqCyclesExact_data();
    void bnnPynqCyclesExact();
    void cnvLayerCycles();
    void lutAndBramByHand();
    void finnFormulasByHand();
    void calibrationWithinFivePercent_data();
    void calibrationWithinFivePercent();
    void expectedErrorFromResiduals();
    void moreBitsMoreLuts();
    void lutramBramBoundary();
    void bramRunsOutToLutram();
    void peakTableFromCatalogue_data();
    void peakTableFromCatalogue();
    void overlayVerdictNeedsRebuild();
    void mayNotFitWithinTheError_data();
    void mayNotFitWithinTheError();
    void estimateRefusesInvalidFolding();
    void searchFindsCheapestFolding_data();
    void searchFindsCheapestFolding();
    void searchOnCnv();
    void searchTooFast();
    void maxFitsDevice();
    void tooLargeNamesTheLayer();
};

void TestEstimate::foldingFileRoundTrip()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("folding.json").toStdString();
    Folding f = folding({{"dense1", {32, 64}}, {"dense2", {64, 32}}});
    f.source = "bnn-pynq lfcW1A1";
    std::string error;
    QVERIFY(writeFoldingFile(path, f, error));
    Folding back;
    QVERIFY2(readFoldingFile(path, back, error), error.c_str());
    QVERIFY(back == f);
    QCOMPARE(back.source, f.source);
    std::string text;
    QVERIFY(readFile(path, text, error));
    QCOMPARE(text, foldingToJson(f).dump(2) + "\n");
}

void TestEstimate::foldingAcceptsFinnConfig()
{
    // FINN's folding_config.json: capitalised keys, extra keys, a sliding
    // window with SIMD only, FINN's own node names.
    const char* finn = R"({
      "Defaults": {},
      "ConvolutionInputGenerator_0": {"SIMD": 3, "ram_style": "distributed"},
      "MVAU_hls_0": {"PE": 16, "SIMD": 3, "ram_style": "auto", "resType": "lut"},
      "MatrixVectorActivation_1": {"PE": 32, "SIMD": 32},
      "conv3": {"PE": 16, "SIMD": 32}
    })";
    Folding f;
    std::string error;
    QVERIFY2(foldingFromJson(nlohmann::json::parse(finn), f, error), error.c_str());
    QCOMPARE(int(f.layers.size()), 3);
    QVERIFY(f.layers.at("MVAU_hls_0") == (LayerFold{16, 3}));
    const Dataflow df = exampleDataflow("cnv-w1a1-cifar10.qnnproj");
    QVERIFY2(resolveFinnNames(df, f, error), error.c_str());
    QVERIFY(f.layers.at("conv1") == (LayerFold{16, 3}));
    QVERIFY(f.layers.at("conv2") == (LayerFold{32, 32}));
    QVERIFY(f.layers.at("conv3") == (LayerFold{16, 32}));

    Folding far;
    QVERIFY(foldingFromJson(nlohmann::json::parse(R"({"MVAU_12": {"PE": 1, "SIMD": 1}})"), far, error));
    QVERIFY(!resolveFinnNames(df, far, error));
    QCOMPARE(error, std::string("folding entry \"MVAU_12\" names matrix layer 12, but the graph has 9"));
}

void TestEstimate::foldingFileErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("not object") << "[1]" << "a folding must be a JSON object";
    QTest::newRow("pe zero") << R"({"dense1": {"pe": 0, "simd": 4}})"
                             << "folding entry \"dense1\": PE must be a positive integer, got 0";
    QTest::newRow("simd text") << R"({"dense1": {"pe": 2, "simd": "4"}})"
                               << "folding entry \"dense1\": SIMD must be a positive integer, got \"4\"";
    QTest::newRow("pe only") << R"({"dense1": {"pe": 2}})" << "folding entry \"dense1\" has PE but no SIMD";
    QTest::newRow("entry not object") << R"({"dense1": 4})"
                                      << "folding entry \"dense1\" must be an object such as {\"pe\": 4, \"simd\": 8}, got 4";
    QTest::newRow("empty") << "{}" << "the folding names no layer with PE and SIMD";
    QTest::newRow("wrong format") << R"({"format": "x", "layers": {}})"
                                  << "not a folding file: \"format\" must be \"qnn-workbench-folding\"";
    QTest::newRow("no layers") << R"({"format": "qnn-workbench-folding", "version": 1})"
                               << "folding file: \"layers\" must be an object of {\"pe\", \"simd\"} per layer name";
}

void TestEstimate::foldingFileErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    Folding f;
    std::string got;
    QVERIFY(!foldingFromJson(nlohmann::json::parse(text.toStdString()), f, got));
    QCOMPARE(QString::fromStdString(got), error);
}

void TestEstimate::lfcShapesAndPadding()
{
    const Dataflow df = exampleDataflow("lfc-w1a1-mnist.qnnproj");
    QVERIFY2(df.ok(), allMessages(df.problems).c_str());
    QCOMPARE(int(df.layers.size()), 4);
    const MatrixLayer& first = df.layers[0];
    QCOMPARE(first.mw, int64_t(784));
    QCOMPARE(first.mh, int64_t(1024));
    QCOMPARE(paddedShape(first).mw, int64_t(832)); // 1-bit pixels in whole 64-bit words
    QCOMPARE(paddedShape(first).mh, int64_t(1024));
    const MatrixLayer& last = df.layers[3];
    QCOMPARE(last.mh, int64_t(10));
    QCOMPARE(paddedShape(last).mh, int64_t(64));
    QCOMPARE(paddedShape(last, {16, 8}).mh, int64_t(64));
    QCOMPARE(paddedShape(last, {48, 8}).mh, int64_t(96)); // rows up to a multiple of PE
    QCOMPARE(paddedShape(first, {32, 128}).mw, int64_t(896)); // columns up to a multiple of SIMD
    QCOMPARE(last.thresholdsPerRow, 1);                        // LFC thresholds its last layer
    QCOMPARE(df.layers[1].inputBits, 1);
    QCOMPARE(df.layers[1].thresholdsPerRow, 1);

    const Dataflow a2 = exampleDataflow("lfc-w1a2-mnist.qnnproj");
    QCOMPARE(a2.layers[0].inputBits, 1);
    QCOMPARE(a2.layers[0].outputBits, 2);
    QCOMPARE(a2.layers[0].thresholdsPerRow, 3);
    QCOMPARE(a2.layers[1].inputBits, 2);
}

void TestEstimate::cnvShapes()
{
    const Dataflow df = exampleDataflow("cnv-w1a1-cifar10.qnnproj");
    QVERIFY2(df.ok(), allMessages(df.problems).c_str());
    QCOMPARE(int(df.layers.size()), 9);
    const int64_t mh[] = {64, 64, 128, 128, 256, 256, 512, 512, 10};
    const int64_t mw[] = {27, 576, 576, 1152, 1152, 2304, 256, 512, 512};
    const int64_t ofm[] = {30, 28, 12, 10, 3, 1, 1, 1, 1};
    for (int i = 0; i < 9; ++i) {
        QCOMPARE(df.layers[i].mh, mh[i]);
        QCOMPARE(df.layers[i].mw, mw[i]);
        QCOMPARE(df.layers[i].ofmH, ofm[i]);
    }
    QCOMPARE(paddedShape(df.layers[0]).mw, int64_t(27)); // a conv's columns are not word-padded
    QCOMPARE(paddedShape(df.layers[8]).mh, int64_t(64));
    QCOMPARE(df.layers[0].inputBits, 8);
    QVERIFY(df.layers[1].poolAfter);
    QVERIFY(df.layers[3].poolAfter);
    QVERIFY(!df.layers[2].poolAfter);
    QCOMPARE(df.layers[8].thresholdsPerRow, 0); // CNV passes its scores through
    QCOMPARE(df.layers[8].outputBits, 16);
}

void TestEstimate::bnnPynqFoldingsAreValid()
{
    for (const char* name : {"lfc-w1a1-mnist.qnnproj", "lfc-w1a2-mnist.qnnproj", "cnv-w1a1-cifar10.qnnproj",
                             "cnv-w2a2-cifar10.qnnproj"}) {
        const Dataflow df = exampleDataflow(name);
        Folding f;
        std::string error;
        QVERIFY2(bnnPynqFolding(df, f, error), error.c_str());
        const std::vector<Diagnostic> problems = checkFolding(df, f);
        QVERIFY2(problems.empty(), allMessages(problems).c_str());
    }
}

void TestEstimate::invalidFoldings_data()
{
    QTest::addColumn<QString>("layer");
    QTest::addColumn<int>("pe");
    QTest::addColumn<int>("simd");
    QTest::addColumn<QString>("message");
    QTest::newRow("pe does not divide MH") << "dense2" << 48 << 32 << "dense2: PE 48 does not divide its 1024 rows (MH)";
    QTest::newRow("simd does not divide MW") << "dense3" << 32 << 48
                                             << "dense3: SIMD 48 does not divide its 1024 columns (MW)";
    QTest::newRow("pe above padded rows") << "dense4" << 128 << 8 << "dense4: PE 128 exceeds its 64 rows (padded)";
    QTest::newRow("word too wide") << "dense2" << 64 << 128
                                   << "dense2: a weight word of SIMD 128 × 1 bits = 128 bits is wider than 64 bits "
                                      "(the weight files' words)";
    QTest::newRow("zero") << "dense2" << 0 << 32 << "dense2: PE and SIMD must be at least 1, got PE 0, SIMD 32";
}

void TestEstimate::invalidFoldings()
{
    QFETCH(QString, layer);
    QFETCH(int, pe);
    QFETCH(int, simd);
    QFETCH(QString, message);
    const Dataflow df = exampleDataflow("lfc-w1a1-mnist.qnnproj");
    Folding f = overlayFolding(df, *findOverlay("lfcW1A1"));
    f.layers[layer.toStdString()] = {pe, simd};
    const std::vector<Diagnostic> problems = checkFolding(df, f);
    QCOMPARE(int(problems.size()), 1);
    QCOMPARE(QString::fromStdString(problems[0].message), message);
    QCOMPARE(problems[0].node, df.find(layer.toStdString())->node);
    QVERIFY(problems[0].category == DiagnosticCategory::HardwareFit);
}

void TestEstimate::foldingMustNameEveryLayer()
{
    const Dataflow df = exampleDataflow("lfc-w1a1-mnist.qnnproj");
    Folding f = overlayFolding(df, *findOverlay("lfcW1A1"));
    f.layers.erase("dense3");
    f.layers["dense9"] = {1, 1};
    const std::vector<Diagnostic> problems = checkFolding(df, f);
    QCOMPARE(int(problems.size()), 2);
    QCOMPARE(problems[0].message,
             std::string("the folding names \"dense9\", which is not a Dense or Conv2D layer of this graph"));
    QCOMPARE(problems[1].message, std::string("dense3 has no PE/SIMD in the folding (bnn-pynq lfcW1A1)"));
    QCOMPARE(problems[1].node, df.find("dense3")->node);
}

void TestEstimate::graphsWithoutDataflow_data()
{
    QTest::addColumn<QString>("graph");
    QTest::addColumn<QString>("message");
    QTest::newRow("avgpool") << R"({"nodes": [
        {"id": 1, "kind": "Input", "name": "in", "act_bits": 8, "attrs": {"shape": [3, 8, 8]}},
        {"id": 2, "kind": "Conv2D", "name": "c", "weight_bits": 1, "attrs": {"kernel": 3, "filters": 4}},
        {"id": 3, "kind": "AvgPool", "name": "avg", "attrs": {"kernel": 2, "stride": 2}},
        {"id": 4, "kind": "Flatten", "name": "f"},
        {"id": 5, "kind": "Dense", "name": "d", "weight_bits": 1, "attrs": {"units": 10}},
        {"id": 6, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
      "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}, {"from": 4, "to": 5}, {"from": 5, "to": 6}]})"
                             << "the dataflow has no unit for AvgPool (avg); the FINN/BNN-PYNQ pipeline streams "
                                "Dense, Conv2D and MaxPool units";
    QTest::newRow("float weights") << R"({"nodes": [
        {"id": 1, "kind": "Input", "name": "in", "act_bits": 1, "attrs": {"shape": [16]}},
        {"id": 2, "kind": "Dense", "name": "d", "weight_bits": 32, "attrs": {"units": 10}},
        {"id": 3, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
      "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}]})"
                                   << "d has 32-bit (float) weights; the dataflow units take 1- to 8-bit weights";
    QTest::newRow("float input") << R"({"nodes": [
        {"id": 1, "kind": "Input", "name": "in", "act_bits": 32, "attrs": {"shape": [16]}},
        {"id": 2, "kind": "Dense", "name": "d", "weight_bits": 1, "attrs": {"units": 10}},
        {"id": 3, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
      "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}]})"
                                 << "the input is float; the dataflow takes 1- to 8-bit pixels";
}

void TestEstimate::graphsWithoutDataflow()
{
    QFETCH(QString, graph);
    QFETCH(QString, message);
    Graph g;
    std::string error;
    QVERIFY2(graphFromJson(nlohmann::json::parse(graph.toStdString()), g, error), error.c_str());
    const Dataflow df = buildDataflow(g);
    QVERIFY(!df.ok());
    QVERIFY2(containsText(df.problems, message.toStdString()), allMessages(df.problems).c_str());
    QVERIFY(!matchOverlay(df).matches);
}

void TestEstimate::validValuesOffered()
{
    const Dataflow df = exampleDataflow("cnv-w2a2-cifar10.qnnproj");
    QCOMPARE(validSimd(df.layers[0]), (std::vector<int>{1, 3}));                     // divisors of 3 channels
    QCOMPARE(validSimd(df.layers[1]), (std::vector<int>{1, 2, 4, 8, 16, 32}));       // 64 channels, 2-bit words ≤ 64
    QCOMPARE(validPe(df.layers[8]), (std::vector<int>{1, 2, 4, 8, 16, 32, 64}));     // 10 rows padded to 64
    QCOMPARE(validPe(df.layers[0]), (std::vector<int>{1, 2, 4, 8, 16, 32, 64}));
}

void TestEstimate::overlaysMatchTheExamples_data()
{
    QTest::addColumn<QString>("project");
    QTest::addColumn<QString>("overlay");
    QTest::newRow("lfcW1A1") << "lfc-w1a1-mnist.qnnproj" << "lfcW1A1";
    QTest::newRow("lfcW1A2") << "lfc-w1a2-mnist.qnnproj" << "lfcW1A2";
    QTest::newRow("cnvW1A1") << "cnv-w1a1-cifar10.qnnproj" << "cnvW1A1";
    QTest::newRow("cnvW2A2") << "cnv-w2a2-cifar10.qnnproj" << "cnvW2A2";
}

void TestEstimate::overlaysMatchTheExamples()
{
    QFETCH(QString, project);
    QFETCH(QString, overlay);
    const OverlayMatch m = matchOverlay(exampleDataflow(project.toUtf8().constData()));
    QVERIFY2(m.matches, m.verdict.c_str());
    QCOMPARE(QString::fromStdString(m.overlay->name), overlay);
    QCOMPARE(QString::fromStdString(m.verdict),
             "matches the prebuilt " + overlay + " overlay: only the weights change");
}

void TestEstimate::overlayNamesTheDifferences()
{
    Project p = loadExample("cnv-w1a1-cifar10.qnnproj");
    p.graph.node(p.graph.findByName("conv2"))->attrs["filters"] = int64_t(32);
    p.graph.node(p.graph.findByName("dense9"))->quant.weightBits = 2;
    const Dataflow df = buildDataflow(p.graph);
    const OverlayMatch m = matchOverlay(df);
    QVERIFY(!m.matches);
    QCOMPARE(m.overlay->name, std::string("cnvW1A1"));
    QCOMPARE(m.verdict, std::string("no prebuilt overlay matches; the nearest, cnvW1A1, differs in 3 places: "
                                    "conv2: 32 filters, the overlay has 64; conv3: input 32×14×14, the overlay has "
                                    "64×14×14; dense9: 2-bit weights, the overlay has 1-bit"));
    Folding f;
    std::string error;
    QVERIFY(!bnnPynqFolding(df, f, error));
    QCOMPARE(error, std::string("the graph matches no prebuilt BNN-PYNQ overlay; the nearest is cnvW1A1, and the "
                                "first difference is: conv2: 32 filters, the overlay has 64"));

    Project tfc = loadExample("tfc-w1a1-mnist.qnnproj");
    const OverlayMatch t = matchOverlay(buildDataflow(tfc.graph));
    QVERIFY(!t.matches);
    QVERIFY2(t.overlay && t.overlay->network == "LFC", t.verdict.c_str());
}

void TestEstimate::devicesBuiltIn()
{
    const DeviceDatabase db = DeviceDatabase::builtIn();
    QCOMPARE(int(db.devices().size()), 8 - 1); // the seven parts of FPGA_NOTES.md
    DeviceChoice c;
    std::string error;
    QVERIFY(db.find("PYNQ-Z2", c, error));
    QCOMPARE(c.device->part, std::string("xc7z020"));
    QCOMPARE(c.device->lut, int64_t(53200));
    QCOMPARE(c.device->bram36, int64_t(140));
    QCOMPARE(c.clockMhz, 100.0);
    QVERIFY(db.find("xc7z020clg400-1", c, error));
    QCOMPARE(c.device->dsp, int64_t(220));
    QVERIFY(db.find("ultra96", c, error));
    QCOMPARE(c.device->part, std::string("xczu3eg"));
    QCOMPARE(c.clockMhz, 300.0);
    QVERIFY(db.find("aws-f1", c, error));
    QCOMPARE(c.device->uram, int64_t(960));
    QVERIFY(db.find("xczu19eg", c, error));
    QCOMPARE(c.device->ff, int64_t(1045440));
    QVERIFY(!db.find("xc7z099", c, error));
    QVERIFY2(error.rfind("unknown device \"xc7z099\"; known parts and boards: xc7z020, pynq-z1, pynq-z2, xczu3eg",
                         0) == 0,
             error.c_str());
}

void TestEstimate::deviceFileErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("bad json") << "{" << "user.json: not valid JSON at line 1, column 1";
    QTest::newRow("no list") << R"({"parts": []})" << "user.json: a devices file is an object with a \"devices\" list";
    QTest::newRow("no part") << R"({"devices": [{"lut": 5}]})"
                             << "user.json: device 1: \"part\" must be a part name such as \"xc7z020\"";
    QTest::newRow("missing lut") << R"({"devices": [{"part": "xcfoo", "ff": 1, "bram36": 1, "uram": 0, "dsp": 0}]})"
                                 << "user.json: device 1 (xcfoo): \"lut\" must be a whole number ≥ 0 (missing)";
    QTest::newRow("negative bram")
        << R"({"devices": [{"part": "xcfoo", "lut": 10, "ff": 1, "bram36": -1, "uram": 0, "dsp": 0}]})"
        << "user.json: device 1 (xcfoo): \"bram36\" must be a whole number ≥ 0, got -1";
    QTest::newRow("bad clock")
        << R"({"devices": [{"part": "xcfoo", "lut": 10, "ff": 1, "bram36": 1, "uram": 0, "dsp": 0, "default_clock_mhz": "fast"}]})"
        << "user.json: device 1 (xcfoo): \"default_clock_mhz\" must be a clock in MHz between 0 and 2000, got \"fast\"";
    QTest::newRow("bad board")
        << R"({"devices": [{"part": "xcfoo", "lut": 10, "ff": 1, "bram36": 1, "uram": 0, "dsp": 0, "boards": [{"clock_mhz": 100}]}]})"
        << "user.json: device 1 (xcfoo), board 1: must be {\"name\": \"...\", \"clock_mhz\": 100}";
    QTest::newRow("twice")
        << R"({"devices": [{"part": "xcfoo", "lut": 10, "ff": 1, "bram36": 1, "uram": 0, "dsp": 0},
                           {"part": "xcfoo", "lut": 10, "ff": 1, "bram36": 1, "uram": 0, "dsp": 0}]})"
        << "user.json: part xcfoo is listed twice";
}

void TestEstimate::deviceFileErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    DeviceDatabase db = DeviceDatabase::builtIn();
    std::string got;
    QVERIFY(!db.addJson(text.toStdString(), "user.json", got));
    QVERIFY2(QString::fromStdString(got).startsWith(error), got.c_str());
    QCOMPARE(int(db.devices().size()), 7); // nothing half-added
}

void TestEstimate::userDeviceAdded()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("devices.json").toStdString();
    std::string error;
    QVERIFY(writeFileAtomic(path, R"({"format": "qnn-workbench-devices", "version": 1, "devices": [
        {"part": "xc7a100t", "family": "Artix-7", "lut": 63400, "ff": 126800, "bram36": 135, "uram": 0, "dsp": 240,
         "default_clock_mhz": 100, "boards": [{"name": "arty-a7-100", "clock_mhz": 100}]}]})",
                            error));
    qputenv("QNNW_DEVICES", QByteArray::fromStdString(path));
    DeviceDatabase db;
    QVERIFY2(DeviceDatabase::standard(db, error), error.c_str());
    qunsetenv("QNNW_DEVICES");
    DeviceChoice c;
    QVERIFY(db.find("arty-a7-100", c, error));
    QCOMPARE(c.device->bram36, int64_t(135));
    QCOMPARE(c.device->origin, path);
    QVERIFY(db.find("pynq-z1", c, error)); // the built-in parts stay
}

void TestEstimate::projectStoresFolding()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("p.qnnproj").toStdString();
    Project p = loadExample("lfc-w1a1-mnist.qnnproj");
    const std::string before = serializeProject(p);
    QVERIFY(before.find("\"folding\"") == std::string::npos); // no folding, no key: old files stay byte-stable
    p.deploy.folding = overlayFolding(buildDataflow(p.graph), *findOverlay("lfcW1A1"));
    std::string error;
    QVERIFY(saveProject(path, p, error));
    Project back;
    QVERIFY2(loadProject(path, back, error), error.c_str());
    QVERIFY(back == p);
    QCOMPARE(back.deploy.folding.source, std::string("bnn-pynq lfcW1A1"));
    QVERIFY(back.deploy.folding.layers.at("dense2") == (LayerFold{64, 32}));
    QCOMPARE(serializeProject(back), serializeProject(p));
    std::string text;
    QVERIFY(readFile(path, text, error));
    QCOMPARE(text, serializeProject(p));

    Project bad;
    QVERIFY(!parseProject(R"({"format": "qnn-workbench-project", "version": 1, "graph": {"nodes": [], "edges": []},
        "deploy": {"folding": {"layers": {"dense1": {"pe": -2, "simd": 4}}}}})",
                          bad, error));
    QVERIFY2(error == "deploy.folding: folding entry \"dense1\": PE must be a positive integer, got -2", error.c_str());
}

namespace {

const Device* xc7z020()
{
    static const DeviceDatabase db = DeviceDatabase::builtIn();
    DeviceChoice c;
    std::string error;
    db.find("xc7z020", c, error);
    return c.device;
}

Estimate bnnPynqEstimate(const char* project, CostModel model = CostModel::Calibrated)
{
    const Dataflow df = exampleDataflow(project);
    Folding f;
    std::string error;
    if (!bnnPynqFolding(df, f, error))
        qWarning("%s", error.c_str());
    EstimateOptions o;
    o.clockMhz = 100;
    o.device = xc7z020();
    o.model = model;
    return estimateDesign(df, f, o);
}

const UnitEstimate* unitNamed(const Estimate& e, const std::string& name)
{
    for (const UnitEstimate& u : e.units)
        if (u.name == name)
            return &u;
    return nullptr;
}

} // namespace

void TestEstimate::bnnPynqCyclesExact_data()
{
    QTest::addColumn<QString>("project");
    QTest::addColumn<qint64>("bottleneckCycles");
    QTest::addColumn<double>("fps");
    QTest::addColumn<QString>("fpsText");
    QTest::newRow("lfc w1a1") << "lfc-w1a1-mnist.qnnproj" << qint64(512) << 195312.5 << "195312.5";
    QTest::newRow("lfc w1a2") << "lfc-w1a2-mnist.qnnproj" << qint64(512) << 195312.5 << "195312.5";
    QTest::newRow("cnv w1a1") << "cnv-w1a1-cifar10.qnnproj" << qint64(32768) << 1e8 / 32768 << "3051.8";
    QTest::newRow("cnv w2a2") << "cnv-w2a2-cifar10.qnnproj" << qint64(115200) << 1e8 / 115200 << "868.1";
}

void TestEstimate::bnnPynqCyclesExact()
{
    QFETCH(QString, project);
    QFETCH(qint64, bottleneckCycles);
    QFETCH(double, fps);
    QFETCH(QString, fpsText);
    const Estimate e = bnnPynqEstimate(project.toUtf8().constData());
    QVERIFY2(e.ok, allMessages(e.problems).c_str());
    QCOMPARE(qint64(e.bottleneckCycles), bottleneckCycles);
    QCOMPARE(e.fps, fps);
    QCOMPARE(QString::number(e.fps, 'f', 1), fpsText);
    // The same cycles under FINN's resource model: cycles do not depend on it.
    QCOMPARE(bnnPynqEstimate(project.toUtf8().constData(), CostModel::Finn).fps, fps);
}

void TestEstimate::cnvLayerCycles()
{
    const Estimate e = bnnPynqEstimate("cnv-w1a1-cifar10.qnnproj");
    // OFM² · (MH/PE) · (MW/SIMD), by hand from the folding of FPGA_NOTES.md.
    const std::vector<std::pair<std::string, int64_t>> expected{
        {"conv1", 900 * 4 * 9},  {"conv2", 784 * 2 * 18}, {"conv3", 144 * 8 * 18},
        {"conv4", 100 * 8 * 36}, {"conv5", 9 * 64 * 36},  {"conv6", 1 * 256 * 72},
        {"dense7", 512 * 64},    {"dense8", 512 * 64},    {"dense9", 16 * 512}};
    for (const auto& [name, cycles] : expected) {
        const UnitEstimate* u = unitNamed(e, name);
        QVERIFY2(u, name.c_str());
        QCOMPARE(u->cycles, cycles);
    }
    QCOMPARE(e.bottleneck, std::string("dense7")); // the first of the two 32,768-cycle layers
    QCOMPARE(unitNamed(e, "conv2 window")->cycles, int64_t(30 * 3 * 2 + 28 * (28 * 9 * 2)));
    QCOMPARE(unitNamed(e, "dense9")->mh, int64_t(64));
    QCOMPARE(unitNamed(e, "dense9")->wmem, int64_t(64 * 512 / 4));
}

void TestEstimate::lutAndBramByHand()
{
    const Estimate lfc = bnnPynqEstimate("lfc-w1a1-mnist.qnnproj");
    const UnitEstimate& d1 = *unitNamed(lfc, "dense1");
    QCOMPARE(d1.wmem, int64_t(832 * 1024 / (32 * 64)));
    QCOMPARE(d1.tmem, int64_t(32));
    // Accumulator: ceil(log2(832) + 1 + 1 - 1 + log2(1 + 2^-alpha) + 1) = 12 bits.
    // LUT: unit 700 + PE 32 × (SIMD 64 × popcount lane 1.18·(1+1) + acc 12 + one comparator 12)
    //      + thresholds in LUTRAM (32 deep): 32 PEs × 1 × 16 bits × ceil(32/64).
    const double lut = 700 + 32 * (64 * 1.18 * 2 + 12 + 12) + 32 * 16;
    QVERIFY2(qAbs(d1.lut - lut) < 1e-6, qPrintable(QString::number(d1.lut)));
    // BRAM: per PE 416 words × 64 bits → 2 BRAM18 (512×36 mode), × 32 PEs = 32 tiles.
    QCOMPARE(d1.bram36, 32.0);
    QCOMPARE(d1.weightsIn, std::string("BRAM"));
    QCOMPARE(d1.thresholdsIn, std::string("LUTRAM"));

    const Estimate cnv = bnnPynqEstimate("cnv-w1a1-cifar10.qnnproj");
    // dense7: 1 PE, 32,768 words × 4 bits → 8 BRAM18 (4K×4); thresholds 512 × 16 bits → 1 BRAM18.
    const UnitEstimate& d7 = *unitNamed(cnv, "dense7");
    QCOMPARE(d7.bram36, 4.5);
    QCOMPARE(d7.thresholdsIn, std::string("BRAM"));
    // conv6: 1 PE, 18,432 words × 32 bits → 36 × 512×36 = 36 BRAM18; thresholds 256 deep → 1 BRAM18.
    QCOMPARE(unitNamed(cnv, "conv6")->bram36, 18.0 + 0.5);
    // conv5: 4 PEs, 2,304 words × 32 bits: 5 × 512×36 (FINN's 1K×18 would take 6), thresholds 64 deep: 1.
    QCOMPARE(unitNamed(cnv, "conv5")->bram36, 4 * (5 + 1) / 2.0);
    // conv1: 16 PEs, 36 words × 3 bits each → one BRAM18 per PE (deeper than 32 words).
    QCOMPARE(unitNamed(cnv, "conv1")->bram36, 8.0);
    // conv2's window: 4 banks (K + S) of 60 words × 32 bits → a tile each.
    QCOMPARE(unitNamed(cnv, "conv2 window")->bram36, 4.0);
    // conv1: 8-bit pixels × binary weights: a 9-bit product (±pixel), a tree of 1.18·(9 + 1) per lane;
    // acc = ceil(log2 27 + 8 + 1 - 1 + ε + 1) = 14 bits; thresholds (4 deep) in LUTRAM: 16 bits each.
    const double conv1Lut = 700 + 16 * (3 * 1.18 * 10 + 14 + 14) + 16 * 16 * 1;
    QVERIFY2(qAbs(unitNamed(cnv, "conv1")->lut - conv1Lut) < 1e-6, qPrintable(QString::number(unitNamed(cnv, "conv1")->lut)));
    const UnitEstimate* infra = unitNamed(cnv, "infrastructure");
    QVERIFY(infra);
    QCOMPARE(infra->lut, 5000.0);
    QCOMPARE(infra->bram36, 9.0);

    // cnvW2A2's conv3: both operands 2 bits: a 4-bit product from 4 LUTs, added into the
    // accumulator (ceil(log2 576 + 2 + 2 - 1 + ε + 1) = 14 bits) per SIMD lane; 3 comparators
    // and a 3-input encoder per PE; 16 × 3 × 16-bit thresholds per PE in LUTRAM (16 deep).
    const Estimate w2a2 = bnnPynqEstimate("cnv-w2a2-cifar10.qnnproj");
    const UnitEstimate& c3 = *unitNamed(w2a2, "conv3");
    const double c3Lut = 700 + 8 * (16 * (1.18 * 14 + 4) + 14 + 3 * 14 + 3) + 8 * 48 * 1;
    QVERIFY2(qAbs(c3.lut - c3Lut) < 1e-6, qPrintable(QString::number(c3.lut)));
    // 576 words × 32 bits: two 512×36 BRAM18s per PE.
    QCOMPARE(c3.bram36, 8.0);
}

void TestEstimate::finnFormulasByHand()
{
    const Estimate lfc = bnnPynqEstimate("lfc-w1a1-mnist.qnnproj", CostModel::Finn);
    const UnitEstimate& d1 = *unitNamed(lfc, "dense1");
    // 300 + 1.1 · P · (mult + addtree + acc + thr + comp) with P 32, Q 64, W = A = 1, acc 12:
    // mult = 64·(2·1 − 1)·2 = 128, addtree = 2·127 = 254, thr = 12·ceil(32/64) = 12, comp = 12.
    QVERIFY(qAbs(d1.lut - (300 + 1.1 * 32 * (128 + 254 + 12 + 12 + 12))) < 1e-6);
    // One memory PE·SIMD·W = 2048 bits wide, 416 deep: ceil(416/512) · ceil(2048/36) = 57 BRAM18.
    QCOMPARE(d1.bram36, 28.5);
    QVERIFY(!unitNamed(lfc, "infrastructure"));
}

void TestEstimate::calibrationWithinFivePercent_data()
{
    QTest::addColumn<QString>("project");
    QTest::addColumn<double>("vivadoLut");
    QTest::addColumn<double>("vivadoBram");
    QTest::newRow("lfcW1A1") << "lfc-w1a1-mnist.qnnproj" << 28360.0 << 110.0;
    QTest::newRow("cnvW1A1") << "cnv-w1a1-cifar10.qnnproj" << 26072.0 << 124.0;
    QTest::newRow("cnvW2A2") << "cnv-w2a2-cifar10.qnnproj" << 37302.0 << 140.0;
}

void TestEstimate::calibrationWithinFivePercent()
{
    QFETCH(QString, project);
    QFETCH(double, vivadoLut);
    QFETCH(double, vivadoBram);
    const Estimate e = bnnPynqEstimate(project.toUtf8().constData());
    QVERIFY2(qAbs(e.lut / vivadoLut - 1) <= 0.05, qPrintable(QString::number(e.lut)));
    QVERIFY2(qAbs(e.bram36 / vivadoBram - 1) <= 0.05, qPrintable(QString::number(e.bram36)));
    QVERIFY(e.fits); // cnvW2A2 runs on the xc7z020, so the estimate must not say otherwise
    QCOMPARE(e.lutPercent, 100 * e.lut / 53200);
    QCOMPARE(e.bramPercent, 100 * e.bram36 / 140);
}

void TestEstimate::expectedErrorFromResiduals()
{
    // The stated error is the largest calibration residual, rounded up to a whole percent.
    double lutWorst = 0, bramWorst = 0;
    const std::vector<std::tuple<const char*, double, double>> designs{
        {"lfc-w1a1-mnist.qnnproj", 28360, 110}, {"cnv-w1a1-cifar10.qnnproj", 26072, 124},
        {"cnv-w2a2-cifar10.qnnproj", 37302, 140}};
    for (const auto& [project, lut, bram] : designs) {
        const Estimate e = bnnPynqEstimate(project);
        lutWorst = std::max(lutWorst, 100 * qAbs(e.lut / lut - 1));
        bramWorst = std::max(bramWorst, 100 * qAbs(e.bram36 / bram - 1));
    }
    const ExpectedError err = expectedError(CostModel::Calibrated);
    QCOMPARE(err.lutPercent, std::ceil(lutWorst));
    QCOMPARE(err.bramPercent, std::ceil(bramWorst));
    const Estimate e = bnnPynqEstimate("lfc-w1a1-mnist.qnnproj");
    QVERIFY(formatEstimate(e).find("expected error: LUT ±" + std::to_string(int(err.lutPercent)) + " %, BRAM36 ±" +
                                   std::to_string(int(err.bramPercent)) + " %") != std::string::npos);
}

void TestEstimate::moreBitsMoreLuts()
{
    // W1A1 < W1A2 < W2A2 on one folding, no device (nothing moves to LUTRAM).
    Project a1 = loadExample("lfc-w1a1-mnist.qnnproj");
    Project a2 = loadExample("lfc-w1a2-mnist.qnnproj");
    Project w2 = a2;
    for (const auto& [id, n] : a2.graph.nodes())
        if (n.kind == LayerKind::Dense)
            w2.graph.node(id)->quant.weightBits = 2;
    const Folding f = folding({{"dense1", {16, 16}}, {"dense2", {16, 16}}, {"dense3", {16, 16}}, {"dense4", {16, 16}}});
    double previous = 0;
    for (Project* p : {&a1, &a2, &w2}) {
        const Dataflow df = buildDataflow(p->graph);
        QVERIFY2(df.ok(), allMessages(df.problems).c_str());
        const Estimate e = estimateDesign(df, f, EstimateOptions{});
        QVERIFY2(e.ok, allMessages(e.problems).c_str());
        QVERIFY2(e.lut > previous * 1.05, qPrintable(QString("%1 after %2").arg(e.lut).arg(previous)));
        for (const char* layer : {"dense2", "dense3"}) // the same matrices at every precision
            QVERIFY(unitNamed(e, layer)->lut > 0);
        previous = e.lut;
    }
}

void TestEstimate::lutramBramBoundary()
{
    // fc1: 64 inputs → N units, PE 1, SIMD 64: N words of weights and N thresholds per PE.
    // At 32 words both stay in LUTRAM (a RAM32M per 6 bits); at 33 both move to block RAM:
    // weights 33 × 64 bits → 2 BRAM18 (512×36), thresholds 33 × 16 bits → 1 BRAM18.
    auto fc1 = [](int units) {
        const std::string text = std::string(R"({"nodes": [
            {"id": 1, "kind": "Input", "name": "in", "act_bits": 1, "attrs": {"shape": [64]}},
            {"id": 2, "kind": "Dense", "name": "fc1", "weight_bits": 1, "attrs": {"units": )") +
                                 std::to_string(units) + R"(, "bias": false}},
            {"id": 3, "kind": "BatchNorm", "name": "bn1"},
            {"id": 4, "kind": "Activation", "name": "act1", "act_bits": 1, "attrs": {"function": "sign"}},
            {"id": 5, "kind": "Dense", "name": "fc2", "weight_bits": 1, "attrs": {"units": 4, "bias": false}},
            {"id": 6, "kind": "Output", "name": "out", "attrs": {"classes": 4}}],
          "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}, {"from": 4, "to": 5}, {"from": 5, "to": 6}]})";
        Graph g;
        std::string error;
        if (!graphFromJson(nlohmann::json::parse(text), g, error))
            qWarning("%s", error.c_str());
        const Dataflow df = buildDataflow(g);
        const Estimate e = estimateDesign(df, folding({{"fc1", {1, 64}}, {"fc2", {1, 1}}}), EstimateOptions{});
        if (!e.ok)
            qWarning("%s", allMessages(e.problems).c_str());
        return *unitNamed(e, "fc1");
    };
    const UnitEstimate below = fc1(32);
    QCOMPARE(below.wmem, int64_t(32));
    QCOMPARE(below.weightsIn, std::string("LUTRAM"));
    QCOMPARE(below.thresholdsIn, std::string("LUTRAM"));
    QCOMPARE(below.bram36, 0.0);
    const UnitEstimate above = fc1(33);
    QCOMPARE(above.wmem, int64_t(33));
    QCOMPARE(above.weightsIn, std::string("BRAM"));
    QCOMPARE(above.thresholdsIn, std::string("BRAM"));
    QCOMPARE(above.bram36, (2 + 1) / 2.0);
    // The LUTRAM they leave: 64 bits × 1 LUT (≤ 64 words) and 16 bits × 1.
    QVERIFY2(qAbs(below.lut - above.lut - (64 + 16)) < 1e-6, qPrintable(QString::number(below.lut - above.lut)));
}

void TestEstimate::bramRunsOutToLutram()
{
    // cnvW2A2's memories need 144 + 9 BRAM36 as designed; on the 140 of the xc7z020 the
    // shallowest (conv1's and conv2's weights, conv5's thresholds) move to LUTRAM.
    const Estimate e = bnnPynqEstimate("cnv-w2a2-cifar10.qnnproj");
    QVERIFY(e.bram36 <= 140);
    QCOMPARE(unitNamed(e, "conv1")->weightsIn, std::string("LUTRAM"));
    QCOMPARE(unitNamed(e, "conv2")->weightsIn, std::string("LUTRAM"));
    QCOMPARE(unitNamed(e, "conv6")->weightsIn, std::string("BRAM"));
    // On a part with room, nothing moves.
    const DeviceDatabase db = DeviceDatabase::builtIn();
    DeviceChoice big;
    std::string error;
    QVERIFY(db.find("xc7z045", big, error));
    const Dataflow df = exampleDataflow("cnv-w2a2-cifar10.qnnproj");
    Folding f;
    QVERIFY(bnnPynqFolding(df, f, error));
    EstimateOptions o;
    o.device = big.device;
    const Estimate roomy = estimateDesign(df, f, o);
    QCOMPARE(unitNamed(roomy, "conv1")->weightsIn, std::string("BRAM"));
    QVERIFY2(roomy.bram36 > 140 && roomy.lut < e.lut, qPrintable(QString::number(roomy.bram36)));
}

void TestEstimate::peakTableFromCatalogue_data()
{
    // The seed deck's assumptions: 70 % fill, 250 MHz (KU115, ZU19EG) and 300 MHz (VU9P).
    QTest::addColumn<QString>("part");
    QTest::addColumn<double>("clock");
    QTest::newRow("KU115") << "xcku115" << 250.0;
    QTest::newRow("VU9P") << "xcvu9p" << 300.0;
    QTest::newRow("ZU19EG") << "xczu19eg" << 250.0;
}

void TestEstimate::peakTableFromCatalogue()
{
    QFETCH(QString, part);
    QFETCH(double, clock);
    const DeviceDatabase db = DeviceDatabase::builtIn();
    DeviceChoice c;
    std::string error;
    QVERIFY(db.find(part.toStdString(), c, error));
    QCOMPARE(peakClockMhz(*c.device), clock);
    const PeakTable t = peakTable(*c.device, peakClockMhz(*c.device), 0.7);
    // bits, LUT per op, DSP per op: the seed's figures (2 bits interpolated, see peak.cpp).
    const std::vector<std::tuple<int, double, double>> costs{{1, 2.5, 0},  {2, 6.375, 0},   {4, 16, 0},
                                                              {8, 45, 0},   {16, 15, 0.5}, {32, 178, 2}};
    QCOMPARE(t.rows.size(), costs.size());
    for (size_t i = 0; i < costs.size(); ++i) {
        const auto [bits, lutPerOp, dspPerOp] = costs[i];
        const double byLut = 0.7 * double(c.device->lut) / lutPerOp;
        const double byDsp = dspPerOp > 0 ? 0.7 * double(c.device->dsp) / dspPerOp : 1e300;
        QCOMPARE(t.rows[i].cost.bits, bits);
        QCOMPARE(t.rows[i].opsPerSecond, std::min(byLut, byDsp) * clock * 1e6);
        QCOMPARE(t.rows[i].limitedBy, std::string(byDsp < byLut ? "DSP" : "LUT"));
    }
    // Fewer bits, more operations: the seed's argument for low precision.
    for (size_t i = 1; i < t.rows.size(); ++i)
        QVERIFY(t.rows[i].opsPerSecond < t.rows[i - 1].opsPerSecond);
}

void TestEstimate::overlayVerdictNeedsRebuild()
{
    const Dataflow df = exampleDataflow("lfc-w1a1-mnist.qnnproj");
    const OverlayMatch m = matchOverlay(df);
    QVERIFY(m.matches);
    Folding f = overlayFolding(df, *m.overlay);
    QCOMPARE(overlayVerdict(m, df, f), std::string("matches the prebuilt lfcW1A1 overlay: only the weights change"));
    f.layers["dense2"] = {128, 32};
    QVERIFY(!overlayFoldingMatches(df, *m.overlay, f));
    QCOMPARE(overlayVerdict(m, df, f),
             std::string("has the shapes and precisions of the prebuilt lfcW1A1 overlay, but not its folding (dense2 PE "
                         "128 SIMD 32, the overlay's 64 × 32): this folding needs a rebuild of the bitstream; its own "
                         "folding would keep it (only the weights change)"));
}

void TestEstimate::mayNotFitWithinTheError_data()
{
    // lfcW1A1 needs 28,706 LUT (expected error ±2 %) on a part of this many LUTs.
    QTest::addColumn<int>("lut");
    QTest::addColumn<int>("verdict");
    QTest::addColumn<QString>("text");
    QTest::newRow("room") << 30000 << int(FitVerdict::Fits) << "fits";
    QTest::newRow("1.4 % over") << 28300 << int(FitVerdict::MayNotFit)
                                << "may not fit (within the estimate's error of ±2 %)";
    QTest::newRow("6 % over") << 27000 << int(FitVerdict::DoesNotFit) << "does not fit";
}

void TestEstimate::mayNotFitWithinTheError()
{
    QFETCH(int, lut);
    QFETCH(int, verdict);
    QFETCH(QString, text);
    DeviceDatabase db;
    std::string error;
    QVERIFY2(db.addJson(R"({"devices": [{"part": "xctest", "lut": )" + std::to_string(lut) +
                            R"(, "ff": 1, "bram36": 140, "uram": 0, "dsp": 220}]})",
                        "test", error),
             error.c_str());
    const Dataflow df = exampleDataflow("lfc-w1a1-mnist.qnnproj");
    EstimateOptions o;
    o.device = &db.devices().front();
    const Estimate e = estimateDesign(df, overlayFolding(df, *findOverlay("lfcW1A1")), o);
    QCOMPARE(e.lut, 28706.0);
    QCOMPARE(int(e.verdict), verdict);
    QCOMPARE(QString::fromStdString(verdictText(e)), text);
    const std::vector<Diagnostic> problems = fitProblems(e);
    if (verdict == int(FitVerdict::Fits)) {
        QVERIFY(problems.empty());
        return;
    }
    QCOMPARE(int(problems.size()), 1);
    QVERIFY(problems[0].severity == (verdict == int(FitVerdict::MayNotFit) ? Severity::Warning : Severity::Error));
    const std::string start = verdict == int(FitVerdict::MayNotFit)
                                  ? "the design may not fit (within the estimate's error of ±2 %): it needs 101 % of the xctest's LUT"
                                  : "the design needs 106 % of the xctest's LUT";
    QVERIFY2(problems[0].message.rfind(start, 0) == 0, problems[0].message.c_str());
    QVERIFY(formatEstimate(e).find(text.toStdString()) != std::string::npos);
}

void TestEstimate::estimateRefusesInvalidFolding()
{
    const Dataflow df = exampleDataflow("lfc-w1a1-mnist.qnnproj");
    Folding f = overlayFolding(df, *findOverlay("lfcW1A1"));
    f.layers["dense2"] = {48, 32};
    const Estimate e = estimateDesign(df, f, EstimateOptions{});
    QVERIFY(!e.ok);
    QCOMPARE(e.problems.front().message, std::string("dense2: PE 48 does not divide its 1024 rows (MH)"));
    QVERIFY(formatEstimate(e).find("error: dense2: PE 48") != std::string::npos);
}

namespace {

// Input 32 binary pixels → Dense 16 → Sign → Dense 4 (→ 64 rows padded): small enough to enumerate.
const char* kSmallMlp = R"({"nodes": [
    {"id": 1, "kind": "Input", "name": "in", "act_bits": 1, "attrs": {"shape": [128]}},
    {"id": 2, "kind": "Dense", "name": "fc1", "weight_bits": 1, "attrs": {"units": 32, "bias": false}},
    {"id": 3, "kind": "BatchNorm", "name": "bn1"},
    {"id": 4, "kind": "Activation", "name": "act1", "act_bits": 1, "attrs": {"function": "sign"}},
    {"id": 5, "kind": "Dense", "name": "fc2", "weight_bits": 1, "attrs": {"units": 4, "bias": false}},
    {"id": 6, "kind": "Output", "name": "out", "attrs": {"classes": 4}}],
  "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}, {"from": 4, "to": 5}, {"from": 5, "to": 6}]})";

double deviceShare(const Estimate& e, const Device& d)
{
    return e.lut / double(d.lut) + e.bram36 / double(d.bram36) + double(e.dsp) / double(d.dsp);
}

} // namespace

void TestEstimate::searchFindsCheapestFolding_data()
{
    QTest::addColumn<double>("fps");
    QTest::newRow("slow") << 1000.0;
    QTest::newRow("medium") << 1e6;
    QTest::newRow("fast") << 5e6;
    QTest::newRow("fastest") << 25e6;
}

void TestEstimate::searchFindsCheapestFolding()
{
    QFETCH(double, fps);
    Graph g;
    std::string error;
    QVERIFY(graphFromJson(nlohmann::json::parse(kSmallMlp), g, error));
    const Dataflow df = buildDataflow(g);
    QVERIFY2(df.ok(), allMessages(df.problems).c_str());
    EstimateOptions o;
    o.device = xc7z020();
    // Every valid folding, the cheapest that reaches the target.
    double best = 1e300;
    int reaching = 0;
    for (int pe1 : validPe(df.layers[0]))
        for (int simd1 : validSimd(df.layers[0]))
            for (int pe2 : validPe(df.layers[1]))
                for (int simd2 : validSimd(df.layers[1])) {
                    const Estimate e = estimateDesign(df, folding({{"fc1", {pe1, simd1}}, {"fc2", {pe2, simd2}}}), o);
                    QVERIFY(e.ok);
                    if (e.fps >= fps) {
                        ++reaching;
                        best = std::min(best, deviceShare(e, *o.device));
                    }
                }
    QVERIFY(reaching > 0);
    Folding found;
    QVERIFY2(foldForFps(df, fps, o, found, error), error.c_str());
    const Estimate e = estimateDesign(df, found, o);
    QVERIFY(e.ok);
    QVERIFY2(e.fps >= fps, qPrintable(QString::number(e.fps)));
    QVERIFY2(deviceShare(e, *o.device) <= best + 1e-6,
             qPrintable(QString("%1 vs %2 (%3)").arg(deviceShare(e, *o.device)).arg(best).arg(
                 QString::fromStdString(foldingSummary(found)))));
    QCOMPARE(found.source, "fps " + QString::number(fps, 'f', 0).toStdString());
}

void TestEstimate::searchOnCnv()
{
    const Dataflow df = exampleDataflow("cnv-w1a1-cifar10.qnnproj");
    EstimateOptions o;
    o.device = xc7z020();
    Folding f;
    std::string error;
    QVERIFY2(foldForFps(df, 3000, o, f, error), error.c_str());
    const Estimate e = estimateDesign(df, f, o);
    QVERIFY(e.ok);
    QVERIFY(e.fps >= 3000);
    // Cheaper than the prebuilt overlay, which reaches 3,051.8 FPS.
    const Estimate overlay = bnnPynqEstimate("cnv-w1a1-cifar10.qnnproj");
    QVERIFY2(deviceShare(e, *o.device) <= deviceShare(overlay, *o.device),
             qPrintable(QString("%1 LUT %2 BRAM vs %3 %4").arg(e.lut).arg(e.bram36).arg(overlay.lut).arg(overlay.bram36)));
}

void TestEstimate::searchTooFast()
{
    const Dataflow df = exampleDataflow("cnv-w1a1-cifar10.qnnproj");
    EstimateOptions o;
    o.device = xc7z020();
    Folding f;
    std::string error;
    QVERIFY(!foldForFps(df, 1e6, o, f, error));
    QCOMPARE(error,
             std::string("no folding reaches 1000000 FPS at 100 MHz: conv1 needs at least 8,196 cycles per frame even "
                         "fully unfolded, so at most 12201.1 FPS"));
    // (conv1's SIMD divides its 3 channels: 900 pixels × 9 column steps, and its window needs 8,196.)
}

void TestEstimate::maxFitsDevice()
{
    const Dataflow df = exampleDataflow("lfc-w1a1-mnist.qnnproj");
    EstimateOptions o;
    o.device = xc7z020();
    Folding f;
    std::string error;
    QVERIFY2(foldForMax(df, o, f, error), error.c_str());
    const Estimate e = estimateDesign(df, f, o);
    QVERIFY(e.ok);
    QVERIFY(e.fits);
    QCOMPARE(f.source, std::string("max"));
    // On the xc7z020 the fastest LFC that fits is as fast as Xilinx's own
    // folding (twice as fast would need about twice the weight BRAM tiles).
    QCOMPARE(e.fps, bnnPynqEstimate("lfc-w1a1-mnist.qnnproj").fps);
    // On the ZCU104 it is faster.
    const DeviceDatabase db = DeviceDatabase::builtIn();
    DeviceChoice zcu;
    QVERIFY(db.find("zcu104", zcu, error));
    o.device = zcu.device;
    Folding big;
    QVERIFY2(foldForMax(df, o, big, error), error.c_str());
    const Estimate eb = estimateDesign(df, big, o);
    QVERIFY(eb.fits);
    QVERIFY2(eb.fps > e.fps, qPrintable(QString::number(eb.fps)));
}

void TestEstimate::tooLargeNamesTheLayer()
{
    const Dataflow df = exampleDataflow("lfc-w1a1-mnist.qnnproj");
    Folding f = overlayFolding(df, *findOverlay("lfcW1A1"));
    f.layers["dense2"] = {256, 64};
    EstimateOptions o;
    o.device = xc7z020();
    const Estimate e = estimateDesign(df, f, o);
    QVERIFY(e.ok);
    QVERIFY(!e.fits);
    const std::vector<Diagnostic> problems = fitProblems(e);
    QVERIFY(!problems.empty());
    QVERIFY2(problems[0].message.rfind("the design needs ", 0) == 0 &&
                 problems[0].message.find("% of the xc7z020's LUT; the largest user is dense2") != std::string::npos,
             problems[0].message.c_str());
    QCOMPARE(problems[0].node, df.find("dense2")->node);
    QVERIFY(problems[0].category == DiagnosticCategory::HardwareFit);
}

QTEST_APPLESS_MAIN(TestEstimate)
#include "tst_estimate.moc"
