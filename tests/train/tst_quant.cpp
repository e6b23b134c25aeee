// Quantizers of the trainer: forward values, straight-through gradients, and
// the latent weight clipping after each optimizer step.
#include "core/graph/graph_json.h"
#include "core/quant/quantization.h"
#include "core/train/detail/graph_model.h"
#include "core/train/run_store.h"
#include "core/train/trainer.h"
#include "core/data/synthetic_digits.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace qnn;

namespace {

std::vector<float> values(const torch::Tensor& t)
{
    torch::Tensor c = t.contiguous().to(torch::kFloat);
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

torch::Tensor input(std::vector<float> v)
{
    return torch::tensor(v).set_requires_grad(true);
}

} // namespace

class TestQuant : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void binaryActivation()
    {
        torch::Tensor x = input({-2.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f});
        torch::Tensor y = qnn::detail::binaryActivation(x);
        QCOMPARE(values(y), (std::vector<float>{-1, -1, -1, 1, 1, 1, 1}));
        // Weighted sum, so that the gradient is not all ones by accident.
        (y * torch::arange(1, 8, torch::kFloat)).sum().backward();
        QCOMPARE(values(x.grad()), (std::vector<float>{0, 2, 3, 4, 5, 6, 0})); // hardtanh STE: zero outside [-1, 1]
    }

    void binaryActivationGeneralPath()
    {
        // Non-contiguous input takes the tensor-op path; it must agree with the fast one.
        torch::Tensor base = torch::tensor({-2.0f, 9.0f, 0.0f, 9.0f, 0.7f, 9.0f, -0.3f, 9.0f}).set_requires_grad(true);
        torch::Tensor x = base.slice(0, 0, 8, 2);
        QVERIFY(!x.is_contiguous());
        torch::Tensor y = qnn::detail::binaryActivation(x, 0.5);
        QCOMPARE(values(y), (std::vector<float>{-0.5f, 0.5f, 0.5f, -0.5f}));
        y.sum().backward();
        QCOMPARE(values(base.grad()), (std::vector<float>{0, 0, 1, 0, 1, 0, 1, 0}));
    }

    void binaryWeight()
    {
        torch::Tensor w = input({-0.7f, 0.0f, 0.2f, -0.01f});
        torch::Tensor q = qnn::detail::binaryWeight(w);
        QCOMPARE(values(q), (std::vector<float>{-1, 1, 1, -1}));
        (q * torch::tensor({1.0f, 2.0f, 3.0f, 4.0f})).sum().backward();
        QCOMPARE(values(w.grad()), (std::vector<float>{1, 2, 3, 4})); // identity STE
    }

    void uniformSigned()
    {
        // Ternary (2-bit signed, range 1): levels -1, 0, +1, ties to even.
        torch::Tensor x = input({-1.5f, -0.6f, -0.5f, -0.4f, 0.0f, 0.4f, 0.5f, 0.6f, 1.0f, 1.5f});
        torch::Tensor y = qnn::detail::uniformQuantize(x, activationLevels(2, true, 1.0));
        QCOMPARE(values(y), (std::vector<float>{-1, -1, 0, 0, 0, 0, 0, 1, 1, 1}));
        y.sum().backward();
        QCOMPARE(values(x.grad()), (std::vector<float>{0, 1, 1, 1, 1, 1, 1, 1, 1, 0}));
    }

    void uniformSignedWide()
    {
        // 2-bit signed, narrow off (Brevitas' activations): levels -2, -1, 0, +1 of step 1; the
        // training quantizer, the packer (quantizeToLevel) and the float value agree.
        const QuantLevels l = activationLevels(2, true, 1.0, false);
        QCOMPARE(l.minLevel, int64_t(-2));
        QCOMPARE(l.maxLevel, int64_t(1));
        QCOMPARE(l.scale, 1.0);
        QCOMPARE(l.levelCount(), int64_t(4));
        torch::Tensor x = input({-3.0f, -1.6f, -1.4f, -0.5f, 0.6f, 1.5f});
        QCOMPARE(values(qnn::detail::uniformQuantize(x, l)), (std::vector<float>{-2, -2, -1, -0, 1, 1}));
        QCOMPARE(quantizeToLevel(-1.6, l), int64_t(-2));
        QCOMPARE(quantizeValue(-3.0, l), -2.0);
        // Unsigned and bipolar levels have no narrow option.
        QCOMPARE(activationLevels(2, false, 3.0, false).minLevel, int64_t(0));
        QCOMPARE(activationLevels(1, true, 1.0, false).minLevel, int64_t(-1));
    }

    void uniformUnsigned()
    {
        // 2-bit unsigned over [0, 3]: steps of 1.
        torch::Tensor x = input({-1.0f, 0.5f, 1.5f, 2.5f, 2.9f, 4.0f});
        torch::Tensor y = qnn::detail::uniformQuantize(x, activationLevels(2, false, 3.0));
        QCOMPARE(values(y), (std::vector<float>{0, 0, 2, 2, 3, 3}));
        y.sum().backward();
        QCOMPARE(values(x.grad()), (std::vector<float>{0, 1, 1, 1, 1, 0}));
    }

