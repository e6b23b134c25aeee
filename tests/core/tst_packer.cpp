// The packer: words and thresholds of a hand-made 2-layer network checked
// byte by byte against values computed here from the layout rules of
// FPGA_NOTES.md (padding, negative gamma, A1 and A2 outputs), the manifest's
// checksums, and SHA-256 itself.
#include "core/graph/graph.h"
#include "core/hw/overlay.h"
#include "core/pack/integer_engine.h"
#include "core/pack/layer_files.h"
#include "core/pack/packed_folder.h"
#include "core/pack/packer.h"
#include "core/util/sha256.h"
#include "core/quant/quantization.h"
#include "core/util/atomic_file.h"
#include "core/util/json_file.h"

#include <QtTest>

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <cmath>
#include <random>

using namespace qnn;

namespace {

constexpr double kEps = 1e-4;

struct HandNet {
    Graph graph;
    WeightFile weights;
    NodeId dense1 = kInvalidNode, dense2 = kInvalidNode;
    // 6 binary inputs → 4 rows (act bits `act`) → 3 classes.
    std::vector<float> w1, w2, gamma1, beta1, mean1, var1, gamma2, beta2, mean2, var2;
};

WeightTensor tensor(const char* name, std::vector<int64_t> shape, const std::vector<float>& v)
{
    WeightTensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.values = v;
    return t;
}

NodeWeights normWeights(NodeId id, const std::vector<float>& g, const std::vector<float>& b,
                        const std::vector<float>& m, const std::vector<float>& v)
{
    NodeWeights n;
    n.node = id;
    n.kind = "BatchNorm";
    const int64_t rows = int64_t(g.size());
    n.tensors = {tensor("weight", {rows}, g), tensor("bias", {rows}, b), tensor("running_mean", {rows}, m),
                 tensor("running_var", {rows}, v)};
    n.scalars["eps"] = kEps;
    return n;
}

HandNet handNet(int act)
{
    HandNet h;
    Graph& g = h.graph;
    auto chain = [&g](NodeId from, LayerKind kind, const char* name) {
        const NodeId id = g.addNode(kind, name);
        g.connect({from, 0, id, 0});
        return id;
    };
    const NodeId in = g.addNode(LayerKind::Input, "input");
    g.node(in)->attrs["shape"] = std::vector<int64_t>{6};
    g.node(in)->quant.actBits = 1;
    h.dense1 = chain(in, LayerKind::Dense, "dense1");
    g.node(h.dense1)->attrs["units"] = int64_t(4);
    g.node(h.dense1)->attrs["bias"] = false;
    g.node(h.dense1)->quant.weightBits = 1;
    const NodeId bn1 = chain(h.dense1, LayerKind::BatchNorm, "bn1");
    g.node(bn1)->attrs["eps"] = kEps;
    const NodeId act1 = chain(bn1, LayerKind::Activation, "act1");
    g.node(act1)->attrs["function"] = std::string(act == 1 ? "sign" : "hardtanh");
    g.node(act1)->quant.actBits = act;
    h.dense2 = chain(act1, LayerKind::Dense, "dense2");
    g.node(h.dense2)->attrs["units"] = int64_t(3);
    g.node(h.dense2)->attrs["bias"] = false;
    g.node(h.dense2)->quant.weightBits = 1;
    const NodeId bn2 = chain(h.dense2, LayerKind::BatchNorm, "bn2");
    g.node(bn2)->attrs["eps"] = kEps;
    const NodeId out = chain(bn2, LayerKind::Output, "output");
    g.node(out)->attrs["classes"] = int64_t(3);

    // Row 2 of layer 1 has a negative gamma: its weights and thresholds are negated.
    h.w1 = {0.3f,  -0.2f, 0.5f,  -0.7f, 0.1f, 0.9f,   // row 0
            -0.4f, -0.6f, 0.2f,  0.8f,  -0.1f, 0.0f,  // row 1 (0 counts as +1)
            0.6f,  0.4f,  -0.3f, -0.5f, 0.7f, -0.9f,  // row 2
            -0.2f, 0.3f,  0.4f,  0.1f,  -0.8f, 0.5f}; // row 3
    h.gamma1 = {1.0f, 0.5f, -2.0f, 1.5f};
    h.beta1 = {0.0f, 0.25f, 0.5f, -0.75f};
    h.mean1 = {1.0f, -0.6f, 0.4f, 2.2f};
    h.var1 = {float(1 - kEps), 4.0f, 0.25f, 1.0f};
    h.w2 = {0.5f, -0.5f, 0.5f,  -0.5f, // class 0
            -0.1f, 0.2f, -0.3f, 0.4f,  // class 1
            0.9f, 0.8f,  -0.7f, -0.6f}; // class 2
    h.gamma2 = {1.0f, -1.0f, 0.5f};
    h.beta2 = {0.1f, 0.0f, -0.2f};
    h.mean2 = {0.5f, -1.0f, 0.0f};
    h.var2 = {1.0f, 1.0f, 1.0f};
    NodeWeights d1;
    d1.node = h.dense1;
    d1.kind = "Dense";
    d1.tensors = {tensor("weight", {4, 6}, h.w1)};
    NodeWeights d2;
    d2.node = h.dense2;
    d2.kind = "Dense";
    d2.tensors = {tensor("weight", {3, 4}, h.w2)};
    h.weights.nodes[h.dense1] = d1;
    h.weights.nodes[bn1] = normWeights(bn1, h.gamma1, h.beta1, h.mean1, h.var1);
    h.weights.nodes[h.dense2] = d2;
    h.weights.nodes[bn2] = normWeights(bn2, h.gamma2, h.beta2, h.mean2, h.var2);
    return h;
}

pack::PackedNet packHand(const HandNet& h, LayerFold f1 = {2, 4}, LayerFold f2 = {2, 2})
{
    pack::PackRequest r;
    r.folding.layers = {{"dense1", f1}, {"dense2", f2}};
    r.network = "hand";
    r.dataset = "synthetic-digits";
    pack::PackedNet net;
    std::string error;
    if (!pack::packGraph(h.graph, h.weights, r, net, error))
        qFatal("%s", error.c_str());
    return net;
}

uint64_t wordAt(const std::string& bytes, size_t i)
{
    uint64_t w = 0;
    for (int b = 0; b < 8; ++b)
        w |= uint64_t(uint8_t(bytes[i * 8 + b])) << (8 * b);
    return w;
}

// The float model of one row: batch norm of the dot product, then the activation's code.
double normOut(double dot, float g, float b, float m, float v) { return g * (dot - m) / std::sqrt(v + kEps) + b; }

} // namespace

