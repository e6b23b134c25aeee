// Shape inference, validation and cost figures of core/graph.
#include "core/graph/graph_analysis.h"
#include "core/graph/graph_json.h"
#include "core/graph/graph_layout.h"
#include "core/graph/node_name.h"
#include "core/graph/graph_summary.h"
#include "core/graph/layer_registry.h"
#include "core/project/project.h"

#include "support/test_graphs.h"

#include <QtTest>

#include <set>

using namespace qnn;

Q_DECLARE_METATYPE(qnn::Shape)

namespace {

Graph graphFrom(const char* text) { return qnn::test::graphFromText(text); }

// Input → one layer under test → Output-less chain; returns the layer's inferred shape.
struct Chain {
    Graph graph;
    NodeId layer = kInvalidNode;
};

Chain chainOf(const Shape& inputShape, LayerKind kind, const AttrMap& attrs)
{
    Chain c;
    const NodeId in = c.graph.addNode(LayerKind::Input, "in");
    c.graph.node(in)->attrs["shape"] = std::vector<int64_t>(inputShape);
    c.layer = c.graph.addNode(kind, "layer");
    for (const auto& [k, v] : attrs)
        c.graph.node(c.layer)->attrs[k] = v;
    const int nIn = LayerRegistry::spec(kind).inputCount(*c.graph.node(c.layer));
    for (int p = 0; p < nIn; ++p)
        c.graph.connect({in, 0, c.layer, p});
    return c;
}

bool anyMessage(const GraphAnalysis& a, NodeId node, DiagnosticCategory cat, const QString& needle)
{
    for (const Diagnostic& d : a.diagnostics)
        if (d.node == node && d.category == cat && QString::fromStdString(d.message).contains(needle))
            return true;
    return false;
}

const char* kInput10 = R"({"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [10]}, "act_bits": 32})";

// Input (id 1, 10 values by default) → the given node (id 2) → Output (10 classes, id 9).
QString between(const char* nodeJson, const char* inputJson = kInput10)
{
    return QString(R"({"nodes": [%1, %2, {"id": 9, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
                       "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 9}]})")
        .arg(QLatin1String(inputJson), QLatin1String(nodeJson));
}

QString allMessages(const GraphAnalysis& a)
{
    QStringList out;
    for (const Diagnostic& d : a.diagnostics)
        out << QString::fromStdString(d.message);
    return out.join("\n");
}

} // namespace

class TestGraph : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shapeInference_data();
    void shapeInference();
    void shapeErrors_data();
    void shapeErrors();
    void elementTypes();
    void diagnostics_data();
    void diagnostics();
    void cycleNamesItsMembers();
    void validGraphHasNoDiagnostics();
    void connectionProblems();
    void lfcSummaryMatchesHandComputation();
    void cnvSummaryMatchesHandComputation();
    void compressionOfFp32IsOne();
    void serializerRoundTrip();
    void loaderRejectsBadNodes_data();
    void loaderRejectsBadNodes();
    void idsAreStableAndNotReused();
    void registryIsTheOneDeclaration();
    void imageHintMatchesGraph_data();
    void imageHintMatchesGraph();
    void nameRules_data();
    void nameRules();
    void moduleNamesNeverCollide();
    void arrangeWrapsCnvIntoReadableBands();
    void arrangeKeepsBranchesApart();
};

void TestGraph::registryIsTheOneDeclaration()
{
    // Kind names and order come from the registry; each kind once, each name back to its kind.
    QCOMPARE(allLayerKinds().size(), LayerRegistry::all().size());
    QCOMPARE(int(allLayerKinds().size()), 13);
    for (size_t i = 0; i < allLayerKinds().size(); ++i) {
        const LayerSpec& spec = LayerRegistry::all()[i];
        QCOMPARE(allLayerKinds()[i], spec.kind);
        QCOMPARE(layerKindName(spec.kind), spec.name);
        QCOMPARE(layerKindFromName(spec.name), std::optional<LayerKind>(spec.kind));
    }
    // One attribute check, worded for both the analysis and the editor.
    const AttrSpec* units = LayerRegistry::spec(LayerKind::Dense).attr("units");
    QCOMPARE(attributeProblem(*units, AttrValue(int64_t(0))), std::string("units is 0, out of range (allowed 1 to 65536)"));
    QCOMPARE(attributeProblem(*units, AttrValue(1.5)), std::string("units must be an integer"));
    QCOMPARE(attributeProblem(*units, AttrValue(int64_t(10))), std::string());
}

