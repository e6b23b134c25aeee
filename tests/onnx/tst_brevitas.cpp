// Files as Brevitas writes them (constant subgraphs, both QONNX domains,
// opsets 9 and 13, per-channel scales, 2–8 bits, external data): each one
// imported, then run four ways — the file itself (eval-onnx's interpreter),
// the imported float model, `qnnw eval` on the imported run and the integer
// engine after packing — with the same prediction on every test image. Also
// hostile files: each defect a fuzzing campaign found gets its sentence.
#include <QtTest>

#include "core/data/dataset.h"
#include "core/data/transforms.h"
#include "core/onnx/onnx_proto.h"
#include "core/onnx/qonnx_eval.h"
#include "core/onnx/qonnx_import.h"
#include "core/onnx/qonnx_interpreter.h"
#include "core/pack/integer_engine.h"
#include "core/pack/run_packer.h"
#include "core/project/project.h"
#include "core/train/float_model.h"
#include "core/weights/weight_file.h"

#include "qonnx_test_files.h"
#include "support/float_predictions.h"
#include "support/qnnw_runner.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <random>
#include <set>

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

/** What a generated TFC-like file holds. */
struct Variant {
    std::string domain = "qonnx.custom_op.general";
    int opset = 13;
    int ir = 8;
    int weightBits = 2;
    int actBits = 2;
    bool perChannel = false;
    bool external = false;
    bool initializersAsInputs = false;
    /** Signed activation quantizers with narrow = 0 (Brevitas' default). */
    bool wideActivations = false;
    /** The BNN-PYNQ 8-bit input quantizer: narrow = 0, scale 2^-7 as Pow(2, -7). */
    bool wideInput = false;
    /** A small CNN with Brevitas' TruncAvgPool2d instead of the TFC (buildTruncPool). */
    bool truncPool = false;
};

/** A TFC as Brevitas' bnn_pynq FC model exports it: x.view(N, -1) as
 *  Shape/Gather/Unsqueeze/Concat/Reshape, `2.0 * x - tensor([1.0])` with a
 *  Constant node, an 8-bit input quantizer whose scale is computed by
 *  Div/Pow/Sub on constants, then 3 × (Quant weights [out, in] → Transpose →
 *  MatMul → BatchNormalization → Quant activation) and a last MatMul with
 *  a BatchNormalization. */
void buildTfc(FileBuilder& b, const Variant& v, unsigned seed)
{
    b.initializersAsInputs = v.initializersAsInputs;
    b.input("global_in", {1, 1, 28, 28});
    auto constant = [&](const std::string& name, const qnn::onnx_io::Tensor& t) {
        onnx::NodeProto& n = b.node("Constant", name, {}, name + "_out");
        auto* a = n.add_attribute();
        a->set_name("value");
        a->set_type(onnx::AttributeProto::TENSOR);
        *a->mutable_t() = qnn::onnx_io::tensorToProto(name, t);
        return n.output(0);
    };
    using qnn::onnx_io::Tensor;
    b.node("Shape", "/Shape", {"global_in"}, "shape");
    b.node("Gather", "/Gather", {"shape", constant("/Constant", Tensor::ofInts({}, {0}))}, "batch");
    if (v.opset >= 13)
        b.node("Unsqueeze", "/Unsqueeze", {"batch", constant("/Constant_1", Tensor::ofInts({1}, {0}))}, "batch1");
    else
        FileBuilder::attrs(b.node("Unsqueeze", "/Unsqueeze", {"batch"}, "batch1"), "axes", {0});
    FileBuilder::attr(b.node("Concat", "/Concat", {"batch1", constant("/Constant_2", Tensor::ofInts({1}, {-1}))}, "target"),
                      "axis", 0);
    b.node("Reshape", "/Reshape", {"global_in", "target"}, "flat");
    std::string x = b.node("Mul", "/Mul", {"flat", constant("/Constant_3", Tensor::ofFloats({}, {2.0f}))}, "x2").output(0);
    x = b.node("Sub", "/Sub", {x, constant("/Constant_4", Tensor::ofFloats({1}, {1.0f}))}, "xc").output(0);

    // scale = 1 / (2^(bits-1) - 1), computed as Brevitas' restrict/bit-width modules export it.
    auto scaleOf = [&](const std::string& name, int bits) {
        const std::string p = b.node("Pow", name + "/Pow", {b.scalar(name + ".two", 2.0f), b.scalar(name + ".e", float(bits - 1))},
                                     name + "/pow_out")
                                  .output(0);
        const std::string m = b.node("Sub", name + "/Sub", {p, b.scalar(name + ".one", 1.0f)}, name + "/max_out").output(0);
        return b.node("Div", name + "/Div", {b.scalar(name + ".unit", 1.0f), m}, name + "/scale_out").output(0);
    };
    auto quant = [&](const std::string& name, const std::string& in, const std::string& scale, int bits, bool wide = false) {
        auto& n = b.node("Quant", name, {in, scale, b.scalar(name + ".zeropt", 0.0f), b.scalar(name + ".bits", float(bits))},
                         name + "_out", v.domain);
        FileBuilder::attr(n, "signed", 1);
        FileBuilder::attr(n, "narrow", wide ? 0 : 1);
        FileBuilder::attrS(n, "rounding_mode", "ROUND");
        return n.output(0);
    };
    if (v.wideInput)
        x = quant("input_quant", x,
                  b.node("Pow", "input_quant/Pow", {b.scalar("input_quant.two", 2.0f), b.scalar("input_quant.e", -7.0f)},
                         "input_quant/scale_out")
                      .output(0),
                  8, true);
    else
        x = quant("input_quant", x, scaleOf("input_quant", 8), 8);
    int64_t in = 784;
    for (int layer = 1; layer <= 4; ++layer) {
        const int64_t out = layer == 4 ? 10 : 64;
        const std::string fc = "fc" + std::to_string(layer);
        std::vector<float> w = randomValues(size_t(out * in), 1.0f / std::sqrt(float(in)), seed + layer);
        const int maxLevel = (1 << (v.weightBits - 1)) - 1;
        std::string scale;
        if (v.perChannel) {
            std::vector<float> sc(static_cast<size_t>(out));
            for (int64_t o = 0; o < out; ++o) {
                float m = 0;
                for (int64_t i = 0; i < in; ++i)
                    m = std::max(m, std::fabs(w[size_t(o * in + i)]));
                sc[size_t(o)] = m / float(maxLevel);
            }
            scale = b.init(fc + ".scale", {out, 1}, sc);
        } else {
            float m = 0;
            for (float f : w)
                m = std::max(m, std::fabs(f));
            scale = b.scalar(fc + ".scale", m / float(maxLevel));
        }
        const std::string wq = quant(fc + "_wq", b.init(fc + ".weight", {out, in}, w), scale, v.weightBits);
        FileBuilder::attrs(b.node("Transpose", fc + "_t", {wq}, fc + "_wt"), "perm", {1, 0});
        x = b.node("MatMul", fc, {x, fc + "_wt"}, fc + "_out").output(0);
        std::vector<float> var = randomValues(size_t(out), 0.3f, seed + 10 + layer);
        for (float& f : var)
            f = 0.2f + std::fabs(f);
        const std::string bn = "bn" + std::to_string(layer);
        auto& n = b.node("BatchNormalization", bn,
                         {x, b.init(bn + ".gamma", {out}, randomValues(size_t(out), 1.0f, seed + 20 + layer)),
                          b.init(bn + ".beta", {out}, randomValues(size_t(out), 0.3f, seed + 30 + layer)),
                          b.init(bn + ".mean", {out}, randomValues(size_t(out), 0.3f, seed + 40 + layer)),
                          b.init(bn + ".var", {out}, var)},
                         bn + "_out");
        FileBuilder::attrF(n, "epsilon", 1e-4f);
        x = n.output(0);
        if (layer < 4)
            x = quant("act" + std::to_string(layer), x, scaleOf("act" + std::to_string(layer), v.actBits), v.actBits,
                      v.wideActivations);
        in = out;
    }
    b.output(x, {1, 10});
}

