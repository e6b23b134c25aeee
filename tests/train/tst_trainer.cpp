// The training loop end to end on small graphs and the synthetic digits.
#include "core/data/synthetic_digits.h"
#include "core/graph/graph_analysis.h"
#include "core/graph/graph_json.h"
#include "core/train/detail/graph_model.h"
#include "core/train/run_store.h"
#include "core/train/trainer.h"
#include "core/util/atomic_file.h"
#include "core/weights/weight_file.h"

#include <QTemporaryDir>
#include "support/test_graphs.h"

#include <QtTest>

#include <filesystem>

using namespace qnn;

namespace {

// Binary MLP with a Dropout, so that resuming must restore the random state too.
const char* kSmallBnn = R"({
  "nodes": [
    {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [784]}, "act_bits": 1},
    {"id": 2, "kind": "Dense", "name": "fc1", "attrs": {"units": 64, "bias": false}, "weight_bits": 1},
    {"id": 3, "kind": "BatchNorm", "name": "bn1"},
    {"id": 4, "kind": "Activation", "name": "act1", "attrs": {"function": "sign"}, "act_bits": 1},
    {"id": 5, "kind": "Dropout", "name": "drop", "attrs": {"p": 0.1}},
    {"id": 6, "kind": "Dense", "name": "fc2", "attrs": {"units": 10, "bias": false}, "weight_bits": 1},
    {"id": 7, "kind": "BatchNorm", "name": "bn2"},
    {"id": 8, "kind": "Output", "name": "out", "attrs": {"classes": 10}}
  ],
  "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}, {"from": 4, "to": 5},
            {"from": 5, "to": 6}, {"from": 6, "to": 7}, {"from": 7, "to": 8}]
})";

// Every layer kind once, with branches into Add and Concat.
const char* kEveryKind = R"({
  "nodes": [
    {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [3, 12, 12]}, "act_bits": 8},
    {"id": 2, "kind": "Conv2D", "name": "conv1", "attrs": {"filters": 4, "kernel": 3, "padding": 1, "bias": false}, "weight_bits": 2},
    {"id": 3, "kind": "BatchNorm", "name": "bn"},
    {"id": 4, "kind": "Activation", "name": "relu", "attrs": {"function": "relu"}, "act_bits": 4},
    {"id": 5, "kind": "MaxPool", "name": "maxpool", "attrs": {"kernel": 2, "stride": 2}},
    {"id": 6, "kind": "Conv2D", "name": "conv2", "attrs": {"filters": 4, "kernel": 3, "stride": 2, "padding": 1}, "weight_bits": 1},
    {"id": 7, "kind": "Activation", "name": "htanh", "attrs": {"function": "hardtanh"}, "act_bits": 32},
    {"id": 8, "kind": "Add", "name": "add"},
    {"id": 9, "kind": "AvgPool", "name": "avgpool", "attrs": {"kernel": 2, "stride": 1}},
    {"id": 10, "kind": "Concat", "name": "concat", "attrs": {"inputs": 2}},
    {"id": 11, "kind": "QuantAct", "name": "quant", "attrs": {"signed": true, "range": 2.0}, "act_bits": 3},
    {"id": 12, "kind": "Dropout", "name": "drop", "attrs": {"p": 0.5}},
    {"id": 13, "kind": "Flatten", "name": "flat"},
    {"id": 14, "kind": "Dense", "name": "fc", "attrs": {"units": 10, "bias": true}, "weight_bits": 4},
    {"id": 15, "kind": "Activation", "name": "sign", "attrs": {"function": "sign"}, "act_bits": 1},
    {"id": 16, "kind": "Output", "name": "out", "attrs": {"classes": 10}}
  ],
  "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}, {"from": 3, "to": 4}, {"from": 4, "to": 5},
            {"from": 4, "to": 6}, {"from": 6, "to": 7}, {"from": 5, "to": 8, "to_port": 0},
            {"from": 7, "to": 8, "to_port": 1}, {"from": 8, "to": 9},
            {"from": 9, "to": 10, "to_port": 0}, {"from": 9, "to": 10, "to_port": 1},
            {"from": 10, "to": 11}, {"from": 11, "to": 12}, {"from": 12, "to": 13}, {"from": 13, "to": 14},
            {"from": 14, "to": 15}, {"from": 15, "to": 16}]
})";