void TestGraph::imageHintMatchesGraph_data()
{
    QTest::addColumn<QString>("chain");
    QTest::addColumn<QString>("hint");
    // Input → [chain] → Conv2D: the hint names what makes the input flat, and only what is there.
    QTest::newRow("flat input") << "" << "give the Input 'input1' a C×H×W shape, such as 1, 28, 28";
    QTest::newRow("through batchnorm") << "BatchNorm" << "give the Input 'input1' a C×H×W shape, such as 1, 28, 28";
    QTest::newRow("after flatten") << "Flatten" << "remove the Flatten 'flatten1' before it";
    QTest::newRow("after dense") << "Dense" << "put it before the Dense 'dense1', whose output is flat";
}

void TestGraph::imageHintMatchesGraph()
{
    QFETCH(QString, chain);
    QFETCH(QString, hint);
    Graph g;
    NodeId prev = g.addNode(LayerKind::Input);
    if (chain == "Flatten") // a Flatten only makes an image flat: give the Input one
        g.node(prev)->attrs["shape"] = std::vector<int64_t>{1, 28, 28};
    if (!chain.isEmpty()) {
        const NodeId mid = g.addNode(*layerKindFromName(chain.toStdString()));
        QVERIFY(g.connect({prev, 0, mid, 0}));
        prev = mid;
    }
    const NodeId conv = g.addNode(LayerKind::Conv2D);
    const std::string problem = connectionProblem(g, {prev, 0, conv, 0});
    QVERIFY2(QString::fromStdString(problem).endsWith("; " + hint), problem.c_str());
    QVERIFY2(QString::fromStdString(problem).startsWith("Conv2D needs a C×H×W input but gets "), problem.c_str());
    // The analysis of the connected graph says the same, after the layer's name.
    QVERIFY(g.connect({prev, 0, conv, 0}));
    const GraphAnalysis a = analyzeGraph(g);
    QCOMPARE(a.inferErrors.at(conv), problem);
    QVERIFY(allMessages(a).contains(QString::fromStdString("'conv2d1': " + problem)));
}

void TestGraph::nameRules_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("problem");
    QTest::newRow("plain") << "conv1" << "";
    QTest::newRow("dash dot underscore") << "_block-2.conv" << "";
    QTest::newRow("64 characters") << QString(64, 'a') << "";
    QTest::newRow("empty") << "" << "a layer needs a name";
    QTest::newRow("comma") << "1, 28" << "a layer name may hold letters, digits, _, - and . only, not ','";
    QTest::newRow("space") << "fc 1" << "a layer name may hold letters, digits, _, - and . only, not a space";
    QTest::newRow("digit first") << "1conv" << "a layer name must start with a letter or _";
    QTest::newRow("65 characters") << QString(65, 'a') << "a layer name may have at most 64 characters, not 65";
}

void TestGraph::nameRules()
{
    QFETCH(QString, name);
    QFETCH(QString, problem);
    QCOMPARE(QString::fromStdString(nameProblem(name.toStdString())), problem);
    if (name.isEmpty())
        return; // the analysis has its own "has no name" warning
    // A loaded file may carry any name; the analysis then warns, it does not refuse.
    Graph g;
    g.addNode(LayerKind::Input, name.toStdString());
    const QString all = allMessages(analyzeGraph(g));
    if (problem.isEmpty())
        QVERIFY2(!all.contains("a layer name"), qPrintable(all));
    else
        QVERIFY2(all.contains(problem), qPrintable(all));
}

void TestGraph::moduleNamesNeverCollide()
{
    // A node named "node7" and node 7 named "in" (a Python keyword): both fell back to "node7".
    Graph g;
    for (int i = 1; i <= 7; ++i)
        QVERIFY(g.insertNode(LayerRegistry::makeNode(LayerKind::Dense, i, "d" + std::to_string(i))));
    g.node(3)->name = "node7";
    g.node(7)->name = "in";
    g.node(5)->name = "fc.1";
    g.node(6)->name = "fc_1";
    const std::map<NodeId, std::string> names = moduleNames(g, g.nodeIds());
    QCOMPARE(names.at(3), std::string("node7"));
    QCOMPARE(names.at(7), std::string("node7_2"));
    QCOMPARE(names.at(5), std::string("fc_1"));
    QCOMPARE(names.at(6), std::string("node6"));
    std::set<std::string> distinct;
    for (const auto& [id, n] : names)
        distinct.insert(n);
    QCOMPARE(distinct.size(), size_t(7));
}