/** Brevitas' TruncAvgPool2d in a small CNN: the 8-bit input quantizer, a
 *  3×3 Conv of 4 channels (Quant weights) → BatchNormalization → unsigned
 *  Quant (actBits, scale 1/(2^bits - 1)) → AveragePool 2×2 → Mul 4 → Trunc
 *  (the activation's scale, bits + 2 → bits, FLOOR) → Flatten → MatMul →
 *  BatchNormalization. */
void buildTruncPool(FileBuilder& b, const Variant& v, unsigned seed)
{
    b.initializersAsInputs = v.initializersAsInputs;
    b.input("global_in", {1, 1, 28, 28});
    auto quant = [&](const std::string& name, const std::string& in, float scale, int bits, bool isSigned) {
        auto& n = b.node("Quant", name, {in, b.scalar(name + ".scale", scale), b.scalar(name + ".zeropt", 0.0f),
                                         b.scalar(name + ".bits", float(bits))},
                         name + "_out", v.domain);
        FileBuilder::attr(n, "signed", isSigned ? 1 : 0);
        FileBuilder::attr(n, "narrow", isSigned ? 1 : 0);
        FileBuilder::attrS(n, "rounding_mode", "ROUND");
        return n.output(0);
    };
    std::string x = b.node("Mul", "/Mul", {"global_in", b.scalar("/two", 2.0f)}, "x2").output(0);
    x = b.node("Sub", "/Sub", {x, b.scalar("/one", 1.0f)}, "xc").output(0);
    x = quant("input_quant", x, 1.0f / 127.0f, 8, true);
    const int maxLevel = (1 << (v.weightBits - 1)) - 1;
    auto weights = [&](const std::string& name, std::vector<int64_t> dims, size_t count, float spread, unsigned s) {
        std::vector<float> w = randomValues(count, spread, s);
        float m = 0;
        for (float f : w)
            m = std::max(m, std::fabs(f));
        return quant(name + "_wq", b.init(name + ".weight", dims, w), m / float(maxLevel), v.weightBits, true);
    };
    auto norm = [&](const std::string& bn, const std::string& in, int64_t ch, unsigned s) {
        std::vector<float> var = randomValues(size_t(ch), 0.3f, s);
        for (float& f : var)
            f = 0.2f + std::fabs(f);
        auto& n = b.node("BatchNormalization", bn,
                         {in, b.init(bn + ".gamma", {ch}, randomValues(size_t(ch), 1.0f, s + 1)),
                          b.init(bn + ".beta", {ch}, randomValues(size_t(ch), 0.3f, s + 2)),
                          b.init(bn + ".mean", {ch}, randomValues(size_t(ch), 0.3f, s + 3)), b.init(bn + ".var", {ch}, var)},
                         bn + "_out");
        FileBuilder::attrF(n, "epsilon", 1e-4f);
        return n.output(0);
    };
    auto& conv = b.node("Conv", "conv1", {x, weights("conv1", {4, 1, 3, 3}, 36, 0.5f, seed)}, "conv1_out");
    FileBuilder::attrs(conv, "kernel_shape", {3, 3});
    // The background (-1 everywhere) maps just below 0, so that only the strokes
    // reach the classifier and random weights still tell the digits apart: the
    // batch norm's mean is the conv's output on the background, -Σ of the quantized weights.
    {
        const std::vector<float> w = randomValues(36, 0.5f, seed);
        float m = 0;
        for (float f : w)
            m = std::max(m, std::fabs(f));
        const float step = m / float(maxLevel);
        std::vector<float> mean(4, 0.0f);
        for (int c = 0; c < 4; ++c)
            for (int k = 0; k < 9; ++k)
                mean[size_t(c)] -= std::clamp(std::nearbyint(w[size_t(c * 9 + k)] / step), -float(maxLevel), float(maxLevel)) * step;
        auto& n = b.node("BatchNormalization", "bn1",
                         {conv.output(0), b.init("bn1.gamma", {4}, {1.0f, 0.8f, 1.2f, 0.6f}),
                          b.init("bn1.beta", {4}, {-0.05f, -0.05f, -0.05f, -0.05f}), b.init("bn1.mean", {4}, mean),
                          b.init("bn1.var", {4}, {1.0f, 1.0f, 1.0f, 1.0f})},
                         "bn1_out");
        FileBuilder::attrF(n, "epsilon", 1e-4f);
        x = n.output(0);
    }
    const float actScale = 1.0f / float((1 << v.actBits) - 1);
    x = quant("act1", x, actScale, v.actBits, false);
    auto& pool = b.node("AveragePool", "pool1", {x}, "pool1_out");
    FileBuilder::attrs(pool, "kernel_shape", {2, 2});
    FileBuilder::attrs(pool, "strides", {2, 2});
    x = b.node("Mul", "pool1/Mul", {pool.output(0), b.scalar("pool1.window", 4.0f)}, "pool1_sum").output(0);
    auto& trunc = b.node("Trunc", "pool1/Trunc",
                         {x, b.scalar("pool1.scale", actScale), b.scalar("pool1.zeropt", 0.0f),
                          b.scalar("pool1.in_bits", float(v.actBits + 2)), b.scalar("pool1.out_bits", float(v.actBits))},
                         "pool1_trunc", v.domain);
    FileBuilder::attrS(trunc, "rounding_mode", "FLOOR");
    FileBuilder::attr(b.node("Flatten", "flatten", {trunc.output(0)}, "flat"), "axis", 1);
    FileBuilder::attrs(b.node("Transpose", "fc_t", {weights("fc", {10, 676}, 6760, 0.1f, seed + 20)}, "fc_wt"), "perm",
                       {1, 0});
    x = b.node("MatMul", "fc", {"flat", "fc_wt"}, "fc_out").output(0);
    b.output(norm("bn2", x, 10, seed + 30), {1, 10});
}

