// The torch-free weight file: format, bad files, and the trainer writing it
// so that the float model computes from it exactly what training evaluated.
#include "core/data/synthetic_digits.h"
#include "core/data/transforms.h"
#include "core/graph/graph_json.h"
#include "core/train/float_model.h"
#include "core/train/run_store.h"
#include "core/train/trainer.h"
#include "core/util/atomic_file.h"
#include "core/weights/weight_file.h"

#include "support/test_graphs.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace qnn;

namespace {

WeightFile handMade()
{
    WeightFile f;
    f.epoch = 3;
    f.tag = "best";
    NodeWeights d;
    d.node = 2;
    d.nodeName = "fc1";
    d.kind = "Dense";
    d.tensors.push_back({"weight", {2, 3}, {1.f, -2.f, 3.5f, -0.f, 1e-30f, 7.f}});
    NodeWeights b;
    b.node = 3;
    b.nodeName = "bn1";
    b.kind = "BatchNorm";
    b.scalars["eps"] = 1e-4;
    b.tensors.push_back({"weight", {2}, {1.f, -1.f}});
    b.tensors.push_back({"running_var", {2}, {0.5f, 2.f}});
    f.nodes[2] = d;
    f.nodes[3] = b;
    return f;
}

} // namespace

class TestWeightFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.qnnw").toStdString();
        std::string error;
        QVERIFY2(writeWeightFile(path, handMade(), error), error.c_str());
        WeightFile back;
        QVERIFY2(readWeightFile(path, back, error), error.c_str());
        QCOMPARE(back.epoch, 3);
        QCOMPARE(back.tag, std::string("best"));
        QCOMPARE(back.nodes.size(), size_t(2));
        QCOMPARE(back.find(2)->find("weight")->values, handMade().nodes[2].tensors[0].values);
        QCOMPARE(back.find(2)->find("weight")->shape, (std::vector<int64_t>{2, 3}));
        QCOMPARE(back.find(3)->scalars.at("eps"), 1e-4);
        QCOMPARE(back.find(3)->find("running_var")->values, (std::vector<float>{0.5f, 2.f}));
        QVERIFY(back.find(3)->find("bias") == nullptr);
        QVERIFY(back.find(9) == nullptr);
        // Header, JSON line, then 10 float32 little-endian values.
        std::string bytes;
        QVERIFY(readFile(path, bytes, error));
        QVERIFY(bytes.rfind("QNNW-WEIGHTS 1\n", 0) == 0);
        const float first = 1.f;
        QCOMPARE(bytes.size() - bytes.find('\n', 15) - 1, size_t(40));
        QVERIFY(std::memcmp(bytes.data() + bytes.find('\n', 15) + 1, &first, 4) == 0);
    }

    void badFilesGiveSentences()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.qnnw").toStdString();
        std::string error, bytes;
        QVERIFY(writeWeightFile(path, handMade(), error));
        QVERIFY(readFile(path, bytes, error));
        WeightFile back;
        auto check = [&](const std::string& content, const char* expected) {
            QVERIFY(writeFileAtomic(path, content, error));
            error.clear();
            QVERIFY(!readWeightFile(path, back, error));
            QVERIFY2(error.find(path) != std::string::npos, error.c_str());
            QVERIFY2(error.find(expected) != std::string::npos, error.c_str());
        };
        check(bytes.substr(0, bytes.size() - 3), "truncated");
        check(bytes + "xxxx", "bytes follow");
        check("PK\x03\x04 zip data", "not a weight file");
        check("QNNW-WEIGHTS 7\n{}\n", "newer");
        check("QNNW-WEIGHTS 1\n{\"epoch\": 1,\n", "not valid JSON");
        check("QNNW-WEIGHTS 1\n{\"epoch\": 1}\n", "lacks a field");
        check("QNNW-WEIGHTS 1", "not a weight file");
        QVERIFY(!readWeightFile(dir.filePath("missing.qnnw").toStdString(), back, error));
        QVERIFY2(error.find("missing.qnnw") != std::string::npos, error.c_str());
    }

    void trainerWritesBestAndLastThatTheFloatModelReads()
    {
        DatasetSplits data;
        data.train = generateSyntheticDigits(2000, 1, 0);
        data.validation = generateSyntheticDigits(300, 1, 2000);
        data.test = generateSyntheticDigits(300, 1, 2300);
        QTemporaryDir dir;
        RunStore store;
        std::string error;
        QVERIFY(RunStore::create(dir.path().toStdString(), "w", store, error));
        TrainOptions o;
        o.config.epochs = 2;
        o.config.batchSize = 50;
        o.config.learningRate = 0.01;
        o.config.learningRateEnd = 0.001;
        o.config.loss = "squared_hinge";
        o.config.threads = 1;
        const Graph graph = qnn::test::smallBnn(2);
        Trainer t;
        QVERIFY2(t.setup(graph, data, "synthetic-digits", o, error), error.c_str());
        t.setRunStore(&store);
        const TrainResult r = t.train();
        QCOMPARE(r.status, std::string("completed"));

        WeightFile last, best;
        QVERIFY2(readWeightFile(store.dir() + "/" + kWeightFileLast, last, error), error.c_str());
        QVERIFY2(readWeightFile(store.dir() + "/" + kWeightFileBest, best, error), error.c_str());
        QCOMPARE(last.epoch, 2);
        QCOMPARE(last.tag, std::string("last"));
        QCOMPARE(best.epoch, r.bestEpoch);
        QCOMPARE(best.tag, std::string("best"));
        QCOMPARE(last.find(2)->find("weight")->shape, (std::vector<int64_t>{64, 784}));
        QCOMPARE(last.find(3)->scalars.at("eps"), graph.node(3)->attrFloat("eps"));
        QVERIFY(last.find(3)->find("running_mean") != nullptr);
        QVERIFY(last.find(4) == nullptr); // nothing trained in an Activation

        // The float model from the last weights scores the test set as the trainer did.
        FloatModel model;
        QVERIFY2(model.load(graph, last, error), error.c_str());
        const ImageSet& test = data.test;
        std::vector<float> x(test.size() * 784);
        std::vector<int64_t> idx(test.size()), labels(test.size());
        for (size_t i = 0; i < idx.size(); ++i)
            idx[i] = static_cast<int64_t>(i);
        fillBatch(test, idx.data(), idx.size(), defaultTransform("synthetic-digits", 1, false), 0, x.data(),
                  labels.data());
        std::vector<float> out;
        model.forward(x.data(), static_cast<int64_t>(test.size()), out);
        int correct = 0;
        for (size_t i = 0; i < test.size(); ++i) {
            const float* row = out.data() + i * 10;
            correct += std::max_element(row, row + 10) - row == labels[i];
        }
        QCOMPARE(static_cast<double>(correct) / test.size(), r.testAccuracy);
        std::vector<std::vector<float>> all;
        model.forwardAll(x.data(), 4, all);
        QCOMPARE(all.size(), model.order().size());
        QCOMPARE(all.back().size(), size_t(40));

        // Weights that do not fit the graph are refused with the node named.
        WeightFile wrong = last;
        wrong.nodes[2].tensors[0].shape = {32, 784 * 2};
        QVERIFY(!model.load(graph, wrong, error));
        QVERIFY2(error.find("fc1") != std::string::npos && error.find("64x784") != std::string::npos, error.c_str());
        wrong = last;
        wrong.nodes.erase(7);
        QVERIFY(!model.load(graph, wrong, error));
        QVERIFY2(error.find("bn2") != std::string::npos, error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestWeightFile)
#include "tst_weight_file.moc"