void TestGraph::arrangeWrapsCnvIntoReadableBands()
{
    Project p;
    std::string error;
    QVERIFY2(loadProject(QNN_SOURCE_DIR "/projects/cnv-w1a1-cifar10.qnnproj", p, error), error.c_str());
    const GraphAnalysis a = analyzeGraph(p.graph);
    QCOMPARE(int(p.graph.size()), 31);
    // The canvas of a 1600×1000 window with its docks is about 1100×700.
    const LayoutGrid grid;
    const int perBand = bestColumnsPerBand(p.graph, a, 1100, 700, grid);
    QCOMPARE(perBand, 6);
    const std::map<NodeId, Point> pos = arrangeLayers(p.graph, a, perBand, grid);
    QCOMPARE(int(pos.size()), 31);
    // A chain in reading order: left to right, then the next band below.
    for (size_t i = 1; i < a.order.size(); ++i) {
        const Point prev = pos.at(a.order[i - 1]), cur = pos.at(a.order[i]);
        if (i % size_t(perBand) == 0)
            QVERIFY(cur.y > prev.y + grid.nodeHeight && cur.x == grid.left);
        else
            QVERIFY(cur.x == prev.x + grid.columnStep && cur.y == prev.y);
    }
    // 12-pixel names at the fitted zoom: at least 8 pixels on screen.
    const double zoom = fittedZoom(pos, grid, 1100, 700);
    QVERIFY2(zoom * 12 >= 8, qPrintable(QString::number(zoom)));
    // One long row, as before, could not be read.
    QVERIFY(fittedZoom(arrangeLayers(p.graph, a, 31, grid), grid, 1100, 700) * 12 < 8);
}

void TestGraph::arrangeKeepsBranchesApart()
{
    // input → a, input → b, (a, b) → add → output: two rows in one column.
    Graph g;
    const NodeId in = g.addNode(LayerKind::Input);
    const NodeId a = g.addNode(LayerKind::Dense), b = g.addNode(LayerKind::Dense);
    const NodeId add = g.addNode(LayerKind::Add), out = g.addNode(LayerKind::Output);
    for (const Edge& e : {Edge{in, 0, a, 0}, Edge{in, 0, b, 0}, Edge{a, 0, add, 0}, Edge{b, 0, add, 1}, Edge{add, 0, out, 0}})
        QVERIFY(g.connect(e));
    const LayoutGrid grid;
    const std::map<NodeId, Point> pos = arrangeLayers(g, analyzeGraph(g), 2, grid);
    QCOMPARE(pos.at(a).x, pos.at(b).x);
    QCOMPARE(pos.at(b).y - pos.at(a).y, grid.rowStep);
    // Columns 2 and 3 wrap into a second band below both rows of the first.
    QCOMPARE(pos.at(add).x, grid.left);
    QVERIFY(pos.at(add).y >= pos.at(b).y + grid.rowStep);
    QCOMPARE(pos.at(out).y, pos.at(add).y);
}

void TestGraph::shapeInference_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<Shape>("input");
    QTest::addColumn<QVariantMap>("attrs");
    QTest::addColumn<Shape>("expected");

    auto row = [](const char* name, LayerKind k, Shape in, QVariantMap attrs, Shape out) {
        QTest::newRow(name) << int(k) << in << attrs << out;
    };
    row("dense", LayerKind::Dense, {784}, {{"units", 1024}}, {1024});
    row("conv valid", LayerKind::Conv2D, {3, 32, 32}, {{"filters", 64}, {"kernel", 3}}, {64, 30, 30});
    row("conv padded", LayerKind::Conv2D, {3, 32, 32}, {{"filters", 16}, {"kernel", 3}, {"padding", 1}},
        {16, 32, 32});
    row("conv strided", LayerKind::Conv2D, {8, 28, 28}, {{"filters", 4}, {"kernel", 5}, {"stride", 2}},
        {4, 12, 12});
    row("maxpool", LayerKind::MaxPool, {64, 28, 28}, {}, {64, 14, 14});
    row("maxpool odd", LayerKind::MaxPool, {64, 5, 5}, {{"kernel", 2}, {"stride", 2}}, {64, 2, 2});
    row("avgpool 3/1", LayerKind::AvgPool, {8, 6, 6}, {{"kernel", 3}, {"stride", 1}}, {8, 4, 4});
    row("batchnorm flat", LayerKind::BatchNorm, {1024}, {}, {1024});
    row("batchnorm image", LayerKind::BatchNorm, {64, 30, 30}, {}, {64, 30, 30});
    row("activation", LayerKind::Activation, {3, 4, 4}, {}, {3, 4, 4});
    row("quantact", LayerKind::QuantAct, {10}, {}, {10});
    row("dropout", LayerKind::Dropout, {256}, {}, {256});
    row("flatten", LayerKind::Flatten, {256, 2, 3}, {}, {1536});
    row("add", LayerKind::Add, {16, 8, 8}, {}, {16, 8, 8});
    row("concat image", LayerKind::Concat, {16, 8, 8}, {{"inputs", 3}}, {48, 8, 8});
    row("concat flat", LayerKind::Concat, {100}, {}, {200});
    row("output", LayerKind::Output, {10}, {{"classes", 10}}, {10});
    row("input flat", LayerKind::Input, {784}, {}, {784});
}