class TestPacker : public QObject
{
    Q_OBJECT

private slots:
    // The overlay names are declared once (core/hw/overlay.cpp); the board's
    // runner.py is Python and keeps its own tuple, which must agree.
    void boardRunnerKnowsThePrebuiltOverlays()
    {
        QFile f(QStringLiteral(QNN_SOURCE_DIR) + "/resources/board/runner.py");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QRegularExpression prebuilt(QStringLiteral("^PREBUILT = \\(([^)]*)\\)"),
                                          QRegularExpression::MultilineOption);
        const auto m = prebuilt.match(QString::fromUtf8(f.readAll()));
        QVERIFY(m.hasMatch());
        QStringList names;
        for (const std::string& n : prebuiltOverlayNames())
            names << "\"" + QString::fromStdString(n) + "\"";
        QCOMPARE(m.captured(1), names.join(", "));
        QCOMPARE(prebuiltOverlayList(", "), std::string("lfcW1A1, lfcW1A2, cnvW1A1, cnvW1A2, cnvW2A2"));
    }

    // The NIST FIPS 180-4 examples (and the 1000-byte boundary case), whole
    // and streamed in uneven pieces that cross the 64-byte blocks.
    void sha256KnownAnswers_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("digest");
        QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                  << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
        QTest::newRow("896 bits") << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmno"
                                                "pjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                                  << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
        QTest::newRow("1000 a") << QByteArray(1000, 'a')
                                << "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3";
        QTest::newRow("million a") << QByteArray(1000000, 'a')
                                   << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    }

    void sha256KnownAnswers()
    {
        QFETCH(QByteArray, message);
        QFETCH(QString, digest);
        QCOMPARE(QString::fromStdString(sha256Hex(message.toStdString())), digest);
        Sha256 streamed;
        for (int at = 0, piece = 1; at < message.size(); at += piece, piece = piece * 3 % 97 + 1)
            streamed.update(message.constData() + at, size_t(std::min<int>(piece, message.size() - at)));
        QCOMPARE(QString::fromStdString(streamed.hexDigest()), digest);
    }

    void weightWordsFollowTheLayout()
    {
        const HandNet h = handNet(1);
        const pack::PackedNet net = packHand(h);
        const pack::PackedLayer& l0 = net.layers[0];
        // 6 binary inputs take one 64-bit word: 64 columns, 58 of them padding.
        QCOMPARE(l0.mw, int64_t(64));
        QCOMPARE(l0.mh, int64_t(4));
        for (int pe = 0; pe < 2; ++pe) {
            const std::string bytes = pack::weightBytes(l0, pe);
            QCOMPARE(bytes.size(), size_t(2 * 16 * 8)); // NF 2 × SF 16 words
            for (int nf = 0; nf < 2; ++nf) {
                const int row = nf * 2 + pe;
                const bool negated = h.gamma1[row] < 0;
                for (int sf = 0; sf < 16; ++sf) {
                    uint64_t expected = 0;
                    for (int j = 0; j < 4; ++j) {
                        const int col = sf * 4 + j;
                        bool bit = true; // padded columns: 1
                        if (col < 6)
                            bit = (h.w1[row * 6 + col] >= 0) != negated;
                        expected |= uint64_t(bit) << j;
                    }
                    QCOMPARE(wordAt(bytes, size_t(nf * 16 + sf)), expected);
                }
            }
        }
        // Row 2 (negative gamma) is stored negated: its first word holds ~(+,+,-,-) = 0b1100.
        QCOMPARE(wordAt(pack::weightBytes(l0, 0), 16) & 0xf, uint64_t(0b1100));
        // Last layer: 3 classes padded to 64 rows of all-one weights, PE 2 → 32 folds, SIMD 2 → 2 words per row.
        const pack::PackedLayer& l1 = net.layers[1];
        QCOMPARE(l1.mh, int64_t(64));
        const std::string pe1 = pack::weightBytes(l1, 1);
        QCOMPARE(pe1.size(), size_t(32 * 2 * 8));
        QCOMPARE(wordAt(pe1, 2 * 5), uint64_t(0b11)); // row 11: padding
        // Row 1 (PE 1, fold 0), class 1 has gamma -1: bits of -(-,+,-,+) = (+,-,+,-) → 0b01, 0b01.
        QCOMPARE(wordAt(pe1, 0), uint64_t(0b01));
        QCOMPARE(wordAt(pe1, 1), uint64_t(0b01));
    }

    void thresholdsOfA1Outputs()
    {
        const HandNet h = handNet(1);
        const pack::PackedNet net = packHand(h);
        const pack::PackedLayer& l0 = net.layers[0];
        QCOMPARE(l0.thresholdsPerRow, 1);
        QVERIFY(l0.popcount);
        // Row 0: gamma 1, var 1-eps, mean 1, beta 0: fires for dot >= 1, i.e. popcount p over the 6
        // real columns with 2p - 6 >= 1 → p >= 4 → threshold 3 (output = popcount > 3).
        QCOMPARE(l0.thresholds[0], int64_t(3));
        QCOMPARE(wordAt(pack::thresholdBytes(l0, 0), 0), uint64_t(3));
        // Every row, every input: the hardware decision equals the float one.
        for (int x = 0; x < 64; ++x)
            for (int r = 0; r < 4; ++r) {
                int dot = 0;
                for (int c = 0; c < 6; ++c)
                    dot += ((x >> c) & 1 ? 1 : -1) * (h.w1[r * 6 + c] >= 0 ? 1 : -1);
                const bool fires = normOut(dot, h.gamma1[r], h.beta1[r], h.mean1[r], h.var1[r]) >= 0;
                int pop = 0;
                for (int c = 0; c < 6; ++c)
                    pop += ((x >> c) & 1 ? 1 : -1) == l0.weights[r * 64 + c];
                QCOMPARE(l0.thresholds[r] < pop, fires);
            }
    }

    void thresholdsOfA2Outputs()
    {
        const HandNet h = handNet(2);
        const pack::PackedNet net = packHand(h);
        const pack::PackedLayer& l0 = net.layers[0];
        QCOMPARE(l0.thresholdsPerRow, 2);
        QCOMPARE(l0.outputBase, -1);
        QVERIFY(!l0.popcount);
        // Row 0: y = dot - 1; code 0 from dot >= 0.5, code 1 from dot >= 1.5. The accumulator is the
        // bipolar dot over all 64 columns, where each of the 58 padded ones adds -1: thresholds
        // ceil(0.5 - 58) - 1 = -58 and ceil(1.5 - 58) - 1 = -57.
        QCOMPARE(l0.thresholds[0], int64_t(-58));
        QCOMPARE(l0.thresholds[1], int64_t(-57));
        const std::string bytes = pack::thresholdBytes(l0, 0);
        QCOMPARE(bytes.size(), size_t(2 * 2 * 8));
        QCOMPARE(int64_t(wordAt(bytes, 0)), int64_t(-58));
        QCOMPARE(int64_t(wordAt(bytes, 1)), int64_t(-57));
        // Row 2 (PE 0, fold 1) is the negative-gamma row: thresholds rise with the negated accumulator.
        QVERIFY(int64_t(wordAt(bytes, 2)) <= int64_t(wordAt(bytes, 3)));
        const QuantLevels levels = activationFunctionLevels("hardtanh", 2);
        for (int x = 0; x < 64; ++x)
            for (int r = 0; r < 4; ++r) {
                int dot = 0, hw = -58;
                for (int c = 0; c < 6; ++c) {
                    const int xi = (x >> c) & 1 ? 1 : -1;
                    dot += xi * (h.w1[r * 6 + c] >= 0 ? 1 : -1);
                    hw += xi * l0.weights[r * 64 + c];
                }
                const double y = normOut(dot, h.gamma1[r], h.beta1[r], h.mean1[r], h.var1[r]);
                const int64_t code = quantizeToLevel(std::clamp(y, -1.0, 1.0), levels);
                const int64_t got = -1 + (l0.thresholds[r * 2] < hw) + (l0.thresholds[r * 2 + 1] < hw);
                QCOMPARE(got, code);
            }
        // The last layer takes the ternary codes: signed dot, one threshold, padded rows never fire.
        const pack::PackedLayer& l1 = net.layers[1];
        QCOMPARE(l1.thresholdsPerRow, 1);
        QCOMPARE(l1.thresholds[63], int64_t(32767));
        QCOMPARE(l1.scoreScale.size(), size_t(3));
    }

    void engineFollowsTheFloatModel()
    {
        // Every input of the hand net: the engine's class is the argmax of the float outputs.
        for (int act : {1, 2}) {
            const HandNet h = handNet(act);
            pack::IntegerEngine engine;
            std::string error;
            QVERIFY2(engine.load(packHand(h), error), error.c_str());
            const QuantLevels levels = activationFunctionLevels(act == 1 ? "sign" : "hardtanh", act);
            for (int x = 0; x < 64; ++x) {
                std::vector<int8_t> codes(6);
                std::vector<double> hidden(4);
                for (int c = 0; c < 6; ++c)
                    codes[c] = (x >> c) & 1 ? 1 : -1;
                for (int r = 0; r < 4; ++r) {
                    double dot = 0;
                    for (int c = 0; c < 6; ++c)
                        dot += codes[c] * (h.w1[r * 6 + c] >= 0 ? 1 : -1);
                    const double y = normOut(dot, h.gamma1[r], h.beta1[r], h.mean1[r], h.var1[r]);
                    hidden[r] = act == 1 ? (y >= 0 ? 1 : -1) : double(quantizeToLevel(std::clamp(y, -1.0, 1.0), levels));
                }
                std::vector<double> out(3);
                for (int k = 0; k < 3; ++k) {
                    double dot = 0;
                    for (int r = 0; r < 4; ++r)
                        dot += hidden[r] * (h.w2[k * 4 + r] >= 0 ? 1 : -1);
                    out[k] = normOut(dot, h.gamma2[k], h.beta2[k], h.mean2[k], h.var2[k]);
                }
                const int expected = int(std::max_element(out.begin(), out.end()) - out.begin());
                pack::EngineTrace trace;
                QCOMPARE(engine.classify(codes.data(), &trace), expected);
                for (int r = 0; r < 4; ++r)
                    QCOMPARE(double(trace.outputs[0][r]), hidden[r]);
                for (int k = 0; k < 3; ++k)
                    QVERIFY(std::fabs(trace.scores[k] - out[k]) < 1e-4);
            }
        }
    }

    // The Input's narrow option off: codes -128 … 127 of 1/128, so an accumulator
    // reaches columns × weight × 128, one step past the 127 a narrow input gives.
    // 256 columns of 2-bit weights -1 on inputs -128 sum to 32768: the packer's
    // "never" threshold for a row must lie beyond that (32767 would fire).
    void narrowOffInputAtTheAccumulatorBound()
    {
        const QuantLevels wide = inputLevels(8, false);
        QCOMPARE(wide.scale, 1.0 / 128);
        QCOMPARE(wide.minLevel, int64_t(-128));
        QCOMPARE(wide.maxLevel, int64_t(127));
        QCOMPARE(quantizeToLevel(-1.0, wide), int64_t(-128));
        QCOMPARE(quantizeToLevel(1.0, wide), int64_t(127));
        QCOMPARE(inputLevels(8).minLevel, int64_t(-127));

        Graph g;
        auto chain = [&g](NodeId from, LayerKind kind, const char* name) {
            const NodeId id = g.addNode(kind, name);
            g.connect({from, 0, id, 0});
            return id;
        };
        const NodeId in = g.addNode(LayerKind::Input, "input");
        g.node(in)->attrs["shape"] = std::vector<int64_t>{256};
        g.node(in)->attrs["narrow"] = false;
        g.node(in)->quant.actBits = 8;
        const NodeId d1 = chain(in, LayerKind::Dense, "dense1");
        g.node(d1)->attrs["units"] = int64_t(2);
        g.node(d1)->attrs["bias"] = false;
        g.node(d1)->quant.weightBits = 2;
        const NodeId bn1 = chain(d1, LayerKind::BatchNorm, "bn1");
        g.node(bn1)->attrs["eps"] = kEps;
        const NodeId act = chain(bn1, LayerKind::Activation, "act1");
        g.node(act)->attrs["function"] = std::string("sign");
        g.node(act)->quant.actBits = 1;
        const NodeId d2 = chain(act, LayerKind::Dense, "dense2");
        g.node(d2)->attrs["units"] = int64_t(2);
        g.node(d2)->attrs["bias"] = false;
        g.node(d2)->quant.weightBits = 1;
        const NodeId bn2 = chain(d2, LayerKind::BatchNorm, "bn2");
        g.node(bn2)->attrs["eps"] = kEps;
        const NodeId out = chain(bn2, LayerKind::Output, "output");
        g.node(out)->attrs["classes"] = int64_t(2);

        // Row 0: every weight -0.5 (code -1 of step 0.5); row 1: +0.5. One accumulator step
        // is 0.5 × 1/128 = 1/256 in real terms; row 0 fires from 40000 steps (beta -156.25),
        // which 256 × 128 = 32768 never reaches.
        std::vector<float> w1(512, -0.5f);
        std::fill(w1.begin() + 256, w1.end(), 0.5f);
        WeightFile wf;
        NodeWeights n1;
        n1.node = d1;
        n1.kind = "Dense";
        n1.tensors = {tensor("weight", {2, 256}, w1)};
        wf.nodes[d1] = n1;
        wf.nodes[bn1] = normWeights(bn1, {1.0f, 1.0f}, {-156.25f, 0.0f}, {0.0f, 0.0f}, {float(1 - kEps), float(1 - kEps)});
        NodeWeights n2;
        n2.node = d2;
        n2.kind = "Dense";
        n2.tensors = {tensor("weight", {2, 2}, {1.0f, -1.0f, -1.0f, 1.0f})};
        wf.nodes[d2] = n2;
        wf.nodes[bn2] = normWeights(bn2, {1.0f, 1.0f}, {0.0f, 0.0f}, {0.0f, 0.0f}, {1.0f, 1.0f});

        pack::PackRequest r;
        r.folding.layers = {{"dense1", {1, 1}}, {"dense2", {1, 1}}};
        r.network = "bound";
        pack::PackedNet net;
        std::string error;
        QVERIFY2(pack::packGraph(g, wf, r, net, error), error.c_str());
        QVERIFY(!net.input.narrow);
        QCOMPARE(net.input.scale, 1.0 / 128);
        QCOMPARE(net.input.lowestCode(), int64_t(-128));
        const pack::PackedLayer& l0 = net.layers[0];
        QCOMPARE(l0.thresholds[0], int64_t(39999)); // fires when the accumulator exceeds it
        QVERIFY(l0.thresholds[0] > 32768);

        pack::IntegerEngine engine;
        QVERIFY2(engine.load(net, error), error.c_str());
        // Black pixels are -1.0: code -128; white clips to 127.
        std::vector<uint8_t> pixels(256, 0);
        pixels[255] = 255;
        std::vector<int8_t> codes(256);
        engine.encode(pixels.data(), codes.data());
        QCOMPARE(int(codes[0]), -128);
        QCOMPARE(int(codes[255]), 127);
        std::fill(codes.begin(), codes.end(), int8_t(-128));
        pack::EngineTrace trace;
        engine.classify(codes.data(), &trace, true);
        QCOMPARE(trace.accumulators[0][0], int64_t(32768));
        // Float: 32768 / 256 - 156.25 = -28.25 < 0, so -1; row 1: -128 < 0, so -1.
        QCOMPARE(int(trace.outputs[0][0]), -1);
        QCOMPARE(int(trace.outputs[0][1]), -1);
        // The same through the batched kernels.
        QCOMPARE(engine.classifyCodes(codes.data(), 1, 1).at(0), engine.classify(codes.data()));
    }

    void manifestListsEveryFileWithItsChecksum()
    {
        const pack::PackedNet net = packHand(handNet(2));
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        std::string error;
        QVERIFY2(pack::writePackedFolder(dir, net, {}, error), error.c_str());
        nlohmann::json m;
        QVERIFY2(readJsonFile(dir + "/manifest.json", m, error), error.c_str());
        QCOMPARE(QString::fromStdString(m["format"].get<std::string>()), QString("qnn-workbench-packed"));
        QCOMPARE(m["layers"].size(), size_t(2));
        QCOMPARE(m["layers"][0]["padding"]["cols"].get<int>(), 58);
        QCOMPARE(m["layers"][1]["padding"]["rows"].get<int>(), 61);
        QVERIFY(m["layout"].contains("bit_order"));
        QCOMPARE(m["input"]["bits"].get<int>(), 1);
        // 2 PEs × (weights + thresholds) × 2 layers, classes.txt, config.h.
        QCOMPARE(m["files"].size(), size_t(10));
        for (const auto& [name, sha] : m["files"].items()) {
            std::string bytes;
            QVERIFY2(readFile(dir + "/" + name, bytes, error), error.c_str());
            QCOMPARE(QString::fromStdString(sha256Hex(bytes)), QString::fromStdString(sha.get<std::string>()));
        }
        std::string header;
        QVERIFY(readFile(dir + "/config.h", header, error));
        QVERIFY(header.find("#define L0_MW 64") != std::string::npos);
        QVERIFY(header.find("#define L1_MH 64") != std::string::npos);
        QVERIFY(header.find("#define L0_WMEM 32") != std::string::npos);
        // The folder reads back into the same integers.
        pack::PackedNet back;
        QVERIFY2(pack::readPackedFolder(dir, "", back, error), error.c_str());
        QCOMPARE(back.layers[0].weights, net.layers[0].weights);
        QCOMPARE(back.layers[1].thresholds, net.layers[1].thresholds);
        QCOMPARE(back.layers[1].scoreScale, net.layers[1].scoreScale);
    }

    void unfitFoldingIsASentence()
    {
        pack::PackRequest r;
        r.folding.layers = {{"dense1", {3, 4}}, {"dense2", {2, 2}}};
        pack::PackedNet net;
        std::string error;
        QVERIFY(!pack::packGraph(handNet(1).graph, handNet(1).weights, r, net, error));
        QVERIFY2(error.find("dense1") != std::string::npos && error.find("PE 3") != std::string::npos, error.c_str());
        HandNet h = handNet(1);
        h.weights.nodes.erase(h.dense2);
        r.folding.layers = {{"dense1", {2, 4}}, {"dense2", {2, 2}}};
        QVERIFY(!pack::packGraph(h.graph, h.weights, r, net, error));
        QVERIFY2(error.find("dense2") != std::string::npos, error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestPacker)
#include "tst_packer.moc"
