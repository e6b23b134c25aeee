// The batched integer engine: every kernel this CPU runs (AVX-512 VPOPCNTDQ,
// AVX2, NEON, portable) against the portable one and a naive loop, and the
// batched forward pass (bit-planes, thresholds to bits, convolutions on packed
// bits) against the reference loop of IntegerEngine::classify, class score by
// class score, on random layers and on Xilinx's BNN-PYNQ parameters; the
// int16 dot products of a multi-bit first layer (dot16, sumsToBits) too.
#include "support/random_packed_layer.h"
#include "core/pack/engine_kernel.h"
#include "core/pack/integer_engine.h"
#include "core/pack/packed_folder.h"

#include <QtTest>

#include <filesystem>
#include <random>

using namespace qnn;

namespace {

std::mt19937_64 rng(2026);

int randomCode(int bits) { return test::randomCode(rng, bits); }

// Padding bits and the accumulator kind random too: the kernels must not depend on either.
pack::PackedLayer randomLayer(int64_t rows, int64_t cols, int64_t mh, int64_t mw, int wBits, int inBits, int outLevels)
{
    return test::randomLayer(rng, rows, cols, mh, mw, wBits, inBits, outLevels, {4, 8, true, true});
}

pack::PackedLayer randomConv(int64_t filters, int64_t ch, int64_t dim, int k, int wBits, int inBits, int outLevels,
                             bool pool)
{
    const int64_t cols = k * k * ch;
    pack::PackedLayer l = randomLayer(filters, cols, filters, cols, wBits, inBits, outLevels);
    l.conv = true, l.k = k, l.ifmCh = ch, l.ifmDim = dim, l.ofmDim = dim - k + 1, l.poolAfter = pool;
    return l;
}

std::vector<const pack::EngineKernel*> kernels()
{
    const pack::EngineKernel* all[8];
    const int n = pack::availableEngineKernels(all, 8);
    return {all, all + n};
}

// Batched (every kernel) and reference predictions and scores of n random inputs must be identical.
void compareWithReference(const pack::IntegerEngine& engine, int inputBits, size_t n)
{
    QVERIFY2(engine.batched(), engine.whyNotBatched().c_str());
    const size_t size = size_t(engine.inputSize());
    std::vector<int8_t> codes(n * size);
    for (auto& c : codes)
        c = int8_t(randomCode(inputBits));
    std::vector<int> expected(n);
    std::vector<std::vector<double>> expectedScores(n);
    for (size_t i = 0; i < n; ++i) {
        pack::EngineTrace trace;
        expected[i] = engine.classify(codes.data() + i * size, &trace);
        expectedScores[i] = trace.scores;
    }
    for (const pack::EngineKernel* k : kernels()) {
        std::vector<int> got(n, -1);
        std::vector<double> scores;
        engine.classifyBatched(codes.data(), n, *k, got.data(), &scores);
        const size_t classes = scores.size() / n;
        for (size_t i = 0; i < n; ++i) {
            QVERIFY2(got[i] == expected[i], qPrintable(QString("%1 kernel, input %2").arg(k->name).arg(i)));
            for (size_t c = 0; c < classes; ++c)
                QVERIFY2(scores[i * classes + c] == expectedScores[i][c],
                         qPrintable(QString("%1 kernel, input %2, class %3: %4 vs %5")
                                        .arg(k->name)
                                        .arg(i)
                                        .arg(c)
                                        .arg(scores[i * classes + c])
                                        .arg(expectedScores[i][c])));
        }
    }
    // And the threaded entry point the commands use.
    QCOMPARE(engine.classifyCodes(codes.data(), n, 2), expected);
}

} // namespace