void TestGraph::shapeInference()
{
    QFETCH(int, kind);
    QFETCH(Shape, input);
    QFETCH(QVariantMap, attrs);
    QFETCH(Shape, expected);

    AttrMap a;
    for (auto it = attrs.begin(); it != attrs.end(); ++it)
        a[it.key().toStdString()] = int64_t(it.value().toInt());
    Chain c = kind == int(LayerKind::Input) ? Chain{} : chainOf(input, LayerKind(kind), a);
    if (kind == int(LayerKind::Input)) {
        c.layer = c.graph.addNode(LayerKind::Input, "in");
        c.graph.node(c.layer)->attrs["shape"] = std::vector<int64_t>(input);
    }
    const GraphAnalysis an = analyzeGraph(c.graph);
    const TensorType* t = an.outputType(c.layer);
    QVERIFY2(t, qPrintable(allMessages(an)));
    QCOMPARE(t->shape, expected);
    // The chain has no Output, so only structure warnings may come up.
    for (const Diagnostic& d : an.diagnosticsFor(c.layer))
        QVERIFY2(d.category == DiagnosticCategory::Structure, d.message.c_str());
}

void TestGraph::shapeErrors_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<Shape>("input");
    QTest::addColumn<QVariantMap>("attrs");
    QTest::addColumn<QString>("message");

    QTest::newRow("dense on image") << int(LayerKind::Dense) << Shape{1, 28, 28} << QVariantMap{}
                                    << "Dense needs a flat input but gets 1×28×28; insert a Flatten";
    QTest::newRow("conv on flat") << int(LayerKind::Conv2D) << Shape{784} << QVariantMap{}
                                  << "Conv2D needs a C×H×W input but gets 784";
    QTest::newRow("kernel too big") << int(LayerKind::Conv2D) << Shape{3, 2, 2} << QVariantMap{{"kernel", 3}}
                                    << "kernel 3×3 does not fit the 3×2×2 input";
    QTest::newRow("pool on flat") << int(LayerKind::MaxPool) << Shape{64} << QVariantMap{}
                                  << "MaxPool needs a C×H×W input but gets 64";
    QTest::newRow("output classes") << int(LayerKind::Output) << Shape{1024} << QVariantMap{{"classes", 10}}
                                    << "Output expects 10 values (one per class) but gets 1024";
}

void TestGraph::shapeErrors()
{
    QFETCH(int, kind);
    QFETCH(Shape, input);
    QFETCH(QVariantMap, attrs);
    QFETCH(QString, message);
    AttrMap a;
    for (auto it = attrs.begin(); it != attrs.end(); ++it)
        a[it.key().toStdString()] = int64_t(it.value().toInt());
    Chain c = chainOf(input, LayerKind(kind), a);
    const GraphAnalysis an = analyzeGraph(c.graph);
    QVERIFY(!an.outputType(c.layer));
    QVERIFY2(anyMessage(an, c.layer, DiagnosticCategory::Shape, message), qPrintable(allMessages(an)));
}

void TestGraph::elementTypes()
{
    const Graph g = graphFrom(R"({"nodes": [
        {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [784]}, "act_bits": 1},
        {"id": 2, "kind": "Dense", "name": "fc", "attrs": {"units": 1024}, "weight_bits": 1},
        {"id": 3, "kind": "Activation", "name": "sign", "attrs": {"function": "sign"}, "act_bits": 1},
        {"id": 4, "kind": "Activation", "name": "relu", "attrs": {"function": "relu"}, "act_bits": 4},
        {"id": 5, "kind": "QuantAct", "name": "q", "attrs": {"signed": true, "range": 1.0}, "act_bits": 2}],
      "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}, {"from": 4, "to": 5}]})");
    const GraphAnalysis a = analyzeGraph(g);
    QCOMPARE(tensorTypeToString(*a.outputType(1)), std::string("784 · bipolar"));
    QCOMPARE(tensorTypeToString(*a.outputType(2)), std::string("1024 · float"));
    QCOMPARE(tensorTypeToString(*a.outputType(3)), std::string("1024 · bipolar"));
    QCOMPARE(tensorTypeToString(*a.outputType(4)), std::string("1024 · uint4"));
    QCOMPARE(tensorTypeToString(*a.outputType(5)), std::string("1024 · int2"));
    QCOMPARE(precisionLabel(1, 1), std::string("W1A1"));
    QCOMPARE(precisionLabel(2, 2), std::string("W2A2"));
    QCOMPARE(precisionLabel(32, 32), std::string("FP32"));
}

