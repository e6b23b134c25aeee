// core/run: run names that cannot escape runs/, the memory check, the FP32
// twin, comparisons, seed statistics and reading damaged run folders.
#include "core/graph/graph_json.h"
#include "core/graph/graph_summary.h"
#include "core/project/project.h"
#include "core/run/fp32_twin.h"
#include "core/run/memory_check.h"
#include "core/run/pareto.h"
#include "core/run/run_compare.h"
#include "core/run/run_info.h"
#include "core/run/run_paths.h"
#include "core/run/run_store.h"
#include "core/run/seed_stats.h"
#include "core/util/atomic_file.h"

#include "support/test_graphs.h"

#include <QtTest>

#include <QTemporaryDir>

#include <sys/resource.h>
#include <sys/wait.h>

#include <csignal>
#include <unistd.h>

using namespace qnn;

namespace {

// A run folder as qnnw leaves it: config, metrics, summary.
std::string makeRun(const QTemporaryDir& root, const std::string& name, const nlohmann::json& summary,
                    const std::string& metrics, const Graph& graph = qnn::test::smallBnn())
{
    const std::string dir = root.path().toStdString() + "/runs/" + name;
    QDir().mkpath(QString::fromStdString(dir));
    Project p;
    p.name = "small";
    p.graph = graph;
    std::string error;
    writeFileAtomic(dir + "/config.json",
                    nlohmann::json{{"format", "qnn-workbench-run"},
                                   {"project", nlohmann::json::parse(serializeProject(p))},
                                   {"colour", "#2ca02c"},
                                   {"started", "2026-12-02 17:00:00"}}
                        .dump(),
                    error);
    if (!summary.is_null())
        writeFileAtomic(dir + "/summary.json", summary.dump(), error);
    writeFileAtomic(dir + "/metrics.jsonl", metrics, error);
    return dir;
}

const std::string kTwoEpochs =
    R"({"type":"epoch","epoch":1,"train_loss":1.5,"train_accuracy":0.5,"val_loss":1.2,"val_accuracy":0.6,"lr":0.01})"
    "\n"
    R"({"type":"batch","epoch":2,"batch":10,"loss":1.0})"
    "\n"
    R"({"type":"epoch","epoch":2,"train_loss":1.0,"train_accuracy":0.7,"val_loss":0.9,"val_accuracy":0.75,"lr":0.005})"
    "\n";

} // namespace