Graph parseGraph(const char* text) { return qnn::test::graphFromText(text); }

DatasetSplits smallDigits()
{
    DatasetSplits d;
    d.train = generateSyntheticDigits(2000, 11);
    d.validation = generateSyntheticDigits(400, 11, 100000);
    d.test = generateSyntheticDigits(400, 11, 200000);
    return d;
}

TrainOptions smallOptions(int epochs, uint64_t seed = 1)
{
    TrainOptions o;
    o.config.epochs = epochs;
    o.config.batchSize = 50;
    o.config.learningRate = 0.01;
    o.config.learningRateEnd = 0.001;
    o.config.schedule = "exponential";
    o.config.loss = "squared_hinge";
    o.config.seed = seed;
    o.config.logEveryBatches = 10;
    // Small models gain nothing from a second thread, and on a busy machine OpenMP threads spin-wait for each other.
    o.config.threads = 1;
    return o;
}

void compareHistories(const std::vector<EpochMetrics>& a, const std::vector<EpochMetrics>& b)
{
    QCOMPARE(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].epoch, b[i].epoch);
        // Exact: the same seed must give the same numbers, not close ones.
        QCOMPARE(a[i].trainLoss, b[i].trainLoss);
        QCOMPARE(a[i].trainAccuracy, b[i].trainAccuracy);
        QCOMPARE(a[i].valLoss, b[i].valLoss);
        QCOMPARE(a[i].valAccuracy, b[i].valAccuracy);
        QCOMPARE(a[i].learningRate, b[i].learningRate);
    }
}