void TestGraph::diagnostics_data()
{
    QTest::addColumn<QString>("graph");
    QTest::addColumn<QString>("node");
    QTest::addColumn<int>("severity");
    QTest::addColumn<int>("category");
    QTest::addColumn<QString>("message");

    QTest::newRow("no input") << R"({"nodes": [{"id": 1, "kind": "Output", "name": "out", "attrs": {"classes": 10}}], "edges": []})" << ""
                              << int(Severity::Error) << int(DiagnosticCategory::Structure)
                              << "the graph has no Input layer";
    QTest::newRow("no output") << R"({"nodes": [{"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [784]}, "act_bits": 32}], "edges": []})" << ""
                               << int(Severity::Error) << int(DiagnosticCategory::Structure)
                               << "the graph has no Output layer";
    QTest::newRow("dangling input")
        << R"({"nodes": [{"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [10]}, "act_bits": 32},
                         {"id": 2, "kind": "Add", "name": "sum"},
                         {"id": 3, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
               "edges": [{"from": 1, "to": 2, "to_port": 0}, {"from": 2, "to": 3}]})"
        << "sum" << int(Severity::Error) << int(DiagnosticCategory::Structure)
        << "input 2 of 'sum' is not connected";
    QTest::newRow("doubled input")
        << R"({"nodes": [{"id": 1, "kind": "Input", "name": "a", "attrs": {"shape": [10]}, "act_bits": 32},
                         {"id": 2, "kind": "Input", "name": "b", "attrs": {"shape": [10]}, "act_bits": 32},
                         {"id": 3, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
               "edges": [{"from": 1, "to": 3}, {"from": 2, "to": 3}]})"
        << "out" << int(Severity::Error) << int(DiagnosticCategory::Structure)
        << "the input of 'out' has 2 connections (from 'a', 'b'); an input takes exactly one";
    QTest::newRow("missing port")
        << R"({"nodes": [{"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [10]}, "act_bits": 32},
                         {"id": 3, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
               "edges": [{"from": 1, "to": 3}, {"from": 1, "to": 3, "to_port": 2}]})"
        << "out" << int(Severity::Error) << int(DiagnosticCategory::Structure)
        << "'out' has no input port 2 (it has 1 input)";
    QTest::newRow("shape mismatch names both shapes")
        << R"({"nodes": [{"id": 1, "kind": "Input", "name": "a", "attrs": {"shape": [64, 8, 8]}, "act_bits": 32},
                         {"id": 2, "kind": "Input", "name": "b", "attrs": {"shape": [32, 8, 8]}, "act_bits": 32},
                         {"id": 3, "kind": "Add", "name": "sum"},
                         {"id": 4, "kind": "Flatten", "name": "flat"},
                         {"id": 5, "kind": "Output", "name": "out", "attrs": {"classes": 4096}}],
               "edges": [{"from": 1, "to": 3}, {"from": 2, "to": 3, "to_port": 1}, {"from": 3, "to": 4},
                         {"from": 4, "to": 5}]})"
        << "sum" << int(Severity::Error) << int(DiagnosticCategory::Shape)
        << "Add needs inputs of the same shape, but gets 64×8×8 and 32×8×8";
    QTest::newRow("weight bits on a kind without weights")
        << between(R"({"id": 2, "kind": "Dropout", "name": "drop", "weight_bits": 1})")
        << "drop" << int(Severity::Error) << int(DiagnosticCategory::Quantization)
        << "'drop' is a Dropout, which has no weights, but asks for 1-bit weights";
    QTest::newRow("bit-width not supported")
        << between(R"({"id": 2, "kind": "Dense", "name": "fc", "attrs": {"units": 10}, "weight_bits": 9})")
        << "fc" << int(Severity::Error) << int(DiagnosticCategory::Quantization)
        << "'fc': 9-bit weights are not supported; choose 1, 2, 3, 4, 5, 6, 7, 8 or 32";
    QTest::newRow("sign needs one bit")
        << between(R"({"id": 2, "kind": "Activation", "name": "act", "attrs": {"function": "sign"}, "act_bits": 2})")
        << "act" << int(Severity::Error) << int(DiagnosticCategory::Quantization)
        << "'act': sign gives ±1, which is 1 bit, but the activation bits are 2";
    QTest::newRow("relu cannot be bipolar")
        << between(R"({"id": 2, "kind": "Activation", "name": "act", "attrs": {"function": "relu"}, "act_bits": 1})")
        << "act" << int(Severity::Error) << int(DiagnosticCategory::Quantization)
        << "'act': relu is never negative, so it cannot be bipolar (1 bit)";
    QTest::newRow("attribute out of range")
        << between(R"({"id": 2, "kind": "Dense", "name": "fc", "attrs": {"units": 0}, "weight_bits": 32})")
        << "fc" << int(Severity::Error) << int(DiagnosticCategory::Attribute)
        << "'fc': units is 0, out of range (allowed 1 to 65536)";
    QTest::newRow("float attribute out of range")
        << between(R"({"id": 2, "kind": "Dropout", "name": "drop", "attrs": {"p": 1.5}})")
        << "drop" << int(Severity::Error) << int(DiagnosticCategory::Attribute)
        << "'drop': p is 1.5, out of range (allowed 0 to 0.99)";
    QTest::newRow("enum not a choice")
        << between(R"({"id": 2, "kind": "Activation", "name": "act", "attrs": {"function": "gelu"}, "act_bits": 32})")
        << "act" << int(Severity::Error) << int(DiagnosticCategory::Attribute)
        << "'act': function is 'gelu'; choose one of identity, relu, hardtanh, sign";
    QTest::newRow("input shape of two entries")
        << between(R"({"id": 2, "kind": "Flatten", "name": "flat"})",
                   R"({"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [28, 28]}, "act_bits": 32})")
        << "in" << int(Severity::Error) << int(DiagnosticCategory::Attribute)
        << "'in': shape has 2 entries; give a flat size (1 entry) or channels, height, width (3 entries)";
    QTest::newRow("unused node")
        << R"({"nodes": [{"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [10]}, "act_bits": 32},
                         {"id": 2, "kind": "Dense", "name": "side", "attrs": {"units": 5}, "weight_bits": 32},
                         {"id": 9, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
               "edges": [{"from": 1, "to": 2}, {"from": 1, "to": 9}]})"
        << "side" << int(Severity::Warning) << int(DiagnosticCategory::Structure)
        << "'side' does not lead to any Output; its result is unused";
    QTest::newRow("duplicate names")
        << between(R"({"id": 2, "kind": "Dropout", "name": "x"})",
                   R"({"id": 1, "kind": "Input", "name": "x", "attrs": {"shape": [10]}, "act_bits": 32})")
        << "x" << int(Severity::Warning) << int(DiagnosticCategory::Structure)
        << "the name 'x' is used by another layer too";
}

