// The integer engine: XNOR-popcount and n-bit paths against plain reference
// loops on random layers (incl. a conv with max pool and padded columns),
// every popcount kernel against the portable one, and agreement with the
// float model of small networks trained for real on the synthetic digits
// (qnnw train → pack → run-packed --compare, the built qnnw beside this test).
#include "support/random_packed_layer.h"
#include "core/pack/integer_engine.h"
#include "core/pack/popcount.h"
#include "core/util/atomic_file.h"

#include "support/qnnw_runner.h"

#include <QtTest>

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <random>

using namespace qnn;

namespace {

std::mt19937_64 rng(12345);

int randomCode(int bits) { return test::randomCode(rng, bits); }

pack::PackedLayer randomLayer(int64_t rows, int64_t cols, int64_t mh, int64_t mw, int wBits, int inBits, int outLevels)
{
    return test::randomLayer(rng, rows, cols, mh, mw, wBits, inBits, outLevels);
}

// The reference: plain loops over the padded columns, FPGA_NOTES.md semantics.
int64_t referenceAcc(const pack::PackedLayer& l, int64_t r, const std::vector<int>& col)
{
    int64_t dot = 0, agree = 0;
    for (int64_t c = 0; c < l.mw; ++c) {
        const int x = c < l.cols ? col[c] : (l.inputBits == 1 ? -1 : 0);
        const int w = l.weights[r * l.mw + c];
        dot += int64_t(w) * x;
        agree += (w > 0) == (x > 0);
    }
    return l.popcount ? agree : dot;
}

int referenceCode(const pack::PackedLayer& l, int64_t r, int64_t acc)
{
    int count = 0;
    for (int t = 0; t < l.thresholdsPerRow; ++t)
        count += l.thresholds[r * l.thresholdsPerRow + t] < acc;
    return l.bipolarOutput ? (count ? 1 : -1) : l.outputBase + count;
}

using qnn::test::qnnwPath;
using qnn::test::runQnnw;

} // namespace

class TestEngine : public QObject
{
    Q_OBJECT

private slots:
    void popcountKernelsAgree()
    {
        const pack::XnorPopcountKernel* kernels[4];
        const int n = pack::availableXnorPopcountKernels(kernels, 4);
        QVERIFY(n >= 1);
        QCOMPARE(QString(kernels[0]->name), QString("portable"));
        for (int words : {1, 3, 4, 13, 16, 17}) {
            std::vector<uint64_t> w(static_cast<size_t>(words)), x(static_cast<size_t>(words));
            for (int trial = 0; trial < 50; ++trial) {
                for (int i = 0; i < words; ++i)
                    w[i] = (uint64_t(rng()) << 32) | rng(), x[i] = (uint64_t(rng()) << 32) | rng();
                int64_t expected = 0;
                for (int i = 0; i < words; ++i)
                    for (int b = 0; b < 64; ++b)
                        expected += ((w[i] >> b) & 1) == ((x[i] >> b) & 1);
                for (int k = 0; k < n; ++k)
                    QCOMPARE(kernels[k]->fn(w.data(), x.data(), words), expected);
            }
        }
    }

    void denseLayersMatchTheReferenceLoop_data()
    {
        QTest::addColumn<int>("wBits");
        QTest::addColumn<int>("inBits");
        QTest::addColumn<int>("outLevels");
        QTest::newRow("xnor popcount W1A1") << 1 << 1 << 2;
        QTest::newRow("xnor signed dot, A2 out") << 1 << 1 << 3;
        QTest::newRow("W1 on ternary inputs") << 1 << 2 << 3;
        QTest::newRow("W2A2") << 2 << 2 << 3;
        QTest::newRow("W4 on 8-bit inputs") << 4 << 8 << 4;
    }

    void denseLayersMatchTheReferenceLoop()
    {
        QFETCH(int, wBits);
        QFETCH(int, inBits);
        QFETCH(int, outLevels);
        // One hidden layer with padded columns (100 → 128), then a last layer padded to 16 rows.
        pack::PackedNet net;
        net.channels = 1, net.height = 10, net.width = 10;
        net.input.bits = inBits;
        net.layers.push_back(randomLayer(70, 100, 70, 128, wBits, inBits, outLevels));
        const int hiddenBits = outLevels == 2 ? 1 : 2 + (outLevels > 3);
        net.layers.push_back(randomLayer(5, 70, 16, 70, wBits, hiddenBits, 2));
        pack::IntegerEngine engine;
        std::string error;
        QVERIFY2(engine.load(net, error), error.c_str());
        for (int image = 0; image < 40; ++image) {
            std::vector<int> x(100);
            std::vector<int8_t> codes(100);
            for (int c = 0; c < 100; ++c)
                codes[c] = int8_t(x[c] = randomCode(inBits));
            pack::EngineTrace trace;
            const int got = engine.classify(codes.data(), &trace, true);
            std::vector<int> hidden(70);
            for (int r = 0; r < 70; ++r) {
                const int64_t acc = referenceAcc(net.layers[0], r, x);
                QCOMPARE(trace.accumulators[0][r], acc);
                hidden[r] = referenceCode(net.layers[0], r, acc);
                QCOMPARE(trace.outputs[0][r], hidden[r]);
            }
            std::vector<double> margin(5);
            for (int r = 0; r < 5; ++r) {
                const int64_t acc = referenceAcc(net.layers[1], r, hidden);
                QCOMPARE(trace.accumulators[1][r], acc);
                margin[r] = double(acc - net.layers[1].thresholds[r]);
            }
            QCOMPARE(got, int(std::max_element(margin.begin(), margin.end()) - margin.begin()));
        }
    }