class TestEngineKernels : public QObject
{
    Q_OBJECT

private slots:
    void kernelsAgreeWithANaiveLoop()
    {
        const auto all = kernels();
        QCOMPARE(QString(all.front()->name), QString("portable"));
        qInfo("kernels on this CPU: %s", [&] {
            std::string s;
            for (auto* k : all)
                s += std::string(k->name) + " ";
            return s;
        }().c_str());
        for (int64_t words : {1, 3, 13, 16, 31, 32, 40}) {
            const int64_t groups = 3, vecs = 16, outWords = 1;
            std::vector<uint64_t> w(size_t(groups * words * 8)), x(size_t(vecs * words));
            for (auto& v : w)
                v = rng();
            for (auto& v : x)
                v = rng();
            std::vector<int64_t> t(size_t(groups * 8));
            for (auto& v : t)
                v = int64_t(words * 32) + int64_t(rng() % 41) - 20;
            for (bool xnor : {false, true}) {
                std::vector<int32_t> naive(size_t(vecs * groups * 8));
                for (int64_t v = 0; v < vecs; ++v)
                    for (int64_t r = 0; r < groups * 8; ++r) {
                        int32_t s = 0;
                        for (int64_t k = 0; k < words; ++k) {
                            const uint64_t a = w[size_t(((r / 8) * words + k) * 8 + r % 8)], b = x[size_t(v * words + k)];
                            for (int bit = 0; bit < 64; ++bit)
                                s += xnor ? (((a >> bit) & 1) == ((b >> bit) & 1)) : ((a >> bit) & (b >> bit) & 1);
                        }
                        naive[size_t(v * groups * 8 + r)] = s;
                    }
                for (const pack::EngineKernel* k : all) {
                    std::vector<int32_t> got(naive.size(), -1);
                    k->counts(w.data(), groups, words, x.data(), vecs, xnor, 0, false, got.data());
                    QVERIFY2(got == naive, qPrintable(QString("%1 counts, %2 words").arg(k->name).arg(words)));
                    // A second plane pair, weighted by 4, adds to the first.
                    k->counts(w.data(), groups, words, x.data(), vecs, xnor, 2, true, got.data());
                    for (size_t i = 0; i < got.size(); ++i)
                        QVERIFY2(got[i] == 5 * naive[i], qPrintable(QString("%1 accumulate").arg(k->name)));
                    if (!xnor)
                        continue;
                    std::vector<uint64_t> bits(size_t(vecs * outWords), 0);
                    k->xnorThreshold(w.data(), groups, words, x.data(), vecs, t.data(), bits.data(), outWords);
                    for (int64_t v = 0; v < vecs; ++v)
                        for (int64_t r = 0; r < groups * 8; ++r)
                            QVERIFY2(((bits[size_t(v)] >> r) & 1) == uint64_t(naive[size_t(v * groups * 8 + r)] > t[size_t(r)]),
                                     qPrintable(QString("%1 thresholds, %2 words").arg(k->name).arg(words)));
                }
            }
        }
    }

    // The direct path of a multi-bit first layer: int16 dot products (the
    // extremes -128 and 127 included) and their thresholds to bits.
    void dot16AgreesWithANaiveLoop()
    {
        for (int64_t pairs : {1, 3, 14, 37}) {
            const int64_t groups = 5, vecs = 9, rows = groups * 16, outWords = (rows + 63) / 64;
            std::vector<int16_t> w(size_t(groups * pairs * 32)), x(size_t(vecs * pairs * 2));
            for (auto& v : w)
                v = int16_t(int(rng() % 256) - 128);
            for (auto& v : x)
                v = int16_t(int(rng() % 256) - 128);
            w[0] = x[0] = -128, w[1] = 127, x[1] = -128;
            std::vector<int32_t> naive(size_t(vecs * rows));
            for (int64_t v = 0; v < vecs; ++v)
                for (int64_t r = 0; r < rows; ++r) {
                    int64_t s = 0;
                    for (int64_t c = 0; c < pairs * 2; ++c)
                        s += int64_t(w[size_t(((r / 16) * pairs + c / 2) * 32 + (r % 16) * 2 + c % 2)]) *
                             x[size_t(v * pairs * 2 + c)];
                    naive[size_t(v * rows + r)] = int32_t(s);
                }
            std::vector<int32_t> t(static_cast<size_t>(rows));
            for (int64_t r = 0; r < rows; ++r)
                t[size_t(r)] = naive[size_t(r % vecs * rows + r)] - 1 + int32_t(rng() % 3); // near the sums: ties too
            for (const pack::EngineKernel* k : kernels()) {
                std::vector<int32_t> got(naive.size(), -1);
                k->dot16(w.data(), groups, pairs, x.data(), vecs, got.data());
                QVERIFY2(got == naive, qPrintable(QString("%1 dot16, %2 pairs").arg(k->name).arg(pairs)));
                std::vector<uint64_t> bits(size_t(vecs * outWords), ~uint64_t(0));
                k->sumsToBits(naive.data(), rows, vecs, t.data(), bits.data(), outWords);
                for (int64_t v = 0; v < vecs; ++v)
                    for (int64_t r = 0; r < rows; ++r)
                        QVERIFY2(((bits[size_t(v * outWords + r / 64)] >> (r % 64)) & 1) ==
                                     uint64_t(naive[size_t(v * rows + r)] > t[size_t(r)]),
                                 qPrintable(QString("%1 sumsToBits, vector %2 row %3").arg(k->name).arg(v).arg(r)));
            }
        }
    }

