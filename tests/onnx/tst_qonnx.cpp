// QONNX export, import and the eval-onnx interpreter: real trained runs,
// files in the shapes real exporters write, and every error sentence.
#include <QtTest>

#include "core/data/dataset.h"
#include "core/data/transforms.h"
#include "core/graph/graph_analysis.h"
#include "core/graph/layer_registry.h"
#include "core/hw/dataflow.h"
#include "core/hw/folding.h"
#include "core/onnx/onnx_proto.h"
#include "core/pack/integer_engine.h"
#include "core/pack/run_packer.h"
#include "core/onnx/qonnx_eval.h"
#include "core/onnx/qonnx_export.h"
#include "core/onnx/qonnx_import.h"
#include "core/onnx/qonnx_interpreter.h"
#include "core/project/project.h"
#include "core/train/float_model.h"
#include "core/weights/weight_file.h"

#include "qonnx_test_files.h"
#include "support/float_predictions.h"
#include "support/qnnw_runner.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <cmath>
#include <random>

using namespace qnn;
using qonnx_test::FileBuilder;
using qnn::test::argmax;
using qnn::test::differences;
using qnn::test::floatPredictions;
using qnn::test::randomValues;

namespace {

using Result = qnn::test::QnnwRun;

Result qnnw(const QStringList& args, int timeoutMs = 600000) { return qnn::test::runQnnw(args, timeoutMs); }

std::string s(const QString& q) { return q.toStdString(); }

// Predictions of the bit-exact integer engine on a run packed the way `qnnw pack` packs it.
bool packedPredictions(const Project& project, const std::string& runDir, const std::string& outDir,
                       const ImageSet& set, std::vector<int>& out, std::string& error)
{
    pack::RunPackRequest request;
    request.runDir = runDir;
    request.outDir = outDir;
    pack::RunPackResult packed;
    if (!pack::packRun(project, request, packed, error))
        return false;
    pack::IntegerEngine engine;
    if (!engine.load(packed.net, error) || !engine.accepts(set, error))
        return false;
    out = engine.classifyAll(set, 2);
    return true;
}


double accuracyOf(const std::vector<int>& predictions, const ImageSet& set)
{
    int64_t correct = 0;
    for (size_t k = 0; k < predictions.size(); ++k)
        correct += predictions[k] == set.labels[k];
    return predictions.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(predictions.size());
}

// An LFC-like multilayer perceptron: Input → 3 × (Dense, BatchNorm, Activation) → Dense, BatchNorm → Output.
Project tinyLfc(const std::string& name, int weightBits, int actBits, int inputBits, const std::string& dataset)
{
    Project p;
    p.name = name;
    p.dataset.name = dataset;
    p.training.epochs = 1;
    p.training.learningRate = 0.003;
    p.training.loss = "squared_hinge";
    Graph& g = p.graph;
    NodeId prev = g.addNode(LayerKind::Input, "input");
    g.node(prev)->attrs["shape"] = std::vector<int64_t>{784};
    g.node(prev)->quant.actBits = inputBits;
    for (int layer = 1; layer <= 4; ++layer) {
        const NodeId d = g.addNode(LayerKind::Dense, "dense" + std::to_string(layer));
        g.node(d)->attrs["units"] = int64_t{layer == 4 ? 10 : 64};
        g.node(d)->attrs["bias"] = false;
        g.node(d)->quant.weightBits = weightBits;
        g.connect({prev, 0, d, 0});
        const NodeId bn = g.addNode(LayerKind::BatchNorm, "bn" + std::to_string(layer));
        g.node(bn)->attrs["eps"] = 1e-4;
        g.connect({d, 0, bn, 0});
        prev = bn;
        if (layer == 4)
            break;
        const NodeId act = g.addNode(LayerKind::Activation, "act" + std::to_string(layer));
        g.node(act)->attrs["function"] = std::string(actBits == 1 ? "sign" : "hardtanh");
        g.node(act)->quant.actBits = actBits;
        g.connect({bn, 0, act, 0});
        prev = act;
    }
    const NodeId out = g.addNode(LayerKind::Output, "output");
    g.connect({prev, 0, out, 0});
    return p;
}

struct Trained {
    QString project;
    QString run;
    Project p;
    WeightFile weights;
    double testAccuracy = 0;
};

// Deterministic weights for every Dense, Conv2D and BatchNorm of a graph.
WeightFile randomWeights(const Graph& g, unsigned seed)
{
    WeightFile w;
    w.epoch = 1;
    w.tag = "best";
    const GraphAnalysis a = analyzeGraph(g);
    for (const auto& [id, n] : g.nodes()) {
        NodeWeights nw;
        nw.node = id;
        nw.nodeName = n.name;
        nw.kind = layerKindName(n.kind);
        const std::vector<TensorType> in = a.inputTypes.count(id) ? a.inputTypes.at(id) : std::vector<TensorType>{};
        if (n.kind == LayerKind::Dense || n.kind == LayerKind::Conv2D) {
            const int64_t out = n.kind == LayerKind::Dense ? n.attrInt("units") : n.attrInt("filters");
            std::vector<int64_t> shape{out, in[0].shape[0]};
            if (n.kind == LayerKind::Conv2D)
                shape = {out, in[0].shape[0], n.attrInt("kernel"), n.attrInt("kernel")};
            int64_t size = 1;
            for (int64_t d : shape)
                size *= d;
            nw.tensors.push_back({"weight", shape, randomValues(static_cast<size_t>(size), 0.3f, seed++)});
            if (n.attrBool("bias"))
                nw.tensors.push_back({"bias", {out}, randomValues(static_cast<size_t>(out), 0.1f, seed++)});
        } else if (n.kind == LayerKind::BatchNorm) {
            const int64_t c = in[0].shape[0];
            std::vector<float> var = randomValues(static_cast<size_t>(c), 0.5f, seed++);
            for (float& v : var)
                v = 0.5f + std::fabs(v);
            nw.tensors.push_back({"weight", {c}, randomValues(static_cast<size_t>(c), 1.0f, seed++)});
            nw.tensors.push_back({"bias", {c}, randomValues(static_cast<size_t>(c), 0.3f, seed++)});
            nw.tensors.push_back({"running_mean", {c}, randomValues(static_cast<size_t>(c), 0.3f, seed++)});
            nw.tensors.push_back({"running_var", {c}, var});
            nw.scalars["eps"] = n.attrFloat("eps");
        } else {
            continue;
        }
        w.nodes[id] = nw;
    }
    return w;
}

// Every layer kind once: convolutions, both pools, BatchNorm, each activation
// form, QuantAct, Dropout, Add, Concat, Flatten, float and quantized weights.
Graph everyKind()
{
    Graph g;
    auto add = [&g](LayerKind k, const std::string& name, std::vector<NodeId> from) {
        const NodeId id = g.addNode(k, name);
        for (size_t p = 0; p < from.size(); ++p)
            g.connect({from[p], 0, id, static_cast<int>(p)});
        return id;
    };
    const NodeId in = add(LayerKind::Input, "input", {});
    g.node(in)->attrs["shape"] = std::vector<int64_t>{1, 28, 28};
    g.node(in)->quant.actBits = 8;
    const NodeId c1 = add(LayerKind::Conv2D, "conv1", {in});
    g.node(c1)->attrs["filters"] = int64_t{6};
    g.node(c1)->attrs["padding"] = int64_t{1};
    g.node(c1)->quant.weightBits = 2;
    const NodeId bn1 = add(LayerKind::BatchNorm, "bn1", {c1});
    const NodeId a1 = add(LayerKind::Activation, "act1", {bn1});
    g.node(a1)->attrs["function"] = std::string("relu");
    g.node(a1)->quant.actBits = 2;
    const NodeId p1 = add(LayerKind::MaxPool, "pool1", {a1});
    const NodeId c2 = add(LayerKind::Conv2D, "conv2", {p1});
    g.node(c2)->attrs["filters"] = int64_t{4};
    g.node(c2)->attrs["bias"] = false;
    g.node(c2)->quant.weightBits = 1;
    const NodeId c3 = add(LayerKind::Conv2D, "conv3", {p1});
    g.node(c3)->attrs["filters"] = int64_t{4};
    g.node(c3)->attrs["bias"] = false;
    g.node(c3)->quant.weightBits = 4;
    const NodeId sum = add(LayerKind::Add, "sum", {c2, c3});
    const NodeId cat = add(LayerKind::Concat, "cat", {sum, c3});
    const NodeId bn2 = add(LayerKind::BatchNorm, "bn2", {cat});
    const NodeId q = add(LayerKind::QuantAct, "qact", {bn2});
    g.node(q)->attrs["range"] = 2.0;
    g.node(q)->quant.actBits = 4;
    const NodeId p2 = add(LayerKind::AvgPool, "pool2", {q});
    const NodeId a2 = add(LayerKind::Activation, "act2", {p2});
    g.node(a2)->attrs["function"] = std::string("hardtanh");
    g.node(a2)->quant.actBits = 32;
    const NodeId drop = add(LayerKind::Dropout, "drop", {a2});
    const NodeId flat = add(LayerKind::Flatten, "flat", {drop});
    const NodeId d1 = add(LayerKind::Dense, "fc1", {flat});
    g.node(d1)->attrs["units"] = int64_t{32};
    g.node(d1)->quant.weightBits = 8;
    const NodeId a3 = add(LayerKind::Activation, "act3", {d1});
    g.node(a3)->attrs["function"] = std::string("sign");
    g.node(a3)->quant.actBits = 1;
    const NodeId d2 = add(LayerKind::Dense, "fc2", {a3});
    g.node(d2)->attrs["units"] = int64_t{10};
    g.node(d2)->quant.weightBits = 32;
    const NodeId a4 = add(LayerKind::Activation, "act4", {d2});
    g.node(a4)->attrs["function"] = std::string("relu");
    g.node(a4)->quant.actBits = 32;
    add(LayerKind::Output, "output", {a4});
    return g;
}
} // namespace