    void agreesWithCore_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("isSigned");
        QTest::addColumn<double>("range");
        // Ranges whose step is a power of two: ties are then exact in float
        // (trainer) and double (core), so the comparison is about rounding, not precision.
        QTest::newRow("int3") << 3 << true << 3.0;
        QTest::newRow("int4 step 1/2") << 4 << true << 3.5;
        QTest::newRow("uint4 step 1/4") << 4 << false << 3.75;
        QTest::newRow("int8 step 1/64") << 8 << true << 127.0 / 64;
    }
    void agreesWithCore()
    {
        // The trainer and core/quant (used by the packer and the integer engine) must agree value for value.
        QFETCH(int, bits);
        QFETCH(bool, isSigned);
        QFETCH(double, range);
        const QuantLevels levels = activationLevels(bits, isSigned, range);
        torch::manual_seed(3);
        torch::Tensor x = torch::rand({2000}) * 3 * range - 1.5 * range;
        // Exact ties too.
        x.narrow(0, 0, 9).copy_(torch::arange(-4, 5, torch::kFloat) * (levels.scale / 2));
        const std::vector<float> in = values(x);
        const std::vector<float> out = values(qnn::detail::uniformQuantize(x, levels));
        for (size_t i = 0; i < in.size(); ++i) {
            const double want = quantizeValue(in[i], levels);
            if (std::abs(out[i] - want) > 1e-6)
                QFAIL(qPrintable(QString("x = %1: trainer %2, core %3").arg(in[i]).arg(out[i]).arg(want)));
        }
    }

    void nBitWeightsUseTheLargestMagnitude()
    {
        torch::Tensor w = input({-0.8f, -0.3f, 0.1f, 0.35f, 0.5f});
        torch::Tensor q = qnn::detail::quantizeWeight(w, 3); // levels ±3 over max|w| = 0.8: step 0.8/3
        const float s = 0.8f / 3;
        const std::vector<float> got = values(q);
        const std::vector<float> want{-3 * s, -1 * s, 0, 1 * s, 2 * s};
        for (size_t i = 0; i < want.size(); ++i)
            QVERIFY2(std::abs(got[i] - want[i]) < 1e-6, qPrintable(QString("weight %1").arg(i)));
        q.sum().backward();
        QCOMPARE(values(w.grad()), (std::vector<float>{1, 1, 1, 1, 1}));
        QCOMPARE(values(qnn::detail::quantizeWeight(w, 32)), values(w));
    }

    void latentWeightsClipped()
    {
        // A binary Dense layer next to a float one, trained with a huge rate:
        // the binary layer's latent weights must end inside [-1, 1] (many on
        // the boundary), the float layer's must not be clipped.
        const char* graphJson = R"({
          "nodes": [
            {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [784]}, "act_bits": 1},
            {"id": 2, "kind": "Dense", "name": "bin", "attrs": {"units": 32, "bias": false}, "weight_bits": 1},
            {"id": 3, "kind": "BatchNorm", "name": "bn"},
            {"id": 4, "kind": "Activation", "name": "act", "attrs": {"function": "sign"}, "act_bits": 1},
            {"id": 5, "kind": "Dense", "name": "flt", "attrs": {"units": 10, "bias": false}, "weight_bits": 32},
            {"id": 6, "kind": "Output", "name": "out", "attrs": {"classes": 10}}
          ],
          "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}, {"from": 4, "to": 5},
                    {"from": 5, "to": 6}]
        })";
        Graph graph;
        std::string error;
        QVERIFY2(graphFromJson(nlohmann::json::parse(graphJson), graph, error), error.c_str());
        DatasetSplits data;
        data.train = generateSyntheticDigits(400, 1);
        data.validation = generateSyntheticDigits(50, 1, 1000);
        data.test = data.validation;
        TrainOptions options;
        options.config.epochs = 1;
        options.config.batchSize = 50;
        options.config.learningRate = 0.5; // Adam: steps of about 0.5 per batch
        options.config.threads = 1; // small model: a second thread only adds waiting
        QTemporaryDir dir;
        RunStore store;
        QVERIFY2(RunStore::create(dir.path().toStdString(), "clip", store, error), error.c_str());
        Trainer trainer;
        QVERIFY2(trainer.setup(graph, data, "synthetic-digits", options, error), error.c_str());
        trainer.setRunStore(&store);
        const TrainResult r = trainer.train();
        QCOMPARE(QString::fromStdString(r.status), QString("completed"));

        torch::serialize::InputArchive archive, model, bin, flt;
        archive.load_from(store.checkpointPath());
        archive.read("model", model);
        model.read("bin", bin);
        model.read("flt", flt);
        torch::Tensor wb, wf;
        bin.read("weight", wb);
        flt.read("weight", wf);
        QVERIFY(wb.abs().max().item<float>() <= 1.0f);
        QVERIFY2((wb.abs() == 1.0f).sum().item<int64_t>() > 100, "a rate of 0.5 pushes many latent weights to the clip");
        QVERIFY2(wf.abs().max().item<float>() > 1.0f, "float weights are not clipped");
    }
};

QTEST_GUILESS_MAIN(TestQuant)
#include "tst_quant.moc"