/** Moves every initializer of more than 64 values into `weights.bin` beside the model. */
bool externalize(onnx::ModelProto& m, const QString& dir)
{
    std::ofstream bin(s(dir + "/weights.bin"), std::ios::binary);
    int64_t offset = 0;
    for (auto& t : *m.mutable_graph()->mutable_initializer()) {
        if (t.raw_data().size() <= 256)
            continue;
        const std::string raw = t.raw_data();
        bin.write(raw.data(), std::streamsize(raw.size()));
        t.clear_raw_data();
        t.set_data_location(onnx::TensorProto::EXTERNAL);
        auto add = [&t](const std::string& k, const std::string& v) {
            auto* e = t.add_external_data();
            e->set_key(k);
            e->set_value(v);
        };
        add("location", "weights.bin");
        add("offset", std::to_string(offset));
        add("length", std::to_string(raw.size()));
        offset += int64_t(raw.size());
    }
    return bool(bin);
}

} // namespace

class TestBrevitas : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_dataDir;
    ImageSet m_test;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    QString writeVariant(const QString& name, const Variant& v)
    {
        QDir().mkpath(path(name));
        FileBuilder b(v.ir, v.domain, v.opset);
        if (v.truncPool)
            buildTruncPool(b, v, 7);
        else
            buildTfc(b, v, 7);
        if (v.external && !externalize(b.model(), path(name)))
            return {};
        const QString file = path(name + "/" + name + ".onnx");
        return b.save(s(file)) ? file : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_dataDir = QNN_DATASETS_DIR "/mnist";
        DatasetRequest request;
        request.choice.name = "mnist";
        request.dataDir = s(m_dataDir);
        DatasetSplits splits;
        std::string error;
        QVERIFY2(loadDataset(request, splits, error), error.c_str());
        m_test = splits.test;
        QCOMPARE(m_test.size(), size_t(10000));
    }

    void brevitasNetworks_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("domain"); // 0 qonnx.custom_op.general, 1 onnx.brevitas
        QTest::addColumn<int>("opset");
        QTest::addColumn<int>("weightBits");
        QTest::addColumn<int>("actBits");
        QTest::addColumn<bool>("perChannel");
        QTest::addColumn<bool>("external");
        QTest::addColumn<int>("wide"); // 1: activations with narrow = 0, 2: the 8-bit input with narrow = 0, 3: Trunc
        QTest::newRow("constant subgraphs, qonnx domain, opset 13, W2A2") << "tfc-qonnx" << 0 << 13 << 2 << 2 << false << false << 0;
        QTest::newRow("constant subgraphs, onnx.brevitas, opset 9, IR 4") << "tfc-brevitas" << 1 << 9 << 2 << 2 << false << false << 0;
        QTest::newRow("per-channel 4-bit weight scales") << "tfc-perchannel" << 0 << 11 << 4 << 2 << true << false << 0;
        QTest::newRow("5-bit activations, 6-bit weights") << "tfc-a5" << 0 << 13 << 6 << 5 << false << false << 0;
        QTest::newRow("external-data initializers") << "tfc-external" << 0 << 13 << 3 << 3 << false << true << 0;
        QTest::newRow("signed activations with narrow = 0") << "tfc-wide" << 0 << 13 << 2 << 3 << false << false << 1;
        QTest::newRow("narrow = 0 8-bit signed input, scale 2^-7") << "tfc-wide-input" << 0 << 13 << 2 << 2 << false << false << 2;
        QTest::newRow("Trunc after average pooling (TruncAvgPool2d), onnx.brevitas")
            << "cnv-trunc" << 1 << 11 << 4 << 3 << false << false << 3;
    }

    void brevitasNetworks()
    {
        QFETCH(QString, name);
        QFETCH(int, domain);
        QFETCH(int, opset);
        QFETCH(int, weightBits);
        QFETCH(int, actBits);
        QFETCH(bool, perChannel);
        QFETCH(bool, external);
        QFETCH(int, wide);
        Variant v;
        v.wideActivations = wide == 1;
        v.wideInput = wide == 2;
        v.truncPool = wide == 3;
        v.domain = domain == 0 ? "qonnx.custom_op.general" : "onnx.brevitas";
        v.opset = opset;
        v.ir = domain == 0 ? 8 : 4;
        v.initializersAsInputs = domain == 1;
        v.weightBits = weightBits;
        v.actBits = actBits;
        v.perChannel = perChannel;
        v.external = external;
        const QString file = writeVariant(name, v);
        QVERIFY(!file.isEmpty());
        if (external) // the weights are not in the .onnx
            QVERIFY(QFileInfo(file).size() < 20000 && QFileInfo(path(name + "/weights.bin")).size() > 200000);

        // 1. The file as written.
        QElapsedTimer clock;
        clock.start();
        std::vector<qint64> ms;
        std::string error;
        QonnxInterpreter interp;
        QVERIFY2(interp.load(s(file), error), error.c_str());
        QonnxEvalResult fromFile;
        QVERIFY2(evaluateQonnx(interp, m_test, 0, fromFile, error), error.c_str());
        QCOMPARE(fromFile.predictions.size(), m_test.size());
        const std::set<int> classes(fromFile.predictions.begin(), fromFile.predictions.end());
        QVERIFY2(classes.size() >= 4, "random weights should still spread the predictions over the classes");

        ms.push_back(clock.restart());
        // 2. Imported: every constant folded, the input scaling as the Input's 8-bit encoding.
        QonnxImport imported;
        QVERIFY2(importQonnx(s(file), imported, error), error.c_str());
        const Node* input = imported.graph.node(imported.graph.findByName("global_in"));
        QVERIFY(input);
        // The narrow = 0 input of step 2^-7 is the Input's 8-bit encoding with narrow off (codes -128 … 127).
        QCOMPARE(input->quant.actBits, 8);
        QCOMPARE(input->attrBoolOr("narrow", true), !v.wideInput);
        int wideQuantActs = 0;
        for (const auto& [id, n] : imported.graph.nodes()) {
            if (n.kind == LayerKind::Dense || n.kind == LayerKind::Conv2D)
                QCOMPARE(n.quant.weightBits, weightBits);
            if (n.kind == LayerKind::AvgPool) { // the Mul by 4 and the Trunc are its truncation
                QCOMPARE(n.attrInt("trunc_bits"), int64_t(2));
                QCOMPARE(float(n.attrFloat("trunc_scale")), 1.0f / float((1 << actBits) - 1));
            }
            if (n.kind == LayerKind::Activation || (n.kind == LayerKind::QuantAct && n.name != "input_quant"))
                QCOMPARE(n.quant.actBits, actBits);
            wideQuantActs += n.kind == LayerKind::QuantAct && !n.attrBool("narrow");
        }
        QCOMPARE(wideQuantActs, wide == 1 ? 3 : 0);
        std::vector<int> ours;
        QVERIFY2(floatPredictions(imported.graph, imported.weights, m_test, "mnist", ours, error), error.c_str());
        const int floatDiff = differences(ours, fromFile.predictions);

        ms.push_back(clock.restart());
        // 3. qnnw import, then qnnw eval on the imported run: its confusion matrix is the file's.
        const QString project = path(name + "/project/" + name + ".qnnproj");
        Result r = qnnw({"import", project, "--qonnx", file, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString run = QJsonDocument::fromJson(r.out).object().value("run").toString();
        r = qnnw({"eval", project, "--run", run, "--data", m_dataDir, "--threads", "2", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject eval = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(eval.value("images").toInt(), int(m_test.size()));
        std::vector<std::vector<int>> confusion(10, std::vector<int>(10, 0));
        for (size_t k = 0; k < m_test.size(); ++k)
            ++confusion[size_t(m_test.labels[k])][size_t(fromFile.predictions[k])];
        const QJsonArray rows = eval.value("confusion_matrix").toArray();
        QCOMPARE(rows.size(), 10);
        int evalDiff = 0;
        for (int t = 0; t < 10; ++t)
            for (int p = 0; p < 10; ++p)
                evalDiff += std::abs(rows[t].toArray()[p].toInt() - confusion[size_t(t)][size_t(p)]);

        ms.push_back(clock.restart());
        // 4. Packed for the integer engine.
        Project p;
        std::string perr;
        QVERIFY2(loadProject(s(project), p, perr), perr.c_str());
        pack::RunPackRequest request;
        request.runDir = s(run);
        request.outDir = s(path(name + "/packed"));
        pack::RunPackResult packed;
        if (v.truncPool) {
            // Exact in the float paths; the packed engine has no average pool, and says which.
            QVERIFY(!pack::packRun(p, request, packed, error));
            QVERIFY2(error.find("the dataflow has no unit for the truncating AvgPool pool1 (Brevitas' TruncAvgPool2d: "
                                "floor of the window's sum / 2^2)") != std::string::npos,
                     error.c_str());
            qInfo("%s: eval-onnx %.2f%%; float model %d, qnnw eval %d prediction(s) differ from the file; packing "
                  "refused: %s",
                  qPrintable(name), 100 * fromFile.accuracy(), floatDiff, evalDiff, error.c_str());
            QCOMPARE(floatDiff, 0);
            QCOMPARE(evalDiff, 0);
            // Exported again, the truncation is AveragePool, Mul, Trunc, and the interpreter agrees.
            const QString again = path(name + "/again.onnx");
            r = qnnw({"export", project, "--run", run, "--qonnx", again});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QonnxInterpreter reread;
            QVERIFY2(reread.load(s(again), error), error.c_str());
            QonnxEvalResult fromAgain;
            QVERIFY2(evaluateQonnx(reread, m_test, 0, fromAgain, error), error.c_str());
            QCOMPARE(differences(fromAgain.predictions, fromFile.predictions), 0);
            return;
        }
        QVERIFY2(pack::packRun(p, request, packed, error), error.c_str());
        QCOMPARE(packed.net.input.narrow, !v.wideInput);
        QCOMPARE(packed.net.input.lowestCode(), v.wideInput ? -128 : -127);
        pack::IntegerEngine engine;
        QVERIFY2(engine.load(packed.net, error) && engine.accepts(m_test, error), error.c_str());
        const std::vector<int> integer = engine.classifyAll(m_test, 2);
        const int engineDiff = differences(integer, fromFile.predictions);
        ms.push_back(clock.restart());
        qInfo("%s: ms per path: eval-onnx %lld, float model %lld, qnnw import + eval %lld, pack + engine %lld",
              qPrintable(name), ms[0], ms[1], ms[2], ms[3]);

        qInfo("%s: %zu layers, eval-onnx %.2f%%; predictions that differ from the file on %zu images: float model %d, "
              "qnnw eval (confusion cells) %d, integer engine %d",
              qPrintable(name), imported.graph.size(), 100 * fromFile.accuracy(), m_test.size(), floatDiff, evalDiff,
              engineDiff);
        QCOMPARE(floatDiff, 0);
        QCOMPARE(evalDiff, 0);
        QCOMPARE(engineDiff, 0);
    }

    // Each defect of issue 15 (and its class): a sentence from the importer and
    // from eval-onnx's interpreter, never a crash or an unchecked allocation.
    void hostileFiles_data()
    {
        QTest::addColumn<QString>("defect");
        QTest::addColumn<QString>("importSentence");
        QTest::addColumn<QString>("evalSentence"); // empty: eval-onnx may run it, but must not crash
        QTest::newRow("Conv kernel_shape over the weights") << "conv-kernel" << "its kernel_shape does not match its weights of shape 8×1×3×3"
                                                            << "kernel_shape 5×5 does not match its weights' 3×3 kernel";
        // Found by the fuzzer under ASan: the bias was reshaped to one value per filter and read past its end.
        QTest::newRow("Conv bias of one value for 8 filters") << "conv-bias" << "its bias has 1 values for 8 filters"
                                                              << "its bias has 1 values for 8 filters";
        QTest::newRow("Concat of scalars") << "concat-scalars" << "joins scalars; Concat needs tensors of rank 1 or more"
                                           << "joins scalars; Concat needs tensors of rank 1 or more";
        QTest::newRow("negative dimension") << "negative-dims" << "has the dimensions -1×10, which are negative"
                                            << "has the dimensions -1×10, which are negative";
        QTest::newRow("empty scale") << "empty-scale" << "(Quant): its scale is empty" << "cannot broadcast 784×10 with 0";
        QTest::newRow("Transpose perm [0, 0] before a Quant") << "transpose-perm" << "perm [0, 0] names axis 0 twice"
                                                              << "perm [0, 0] names axis 0 twice";
        QTest::newRow("weight scale inf") << "inf-scale" << "its scale inf is not a positive finite number" << "";
        QTest::newRow("MaxPool dilations") << "maxpool-dilations" << "dilated pooling (dilations 2)"
                                           << "dilation 2 is not supported";
        QTest::newRow("narrow = 0 weights using -8") << "narrow0-weights"
                                                     << "a signed Quant with narrow = 0 imports only while no weight uses "
                                                        "the extra level -8"
                                                     << "";
        QTest::newRow("external data outside the folder") << "ext-escape"
                                                          << "only files inside the model's folder are read"
                                                          << "only files inside the model's folder are read";
        QTest::newRow("external data too short") << "ext-short" << "do not fit in it" << "do not fit in it";
        QTest::newRow("a constant of 10^10 values") << "huge-constant" << "holds more than 2^28 values"
                                                    << "holds more than 2^28 values";
    }

    void hostileFiles()
    {
        QFETCH(QString, defect);
        QFETCH(QString, importSentence);
        QFETCH(QString, evalSentence);
        const QString dir = path("hostile/" + defect);
        QDir().mkpath(dir);
        const QString file = dir + "/model.onnx";
        FileBuilder b(8, "qonnx.custom_op.general", 13);
        const bool image = defect == "conv-kernel" || defect == "conv-bias" || defect == "maxpool-dilations";
        b.input("x", image ? std::vector<int64_t>{1, 1, 28, 28} : std::vector<int64_t>{1, 784});
        std::string x = "x";
        std::string w = "w";
        if (defect == "conv-kernel" || defect == "conv-bias") {
            std::vector<std::string> inputs{x, b.init("conv.w", {8, 1, 3, 3}, randomValues(72, 0.5f, 1))};
            if (defect == "conv-bias")
                inputs.push_back(b.scalar("conv.b", 0.1f));
            auto& c = b.node("Conv", "conv", inputs, "c");
            FileBuilder::attrs(c, "kernel_shape", {defect == "conv-bias" ? 3 : 5, defect == "conv-bias" ? 3 : 5});
            x = b.node("Flatten", "flat", {"c"}, "f").output(0);
            b.node("MatMul", "fc", {x, b.init("w", {8 * 26 * 26, 10}, randomValues(8 * 26 * 26 * 10, 0.1f, 2))}, "y");
        } else if (defect == "maxpool-dilations") {
            auto& m = b.node("MaxPool", "pool", {x}, "p");
            FileBuilder::attrs(m, "kernel_shape", {2, 2});
            FileBuilder::attrs(m, "strides", {2, 2});
            FileBuilder::attrs(m, "dilations", {2, 2});
            x = b.node("Flatten", "flat", {"p"}, "f").output(0);
            b.node("MatMul", "fc", {x, b.init("w", {13 * 13, 10}, randomValues(169 * 10, 0.1f, 2))}, "y");
        } else {
            if (defect == "concat-scalars") {
                auto& c = b.node("Concat", "cat", {b.initInts("one", {}, {1}), b.initInts("minus", {}, {-1})}, "shape");
                FileBuilder::attr(c, "axis", 0);
                x = b.node("Reshape", "rs", {x, "shape"}, "xr").output(0);
            }
            if (defect == "huge-constant") {
                b.node("ConstantOfShape", "big", {b.initInts("dims", {2}, {100000, 100000})}, "zeros");
                x = b.node("Add", "add", {x, "zeros"}, "xa").output(0);
            }
            std::vector<float> wv = randomValues(7840, 0.3f, 3);
            w = b.init("w", {784, 10}, wv);
            if (defect == "negative-dims") {
                auto* t = b.model().mutable_graph()->mutable_initializer(0);
                t->set_dims(0, -1);
            }
            if (defect == "empty-scale" || defect == "inf-scale" || defect == "narrow0-weights") {
                float scale = defect == "inf-scale" ? INFINITY : 0.1f;
                if (defect == "narrow0-weights")
                    wv[5] = -0.8f; // code -8 of a 4-bit narrow = 0 quantizer
                b.model().mutable_graph()->mutable_initializer()->RemoveLast();
                w = b.init("w", {784, 10}, wv);
                const std::string sc = defect == "empty-scale" ? b.init("w.scale", {0}, {}) : b.scalar("w.scale", scale);
                auto& q = b.node("Quant", "wq", {w, sc, b.scalar("w.zp", 0.0f), b.scalar("w.bits", 4.0f)}, "wq_out",
                                 "qonnx.custom_op.general");
                FileBuilder::attr(q, "signed", 1);
                FileBuilder::attr(q, "narrow", defect == "narrow0-weights" ? 0 : 1);
                w = "wq_out";
            }
            if (defect == "transpose-perm") {
                b.model().mutable_graph()->mutable_initializer()->RemoveLast();
                w = b.init("w", {10, 784}, wv);
                FileBuilder::attrs(b.node("Transpose", "tr", {w}, "wt"), "perm", {0, 0});
                auto& q = b.node("Quant", "wq", {"wt", b.scalar("w.scale", 0.1f), b.scalar("w.zp", 0.0f), b.scalar("w.bits", 4.0f)},
                                 "wq_out", "qonnx.custom_op.general");
                FileBuilder::attr(q, "narrow", 1);
                w = "wq_out";
            }
            if (defect == "ext-escape" || defect == "ext-short") {
                auto* t = b.model().mutable_graph()->mutable_initializer(0);
                const std::string raw = t->raw_data();
                t->clear_raw_data();
                t->set_data_location(onnx::TensorProto::EXTERNAL);
                auto* e = t->add_external_data();
                e->set_key("location");
                e->set_value(defect == "ext-escape" ? "../secret.bin" : "short.bin");
                QFile f(defect == "ext-escape" ? path("hostile/secret.bin") : dir + "/short.bin");
                QVERIFY(f.open(QIODevice::WriteOnly));
                f.write(raw.data(), defect == "ext-escape" ? qint64(raw.size()) : 100);
            }
            b.node("MatMul", "fc", {x, w}, "y");
        }
        b.output("y", {1, 10});
        QVERIFY(b.save(s(file)));

        QonnxImport imported;
        std::string error;
        QVERIFY(!importQonnx(s(file), imported, error));
        QVERIFY2(error.find(s(importSentence)) != std::string::npos, error.c_str());

        QonnxInterpreter interp;
        std::string evalError;
        bool ran = interp.load(s(file), evalError);
        if (ran) {
            std::vector<float> image(size_t(interp.inputSize()), 0.5f), out;
            ran = interp.run(image.data(), out, evalError);
        }
        if (!evalSentence.isEmpty()) {
            QVERIFY(!ran);
            QVERIFY2(evalError.find(s(evalSentence)) != std::string::npos, evalError.c_str());
        }

        // The command line says the same and leaves nothing behind.
        const Result r = qnnw({"import", dir + "/out.qnnproj", "--qonnx", file});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(importSentence.toUtf8()), r.err.constData());
        QVERIFY(!QFileInfo::exists(dir + "/out.qnnproj"));
    }

    // Devices, pipes and files larger than protobuf can parse are refused before a byte is read.
    void nonRegularAndHugeFiles()
    {
        const QString fifo = path("model.fifo");
        QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
        const QString huge = path("huge.onnx");
        {
            QFile f(huge);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.resize(qint64(3) << 30)); // sparse: 3 GiB of nothing
        }
        const struct {
            QString file;
            QString sentence;
        } cases[] = {{"/dev/zero", "is not a regular file (a device)"},
                     {fifo, "is not a regular file (a pipe)"},
                     {path("."), "is not a regular file (a folder)"},
                     {huge, "is 3221225472 bytes, more than the 2147483647 this tool reads"}};
        for (const auto& c : cases) {
            QonnxImport imported;
            std::string error;
            QVERIFY(!importQonnx(s(c.file), imported, error));
            QVERIFY2(error.find(s(c.sentence)) != std::string::npos, error.c_str());
            QonnxInterpreter interp;
            QVERIFY(!interp.load(s(c.file), error));
            QVERIFY2(error.find(s(c.sentence)) != std::string::npos, error.c_str());
            const Result r = qnnw({"eval-onnx", c.file, "--dataset", "mnist", "--data", m_dataDir}, 60000);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains(c.sentence.toUtf8()), r.err.constData());
        }
    }

    // The hand-off to FINN: a build folder FINN's build_dataflow takes as it
    // is, and FINN's reports read back next to our estimate.
    void finnBuildFolder()
    {
        const QString project = path("tfc-qonnx/project/tfc-qonnx.qnnproj");
        QVERIFY2(QFileInfo::exists(project), "brevitasNetworks imports the project first");
        Project p;
        std::string error;
        QVERIFY2(loadProject(s(project), p, error), error.c_str());
        const QString run = QFileInfo(project).path() + "/runs/" + QString::fromStdString(p.runs.at(0));
        const QString dir = path("finn-build");
        // A folding chosen for 100,000 FPS is stored in the project; the build folder carries it.
        Result r = qnnw({"estimate", project, "--fps", "100000", "--save-folding"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = qnnw({"export", project, "--run", run, "--finn-build", dir, "--board", "pynq-z2"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("python -m finn.builder.build_dataflow " + dir.toUtf8()), r.out.constData());

        // model.onnx under that exact name, and it is the network: it imports again.
        QonnxImport again;
        QVERIFY2(importQonnx(s(dir + "/model.onnx"), again, error), error.c_str());
        QFile cfg(dir + "/dataflow_build_config.json");
        QVERIFY(cfg.open(QIODevice::ReadOnly));
        const QJsonObject c = QJsonDocument::fromJson(cfg.readAll()).object();
        QCOMPARE(c.value("output_dir").toString(), QString("output"));
        QCOMPARE(c.value("synth_clk_period_ns").toDouble(), 10.0);
        QCOMPARE(c.value("board").toString(), QString("Pynq-Z2"));
        QCOMPARE(c.value("shell_flow_type").toString(), QString("vivado_zynq"));
        QCOMPARE(c.value("folding_config_file").toString(), QString("folding_config.json"));
        QCOMPARE(c.value("generate_outputs").toArray(),
                 QJsonArray({"estimate_reports", "stitched_ip", "bitfile", "pynq_driver", "deployment_package"}));
        QVERIFY(!c.contains("vitis_platform") && !c.contains("target_fps"));
        QFile fold(dir + "/folding_config.json");
        QVERIFY(fold.open(QIODevice::ReadOnly));
        const QJsonObject f = QJsonDocument::fromJson(fold.readAll()).object();
        QVERIFY(f.contains("Defaults"));
        for (int k = 0; k < 4; ++k) {
            const QJsonObject layer = f.value(QString("MVAU_hls_%1").arg(k)).toObject();
            QVERIFY2(layer.value("PE").toInt() >= 1 && layer.value("SIMD").toInt() >= 1, qPrintable(QString::number(k)));
            // FINN does not pad: PE divides the rows, SIMD the columns (784 and 64 inputs, 64 and 10 rows).
            QCOMPARE((k == 0 ? 784 : 64) % layer.value("SIMD").toInt(), 0);
            QCOMPARE((k == 3 ? 10 : 64) % layer.value("PE").toInt(), 0);
        }
        QVERIFY2(f.value("MVAU_hls_0").toObject().value("SIMD").toInt() > 1, "the chosen folding, not 1/1");

        // An Alveo card: the Vitis flow at its own clock; a board FINN lacks is named.
        r = qnnw({"export", project, "--run", run, "--finn-build", path("finn-u250"), "--board", "U250", "--clock-mhz", "250",
                  "--outputs", "estimate_reports"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile alveo(path("finn-u250/dataflow_build_config.json"));
        QVERIFY(alveo.open(QIODevice::ReadOnly));
        const QJsonObject a = QJsonDocument::fromJson(alveo.readAll()).object();
        QCOMPARE(a.value("shell_flow_type").toString(), QString("vitis_alveo"));
        QCOMPARE(a.value("synth_clk_period_ns").toDouble(), 4.0);
        QCOMPARE(a.value("generate_outputs").toArray(), QJsonArray({"estimate_reports"}));
        r = qnnw({"export", project, "--run", run, "--finn-build", path("finn-zc706"), "--board", "zc706"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("FINN's build has no board \"zc706\"; choose one of Pynq-Z1, Pynq-Z2, Ultra96"), r.err.constData());
        QVERIFY(!QFileInfo::exists(path("finn-zc706/model.onnx")));

        // Before FINN ran: a sentence. After: its reports, ours beside them.
        r = qnnw({"finn-report", dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no FINN report in " + dir.toUtf8()), r.err.constData());
        QDir().mkpath(dir + "/output/report");
        auto write = [](const QString& file, const QByteArray& text) {
            QFile out(file);
            return out.open(QIODevice::WriteOnly) && out.write(text) == text.size();
        };
        QVERIFY(write(dir + "/output/report/estimate_layer_resources.json",
                      R"({"MVAU_hls_0": {"BRAM_18K": 4, "BRAM_efficiency": 0.76, "LUT": 5120.5, "URAM": 0, "URAM_efficiency": 1, "DSP": 0},
                          "MVAU_hls_1": {"BRAM_18K": 1, "BRAM_efficiency": 0.5, "LUT": 900, "URAM": 0, "URAM_efficiency": 1, "DSP": 0},
                          "total": {"BRAM_18K": 5.0, "LUT": 6020.5, "URAM": 0.0, "DSP": 0.0}})"));
        QVERIFY(write(dir + "/output/report/estimate_network_performance.json",
                      R"({"critical_path_cycles": 1570, "max_cycles": 784, "max_cycles_node_name": "MVAU_hls_0",
                          "estimated_throughput_fps": 127551.02, "estimated_latency_ns": 15700.0})"));
        QVERIFY(write(dir + "/output/report/post_synth_resources.json",
                      R"({"StreamingDataflowPartition_1_MVAU_hls_0": {"LUT": 4800, "FF": 3100, "BRAM_36K": 2, "DSP48E1": 0}})"));
        r = qnnw({"finn-report", dir, "--project", project, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value("estimate_layer_resources").toObject().value("MVAU_hls_0").toObject().value("LUT").toDouble(), 5120.5);
        QCOMPARE(j.value("estimate_layer_resources").toObject().value("total").toObject().value("BRAM_18K").toDouble(), 5.0);
        QCOMPARE(j.value("estimate_network_performance").toObject().value("estimated_throughput_fps").toDouble(), 127551.02);
        QCOMPARE(j.value("estimate_network_performance").toObject().value("max_cycles_node_name").toString(), QString("MVAU_hls_0"));
        // No total in FINN's post-synthesis file: the layers are summed.
        QCOMPARE(j.value("post_synth_resources").toObject().value("total").toObject().value("FF").toDouble(), 3100.0);
        QVERIFY(j.value("ours").toObject().value("lut").toDouble() > 0);
        QVERIFY(j.value("ours").toObject().value("fps").toDouble() > 0);
        // The Hardware dock's table: FINN's units on our layers (MVAU_hls_0 is the first matrix layer).
        const QJsonObject cmp = j.value("comparison").toObject();
        const QJsonObject first = cmp.value("layers").toArray().at(0).toObject();
        QCOMPARE(first.value("layer").toString(), QString("fc1"));
        QCOMPARE(first.value("finn_estimate").toObject().value("lut").toDouble(), 5120.5);
        QCOMPARE(first.value("post_synthesis").toObject().value("lut").toDouble(), 4800.0);
        QCOMPARE(first.value("post_synthesis").toObject().value("bram_18k").toDouble(), 4.0); // 2 BRAM_36K
        QCOMPARE(first.value("ours").toObject().value("lut").toDouble() > 0, true);
        QCOMPARE(cmp.value("total").toObject().value("finn_estimate").toObject().value("lut").toDouble(), 6020.5);
        QCOMPARE(cmp.value("bottleneck").toObject().value("finn_estimate").toString(), QString("fc1"));
        r = qnnw({"finn-report", dir, "--project", project});
        QVERIFY2(r.exitCode == 0 && r.out.contains("Ours next to FINN's (estimate, post-synthesis):"), r.out.constData());
        // Without DIR, the folder the project remembers; this one remembers none.
        r = qnnw({"finn-report", "--project", project});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("the project remembers none"), r.err.constData());

        // A malformed report names the file.
        QVERIFY(write(dir + "/output/report/estimate_network_performance.json", R"({"estimated_throughput_fps": "fast"})"));
        r = qnnw({"finn-report", dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("estimate_network_performance.json: \"estimated_throughput_fps\" is not a number"),
                 r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestBrevitas)
#include "tst_brevitas.moc"