class TestQonnx : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string m_dataset = "synthetic-digits";
    QString m_dataDir;
    ImageSet m_test;
    std::map<QString, Trained> m_runs;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    bool importAndPredict(const QString& file, QonnxImport& imported, std::vector<int>& ours, std::vector<int>& file_,
                          std::string& error)
    {
        if (!importQonnx(s(file), imported, error))
            return false;
        if (!floatPredictions(imported.graph, imported.weights, m_test, m_dataset, ours, error))
            return false;
        QonnxInterpreter interp;
        if (!interp.load(s(file), error))
            return false;
        QonnxEvalResult r;
        if (!evaluateQonnx(interp, m_test, 0, r, error))
            return false;
        file_ = r.predictions;
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        if (QFileInfo::exists(QNN_DATASETS_DIR "/mnist")) {
            m_dataset = "mnist";
            m_dataDir = QNN_DATASETS_DIR "/mnist";
        }
        DatasetRequest request;
        request.choice.name = m_dataset;
        request.dataDir = s(m_dataDir);
        DatasetSplits splits;
        std::string error;
        QVERIFY2(loadDataset(request, splits, error), error.c_str());
        m_test = splits.test;
        QVERIFY(m_test.size() >= 2000);

        // Two runs trained for real: W1A1 (binarized input) and W2A2 (8-bit input).
        const struct {
            const char* name;
            int w, a, in;
        } configs[] = {{"w1a1", 1, 1, 1}, {"w2a2", 2, 2, 8}};
        for (const auto& c : configs) {
            Trained t;
            t.p = tinyLfc(std::string("tiny-") + c.name, c.w, c.a, c.in, m_dataset);
            t.project = path(QString("%1/%1.qnnproj").arg(c.name));
            QDir().mkpath(path(c.name));
            QVERIFY2(saveProject(s(t.project), t.p, error), error.c_str());
            QStringList args{"train", t.project, "--epochs", "2", "--train-limit", "6000", "--threads", "2", "--json"};
            if (!m_dataDir.isEmpty())
                args << "--data" << m_dataDir;
            const Result r = qnnw(args);
            QVERIFY2(r.exitCode == 0, r.err.constData());
            const QStringList runs = QDir(path(QString("%1/runs").arg(c.name))).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
            QCOMPARE(runs.size(), 1);
            t.run = path(QString("%1/runs/").arg(c.name) + runs.first());
            QVERIFY2(readWeightFile(s(t.run + "/weights-best.qnnw"), t.weights, error), error.c_str());
            m_runs[c.name] = t;
        }
    }

    void exportWritesCheckedQonnx()
    {
        const Trained& t = m_runs.at("w2a2");
        const QString file = path("export/w2a2.onnx");
        const Result r = qnnw({"export", t.project, "--run", t.run, "--qonnx", file});
        QVERIFY2(r.exitCode == 0, r.err.constData());

        onnx::ModelProto m;
        std::string error;
        QVERIFY2(onnx_io::readModel(s(file), m, error), error.c_str());
        QVERIFY2(onnx_io::checkModel(m, error), error.c_str());
        std::map<std::string, int64_t> opsets;
        for (const auto& o : m.opset_import())
            opsets[o.domain()] = o.version();
        QCOMPARE(opsets.size(), size_t(2));
        QCOMPARE(opsets[""], int64_t(11));
        QCOMPARE(opsets["qonnx.custom_op.general"], int64_t(1));

        std::map<std::string, const onnx::NodeProto*> byName;
        std::map<std::string, int> opCount;
        for (const auto& n : m.graph().node()) {
            byName[n.name()] = &n;
            ++opCount[n.op_type()];
            if (n.op_type() == "Quant" || n.op_type() == "BipolarQuant")
                QCOMPARE(n.domain(), std::string("qonnx.custom_op.general"));
            else
                QVERIFY(n.domain().empty());
        }
        // 4 weight quantizers + input + 3 activations; 4 MatMul, 4 BatchNormalization.
        QCOMPARE(opCount["Quant"], 8);
        QCOMPARE(opCount["MatMul"], 4);
        QCOMPARE(opCount["BatchNormalization"], 4);
        QCOMPARE(opCount["Mul"], 1);
        QCOMPARE(opCount["Sub"], 1);
        QVERIFY(byName.count("dense1") && byName.at("dense1")->op_type() == "MatMul");
        QVERIFY(byName.count("bn2") && byName.at("bn2")->op_type() == "BatchNormalization");
        QCOMPARE(onnx_io::attrFloat(*byName.at("bn2"), "epsilon", 0), 1e-4f);

        std::map<std::string, onnx_io::Tensor> inits;
        for (const auto& i : m.graph().initializer()) {
            onnx_io::Tensor v;
            QVERIFY2(onnx_io::tensorFromProto(i, v, error), error.c_str());
            inits[i.name()] = v;
        }
        // Weights: the latent floats, [in, out], behind a 2-bit narrow Quant of scale max|w|.
        const onnx::NodeProto& wq = *byName.at("dense2_weight_quant");
        QCOMPARE(wq.op_type(), std::string("Quant"));
        QCOMPARE(onnx_io::attrInt(wq, "signed", -1), int64_t(1));
        QCOMPARE(onnx_io::attrInt(wq, "narrow", -1), int64_t(1));
        QCOMPARE(onnx_io::attrString(wq, "rounding_mode", ""), std::string("ROUND"));
        QCOMPARE(wq.input(0), std::string("dense2.weight"));
        const onnx_io::Tensor& w2 = inits.at("dense2.weight");
        QCOMPARE(w2.shape, (std::vector<int64_t>{64, 64}));
        const NodeId dense2 = t.p.graph.findByName("dense2");
        const WeightTensor* latent = t.weights.find(dense2)->find("weight");
        QCOMPARE(w2.f[1 * 64 + 0], latent->values[0 * 64 + 1]); // transposed: [in][out]
        float maxAbs = 0;
        for (float v : latent->values)
            maxAbs = std::max(maxAbs, std::fabs(v));
        QCOMPARE(inits.at(wq.input(1)).f[0], maxAbs);
        QCOMPARE(inits.at(wq.input(3)).f[0], 2.0f);
        // The 8-bit input quantizer and a 2-bit hardtanh activation.
        QCOMPARE(inits.at(byName.at("input")->input(3)).f[0], 8.0f);
        QCOMPARE(inits.at(byName.at("input")->input(1)).f[0], 1.0f / 127.0f);
        QCOMPARE(inits.at(byName.at("act1")->input(1)).f[0], 1.0f);
        QCOMPARE(inits.at("bn1.running_var").shape, (std::vector<int64_t>{64}));

        // Every value has a fully known shape.
        std::map<std::string, std::vector<int64_t>> shapes;
        auto collect = [&](const onnx::ValueInfoProto& vi) {
            std::vector<int64_t> d;
            for (const auto& dim : vi.type().tensor_type().shape().dim())
                d.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
            shapes[vi.name()] = d;
        };
        for (const auto& vi : m.graph().value_info())
            collect(vi);
        for (const auto& vi : m.graph().output())
            collect(vi);
        for (const auto& n : m.graph().node())
            for (const auto& o : n.output()) {
                QVERIFY2(shapes.count(o), o.c_str());
                for (int64_t d : shapes[o])
                    QVERIFY2(d > 0, o.c_str());
            }
        QCOMPARE(shapes["dense1_out"], (std::vector<int64_t>{1, 64}));
        QCOMPARE(shapes["output"], (std::vector<int64_t>{1, 10}));

        // folding_config.json beside it, in FINN's form, naming the four matrix layers.
        Folding folding;
        QVERIFY2(readFoldingFile(s(path("export/folding_config.json")), folding, error), error.c_str());
        QCOMPARE(folding.layers.size(), size_t(4));
        QVERIFY(folding.find("MVAU_hls_3"));
        QVERIFY2(resolveFinnNames(buildDataflow(t.p.graph), folding, error), error.c_str());
        QVERIFY(folding.find("dense4"));
    }

    void exportEveryLayerKind()
    {
        const Graph g = everyKind();
        const GraphAnalysis a = analyzeGraph(g);
        QVERIFY2(!a.hasErrors(), a.diagnostics.empty() ? "" : a.diagnostics.front().message.c_str());
        const WeightFile w = randomWeights(g, 11);
        const QString file = path("kinds/every-kind.onnx");
        QDir().mkpath(path("kinds"));
        std::string error;
        QVERIFY2(exportQonnx(g, w, QonnxExportInfo{"every kind", "", 1}, s(file), error), error.c_str());
        onnx::ModelProto m;
        QVERIFY2(onnx_io::readModel(s(file), m, error), error.c_str());
        QVERIFY2(onnx_io::checkModel(m, error), error.c_str());
        std::map<std::string, std::string> opOf;
        for (const auto& n : m.graph().node())
            opOf[n.name()] = n.op_type();
        QCOMPARE(opOf["conv1"], std::string("Conv"));
        QCOMPARE(opOf["conv2_weight_quant"], std::string("BipolarQuant"));
        QCOMPARE(opOf["pool2"], std::string("AveragePool"));
        QCOMPARE(opOf["act2"], std::string("Clip"));
        QCOMPARE(opOf["act4"], std::string("Relu"));
        QCOMPARE(opOf["drop"], std::string("Identity"));
        QCOMPARE(opOf["cat"], std::string("Concat"));
        QCOMPARE(opOf["qact"], std::string("Quant"));
        QCOMPARE(opOf.count("fc2_weight_quant"), size_t(0)); // float weights stay plain

        // The float model and the file agree; the import gives back the same kinds and predictions.
        ImageSet few = m_test;
        few.truncate(1000);
        std::vector<int> ours, back, fromFile;
        QVERIFY2(floatPredictions(g, w, few, m_dataset, ours, error), error.c_str());
        QonnxInterpreter interp;
        QVERIFY2(interp.load(s(file), error), error.c_str());
        QonnxEvalResult e;
        QVERIFY2(evaluateQonnx(interp, few, 0, e, error), error.c_str());
        QonnxImport imported;
        QVERIFY2(importQonnx(s(file), imported, error), error.c_str());
        QVERIFY2(floatPredictions(imported.graph, imported.weights, few, m_dataset, back, error), error.c_str());
        qInfo("every kind: %d of %zu predictions differ between the float model and eval-onnx, %d after import",
              differences(ours, e.predictions), few.size(), differences(ours, back));
        QCOMPARE(differences(ours, back), 0);
        QCOMPARE(differences(ours, e.predictions), 0);
        for (const auto& [id, n] : g.nodes()) {
            if (n.kind == LayerKind::Dropout)
                continue; // an Identity: nothing to hold
            const NodeId j = imported.graph.findByName(n.name);
            QVERIFY2(j != kInvalidNode, n.name.c_str());
            const Node& m2 = *imported.graph.node(j);
            QCOMPARE(layerKindName(m2.kind), layerKindName(n.kind));
            QCOMPARE(m2.quant.weightBits, n.quant.weightBits);
            if (n.kind != LayerKind::QuantAct && n.kind != LayerKind::Activation)
                QCOMPARE(m2.quant.actBits, n.quant.actBits);
        }
    }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("config");
        QTest::newRow("LFC-like W1A1") << "w1a1";
        QTest::newRow("LFC-like W2A2") << "w2a2";
    }

    void roundTrip()
    {
        QFETCH(QString, config);
        const Trained& t = m_runs.at(config);
        const QString file = path("roundtrip/" + config + ".onnx");
        const QString imported = path("roundtrip/" + config + "-imported/project.qnnproj");
        Result r = qnnw({"export", t.project, "--run", t.run, "--qonnx", file});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QStringList importArgs{"import", imported, "--qonnx", file, "--check", "--json"};
        if (!m_dataDir.isEmpty())
            importArgs << "--data" << m_dataDir;
        r = qnnw(importArgs);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // --check ran the imported network and the file on every test image.
        const QJsonObject check = QJsonDocument::fromJson(r.out).object().value("check").toObject();
        QCOMPARE(check.value("images").toInt(), static_cast<int>(m_test.size()));
        QCOMPARE(check.value("differ").toInt(), 0);

        Project p;
        std::string error;
        QVERIFY2(loadProject(s(imported), p, error), error.c_str());
        QCOMPARE(p.runs.size(), size_t(1));
        WeightFile w;
        QVERIFY2(readWeightFile(s(QFileInfo(imported).path() + "/runs/" + QString::fromStdString(p.runs[0]) +
                                  "/weights-best.qnnw"),
                                w, error),
                 error.c_str());
        // The same layers, kinds, names and bits.
        QCOMPARE(p.graph.size(), t.p.graph.size());
        for (const auto& [id, n] : t.p.graph.nodes()) {
            const NodeId j = p.graph.findByName(n.name);
            QVERIFY2(j != kInvalidNode, n.name.c_str());
            QCOMPARE(layerKindName(p.graph.node(j)->kind), layerKindName(n.kind));
            QCOMPARE(p.graph.node(j)->quant, n.quant);
        }

        std::vector<int> original, back;
        QVERIFY2(floatPredictions(t.p.graph, t.weights, m_test, m_dataset, original, error), error.c_str());
        QVERIFY2(floatPredictions(p.graph, w, m_test, m_dataset, back, error), error.c_str());
        QCOMPARE(back.size(), m_test.size());
        QCOMPARE(differences(original, back), 0);

        // eval-onnx runs the file as written: the same predictions again.
        QonnxInterpreter interp;
        QVERIFY2(interp.load(s(file), error), error.c_str());
        QonnxEvalResult e;
        QVERIFY2(evaluateQonnx(interp, m_test, 0, e, error), error.c_str());
        const int fileDiff = differences(original, e.predictions);
        qInfo("%s: %zu test images, float model %.2f%%, imported %.2f%%, eval-onnx %.2f%%, %d prediction(s) differ "
              "from the file",
              qPrintable(config), m_test.size(), 100 * accuracyOf(original, m_test), 100 * accuracyOf(back, m_test),
              100 * e.accuracy(), fileDiff);
        QCOMPARE(fileDiff, 0);

        // The integer engine: the original run and the imported one, each packed, predict alike.
        const std::string importedRun = s(QFileInfo(imported).path() + "/runs/" + QString::fromStdString(p.runs[0]));
        std::vector<int> packedOriginal, packedImported;
        QVERIFY2(packedPredictions(t.p, s(t.run), s(path("roundtrip/" + config + "-packed-original")), m_test,
                                   packedOriginal, error),
                 error.c_str());
        QVERIFY2(packedPredictions(p, importedRun, s(path("roundtrip/" + config + "-packed-imported")), m_test,
                                   packedImported, error),
                 error.c_str());
        qInfo("%s: integer engine %.2f%% on the original run, %.2f%% on the imported one, %d prediction(s) differ; "
              "%d differ from the float model",
              qPrintable(config), 100 * accuracyOf(packedOriginal, m_test), 100 * accuracyOf(packedImported, m_test),
              differences(packedOriginal, packedImported), differences(packedOriginal, original));
        QCOMPARE(differences(packedOriginal, packedImported), 0);
    }

    void importExporterShapes_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::newRow("Brevitas QONNX: Shape/Gather/Unsqueeze/Concat/Reshape flatten, TensorNorm as arithmetic") << "brevitas";
        QTest::newRow("onnx.brevitas domain, IR 4, initializers as inputs, Gemm, Flatten, Softmax") << "legacy";
        QTest::newRow("ternary Gemm with bias, 8-bit input, 2-bit activations") << "ternary";
        QTest::newRow("normalised input, float Conv, ReLU, unsigned Quant, MaxPool") << "conv";
    }

    void importExporterShapes()
    {
        QFETCH(QString, shape);
        const QString file = path("shapes/" + shape + ".onnx");
        QDir().mkpath(path("shapes"));
        const bool ternary = shape == "ternary";
        const Trained& t = m_runs.at(ternary ? "w2a2" : "w1a1");
        auto tensor = [&](const std::string& node, const std::string& name) {
            return t.weights.find(t.p.graph.findByName(node))->find(name);
        };
        FileBuilder b(shape == "legacy" ? 4 : 8, shape == "legacy" ? "onnx.brevitas" : "qonnx.custom_op.general",
                      shape == "legacy" ? 9 : 11);
        b.initializersAsInputs = shape == "legacy";
        std::string x;
        if (shape == "brevitas") {
            b.input("global_in", {1, 1, 28, 28});
            b.node("Shape", "/Shape", {"global_in"}, "shape");
            b.node("Gather", "/Gather", {"shape", b.initInts("zero", {}, {0})}, "batch");
            FileBuilder::attrs(b.node("Unsqueeze", "/Unsqueeze", {"batch"}, "batch1"), "axes", {0});
            FileBuilder::attr(b.node("Concat", "/Concat", {"batch1", b.initInts("minus1", {1}, {-1})}, "target"), "axis", 0);
            b.node("Reshape", "/Reshape", {"global_in", "target"}, "flat");
            x = "flat";
        } else if (shape == "conv") {
            b.input("global_in", {1, 1, 28, 28});
            x = "global_in";
        } else {
            b.input("global_in", {1, 784});
            x = "global_in";
        }
        if (shape == "conv") {
            x = b.node("Sub", "normalise_mean", {x, b.scalar("mean", 0.1307f)}, "centred").output(0);
            x = b.node("Div", "normalise_std", {x, b.scalar("std", 0.3081f)}, "normalised").output(0);
            auto& conv = b.node("Conv", "conv1", {x, b.init("conv1.w", {8, 1, 3, 3}, randomValues(72, 0.5f, 1)),
                                                  b.init("conv1.b", {8}, randomValues(8, 0.1f, 2))},
                                "conv1_out");
            FileBuilder::attrs(conv, "kernel_shape", {3, 3});
            FileBuilder::attrs(conv, "pads", {1, 1, 1, 1});
            FileBuilder::attrs(conv, "strides", {1, 1});
            x = b.node("Relu", "relu1", {"conv1_out"}, "relu1_out").output(0);
            x = b.quant("act1", x, 2, 1.0f / 3.0f, false, false);
            auto& pool = b.node("MaxPool", "pool1", {x}, "pool1_out");
            FileBuilder::attrs(pool, "kernel_shape", {2, 2});
            FileBuilder::attrs(pool, "strides", {2, 2});
            FileBuilder::attr(b.node("Flatten", "flatten", {"pool1_out"}, "flat"), "axis", 1);
            b.node("MatMul", "fc", {"flat", b.init("fc.w", {8 * 14 * 14, 10}, randomValues(1568 * 10, 0.05f, 3))},
                   "scores");
            b.output("scores", {1, 10});
            QVERIFY(b.save(s(file)));
        } else {
            // Input scaling to [-1, 1] and the input quantizer.
            x = b.node("Mul", "/Mul", {x, b.scalar("two", 2.0f)}, "x2").output(0);
            if (shape == "legacy")
                x = b.node("Add", "/Add", {x, b.scalar("minus_one", -1.0f)}, "x_centred").output(0);
            else
                x = b.node("Sub", "/Sub", {x, b.scalar("one", 1.0f)}, "x_centred").output(0);
            if (shape == "legacy") {
                FileBuilder::attr(b.node("Flatten", "/Flatten", {x}, "x_flat"), "axis", 1);
                x = "x_flat";
            }
            x = ternary ? b.quant("input_quant", x, 8, 1.0f / 127.0f) : b.quant("input_quant", x, 1, 1.0f);
            for (int layer = 1; layer <= 4; ++layer) {
                const std::string d = "dense" + std::to_string(layer), bn = "bn" + std::to_string(layer);
                const WeightTensor* w = tensor(d, "weight");
                const int64_t out = w->shape[0], in = w->shape[1];
                const std::string fc = "fc" + std::to_string(layer);
                std::string wq;
                if (ternary) {
                    float m = 0;
                    for (float v : w->values)
                        m = std::max(m, std::fabs(v));
                    wq = b.quant(fc + "_wq", b.init(fc + ".weight", {out, in}, w->values), 2, m);
                } else {
                    wq = b.quant(fc + "_wq", b.init(fc + ".weight", {out, in}, w->values), 1, 1.0f);
                }
                if (shape == "brevitas") {
                    auto& tr = b.node("Transpose", fc + "_t", {wq}, fc + "_wt");
                    FileBuilder::attrs(tr, "perm", {1, 0});
                    x = b.node("MatMul", fc, {x, fc + "_wt"}, fc + "_out").output(0);
                } else {
                    std::vector<std::string> args{x, wq};
                    if (ternary)
                        args.push_back(b.init(fc + ".bias", {out}, std::vector<float>(out, 0.25f)));
                    auto& g = b.node("Gemm", fc, args, fc + "_out");
                    FileBuilder::attr(g, "transB", 1);
                    x = g.output(0);
                }
                const WeightTensor* gamma = tensor(bn, "weight");
                const WeightTensor* beta = tensor(bn, "bias");
                const WeightTensor* mean = tensor(bn, "running_mean");
                const WeightTensor* var = tensor(bn, "running_var");
                if (layer == 4 && shape == "brevitas") {
                    // TensorNorm-like: (x - mean) / sqrt(var + eps) * gamma + beta as arithmetic on constants.
                    std::vector<float> sd(var->values.size());
                    for (size_t k = 0; k < sd.size(); ++k)
                        sd[k] = std::sqrt(var->values[k] + 1e-4f);
                    x = b.node("Sub", "tn_sub", {x, b.init("tn.mean", {out}, mean->values)}, "tn1").output(0);
                    x = b.node("Div", "tn_div", {x, b.init("tn.sd", {1, out}, sd)}, "tn2").output(0);
                    x = b.node("Mul", "tn_mul", {x, b.init("tn.gamma", {out}, gamma->values)}, "tn3").output(0);
                    x = b.node("Add", "tn_add", {x, b.init("tn.beta", {out}, beta->values)}, "tn4").output(0);
                } else {
                    std::vector<float> mu = mean->values;
                    if (ternary)
                        for (float& v : mu)
                            v += 0.25f;
                    auto& n = b.node("BatchNormalization", bn,
                                     {x, b.init(bn + ".gamma", {out}, gamma->values), b.init(bn + ".beta", {out}, beta->values),
                                      b.init(bn + ".mean", {out}, mu), b.init(bn + ".var", {out}, var->values)},
                                     bn + "_out");
                    FileBuilder::attrF(n, "epsilon", 1e-4f);
                    x = n.output(0);
                }
                if (layer < 4)
                    x = ternary ? b.quant("act" + std::to_string(layer), x, 2, 1.0f)
                                : b.quant("act" + std::to_string(layer), x, 1, 1.0f);
            }
            if (shape == "legacy")
                x = b.node("Softmax", "softmax", {x}, "probabilities").output(0);
            b.output(x, {1, 10});
            QVERIFY(b.save(s(file)));
        }

        QonnxImport imported;
        std::vector<int> ours, fromFile;
        std::string error;
        QVERIFY2(importAndPredict(file, imported, ours, fromFile, error), error.c_str());
        const int diff = differences(ours, fromFile);
        qInfo("%s: imported %zu layers; accuracy %.2f%% imported, %.2f%% eval-onnx, %d of %zu predictions differ",
              qPrintable(shape), imported.graph.size(), 100 * accuracyOf(ours, m_test), 100 * accuracyOf(fromFile, m_test),
              diff, m_test.size());
        QCOMPARE(diff, 0);
        if (shape != "conv") {
            // Packed for the integer engine, the imported network predicts as the file does.
            Project p;
            p.name = s(shape);
            p.graph = imported.graph;
            p.dataset.name = m_dataset;
            const QString runDir = path("shapes/" + shape + "-run");
            QDir().mkpath(runDir);
            QVERIFY2(writeWeightFile(s(runDir + "/weights-best.qnnw"), imported.weights, error), error.c_str());
            std::vector<int> packed;
            QVERIFY2(packedPredictions(p, s(runDir), s(path("shapes/" + shape + "-packed")), m_test, packed, error),
                     error.c_str());
            qInfo("%s: integer engine %.2f%%, %d prediction(s) differ from eval-onnx", qPrintable(shape),
                  100 * accuracyOf(packed, m_test), differences(packed, fromFile));
            QCOMPARE(differences(packed, fromFile), 0);
        }
        // What the shapes became.
        const Node* input = imported.graph.node(imported.graph.findByName("global_in"));
        QVERIFY(input);
        if (shape == "brevitas") {
            QCOMPARE(input->quant.actBits, 1);
            QCOMPARE(input->attrInts("shape"), (std::vector<int64_t>{1, 28, 28}));
            QVERIFY(imported.graph.findByName("Reshape") != kInvalidNode);
            QVERIFY(imported.graph.findByName("tn_sub") != kInvalidNode); // the arithmetic as one BatchNorm
            QVERIFY(accuracyOf(ours, m_test) > 0.5);
        } else if (shape == "legacy") {
            QCOMPARE(input->quant.actBits, 1);
            QCOMPARE(imported.notes.back().find("Softmax") != std::string::npos, true);
        } else if (shape == "ternary") {
            QCOMPARE(input->quant.actBits, 8);
            const Node* fc1 = imported.graph.node(imported.graph.findByName("fc1"));
            QCOMPARE(fc1->quant.weightBits, 2);
            QCOMPARE(fc1->attrBool("bias"), true);
            QCOMPARE(imported.graph.node(imported.graph.findByName("act1"))->attrString("function"), std::string("hardtanh"));
        } else {
            QCOMPARE(input->quant.actBits, 32);
            QCOMPARE(imported.graph.node(imported.graph.findByName("act1"))->attrString("function"), std::string("relu"));
            QCOMPARE(imported.graph.node(imported.graph.findByName("act1"))->quant.actBits, 2);
            QCOMPARE(imported.graph.node(imported.graph.findByName("conv1"))->attrInt("padding"), int64_t(1));
        }
    }

    void importErrors_data()
    {
        QTest::addColumn<QString>("defect");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("not ONNX") << "text" << "is not an ONNX model";
        QTest::newRow("missing initializer") << "missing" << "node 'fc' (MatMul): its input 'fc.weight' is neither a graph input, an initializer";
        QTest::newRow("unknown custom op") << "custom" << "node 'mt' (MultiThreshold) is an unknown custom operator of the domain 'qonnx.custom_op.general'";
        QTest::newRow("unknown domain") << "domain" << "node 'odd' (Foo) is an operator of the unknown domain 'com.example'";
        QTest::newRow("bit width 9") << "bits9" << "node 'act' (Quant): its bit width 9.000000 is outside 1–8 and 32";
        QTest::newRow("bit width 0") << "bits0" << "node 'act' (Quant): its bit width 0.000000 is outside 1–8 and 32";
        QTest::newRow("zero point") << "zeropt" << "node 'act' (Quant): its zero point is 1.000000";
        QTest::newRow("weight scale per input, not per output") << "perchannel" << "node 'fc' (MatMul): its weights are quantized by fc_wq with scales that vary within an output channel";
        QTest::newRow("input of rank 3") << "rank3" << "the graph input 'x' has shape 1×28×28; the workbench takes N×features or N×C×H×W";
        QTest::newRow("Dense on an image") << "image" << "node 'fc' (MatMul): multiplies a 1×1×28×28 tensor; a Dense layer takes N×features";
        QTest::newRow("one output value") << "oneclass" << "the graph output 'y' has shape 1×1; the workbench's Output takes N×classes with at least 2 classes";
        QTest::newRow("Trunc not after an average pool")
            << "trunc" << "node 'trunc' (Trunc): truncates what is not an average pool; the workbench truncates only after one";
        QTest::newRow("product of data") << "square" << "node 'sq' (Mul): combines two tensors that both depend on the input";
        QTest::newRow("reshape to an image") << "reshape" << "node 'rs' (Reshape): reshapes 1×784 into 1×16×49";
        QTest::newRow("clip range") << "clip" << "node 'clip' (Clip): clips to [-2.000000, 2.000000]";
        QTest::newRow("input too large") << "huge" << "the graph input 'x' has shape 1×3×10000×10000, more than 2^26 values per image";
    }

    void importErrors()
    {
        QFETCH(QString, defect);
        QFETCH(QString, sentence);
        const QString file = path("errors/" + defect + ".onnx");
        QDir().mkpath(path("errors"));
        if (defect == "text") {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("this is not a network\n");
        } else {
            FileBuilder b(8, "qonnx.custom_op.general");
            const bool image = defect == "image";
            b.input("x", defect == "huge"  ? std::vector<int64_t>{1, 3, 10000, 10000}
                         : defect == "rank3" ? std::vector<int64_t>{1, 28, 28}
                         : image          ? std::vector<int64_t>{1, 1, 28, 28}
                                          : std::vector<int64_t>{1, 784});
            std::string x = "x";
            if (defect == "bits5" || defect == "bits9" || defect == "bits0" || defect == "zeropt" || defect == "wide")
                x = b.quant("act", x, defect == "bits5" ? 5 : defect == "bits9" ? 9 : defect == "bits0" ? 0 : 2, 1.0f,
                            true, defect != "wide", defect == "zeropt" ? 1.0f : 0.0f);
            if (defect == "custom")
                x = b.node("MultiThreshold", "mt", {x, b.init("thr", {784, 1}, std::vector<float>(784, 0.0f))}, "mt_out",
                           "qonnx.custom_op.general")
                        .output(0);
            if (defect == "domain")
                x = b.node("Foo", "odd", {x}, "odd_out", "com.example").output(0);
            if (defect == "trunc")
                x = b.node("Trunc", "trunc", {x, b.scalar("s", 1.0f), b.scalar("z", 0.0f), b.scalar("ib", 8.0f), b.scalar("ob", 4.0f)},
                           "trunc_out", "qonnx.custom_op.general")
                        .output(0);
            if (defect == "square")
                x = b.node("Mul", "sq", {x, x}, "sq_out").output(0);
            if (defect == "reshape")
                x = b.node("Reshape", "rs", {x, b.initInts("rs.shape", {3}, {1, 16, 49})}, "rs_out").output(0);
            if (defect == "clip")
                x = b.node("Clip", "clip", {x, b.scalar("lo", -2.0f), b.scalar("hi", 2.0f)}, "clip_out").output(0);
            const int64_t classes = defect == "oneclass" ? 1 : 10;
            std::string w;
            if (defect == "missing")
                w = "fc.weight";
            else if (defect == "perchannel")
                w = b.node("BipolarQuant", "fc_wq",
                           {b.init("fc.w", {784, classes}, randomValues(784 * classes, 1.0f, 4)),
                            b.init("fc.scale", {784, 1}, [] {
                                std::vector<float> v(784);
                                for (size_t k = 0; k < v.size(); ++k)
                                    v[k] = 0.5f + 0.001f * float(k);
                                return v;
                            }())},
                           "fc_wq_out", "qonnx.custom_op.general")
                        .output(0);
            else
                w = b.init("fc.w", {image ? 28 : 784, classes}, randomValues((image ? 28 : 784) * classes, 1.0f, 4));
            b.node("MatMul", "fc", {x, w}, "y");
            b.output("y", {1, classes});
            QVERIFY(b.save(s(file)));
        }
        QonnxImport imported;
        std::string error;
        QVERIFY(!importQonnx(s(file), imported, error));
        QVERIFY2(error.find(s(sentence)) != std::string::npos, error.c_str());
        QVERIFY2(error.rfind(s(file) + ": ", 0) == 0 || defect == "text", error.c_str());

        // The command line says the same sentence and exits with 1.
        const Result r = qnnw({"import", path("errors/" + defect + ".qnnproj"), "--qonnx", file});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(sentence.toUtf8()), r.err.constData());
        QVERIFY(!QFileInfo::exists(path("errors/" + defect + ".qnnproj")));
    }

    void evalOnnxCommand()
    {
        const QString file = path("roundtrip/w1a1.onnx");
        QVERIFY(QFileInfo::exists(file));
        QStringList args{"eval-onnx", file, "--limit", "500", "--json"};
        if (m_dataset == "synthetic-digits")
            args << "--dataset" << "synthetic-digits";
        else
            args << "--data" << m_dataDir;
        const Result r = qnnw(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value("images").toInt(), 500);
        QonnxInterpreter interp;
        std::string error;
        QVERIFY2(interp.load(s(file), error), error.c_str());
        QonnxEvalResult e;
        QVERIFY2(evaluateQonnx(interp, m_test, 500, e, error), error.c_str());
        QCOMPARE(j.value("correct").toInt(), static_cast<int>(e.correct));

        // A node eval-onnx cannot run is named.
        const Result bad = qnnw({"eval-onnx", path("errors/custom.onnx"), "--dataset", "mnist"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("node 'mt' (MultiThreshold) is an operator of the domain 'qonnx.custom_op.general' that "
                                  "eval-onnx cannot run"),
                 bad.err.constData());
    }

    void exportErrors()
    {
        const Trained& t = m_runs.at("w1a1");
        WeightFile partial = t.weights;
        partial.nodes.erase(t.p.graph.findByName("dense3"));
        std::string error;
        QVERIFY(!exportQonnx(t.p.graph, partial, QonnxExportInfo{}, s(path("bad.onnx")), error));
        QCOMPARE(QString::fromStdString(error), QString("node dense3: the weight file has no weights for this Dense"));
        QVERIFY(!QFileInfo::exists(path("bad.onnx")));

        const Result r = qnnw({"export", t.project, "--run", "no-such-run", "--qonnx", path("bad.onnx")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("run 'no-such-run' not found"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestQonnx)
#include "tst_qonnx.moc"