    void convWithPoolMatchesTheReferenceLoop()
    {
        // 3 channels of 6×6 8-bit codes → 3×3 conv, 8 filters (W2) → A2 → max pool 2 → Dense 4 (scores).
        pack::PackedNet net;
        net.channels = 3, net.height = 6, net.width = 6;
        net.input.bits = 8;
        pack::PackedLayer c = randomLayer(8, 27, 8, 27, 2, 8, 3);
        c.conv = true, c.k = 3, c.ifmCh = 3, c.ifmDim = 6, c.ofmDim = 4, c.poolAfter = true;
        net.layers.push_back(c);
        pack::PackedLayer d = randomLayer(4, 32, 4, 32, 2, 2, 2);
        d.thresholdsPerRow = 0, d.thresholds.clear(), d.bipolarOutput = false;
        net.layers.push_back(d);
        pack::IntegerEngine engine;
        std::string error;
        QVERIFY2(engine.load(net, error), error.c_str());
        for (int image = 0; image < 20; ++image) {
            std::vector<int8_t> codes(108); // stream order: (y*6 + x)*3 + ch
            for (auto& v : codes)
                v = int8_t(randomCode(8));
            pack::EngineTrace trace;
            const int got = engine.classify(codes.data(), &trace, true);
            std::vector<int> pre(4 * 4 * 8);
            for (int oy = 0; oy < 4; ++oy)
                for (int ox = 0; ox < 4; ++ox)
                    for (int r = 0; r < 8; ++r) {
                        std::vector<int> col(27);
                        for (int ky = 0; ky < 3; ++ky)
                            for (int kx = 0; kx < 3; ++kx)
                                for (int ch = 0; ch < 3; ++ch)
                                    col[(ky * 3 + kx) * 3 + ch] = codes[((oy + ky) * 6 + ox + kx) * 3 + ch];
                        const int64_t acc = referenceAcc(c, r, col);
                        pre[(oy * 4 + ox) * 8 + r] = referenceCode(c, r, acc);
                        QCOMPARE(trace.outputs[0][(oy * 4 + ox) * 8 + r], pre[(oy * 4 + ox) * 8 + r]);
                    }
            std::vector<int> pooled(2 * 2 * 8, -128);
            for (int y = 0; y < 2; ++y)
                for (int x = 0; x < 2; ++x)
                    for (int r = 0; r < 8; ++r)
                        for (int ky = 0; ky < 2; ++ky)
                            for (int kx = 0; kx < 2; ++kx)
                                pooled[(y * 2 + x) * 8 + r] =
                                    std::max(pooled[(y * 2 + x) * 8 + r], pre[((2 * y + ky) * 4 + 2 * x + kx) * 8 + r]);
            std::vector<int64_t> scores(4);
            for (int r = 0; r < 4; ++r)
                scores[r] = referenceAcc(d, r, pooled);
            QCOMPARE(got, int(std::max_element(scores.begin(), scores.end()) - scores.begin()));
        }
    }

    void agreesWithTheTrainedFloatModel_data()
    {
        QTest::addColumn<int>("weightBits");
        QTest::addColumn<int>("actBits");
        QTest::newRow("W1A1") << 1 << 1;
        QTest::newRow("W2A2") << 2 << 2;
    }

    void agreesWithTheTrainedFloatModel()
    {
        QFETCH(int, weightBits);
        QFETCH(int, actBits);
        if (!QFileInfo::exists(qnnwPath()))
            QSKIP("qnnw is not built beside this test (build the qnnw target)");
        QTemporaryDir tmp;
        std::string text, error;
        QVERIFY(readFile(QNN_SOURCE_DIR "/projects/synthetic-digits-w1a1.qnnproj", text, error));
        nlohmann::json p = nlohmann::json::parse(text);
        for (auto& n : p["graph"]["nodes"]) {
            if (n["kind"] == "Dense")
                n["weight_bits"] = weightBits;
            if (n["kind"] == "Activation" && actBits == 2) {
                n["act_bits"] = 2;
                n["attrs"]["function"] = "hardtanh";
            }
        }
        const QString project = tmp.path() + "/net.qnnproj";
        QVERIFY(writeFileAtomic(project.toStdString(), p.dump(2), error));
        qnn::test::QnnwRun r = runQnnw({"train", project, "--epochs", "2", "--train-limit", "4000", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QStringList runs = QDir(tmp.path() + "/runs").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(runs.size(), 1);
        const QString runDir = tmp.path() + "/runs/" + runs.first();
        r = runQnnw({"pack", project, "--run", runs.first(), "--out", tmp.path() + "/packed", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runQnnw({"run-packed", tmp.path() + "/packed", "--compare", runDir, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject c = r.last("result");
        QCOMPARE(c.value("event").toString(), QString("result"));
        const int images = c.value("images").toInt();
        QCOMPARE(images, 2000); // the synthetic digits' test split
        const double agreement = c.value("agreement").toDouble();
        qInfo("W%dA%d: float and integer agree on %.2f %% of %d images", weightBits, actBits, agreement, images);
        QVERIFY2(agreement >= 99.9, r.out.constData());
        const QJsonArray layers = c.value("layers").toArray();
        QCOMPARE(layers.size(), 3);
        for (const QJsonValue& l : layers) {
            // The only admissible differences are ties at a threshold.
            const QJsonObject o = l.toObject();
            QCOMPARE(o.value("differing").toInt(), o.value("ties").toInt());
            QVERIFY(o.value("elements").toInt() > 0);
        }
        // And the model learned something (so agreement is not between two constant answers).
        r = runQnnw({"run-packed", tmp.path() + "/packed", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.last("result").value("accuracy").toDouble() > 50.0, r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