nlohmann::json readJson(const std::string& path)
{
    std::string text, error;
    if (!readFile(path, text, error))
        qFatal("%s", error.c_str());
    return nlohmann::json::parse(text);
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

private:
    DatasetSplits m_data = smallDigits();

private Q_SLOTS:
    void learnsSyntheticDigits()
    {
        Trainer t;
        std::string error;
        QVERIFY2(t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error), error.c_str());
        QCOMPARE(t.parameterCount(), qint64(784 * 64 + 64 * 10 + 2 * (64 + 10)));
        const TrainResult r = t.train();
        QCOMPARE(QString::fromStdString(r.status), QString("completed"));
        QCOMPARE(r.epochsDone, 3);
        QCOMPARE(int(r.history.size()), 3);
        QVERIFY2(r.testAccuracy > 0.6, qPrintable(QString("test accuracy %1 (chance: 0.1)").arg(r.testAccuracy)));
        QVERIFY(r.history.back().trainLoss < r.history.front().trainLoss);
        int64_t total = 0;
        for (const auto& row : r.confusion)
            for (int64_t v : row)
                total += v;
        QCOMPARE(total, qint64(400));
    }

    void sameSeedSameMetrics()
    {
        std::vector<TrainResult> results;
        for (uint64_t seed : {5, 5, 6}) {
            Trainer t;
            std::string error;
            QVERIFY2(t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(2, seed), error),
                     error.c_str());
            results.push_back(t.train());
        }
        compareHistories(results[0].history, results[1].history);
        QCOMPARE(results[0].testAccuracy, results[1].testAccuracy);
        QCOMPARE(results[0].confusion, results[1].confusion);
        QVERIFY(results[0].history[0].trainLoss != results[2].history[0].trainLoss);
    }

    void resumeInsideAnEpochEqualsUnbroken()
    {
        // Stop in the middle of epoch 2 (issue 20, item 9): the checkpoint holds
        // the batch, the epoch's sums and the random state, and the resumed run
        // continues from that batch to the same numbers as an unbroken run.
        QTemporaryDir dir;
        std::string error;
        RunStore unbrokenStore, brokenStore;
        QVERIFY(RunStore::create(dir.filePath("a").toStdString(), "unbroken", unbrokenStore, error));
        QVERIFY(RunStore::create(dir.filePath("b").toStdString(), "broken", brokenStore, error));
        Trainer unbroken;
        QVERIFY2(unbroken.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error),
                 error.c_str());
        unbroken.setRunStore(&unbrokenStore);
        const TrainResult whole = unbroken.train();
        QCOMPARE(QString::fromStdString(whole.status), QString("completed"));

        int64_t stoppedAt = 0, batches = 0;
        {
            Trainer first;
            QVERIFY(first.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error));
            first.setRunStore(&brokenStore);
            std::atomic<bool> stop{false};
            first.setCancelFlag(&stop);
            first.setBatchCallback([&](const BatchProgress& p) {
                batches = p.batches;
                if (p.epoch == 2 && p.batch == p.batches / 2) {
                    stoppedAt = p.batch;
                    stop = true;
                }
            });
            const TrainResult part = first.train();
            QCOMPARE(QString::fromStdString(part.status), QString("stopped"));
            QCOMPARE(part.epochsDone, 1);
        }
        QVERIFY(stoppedAt > 1 && stoppedAt < batches);
        TrainResult second;
        int64_t firstBatchAfterResume = -1;
        {
            Trainer resumed;
            QVERIFY(resumed.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error));
            QVERIFY2(resumed.resumeFrom(brokenStore.checkpointPath(), error), error.c_str());
            resumed.setRunStore(&brokenStore);
            resumed.setBatchCallback([&](const BatchProgress& p) {
                if (firstBatchAfterResume < 0)
                    firstBatchAfterResume = p.batch;
            });
            second = resumed.train();
        }
        QCOMPARE(firstBatchAfterResume, stoppedAt + 1); // on from the batch after the stop
        QCOMPARE(QString::fromStdString(second.status), QString("completed"));
        // Epochs 2 and 3 exactly as the unbroken run's, the split epoch's training loss included.
        QCOMPARE(int(second.history.size()), 2);
        for (size_t i = 0; i < 2; ++i) {
            QCOMPARE(second.history[i].trainLoss, whole.history[i + 1].trainLoss);
            QCOMPARE(second.history[i].trainAccuracy, whole.history[i + 1].trainAccuracy);
            QCOMPARE(second.history[i].valLoss, whole.history[i + 1].valLoss);
            QCOMPARE(second.history[i].valAccuracy, whole.history[i + 1].valAccuracy);
        }
        QCOMPARE(second.testAccuracy, whole.testAccuracy);
        QCOMPARE(second.confusion, whole.confusion);
    }

    void resumeEqualsUnbroken()
    {
        QTemporaryDir dir;
        std::string error;
        RunStore unbrokenStore, brokenStore;
        QVERIFY(RunStore::create(dir.filePath("a").toStdString(), "unbroken", unbrokenStore, error));
        QVERIFY(RunStore::create(dir.filePath("b").toStdString(), "broken", brokenStore, error));

        Trainer unbroken;
        QVERIFY2(unbroken.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error),
                 error.c_str());
        unbroken.setRunStore(&unbrokenStore);
        const TrainResult whole = unbroken.train();
        QCOMPARE(QString::fromStdString(whole.status), QString("completed"));

        TrainResult second;
        {
            Trainer first;
            QVERIFY(first.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error));
            first.setRunStore(&brokenStore);
            std::atomic<bool> stop{false};
            first.setCancelFlag(&stop);
            first.setEpochCallback([&](const EpochMetrics& m) {
                if (m.epoch == 1)
                    stop = true;
            });
            const TrainResult part = first.train();
            QCOMPARE(QString::fromStdString(part.status), QString("stopped"));
            QCOMPARE(part.epochsDone, 1);
            QCOMPARE(QString::fromStdString(readJson(brokenStore.summaryPath())["status"].get<std::string>()),
                     QString("stopped"));
        }
        {
            Trainer resumed;
            QVERIFY(resumed.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error));
            QVERIFY2(resumed.resumeFrom(brokenStore.checkpointPath(), error), error.c_str());
            QCOMPARE(resumed.epochsDone(), 1);
            resumed.setRunStore(&brokenStore);
            second = resumed.train();
        }
        QCOMPARE(QString::fromStdString(second.status), QString("completed"));
        compareHistories(second.history,
                         std::vector<EpochMetrics>(whole.history.begin() + 1, whole.history.end()));
        QCOMPARE(second.testAccuracy, whole.testAccuracy);
        QCOMPARE(second.confusion, whole.confusion);
        QCOMPARE(second.bestEpoch, whole.bestEpoch);

        // The resumed run's metrics.jsonl holds each epoch once, like the unbroken one.
        std::vector<nlohmann::json> a, b;
        QVERIFY(unbrokenStore.readMetrics(a, error));
        QVERIFY(brokenStore.readMetrics(b, error));
        auto epochsOf = [](const std::vector<nlohmann::json>& lines) {
            std::vector<int> e;
            for (const auto& l : lines)
                if (l["type"] == "epoch")
                    e.push_back(l["epoch"].get<int>());
            return e;
        };
        QCOMPARE(epochsOf(b), (std::vector<int>{1, 2, 3}));
        QCOMPARE(epochsOf(a), epochsOf(b));
        QCOMPARE(a.size(), b.size()); // batch lines too
    }

    void fullDiskStopsTheRunAsFailed()
    {
        // /dev/full refuses every write with ENOSPC, as a full disk does.
        if (!QFile::exists("/dev/full"))
            QSKIP("no /dev/full on this system");
        QTemporaryDir dir;
        std::string error;
        RunStore store;
        QVERIFY(RunStore::create(dir.path().toStdString(), "full", store, error));
        QVERIFY(QFile::link("/dev/full", QString::fromStdString(store.metricsPath())));
        Trainer t;
        QVERIFY2(t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error), error.c_str());
        t.setRunStore(&store);
        const TrainResult r = t.train();
        QCOMPARE(QString::fromStdString(r.status), QString("failed"));
        QCOMPARE(r.epochsDone, 0); // the first metrics line (batch 10 of epoch 1) it could not write ends the run
        QVERIFY2(r.error.find("metrics could not be written") != std::string::npos, r.error.c_str());
        QVERIFY2(r.error.find("No space left on device") != std::string::npos, r.error.c_str());
        const nlohmann::json summary = readJson(store.summaryPath());
        QCOMPARE(QString::fromStdString(summary["status"].get<std::string>()), QString("failed"));
        QCOMPARE(summary["error"].get<std::string>(), r.error);
    }

    void cancellationStopsWithinOneBatch()
    {
        QTemporaryDir dir;
        std::string error;
        RunStore store;
        QVERIFY(RunStore::create(dir.path().toStdString(), "cancel", store, error));
        Trainer t;
        QVERIFY(t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error));
        t.setRunStore(&store);
        std::atomic<bool> stop{false};
        int batches = 0;
        t.setCancelFlag(&stop);
        t.setBatchCallback([&](const BatchProgress& p) {
            ++batches;
            QCOMPARE(p.batches, qint64(40));
            if (p.batch == 3)
                stop = true;
        });
        const TrainResult r = t.train();
        QCOMPARE(QString::fromStdString(r.status), QString("stopped"));
        QCOMPARE(batches, 3);
        QCOMPARE(r.epochsDone, 0);
        QVERIFY(r.testAccuracy < 0);
        // Cancelled before the first epoch ended, the run is still resumable (epoch-0 checkpoint).
        Trainer again;
        QVERIFY(again.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", smallOptions(3), error));
        QVERIFY2(again.resumeFrom(store.checkpointPath(), error), error.c_str());
        QCOMPARE(again.epochsDone(), 0);
    }

    void nanLossDiverges()
    {
        const char* graph = R"({
          "nodes": [
            {"id": 1, "kind": "Input", "name": "in", "attrs": {"shape": [784]}, "act_bits": 32},
            {"id": 2, "kind": "Dense", "name": "fc", "attrs": {"units": 10}, "weight_bits": 32},
            {"id": 3, "kind": "Output", "name": "out", "attrs": {"classes": 10}}
          ],
          "edges": [{"from": 1, "to": 2}, {"from": 2, "to": 3}]
        })";
        TrainOptions o = smallOptions(2);
        o.config.optimizer = "sgd";
        o.config.loss = "cross_entropy";
        o.config.schedule = "constant";
        o.config.learningRate = 1e38;
        QTemporaryDir dir;
        std::string error;
        RunStore store;
        QVERIFY(RunStore::create(dir.path().toStdString(), "nan", store, error));
        Trainer t;
        QVERIFY2(t.setup(parseGraph(graph), m_data, "synthetic-digits", o, error), error.c_str());
        t.setRunStore(&store);
        const TrainResult r = t.train();
        QCOMPARE(QString::fromStdString(r.status), QString("diverged"));
        QCOMPARE(r.divergedEpoch, 1);
        const nlohmann::json s = readJson(store.summaryPath());
        QCOMPARE(QString::fromStdString(s["status"].get<std::string>()), QString("diverged"));
        QCOMPARE(s["diverged_epoch"].get<int>(), 1);
        QVERIFY(s["test_accuracy"].is_null());
        QVERIFY(!s.contains("recipe")); // no preset: no key
    }

    void summaryAndMetricsFiles()
    {
        QTemporaryDir dir;
        std::string error;
        RunStore store;
        QVERIFY(RunStore::create(dir.path().toStdString(), "my run", store, error));
        QVERIFY2(QString::fromStdString(store.dir()).endsWith("-my-run"), store.dir().c_str());
        Trainer t;
        TrainOptions o = smallOptions(2);
        o.config.recipe = "brevitas@1"; // recorded as is: a later change to the preset bumps its version
        QVERIFY(t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", o, error));
        t.setRunStore(&store);
        const TrainResult r = t.train();
        const nlohmann::json s = readJson(store.summaryPath());
        QCOMPARE(QString::fromStdString(s["status"].get<std::string>()), QString("completed"));
        QCOMPARE(QString::fromStdString(s.value("recipe", "")), QString("brevitas@1"));
        QCOMPARE(s["test_accuracy"].get<double>(), r.testAccuracy);
        QVERIFY(s["test_accuracy"].get<double>() > 0 && s["test_accuracy"].get<double>() <= 1);
        QCOMPARE(s["best_epoch"].get<int>(), r.bestEpoch);
        QCOMPARE(s["best_val_accuracy"].get<double>(), r.bestValAccuracy);
        QCOMPARE(s["confusion_matrix"].size(), size_t(10));
        QVERIFY(s["wall_s"].get<double>() > 0);
        QVERIFY(s["images_per_s"].get<double>() > 0);
        std::vector<nlohmann::json> lines;
        QVERIFY(store.readMetrics(lines, error));
        // 40 batches per epoch, a batch line every 10, an epoch line each: 2 × (4 + 1).
        QCOMPARE(lines.size(), size_t(10));
        QCOMPARE(QString::fromStdString(lines[4]["type"].get<std::string>()), QString("epoch"));
        QCOMPARE(lines[4]["val_accuracy"].get<double>(), r.history[0].valAccuracy);
        QVERIFY(std::filesystem::file_size(store.checkpointPath()) > 784 * 64 * 4);
    }

    void eachLayerShapeMatchesInference()
    {
        const Graph graph = parseGraph(kEveryKind);
        const GraphAnalysis analysis = analyzeGraph(graph);
        QVERIFY2(!analysis.hasErrors(), analysis.diagnostics.empty() ? "" : analysis.diagnostics[0].message.c_str());
        qnn::detail::GraphModel model{nullptr};
        std::string error;
        QVERIFY2(qnn::detail::buildGraphModel(graph, model, error), error.c_str());
        const torch::Tensor x = torch::rand({2, 3 * 12 * 12}) * 2 - 1;
        const std::vector<torch::Tensor> outs = model->forwardAll(x);
        QCOMPARE(outs.size(), graph.size());
        std::set<LayerKind> kinds;
        for (size_t i = 0; i < outs.size(); ++i) {
            const NodeId id = model->order()[i];
            kinds.insert(graph.node(id)->kind);
            std::vector<int64_t> want{2};
            const Shape& inferred = analysis.outputType(id)->shape;
            want.insert(want.end(), inferred.begin(), inferred.end());
            QVERIFY2(outs[i].sizes().vec() == want, graph.node(id)->name.c_str());
        }
        QCOMPARE(kinds.size(), allLayerKinds().size());
        // The network trains end to end: every parameter gets a gradient.
        model->forward(x).sum().backward();
        for (const auto& p : model->named_parameters())
            QVERIFY2(p.value().grad().defined(), p.key().c_str());
    }

    void schedules_data()
    {
        QTest::addColumn<QString>("schedule");
        QTest::addColumn<int>("epoch");
        QTest::addColumn<double>("rate");
        // 5 epochs from 1e-1 to 1e-5: exponential divides by 10 per epoch.
        QTest::newRow("constant") << "constant" << 4 << 0.1;
        QTest::newRow("exponential first") << "exponential" << 0 << 0.1;
        QTest::newRow("exponential middle") << "exponential" << 2 << 1e-3;
        QTest::newRow("exponential last") << "exponential" << 4 << 1e-5;
        QTest::newRow("cosine first") << "cosine" << 0 << 0.1;
        QTest::newRow("cosine middle") << "cosine" << 2 << (0.1 + 1e-5) / 2;
        QTest::newRow("cosine last") << "cosine" << 4 << 1e-5;
        QTest::newRow("step before") << "step" << 1 << 0.1;
        QTest::newRow("step after") << "step" << 2 << 0.05;
        QTest::newRow("step twice") << "step" << 4 << 0.025;
    }
    void schedules()
    {
        QFETCH(QString, schedule);
        QFETCH(int, epoch);
        QFETCH(double, rate);
        TrainingConfig c;
        c.epochs = 5;
        c.learningRate = 0.1;
        c.learningRateEnd = 1e-5;
        c.schedule = schedule.toStdString();
        c.stepEpochs = 2;
        c.stepGamma = 0.5;
        const double got = learningRateAt(c, epoch);
        QVERIFY2(std::abs(got - rate) <= 1e-12 + 1e-9 * rate, qPrintable(QString("got %1").arg(got)));
    }

    void losses()
    {
        const torch::Tensor out = torch::tensor({{0.5f, -2.0f, 1.5f}, {0.0f, 0.2f, -1.0f}});
        const torch::Tensor labels = torch::tensor({0, 2}, torch::kLong);
        // Squared hinge, targets ±1: row 0 (1-0.5)², max(0, 1-2)², (1+1.5)²; row 1 (1+0)², (1+0.2)², (1+1)².
        const double hinge = (0.25 + 0 + 6.25 + 1 + 1.44 + 4) / 6;
        QVERIFY(std::abs(qnn::detail::trainingLoss("squared_hinge", out, labels).item<double>() - hinge) < 1e-6);
        const double ce = (-std::log(std::exp(0.5) / (std::exp(0.5) + std::exp(-2.0) + std::exp(1.5))) -
                           std::log(std::exp(-1.0) / (std::exp(0.0) + std::exp(0.2) + std::exp(-1.0)))) / 2;
        QVERIFY(std::abs(qnn::detail::trainingLoss("cross_entropy", out, labels).item<double>() - ce) < 1e-6);
    }

    void runFoldersNeverCollide()
    {
        QTemporaryDir dir;
        std::string error;
        RunStore a, b;
        QVERIFY(RunStore::create(dir.path().toStdString(), "same", a, error));
        QVERIFY(RunStore::create(dir.path().toStdString(), "same", b, error));
        QVERIFY(a.dir() != b.dir());
        RunStore c;
        QVERIFY(!RunStore::open(dir.filePath("missing").toStdString(), c, error));
        QVERIFY2(QString::fromStdString(error).contains("does not exist"), error.c_str());
        QVERIFY(!RunStore::open(a.dir(), c, error)); // no config.json yet
        QVERIFY2(QString::fromStdString(error).contains("has no config.json"), error.c_str());
    }

    void uniformInitialisationOfLatentWeights()
    {
        // The latent weights a run starts from, as the first epoch's weight file holds them (the rate is
        // too small to move them): Brevitas' uniform on [-1, 1] for quantized layers, PyTorch's default else.
        auto firstWeights = [this](const std::string& init, NodeId node) {
            QTemporaryDir dir;
            std::string error;
            RunStore store;
            [&] { QVERIFY(RunStore::create(dir.path().toStdString(), init, store, error)); }();
            TrainOptions o = smallOptions(1);
            o.config.weightInit = init;
            o.config.optimizer = "sgd";
            o.config.learningRate = 1e-30;
            o.trainLimit = 200;
            Trainer t;
            [&] { QVERIFY2(t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", o, error), error.c_str()); }();
            t.setRunStore(&store);
            t.train();
            WeightFile file;
            [&] { QVERIFY2(readWeightFile(store.dir() + "/" + kWeightFileLast, file, error), error.c_str()); }();
            return file.find(node)->find("weight")->values;
        };
        for (NodeId node : {NodeId(2), NodeId(6)}) {
            const std::vector<float> uniform = firstWeights("uniform", node);
            const auto [lo, hi] = std::minmax_element(uniform.begin(), uniform.end());
            QVERIFY2(*lo >= -1 && *lo < -0.98 && *hi <= 1 && *hi > 0.98, qPrintable(QString::number(*hi)));
            double meanAbs = 0;
            for (float w : uniform)
                meanAbs += std::fabs(w) / uniform.size();
            QVERIFY2(std::fabs(meanAbs - 0.5) < 0.03, qPrintable(QString::number(meanAbs)));
            const std::vector<float> plain = firstWeights("default", node);
            const float bound = node == 2 ? 1 / std::sqrt(784.0f) : 1 / std::sqrt(64.0f);
            for (float w : plain)
                QVERIFY(std::fabs(w) <= bound * 1.0001f);
            QCOMPARE(firstWeights("uniform", node), uniform); // seeded: the same every time
        }
        TrainOptions o = smallOptions(1);
        o.config.weightInit = "glorot";
        std::string error;
        Trainer t;
        QVERIFY(!t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", o, error));
        QCOMPARE(QString::fromStdString(error), QString("training.weight_init 'glorot' is not known; use default or uniform"));
        o.config.weightInit = "default";
        o.config.selectBy = "luck";
        QVERIFY(!t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", o, error));
        QCOMPARE(QString::fromStdString(error), QString("training.select_by 'luck' is not known; use validation or test"));
        o.config.selectBy = "validation";
        o.config.randomShift = 1 << 30; // a hand-edited file: 2 * shift + 1 would overflow
        QVERIFY(!t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", o, error));
        QCOMPARE(QString::fromStdString(error), QString("training.random_shift 1073741824 is out of range; use -1 (the "
                                                        "dataset's default), 0 (none) or up to 64 pixels"));
        o.config.randomShift = 64;
        QVERIFY2(t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", o, error), error.c_str());
    }

    void testAccuracyIsTheBestEpochs()
    {
        // Two epochs that learn, then a rate 100 times higher that scrambles the weights' signs: the best
        // epoch is not the last.
        QTemporaryDir dir;
        std::string error;
        RunStore store;
        QVERIFY(RunStore::create(dir.path().toStdString(), "best", store, error));
        TrainOptions o = smallOptions(3);
        o.config.schedule = "step";
        o.config.stepEpochs = 2;
        o.config.stepGamma = 100;
        o.config.learningRate = 0.01;
        o.trainLimit = 800;
        Trainer t;
        QVERIFY2(t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", o, error), error.c_str());
        t.setRunStore(&store);
        const TrainResult r = t.train();
        QCOMPARE(QString::fromStdString(r.status), QString("completed"));
        QVERIFY2(r.bestEpoch < r.epochsDone, qPrintable(QString("best epoch %1 of %2").arg(r.bestEpoch).arg(r.epochsDone)));
        // The weights pack and deploy use by default, scored again on the test set by a fresh trainer.
        WeightFile best;
        QVERIFY2(readWeightFile(store.dir() + "/" + kWeightFileBest, best, error), error.c_str());
        QCOMPARE(best.epoch, r.bestEpoch);
        // The run says whose weights it scored, in summary.json too, and had nothing to warn about.
        QCOMPARE(r.testEpoch, r.bestEpoch);
        QVERIFY(r.warning.empty());
        QCOMPARE(summaryJson(r).value("test_epoch", -1), r.bestEpoch);
        QVERIFY(!summaryJson(r).contains("warning"));
        Trainer fresh;
        QVERIFY(fresh.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", o, error));
        QVERIFY2(fresh.loadWeightFile(best, error), error.c_str());
        const EvalResult again = fresh.evaluate(m_data.test);
        QCOMPARE(r.testAccuracy, again.accuracy);
        QVERIFY(r.confusion == again.confusion);
        // ...and the last epoch's differ (else this test would not tell the two apart).
        WeightFile last;
        QVERIFY(readWeightFile(store.dir() + "/" + kWeightFileLast, last, error));
        QVERIFY(fresh.loadWeightFile(last, error));
        QVERIFY(fresh.evaluate(m_data.test).accuracy != r.testAccuracy);
        // The trainer's own model is left as the last epoch made it.
        QCOMPARE(t.evaluate(m_data.test).accuracy, fresh.evaluate(m_data.test).accuracy);
    }

    void setupRefusesMismatches()
    {
        std::string error;
        Trainer t;
        Graph g = parseGraph(kEveryKind); // 3×12×12 input
        QVERIFY(!t.setup(g, m_data, "synthetic-digits", smallOptions(1), error));
        QCOMPARE(QString::fromStdString(error),
                 QString("the Input node takes 3×12×12 values per sample, but synthetic-digits images are 1×28×28; "
                         "change the Input shape"));
        g.removeNode(16); // no Output
        QVERIFY(!t.setup(g, m_data, "synthetic-digits", smallOptions(1), error));
        QVERIFY2(QString::fromStdString(error).startsWith("the graph cannot be trained"), error.c_str());
        TrainOptions o = smallOptions(1);
        o.config.optimizer = "lamb";
        QVERIFY(!t.setup(parseGraph(kSmallBnn), m_data, "synthetic-digits", o, error));
        QCOMPARE(QString::fromStdString(error), QString("training.optimizer 'lamb' is not known; use adam or sgd"));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