void TestGraph::diagnostics()
{
    QFETCH(QString, graph);
    QFETCH(QString, node);
    QFETCH(int, severity);
    QFETCH(int, category);
    QFETCH(QString, message);

    const Graph g = graphFrom(graph.toUtf8().constData());
    const GraphAnalysis a = analyzeGraph(g);
    NodeId id = node.isEmpty() ? kInvalidNode : g.findByName(node.toStdString());
    if (node == "x")
        id = 2; // the second of two nodes with one name is the one flagged
    bool found = false;
    for (const Diagnostic& d : a.diagnostics)
        found |= d.node == id && int(d.severity) == severity && int(d.category) == category &&
                 QString::fromStdString(d.message).contains(message);
    QVERIFY2(found, qPrintable("wanted: " + message + "\ngot:\n" + allMessages(a)));
    QCOMPARE(a.hasErrors(), severity == int(Severity::Error));
}

void TestGraph::cycleNamesItsMembers()
{
    const Graph g = graphFrom(R"({"nodes": [
        {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [10]}, "act_bits": 32},
        {"id": 2, "kind": "Add", "name": "sum"},
        {"id": 3, "kind": "Dense", "name": "fc", "attrs": {"units": 10}, "weight_bits": 32},
        {"id": 4, "kind": "Activation", "name": "act", "attrs": {"function": "hardtanh"}, "act_bits": 32},
        {"id": 5, "kind": "Output", "name": "out", "attrs": {"classes": 10}}],
      "edges": [{"from": 1, "to": 2}, {"from": 4, "to": 2, "to_port": 1}, {"from": 2, "to": 3},
                {"from": 3, "to": 4}, {"from": 4, "to": 5}]})");
    const GraphAnalysis a = analyzeGraph(g);
    QVERIFY(a.hasErrors());
    for (const char* name : {"sum", "fc", "act"})
        QVERIFY2(anyMessage(a, g.findByName(name), DiagnosticCategory::Structure,
                            "is part of a cycle: sum → fc → act → sum"),
                 qPrintable(allMessages(a)));
    // The Output hangs below the cycle: no shape, but no message of its own either.
    QVERIFY(!a.outputType(5));
    QVERIFY(a.diagnosticsFor(5).empty());
    QCOMPARE(a.order, std::vector<NodeId>{1});
}

void TestGraph::validGraphHasNoDiagnostics()
{
    Project p;
    std::string error;
    QVERIFY2(loadProject(QNN_SOURCE_DIR "/projects/cnv-w1a1-cifar10.qnnproj", p, error), error.c_str());
    const GraphAnalysis a = analyzeGraph(p.graph);
    QVERIFY2(a.diagnostics.empty(), qPrintable(allMessages(a)));
    QCOMPARE(a.order.size(), p.graph.size());
    QCOMPARE(a.outputType(p.graph.findByName("conv6"))->shape, (Shape{256, 1, 1}));
    QCOMPARE(a.outputType(p.graph.findByName("pool2"))->shape, (Shape{64, 14, 14}));
    QCOMPARE(a.outputType(p.graph.findByName("flatten"))->shape, (Shape{256}));
}