class TestRun : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void unsafeRunNamesAreRefused_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("parent") << ".." << "would leave the runs folder";
        QTest::newRow("absolute") << "/etc" << "contains a '/'";
        QTest::newRow("nested") << "a/../../b" << "contains a '/'";
        QTest::newRow("empty") << "" << "cannot be empty";
        QTest::newRow("newline") << "a\nb" << "control character";
    }
    void unsafeRunNamesAreRefused()
    {
        QFETCH(QString, name);
        QFETCH(QString, sentence);
        QTemporaryDir root;
        std::string dir, error;
        QVERIFY(!runDirFor(root.path().toStdString(), name.toStdString(), dir, error));
        QVERIFY2(error.find(sentence.toStdString()) != std::string::npos, error.c_str());
        QVERIFY(runDirFor(root.path().toStdString(), "20261202-170000-lfc", dir, error));
        QCOMPARE(QString::fromStdString(dir), root.path() + "/20261202-170000-lfc");
    }

    void symlinkOutOfRunsIsRefusedAndDeleteStaysInside()
    {
        QTemporaryDir root, outside;
        const QString runs = root.path() + "/runs";
        QDir().mkpath(runs + "/real");
        QVERIFY(QFile::link(outside.path(), runs + "/escape"));
        std::string dir, error;
        QVERIFY(!runDirFor(runs.toStdString(), "escape", dir, error));
        QVERIFY2(error.find("points outside the runs folder") != std::string::npos, error.c_str());
        QVERIFY(!removeRunDir(runs.toStdString(), "escape", error));

        // A link inside a run folder that points out: deleting the run removes the link, not its target.
        QFile precious(outside.path() + "/precious.txt");
        QVERIFY(precious.open(QIODevice::WriteOnly));
        precious.write("keep");
        precious.close();
        QVERIFY(QFile::link(outside.path(), runs + "/real/link"));
        QVERIFY2(removeRunDir(runs.toStdString(), "real", error), error.c_str());
        QVERIFY(!QFileInfo::exists(runs + "/real"));
        QVERIFY(QFile::exists(outside.path() + "/precious.txt"));
        QVERIFY(QFileInfo::exists(runs + "/escape"));
    }

    void renameChecksBothNames()
    {
        QTemporaryDir root;
        QDir().mkpath(root.path() + "/a");
        QDir().mkpath(root.path() + "/b");
        std::string error;
        QVERIFY(!renameRunDir(root.path().toStdString(), "a", "b", error));
        QVERIFY2(error.find("exists already") != std::string::npos, error.c_str());
        QVERIFY(!renameRunDir(root.path().toStdString(), "a", "../x", error));
        QVERIFY(renameRunDir(root.path().toStdString(), "a", "c", error));
        QVERIFY(QFileInfo::exists(root.path() + "/c"));
    }

    void memoryCheckRefusesAModelThatCannotFit()
    {
        // Two Dense layers of 65,536 units: 4.3 G parameters in the second alone.
        Graph g = qnn::test::smallBnn();
        g.node(2)->attrs["units"] = int64_t(65536);
        g.node(6)->attrs["units"] = int64_t(65536);
        g.node(8)->attrs["classes"] = int64_t(65536);
        TrainingConfig c;
        const MemoryEstimate e = estimateTrainingMemory(g, c);
        const int64_t params = summarizeGraph(g).params;
        QVERIFY(params > int64_t(65536) * 65536);
        QCOMPARE(e.parameterBytes, params * 20); // latent, gradient, quantized copy, two Adam moments
        std::string error;
        QVERIFY(!checkTrainingMemory(g, c, error, int64_t(16) << 30));
        QVERIFY2(error.find("needs about") != std::string::npos, error.c_str());
        QVERIFY2(error.find("16.0 GiB available") != std::string::npos, error.c_str());
        QVERIFY2(error.find("lower the batch size") != std::string::npos, error.c_str());

        // The small network fits in 1 GiB; the machine's own figure is read from /proc/meminfo.
        QVERIFY2(checkTrainingMemory(qnn::test::smallBnn(), c, error, int64_t(1) << 30), error.c_str());
        QVERIFY(availableMemoryBytes() > 0);
    }

    void fp32TwinHasOnlyFloatLayersAndTheSameTopology()
    {
        const Graph g = qnn::test::smallBnn();
        std::vector<std::string> notes;
        const Graph twin = fp32Twin(g, &notes);
        QVERIFY(!isAllFloat(g));
        QVERIFY(isAllFloat(twin));
        QCOMPARE(twin.edges(), g.edges());
        QCOMPARE(twin.nodes().size(), g.nodes().size());
        for (const auto& [id, n] : g.nodes()) {
            QCOMPARE(twin.node(id)->kind, n.kind);
            QCOMPARE(twin.node(id)->name, n.name);
        }
        QCOMPARE(QString::fromStdString(twin.node(4)->attrString("function")), QString("hardtanh"));
        QCOMPARE(int(notes.size()), 2); // the bipolar input and the sign activation
        QCOMPARE(QString::fromStdString(graphPrecisionLabel(g)), QString("W1A1"));
        QCOMPARE(QString::fromStdString(graphPrecisionLabel(twin)), QString("FP32"));
        Graph mixed = g;
        mixed.node(6)->quant.weightBits = 2;
        QCOMPARE(QString::fromStdString(graphPrecisionLabel(mixed)), QString("mixed"));
    }

    void compareGivesTheSummariesFiguresAndTheGraphDiff()
    {
        QTemporaryDir root;
        const Graph g = qnn::test::smallBnn();
        const std::string a = makeRun(root, "bnn", {{"status", "completed"}, {"test_accuracy", 0.81},
                                                    {"best_val_accuracy", 0.8}, {"wall_s", 3.5}}, kTwoEpochs, g);
        const std::string b = makeRun(root, "twin", {{"status", "completed"}, {"test_accuracy", 0.9},
                                                     {"best_val_accuracy", 0.88}, {"wall_s", 2.0}}, kTwoEpochs,
                                      fp32Twin(g));
        const RunInfo ra = readRunInfo(a), rb = readRunInfo(b);
        QVERIFY(ra.readable && rb.readable);
        const nlohmann::json c = compareRuns(ra, rb);
        QCOMPARE(c["runs"][0]["test_accuracy"].get<double>(), 0.81);
        QCOMPARE(c["runs"][1]["best_val_accuracy"].get<double>(), 0.88);
        QCOMPARE(c["runs"][0]["final_val_accuracy"].get<double>(), 0.75);
        QCOMPARE(c["runs"][0]["wall_s"].get<double>(), 3.5);
        const GraphSummary sa = summarizeGraph(g), sb = summarizeGraph(fp32Twin(g));
        QCOMPARE(c["runs"][0]["weight_bits"].get<int64_t>(), sa.weightMemoryBits);
        QCOMPARE(c["runs"][1]["weight_bits"].get<int64_t>(), sb.weightMemoryBits);
        QCOMPARE(c["runs"][0]["params"].get<int64_t>(), sa.params);
        QCOMPARE(c["runs"][0]["bops"].get<int64_t>(), sa.bops);
        QCOMPARE(c["runs"][0]["compression"].get<double>(), sa.compression);
        QVERIFY(qAbs(c["accuracy_gap_points"].get<double>() - (81.0 - 90.0)) < 1e-9);
        // fc1, act1 (bits and sign → hardtanh), fc2 and the input differ; BatchNorms and the output do not.
        std::vector<int> nodes;
        for (const auto& d : c["graph_diff"])
            nodes.push_back(d["node"].get<int>());
        QCOMPARE(nodes, (std::vector<int>{1, 2, 4, 6}));
        QCOMPARE(QString::fromStdString(c["graph_diff"][1]["what"].get<std::string>()), QString("bits W1 → W32"));
        QVERIFY(QString::fromStdString(c["graph_diff"][2]["what"].get<std::string>())
                    .contains("function: sign → hardtanh"));
    }

    void meanAndSampleStd()
    {
        const MeanStd m = meanStd({0.80, 0.82, 0.84, 0.86});
        QCOMPARE(m.count, 4);
        QVERIFY(qAbs(m.mean - 0.83) < 1e-12);
        QVERIFY(qAbs(m.std - 0.025819888974716) < 1e-12); // sqrt(0.002 / 3)
        QCOMPARE(meanStd({0.5}).std, 0.0);
        const std::vector<MeanStd> per = meanStdPerIndex({{1, 2, 3}, {3, 4}});
        QCOMPARE(int(per.size()), 3);
        QCOMPARE(per[0].mean, 2.0);
        QCOMPARE(per[2].count, 1);
        QCOMPARE(per[2].mean, 3.0);
    }

    void paretoFrontKeepsTheUnbeaten()
    {
        // (cost, accuracy): 1 is beaten by 0 (cheaper and better), 3 by 2 (same cost, lower accuracy).
        const std::vector<ParetoPoint> p{{10, 0.80}, {20, 0.79}, {40, 0.90}, {40, 0.85}, {80, 0.95}, {5, 0.5}};
        QCOMPARE(paretoFront(p), (std::vector<size_t>{5, 0, 2, 4}));
        QVERIFY(paretoFront({}).empty());
    }

    void runInfoReadsFiguresAndKeepsColour()
    {
        QTemporaryDir root;
        const std::string dir = makeRun(root, "r1",
                                        {{"status", "cancelled"}, {"epochs_done", 2}, {"best_epoch", 2},
                                         {"best_val_accuracy", 0.75}, {"test_accuracy", nullptr}},
                                        kTwoEpochs);
        std::string error;
        writeFileAtomic(dir + "/checkpoint.pt", "x", error);
        const RunInfo r = readRunInfo(dir);
        QVERIFY2(r.readable, r.problem.c_str());
        QCOMPARE(QString::fromStdString(r.status), QString("stopped"));
        QVERIFY(r.resumable);
        QCOMPARE(int(r.history.size()), 2);
        QCOMPARE(r.history[1].valAccuracy, 0.75);
        QCOMPARE(QString::fromStdString(r.colour), QString("#2ca02c"));
        QCOMPARE(QString::fromStdString(r.precision), QString("W1A1"));
        QCOMPARE(r.testAccuracy, -1.0);
        // The next run takes a colour nobody uses yet.
        QCOMPARE(QString::fromStdString(nextRunColour(root.path().toStdString() + "/runs")), QString("#1f77b4"));
    }

    void damagedFilesMakeThatRunUnreadableOnly()
    {
        QTemporaryDir root;
        makeRun(root, "good", {{"status", "completed"}, {"test_accuracy", 0.9}}, kTwoEpochs);
        makeRun(root, "badsummary", nlohmann::json(), kTwoEpochs);
        std::string error;
        writeFileAtomic(root.path().toStdString() + "/runs/badsummary/summary.json", "{\"status\": ", error);
        makeRun(root, "badmetrics", {{"status", "completed"}}, "{\"type\":\"epoch\",\n{\"epoch\":2}\n");
        // A line torn by a kill (no newline at the end) is not damage: the lines before it count.
        makeRun(root, "torn", {{"status", "completed"}}, kTwoEpochs + "{\"type\":\"ep");
        Project p;
        p.runs = {"good", "badsummary", "../../etc"};
        const std::vector<RunInfo> runs = listRuns(root.path().toStdString() + "/p.qnnproj", p);
        QCOMPARE(int(runs.size()), 5); // three listed, then badmetrics and torn found beside them
        QVERIFY(runs[0].readable);
        QCOMPARE(runs[0].testAccuracy, 0.9);
        QVERIFY(!runs[1].readable);
        QVERIFY2(runs[1].problem.find("summary.json") != std::string::npos, runs[1].problem.c_str());
        QVERIFY(!runs[2].readable);
        QVERIFY2(runs[2].problem.find("contains a '/'") != std::string::npos, runs[2].problem.c_str());
        QCOMPARE(QString::fromStdString(runs[3].name), QString("badmetrics"));
        QVERIFY(!runs[3].listed);
        QVERIFY(!runs[3].readable);
        QVERIFY2(runs[3].problem.find("line 1 is not valid JSON") != std::string::npos, runs[3].problem.c_str());
        QCOMPARE(QString::fromStdString(runs[4].name), QString("torn"));
        QVERIFY2(runs[4].readable, runs[4].problem.c_str());
        QCOMPARE(int(runs[4].history.size()), 2);
    }

    void summaryWithInvalidUtf8DoesNotBreakTheJsonList()
    {
        QTemporaryDir root;
        makeRun(root, "good", {{"status", "completed"}, {"test_accuracy", 0.9}}, kTwoEpochs);
        const std::string dir = makeRun(root, "garbled", nlohmann::json(), kTwoEpochs);
        std::string error;
        QVERIFY(writeFileAtomic(dir + "/summary.json", "{\"status\": \"\xff\xfe\"}", error));
        Project p;
        p.runs = {"good", "garbled"};
        const std::vector<RunInfo> runs = listRuns(root.path().toStdString() + "/p.qnnproj", p);
        QCOMPARE(int(runs.size()), 2);
        QVERIFY(!runs[1].readable);
        nlohmann::json list = nlohmann::json::array();
        for (const RunInfo& r : runs)
            list.push_back(runInfoJson(r));
        const std::string text = list.dump(); // threw type_error 316 (invalid UTF-8) before, for every run
        QVERIFY(text.find("0.9") != std::string::npos);
        QVERIFY(text.find("summary.json") != std::string::npos);
    }

    // A resume from a checkpoint taken halfway through epoch 2 keeps epoch 1
    // and epoch 2's batch lines up to the stop; what follows is redone.
    void resumeKeepsTheBatchLinesBeforeAMidEpochStop()
    {
        QTemporaryDir root;
        RunStore store;
        std::string error;
        QVERIFY2(RunStore::create(root.path().toStdString(), "mid", store, error), error.c_str());
        for (const nlohmann::json& line : {
                 nlohmann::json{{"type", "batch"}, {"epoch", 1}, {"batch", 50}},
                 nlohmann::json{{"type", "epoch"}, {"epoch", 1}},
                 nlohmann::json{{"type", "batch"}, {"epoch", 2}, {"batch", 50}},
                 nlohmann::json{{"type", "batch"}, {"epoch", 2}, {"batch", 100}},
                 nlohmann::json{{"type", "batch"}, {"epoch", 2}, {"batch", 150}},
                 nlohmann::json{{"type", "epoch"}, {"epoch", 2}},
                 nlohmann::json{{"type", "batch"}, {"epoch", 3}, {"batch", 50}}})
            QVERIFY(store.appendMetrics(line, error));
        QVERIFY2(store.truncateMetricsAfter(1, error, 100), error.c_str());
        std::vector<nlohmann::json> kept;
        QVERIFY(store.readMetrics(kept, error));
        QCOMPARE(int(kept.size()), 4);
        QCOMPARE(kept[3]["epoch"].get<int>(), 2);
        QCOMPARE(kept[3]["batch"].get<int>(), 100);
        // Without a mid-epoch checkpoint, epoch 2 goes whole.
        QVERIFY(store.truncateMetricsAfter(1, error));
        QVERIFY(store.readMetrics(kept, error));
        QCOMPARE(int(kept.size()), 2);
        QCOMPARE(kept[1]["type"].get<std::string>(), std::string("epoch"));
    }

    void finalStatusReachesTheSummaryOnAFullDisk()
    {
        QTemporaryDir root;
        RunStore store;
        std::string error;
        QVERIFY2(RunStore::create(root.path().toStdString(), "full", store, error), error.c_str());
        QVERIFY(store.writeSummary({{"status", "running"}, {"pid", 1}}, error));
        // No file may grow past 1000 bytes now: the atomic rewrite (a new file) fails as on a full disk.
        ::signal(SIGXFSZ, SIG_IGN);
        rlimit old{};
        ::getrlimit(RLIMIT_FSIZE, &old);
        rlimit small{1000, old.rlim_max};
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        const nlohmann::json failed{{"status", "failed"},
                                    {"error", "cannot write checkpoint.pt: No space left on device"}};
        const bool written = store.writeSummary(failed, error);
        ::setrlimit(RLIMIT_FSIZE, &old);
        ::signal(SIGXFSZ, SIG_DFL);
        QVERIFY2(written, error.c_str());
        nlohmann::json back;
        QVERIFY2(store.readSummary(back, error), error.c_str());
        QCOMPARE(QString::fromStdString(back["status"].get<std::string>()), QString("failed"));
        QVERIFY(back["error"].get<std::string>().find("No space left") != std::string::npos);
    }

    void aKilledRunReadsAsFailedAndResumable()
    {
        QTemporaryDir root;
        // A pid that is certainly not alive: a child that has exited and been reaped.
        const pid_t child = ::fork();
        if (child == 0)
            ::_exit(0);
        int status = 0;
        ::waitpid(child, &status, 0);
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        const std::string dir =
            makeRun(root, "killed", {{"status", "running"}, {"pid", child}, {"host", host}}, kTwoEpochs);
        std::string error;
        writeFileAtomic(dir + "/checkpoint.pt", "x", error);
        RunInfo r = readRunInfo(dir);
        QCOMPARE(QString::fromStdString(r.status), QString("failed"));
        QVERIFY(r.resumable);
        QVERIFY2(r.error.find("ended without finishing") != std::string::npos, r.error.c_str());
        QCOMPARE(r.bestValAccuracy, 0.75); // from the metrics, since the summary has none yet
        writeFileAtomic(dir + "/summary.json",
                        nlohmann::json{{"status", "running"}, {"pid", ::getpid()}, {"host", host}}.dump(), error);
        r = readRunInfo(dir);
        QCOMPARE(QString::fromStdString(r.status), QString("running"));
        QVERIFY(!r.resumable);
    }
};

QTEST_GUILESS_MAIN(TestRun)
#include "tst_run.moc"