    void denseNetsMatchTheReferenceLoop_data()
    {
        QTest::addColumn<int>("wBits");
        QTest::addColumn<int>("inBits");
        QTest::addColumn<int>("outLevels");
        QTest::newRow("W1A1, thresholds to bits") << 1 << 1 << 2;
        QTest::newRow("W1 on bipolar, A2 out") << 1 << 1 << 4;
        QTest::newRow("W1A2 bit-planes") << 1 << 2 << 4;
        QTest::newRow("W2A2 bit-planes") << 2 << 2 << 4;
        QTest::newRow("W4 on 8-bit inputs") << 4 << 8 << 3;
        QTest::newRow("W1 on 8-bit inputs, A1 out (direct, bits out)") << 1 << 8 << 2;
        QTest::newRow("W8 on 8-bit inputs (direct)") << 8 << 8 << 4;
    }

    void denseNetsMatchTheReferenceLoop()
    {
        QFETCH(int, wBits);
        QFETCH(int, inBits);
        QFETCH(int, outLevels);
        // 100 inputs padded to 128 columns, a 200-row layer (not a multiple of 64),
        // then a last layer of 10 classes padded to 16 rows.
        pack::PackedNet net;
        net.channels = 1, net.height = 10, net.width = 10;
        net.input.bits = inBits;
        net.layers.push_back(randomLayer(200, 100, 200, 128, wBits, inBits, outLevels));
        const int hiddenBits = outLevels == 2 ? 1 : 2;
        net.layers.push_back(randomLayer(72, 200, 72, 200, wBits, hiddenBits, 2));
        net.layers.push_back(randomLayer(10, 72, 16, 72, wBits, 1, 2));
        pack::IntegerEngine engine;
        std::string error;
        QVERIFY2(engine.load(net, error), error.c_str());
        compareWithReference(engine, inBits, 21);
    }

    void convNetsMatchTheReferenceLoop_data()
    {
        QTest::addColumn<int>("wBits");
        QTest::addColumn<int>("actBits");
        QTest::newRow("CNV-like W1A1: bits OR-pooled") << 1 << 1;
        QTest::newRow("W1A2: codes pooled, then planes") << 1 << 2;
        QTest::newRow("W2A2") << 2 << 2;
        QTest::newRow("W4A2") << 4 << 2;
    }

    void convNetsMatchTheReferenceLoop()
    {
        QFETCH(int, wBits);
        QFETCH(int, actBits);
        const int levels = actBits == 1 ? 2 : 4;
        // 8-bit 3-channel 10×10 input → conv 3×3 (64 filters) → conv 3×3 (70 filters, pool 2)
        // → conv 3×3 on 70 channels (word-unaligned windows) → dense → 10 classes.
        pack::PackedNet net;
        net.channels = 3, net.height = 10, net.width = 10;
        net.input.bits = 8;
        net.layers.push_back(randomConv(64, 3, 10, 3, wBits, 8, levels, false));
        net.layers.push_back(randomConv(70, 64, 8, 3, wBits, actBits, levels, true));
        net.layers.push_back(randomConv(32, 70, 3, 3, wBits, actBits, levels, false));
        net.layers.push_back(randomLayer(40, 32, 40, 64, wBits, actBits, levels));
        net.layers.push_back(randomLayer(10, 40, 16, 40, wBits, actBits, 2));
        pack::IntegerEngine engine;
        std::string error;
        QVERIFY2(engine.load(net, error), error.c_str());
        compareWithReference(engine, 8, 11);
    }

    void bnnPynqNetsMatchTheReferenceLoop_data()
    {
        QTest::addColumn<QString>("network");
        QTest::addColumn<int>("images");
        for (const char* n : {"lfcW1A1", "lfcW1A2"})
            QTest::newRow(n) << n << 64;
        for (const char* n : {"cnvW1A1", "cnvW1A2", "cnvW2A2"})
            QTest::newRow(n) << n << 5;
    }

    void bnnPynqNetsMatchTheReferenceLoop()
    {
        QFETCH(QString, network);
        QFETCH(int, images);
        const std::string dir = std::string(QNN_SOURCE_DIR "/../shared/bnn-pynq-params/") +
                                (network.startsWith("lfc") ? "mnist/" : "cifar10/") + network.toStdString();
        if (!std::filesystem::exists(dir))
            QSKIP("../shared/bnn-pynq-params is absent");
        pack::PackedNet net;
        std::string error;
        QVERIFY2(pack::readPackedFolder(dir, "", net, error), error.c_str());
        pack::IntegerEngine engine;
        QVERIFY2(engine.load(net, error), error.c_str());
        compareWithReference(engine, net.input.bits, size_t(images));
    }
};

QTEST_GUILESS_MAIN(TestEngineKernels)
#include "tst_engine_kernels.moc"