void TestGraph::connectionProblems()
{
    Graph g;
    const NodeId in = g.addNode(LayerKind::Input);
    const NodeId fc = g.addNode(LayerKind::Dense);
    const NodeId conv = g.addNode(LayerKind::Conv2D);
    const NodeId out = g.addNode(LayerKind::Output);
    QCOMPARE(connectionProblem(g, {in, 0, fc, 0}), std::string());
    QVERIFY(g.connect({in, 0, fc, 0}));
    QCOMPARE(connectionProblem(g, {in, 0, fc, 0}), std::string("that input of 'dense1' is already connected to 'input1'"));
    QCOMPARE(connectionProblem(g, {fc, 0, fc, 0}), std::string("a layer cannot feed itself"));
    QCOMPARE(connectionProblem(g, {fc, 0, conv, 0}),
             std::string("Conv2D needs a C×H×W input but gets 64; put it before the Dense 'dense1', whose output is flat"));
    QCOMPARE(connectionProblem(g, {out, 0, fc, 0}), std::string("'output1' has no output port 0"));
    QVERIFY(g.connect({fc, 0, conv, 0}));
    QCOMPARE(connectionProblem(g, {conv, 0, in, 0}), std::string("'input1' has no input port 0"));
    const NodeId drop = g.addNode(LayerKind::Dropout);
    QVERIFY(g.connect({fc, 0, drop, 0}));
    const NodeId add = g.addNode(LayerKind::Add);
    QVERIFY(g.connect({drop, 0, add, 0}));
    QVERIFY(g.connect({add, 0, out, 0}));
    QCOMPARE(connectionProblem(g, {add, 0, add, 1}), std::string("a layer cannot feed itself"));
    const NodeId fc2 = g.addNode(LayerKind::Dense);
    QVERIFY(g.connect({add, 0, fc2, 0}));
    QCOMPARE(connectionProblem(g, {fc2, 0, add, 1}), std::string("this connection would make a cycle"));
}

void TestGraph::lfcSummaryMatchesHandComputation()
{
    Project p;
    std::string error;
    QVERIFY2(loadProject(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj", p, error), error.c_str());
    const GraphSummary s = summarizeGraph(p.graph);
    QVERIFY(s.complete);

    const int64_t weights = 784 * 1024 + 2 * 1024 * 1024 + 1024 * 10;
    const int64_t bnParams = 2 * (3 * 1024 + 10); // gamma and beta per channel
    QCOMPARE(s.macs, weights);
    QCOMPARE(s.params, weights + bnParams);
    // Binary weights and binarized inputs everywhere: one BOP per MAC.
    QCOMPARE(s.bops, weights * 1 * 1);
    QCOMPARE(s.weightMemoryBits, weights * 1 + bnParams * 32);
    QCOMPARE(s.fp32MemoryBits, (weights + bnParams) * 32);
    QCOMPARE(s.compression, double((weights + bnParams) * 32) / double(weights + bnParams * 32));

    const LayerSummary& dense2 = s.layers[4];
    QCOMPARE(dense2.name, std::string("dense2"));
    QCOMPARE(dense2.macs, int64_t(1024 * 1024));
    QCOMPARE(dense2.weightMemoryBits, int64_t(1024 * 1024));
    QCOMPARE(dense2.weightBits, 1);
    QCOMPARE(dense2.actBits, 1);
    QCOMPARE(s.weightMemoryBytes(), (weights + bnParams * 32 + 7) / 8);

    const nlohmann::json j = summaryToJson(s);
    QCOMPARE(j["totals"]["macs"].get<int64_t>(), weights);
    QCOMPARE(j["layers"].size(), p.graph.size());
}

void TestGraph::cnvSummaryMatchesHandComputation()
{
    Project p;
    std::string error;
    QVERIFY2(loadProject(QNN_SOURCE_DIR "/projects/cnv-w2a2-cifar10.qnnproj", p, error), error.c_str());
    const GraphSummary s = summarizeGraph(p.graph);
    // conv: out² · filters · in_ch · 3 · 3
    const int64_t convMacs = 30LL * 30 * 64 * 3 * 9 + 28LL * 28 * 64 * 64 * 9 + 12LL * 12 * 128 * 64 * 9 +
                             10LL * 10 * 128 * 128 * 9 + 3LL * 3 * 256 * 128 * 9 + 1LL * 1 * 256 * 256 * 9;
    const int64_t denseMacs = 256LL * 512 + 512LL * 512 + 512LL * 10;
    QCOMPARE(s.macs, convMacs + denseMacs);
    // The first conv multiplies 2-bit weights with 8-bit pixels; every other layer 2 × 2 bits.
    const int64_t firstConv = 30LL * 30 * 64 * 3 * 9;
    QCOMPARE(s.bops, firstConv * 2 * 8 + (convMacs + denseMacs - firstConv) * 2 * 2);
}

void TestGraph::compressionOfFp32IsOne()
{
    Project p;
    std::string error;
    QVERIFY2(loadProject(QNN_SOURCE_DIR "/projects/lfc-fp32-mnist.qnnproj", p, error), error.c_str());
    const GraphSummary s = summarizeGraph(p.graph);
    QCOMPARE(s.compression, 1.0);
    QCOMPARE(s.bops, s.macs * 32 * 32);
}

void TestGraph::serializerRoundTrip()
{
    Graph g;
    const NodeId in = g.addNode(LayerKind::Input);
    const NodeId c = g.addNode(LayerKind::Concat);
    g.node(c)->attrs["inputs"] = int64_t(3);
    g.node(c)->pos = {12.5, -40};
    g.node(in)->quant.actBits = 8;
    const NodeId d = g.addNode(LayerKind::Dense);
    g.node(d)->quant.weightBits = 2;
    g.connect({in, 0, c, 0});
    g.connect({in, 0, c, 2});
    g.connect({c, 0, d, 0});
    const nlohmann::json j = graphToJson(g);
    Graph back;
    std::string error;
    QVERIFY2(graphFromJson(j, back, error), error.c_str());
    QVERIFY(back == g);
    QCOMPARE(graphToJson(back).dump(), j.dump());
    QCOMPARE(back.nextId(), d + 1);
}

void TestGraph::loaderRejectsBadNodes_data()
{
    QTest::addColumn<QString>("graph");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown kind") << R"({"nodes": [{"id": 1, "kind": "Dens"}], "edges": []})"
                                  << "graph.nodes[0].kind: unknown layer kind 'Dens'; known kinds are Input, Dense,";
    QTest::newRow("unknown attribute") << R"({"nodes": [{"id": 1, "kind": "Dense", "attrs": {"units": 64, "unit": 3}, "weight_bits": 32}], "edges": []})"
                                       << "graph.nodes[0].attrs: Dense has no attribute 'unit' (it has units, bias)";
    QTest::newRow("wrong attribute type")
        << R"({"nodes": [{"id": 1, "kind": "Dense", "attrs": {"units": "ten"}, "weight_bits": 32}], "edges": []})"
        << "graph.nodes[0].attrs.units: expected an integer, got a string";
    QTest::newRow("missing id") << R"({"nodes": [{"kind": "Dense"}], "edges": []})"
                                << "graph.nodes[0]: missing field 'id'";
    QTest::newRow("id twice") << R"({"nodes": [{"id": 1, "kind": "Input", "attrs": {"shape": [784]}, "act_bits": 32}, {"id": 1, "kind": "Output", "attrs": {"classes": 10}}], "edges": []})"
                              << "graph.nodes[1].id: the id 1 is used twice";
    QTest::newRow("edge to nowhere") << R"({"nodes": [{"id": 1, "kind": "Input", "attrs": {"shape": [784]}, "act_bits": 32}], "edges": [{"from": 1, "to": 7}]})"
                                     << "graph.edges[0]: refers to node 7, which is not in the graph";
    QTest::newRow("edges not a list") << R"({"nodes": [], "edges": {}})"
                                      << "graph.edges: expected a list, got an object";
}

void TestGraph::loaderRejectsBadNodes()
{
    QFETCH(QString, graph);
    QFETCH(QString, error);
    Graph g;
    std::string message;
    QVERIFY(!graphFromJson(nlohmann::json::parse(graph.toStdString()), g, message));
    QVERIFY2(QString::fromStdString(message).startsWith(error), message.c_str());
}

void TestGraph::idsAreStableAndNotReused()
{
    Graph g;
    const NodeId a = g.addNode(LayerKind::Input);
    const NodeId b = g.addNode(LayerKind::Dense);
    g.connect({a, 0, b, 0});
    const Node removed = *g.node(b);
    QVERIFY(g.removeNode(b));
    QVERIFY(g.edges().empty());
    const NodeId c = g.addNode(LayerKind::Dense);
    QVERIFY(c != b);
    QCOMPARE(g.node(c)->name, std::string("dense1"));
    QVERIFY(!g.insertNode(*g.node(c)));
    QVERIFY(g.insertNode(removed)); // undo puts it back under its old id
    QCOMPARE(g.node(b)->name, std::string("dense1"));
}

QTEST_APPLESS_MAIN(TestGraph)
#include "tst_graph.moc"
