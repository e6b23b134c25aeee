// Sweeps without a scheduler: axes applied to a project, points expanded and
// validated, the dry run, and real sweeps on the local queue (each point a
// run folder whose summary.json holds the hardware estimate), status,
// results, resubmit of missing points, and a failing point's reason.
#include "core/data/dataset.h"
#include "core/project/project.h"
#include "core/sweep/slurm_backend.h"
#include "core/sweep/sweep_axis.h"
#include "core/sweep/sweep_spec.h"

#include "tests/sweep/sweep_test_support.h"

#include <QtTest>

using namespace qnn;
using namespace sweeptest;

namespace {

Project example()
{
    Project p;
    std::string error;
    if (!loadProject(QNN_SOURCE_DIR "/projects/synthetic-digits-w1a1.qnnproj", p, error))
        qFatal("%s", error.c_str());
    return p;
}

SweepAxis axis(const std::string& text)
{
    SweepAxis a;
    std::string error;
    if (!parseAxis(text, a, error))
        qFatal("%s", error.c_str());
    return a;
}

const Node& named(const Project& p, const std::string& name)
{
    return *p.graph.node(p.graph.findByName(name));
}

} // namespace

class TestSweep : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseAxisKinds_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("values");
        QTest::newRow("preset") << "precision=W1A1,W2A2" << int(SweepAxis::Kind::Precision) << "" << "precision" << 2;
        QTest::newRow("group preset") << "dense[12].precision=W2A2" << int(SweepAxis::Kind::Precision) << "dense[12]"
                                      << "precision" << 1;
        QTest::newRow("attribute") << "dense*.units=256, 512,1024" << int(SweepAxis::Kind::Attribute) << "dense*"
                                   << "units" << 3;
        QTest::newRow("training") << "lr=0.001,0.003" << int(SweepAxis::Kind::Training) << "" << "lr" << 2;
    }
    void parseAxisKinds()
    {
        QFETCH(QString, text);
        SweepAxis a;
        std::string error;
        QVERIFY2(parseAxis(text.toStdString(), a, error), error.c_str());
        QFETCH(int, kind);
        QCOMPARE(int(a.kind), kind);
        QFETCH(QString, pattern);
        QFETCH(QString, name);
        QFETCH(int, values);
        QCOMPARE(QString::fromStdString(a.pattern), pattern);
        QCOMPARE(QString::fromStdString(a.name), name);
        QCOMPARE(int(a.values.size()), values);
    }

    void parseAxisRefusesBadForms_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("says");
        QTest::newRow("no =") << "precision" << "KEY=V1,V2";
        QTest::newRow("empty value") << "lr=0.1,,0.2" << "empty value";
        QTest::newRow("twice") << "lr=0.1,0.1" << "listed twice";
        QTest::newRow("seed") << "seed=1,2" << "--seeds";
        QTest::newRow("no attribute") << "dense1.=3" << "PATTERN.ATTRIBUTE";
    }
    void parseAxisRefusesBadForms()
    {
        QFETCH(QString, text);
        QFETCH(QString, says);
        SweepAxis a;
        std::string error;
        QVERIFY(!parseAxis(text.toStdString(), a, error));
        QVERIFY2(QString::fromStdString(error).contains(says), error.c_str());
    }

    void wholeGraphPresetSetsWeightsAndActivations()
    {
        Project p = example();
        std::string error;
        QVERIFY2(applyAxisValue(p, axis("precision=W2A4"), "W2A4", error), error.c_str());
        for (const char* d : {"dense1", "dense2", "dense3"})
            QCOMPARE(named(p, d).quant.weightBits, 2);
        for (const char* a : {"act1", "act2"}) {
            QCOMPARE(named(p, a).quant.actBits, 4);
            // sign is 1-bit only; the preset moves it to hardtanh as the W1A2 LFC project has it.
            QCOMPARE(named(p, a).attrString("function"), std::string("hardtanh"));
        }
        QCOMPARE(named(p, "input").quant.actBits, 1); // the input's encoding is the dataset's
    }

    void groupPresetTouchesOnlyItsLayersAndTheirActivations()
    {
        Project p = example();
        std::string error;
        QVERIFY2(applyAxisValue(p, axis("dense2.precision=W4A2"), "W4A2", error), error.c_str());
        QCOMPARE(named(p, "dense1").quant.weightBits, 1);
        QCOMPARE(named(p, "dense2").quant.weightBits, 4);
        QCOMPARE(named(p, "dense3").quant.weightBits, 1);
        QCOMPARE(named(p, "act1").quant.actBits, 1);
        QCOMPARE(named(p, "act2").quant.actBits, 2);
    }

    void attributeAxisSkipsTheClassifierOnlyForWildcards()
    {
        Project p = example();
        std::string error;
        QVERIFY2(applyAxisValue(p, axis("dense*.units=48"), "48", error), error.c_str());
        QCOMPARE(named(p, "dense1").attrInt("units"), 48);
        QCOMPARE(named(p, "dense2").attrInt("units"), 48);
        QCOMPARE(named(p, "dense3").attrInt("units"), 10);
        // Named on its own, the classifier changes (and the point is then invalid by shape).
        QVERIFY(applyAxisValue(p, axis("dense3.units=12"), "12", error));
        QCOMPARE(named(p, "dense3").attrInt("units"), 12);
    }

    void valuesThatDoNotApplySayWhy_data()
    {
        QTest::addColumn<QString>("axis");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("says");
        QTest::newRow("bits") << "precision=W9A1" << "W9A1" << "bit-width";
        QTest::newRow("label") << "precision=big" << "big" << "no precision";
        QTest::newRow("range") << "dense1.units=0" << "0" << "out of range";
        QTest::newRow("not int") << "dense1.units=1.5" << "1.5" << "whole number";
        QTest::newRow("no match") << "conv*.units=8" << "8" << "no layer";
        QTest::newRow("setting") << "learning_speed=2" << "2" << "neither a training setting";
        QTest::newRow("number") << "lr=fast" << "fast" << "not a number";
    }
    void valuesThatDoNotApplySayWhy()
    {
        QFETCH(QString, axis);
        QFETCH(QString, value);
        QFETCH(QString, says);
        Project p = example();
        std::string error;
        QVERIFY(!applyAxisValue(p, ::axis(axis.toStdString()), value.toStdString(), error));
        QVERIFY2(QString::fromStdString(error).contains(says), error.c_str());
    }

    void expandOrdersPointsAndCostsThem()
    {
        const Project p = example();
        SweepSpec spec;
        spec.axes = {axis("precision=W1A1,W2A2"), axis("dense*.units=32,64,0")};
        spec.seeds = 2;
        spec.firstSeed = 7;
        const std::vector<SweepPoint> points = expandSweep(p, spec);
        QCOMPARE(int(points.size()), 12);
        QCOMPARE(points[0].id, std::string("p000"));
        QCOMPARE(points[11].id, std::string("p011"));
        // The last axis varies fastest, seeds innermost.
        QCOMPARE(points[1].values[1].second, std::string("32"));
        QCOMPARE(points[1].seed, 8LL);
        QCOMPARE(points[2].values[1].second, std::string("64"));
        QCOMPARE(points[6].values[0].second, std::string("W2A2"));
        // units=0 is invalid, with the layer's own words; the others valid and costed.
        QVERIFY(!points[4].valid);
        QVERIFY2(QString::fromStdString(points[4].reason).contains("dense1: units is 0, out of range"),
                 points[4].reason.c_str());
        QVERIFY(points[0].valid);
        const auto& h32 = points[0].cost["hardware"];
        const auto& h64 = points[2].cost["hardware"];
        QVERIFY(h32["ok"].get<bool>());
        QCOMPARE(h32["part"].get<std::string>(), std::string("xc7z020"));
        QVERIFY(h32["fits"].get<bool>());
        QVERIFY2(h64["lut"].get<double>() > h32["lut"].get<double>(), "twice the units cost more LUTs");
        QCOMPARE(points[2].cost["params"].get<int64_t>(), int64_t(784 * 64 + 64 * 64 + 64 * 10 + 2 * 64 * 2 + 2 * 10));
    }

    void shapeErrorsAreInvalidPoints()
    {
        SweepSpec spec;
        spec.axes = {axis("dense3.units=10,12")};
        const std::vector<SweepPoint> points = expandSweep(example(), spec);
        QVERIFY(points[0].valid);
        QVERIFY(!points[1].valid);
        QVERIFY2(QString::fromStdString(points[1].reason).contains("10 values"), points[1].reason.c_str());
    }

    void sweepNameIsStableForTheSameSpec()
    {
        SweepSpec a;
        a.axes = {axis("lr=0.1,0.2")};
        SweepSpec b = a;
        const std::string n = defaultSweepName(example(), a);
        QCOMPARE(defaultSweepName(example(), b), n);
        b.seeds = 2;
        QVERIFY(defaultSweepName(example(), b) != n);
        QVERIFY(QString::fromStdString(n).startsWith("synthetic-digits-w1a1-"));
    }

    void arraySpecCompressesRanges()
    {
        QCOMPARE(arraySpec({5, 0, 1, 2, 7, 8}), std::string("0-2,5,7-8"));
        QCOMPARE(arraySpec({3}), std::string("3"));
    }

    // What a GPU partition needs reaches the job script (no GPU here to run it).
    void slurmScriptCarriesTheResources()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const Project base = example();
        SweepSpec spec;
        spec.axes = {axis("lr=0.001,0.002,0.003")};
        SweepFolder sweep;
        std::string error;
        QVERIFY2(SweepFolder::create(dir.filePath("sweeps/g").toStdString(), project.toStdString(), base, spec,
                                     expandSweep(base, spec), sweep, error),
                 error.c_str());
        SlurmOptions o;
        o.partition = "gpu";
        o.time = "01:00:00";
        o.cpusPerTask = 4;
        o.gpusPerTask = 1;
        o.maxRunning = 2;
        o.qnnwPath = "/shared/qnnw/bin/qnnw";
        const QString script = QString::fromStdString(slurmScript(sweep, {0, 2}, o));
        for (const char* line : {"#SBATCH --array=0,2%2\n", "#SBATCH --partition=gpu\n", "#SBATCH --time=01:00:00\n",
                                 "#SBATCH --cpus-per-task=4\n", "#SBATCH --gpus-per-task=1\n"})
            QVERIFY2(script.contains(line), qPrintable(script));
        QVERIFY(script.contains("exec '/shared/qnnw/bin/qnnw' sweep run-point") ||
                script.contains("exec /shared/qnnw/bin/qnnw sweep run-point"));
    }

    // A point trained with --train-limit N draws only the first N synthetic
    // images, and they are the very bytes of the full set's first N.
    void limitedSyntheticTrainSetIsTheFullSetsStart()
    {
        DatasetRequest r;
        r.choice.name = "synthetic-digits";
        DatasetSplits all, first;
        std::string error;
        QVERIFY2(loadDataset(r, all, error), error.c_str());
        r.trainImages = 400;
        QVERIFY2(loadDataset(r, first, error), error.c_str());
        QCOMPARE(all.train.size(), size_t(20000));
        QCOMPARE(first.train.size(), size_t(400));
        QVERIFY(std::equal(first.train.pixels.begin(), first.train.pixels.end(), all.train.pixels.begin()));
        QVERIFY(std::equal(first.train.labels.begin(), first.train.labels.end(), all.train.labels.begin()));
        QVERIFY(first.test.pixels == all.test.pixels);
        QVERIFY(first.validation.pixels == all.validation.pixels);
    }

    void dryRunListsPointsWithoutRunning()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const Result r = qnnw({"sweep", project, "--grid", "precision=W1A1,W2A2", "--grid", "dense*.units=32,0",
                               "--dry-run", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject result = lastEvent(r.out, "result");
        QVERIFY(result["dry_run"].toBool());
        QCOMPARE(result["points"].toArray().size(), 4);
        QCOMPARE(result["valid"].toInt(), 2);
        QVERIFY(result["points"].toArray()[1].toObject()["reason"].toString().contains("out of range"));
        QVERIFY(!QDir(dir.filePath("sweeps")).exists());
        const Result text = qnnw({"sweep", project, "--grid", "dense*.units=32,0", "--dry-run"});
        QVERIFY(text.out.contains("p001  dense*.units=0 seed=1"));
        QVERIFY(text.out.contains("invalid: dense1: units is 0"));
        QVERIFY(text.out.contains("LUT "));
    }

    // A real sweep on the local queue: 2 precisions x 2 widths, two at once.
    void localSweepRunsEveryPointAsARunFolder()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const Result r = qnnw(QStringList{"sweep", project, "--grid", "precision=W1A1,W2A2", "--grid",
                                          "dense*.units=32,64", "--jobs", "2", "--json", "--name", "s"} +
                              shortTraining());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QJsonObject> lines = jsonLines(r.out);
        QCOMPARE(lines.first()["event"].toString(), QString("step"));
        const QString sweep = dir.filePath("sweeps/s");
        QCOMPARE(lines.first()["sweep"].toString(), sweep); // the first line names the folder
        QVERIFY(!lastEvent(r.out, "progress").isEmpty());
        const QJsonObject result = lastEvent(r.out, "result");
        QCOMPARE(result["counts"].toObject()["completed"].toInt(), 4);

        const QJsonObject st = status(sweep);
        const QMap<QString, QJsonObject> pts = pointsById(st);
        QCOMPARE(pts.size(), 4);
        for (const QJsonObject& p : pts) {
            QCOMPARE(p["state"].toString(), QString("completed"));
            QCOMPARE(p["epoch"].toInt(), 1);
            // An ordinary run folder, whose summary also holds the hardware estimate.
            const QJsonObject summary = readJson(p["run"].toString() + "/summary.json");
            QCOMPARE(summary["status"].toString(), QString("completed"));
            QCOMPARE(summary["test_accuracy"].toDouble(), p["test_accuracy"].toDouble());
            const QJsonObject hw = summary["hardware"].toObject();
            QVERIFY(hw["ok"].toBool());
            QVERIFY(hw["lut"].toDouble() > 0);
            QVERIFY(hw["fps"].toDouble() > 0);
            QVERIFY(hw.contains("bram36") && hw.contains("dsp") && hw.contains("fits"));
            QCOMPARE(hw["part"].toString(), QString("xc7z020"));
            QVERIFY(p["test_accuracy"].toDouble() > 0.12); // above chance after one epoch
        }
        QVERIFY(pts["p001"]["hardware"].toObject()["lut"].toDouble() >
                pts["p000"]["hardware"].toObject()["lut"].toDouble());
        // The point trained the graph its values describe.
        const QJsonObject cfg = readJson(pts["p003"]["run"].toString() + "/config.json");
        const QJsonArray nodes = cfg["project"].toObject()["graph"].toObject()["nodes"].toArray();
        int dense64w2 = 0;
        for (const QJsonValue& n : nodes)
            dense64w2 += n.toObject()["attrs"].toObject()["units"].toInt() == 64 &&
                         n.toObject()["weight_bits"].toInt() == 2;
        QCOMPARE(dense64w2, 2);

        // results as CSV: a header and one row per point.
        const Result csv = qnnw({"sweep", "results", sweep, "--csv"});
        QCOMPARE(csv.exitCode, 0);
        const QList<QByteArray> rows = csv.out.trimmed().split('\n');
        QCOMPARE(rows.size(), 5);
        QVERIFY(rows[0].startsWith("point,precision,dense*.units,seed,state"));
        QVERIFY(rows[4].startsWith("p003,W2A2,64,1,completed,1,1,"));

        // The same command again finds the same folder and runs nothing.
        const Result again = qnnw(QStringList{"sweep", project, "--grid", "precision=W1A1,W2A2", "--grid",
                                              "dense*.units=32,64", "--json", "--name", "s"} +
                                  shortTraining());
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(jsonLines(again.out).first()["to_run"].toArray().size(), 0);

        // A point whose run is gone is the only one a resubmit runs.
        const QString p2run = pts["p002"]["run"].toString();
        QVERIFY(QDir(p2run).removeRecursively());
        const Result re = qnnw({"sweep", "resubmit", sweep, "--json"});
        QVERIFY2(re.exitCode == 0, re.err.constData());
        QCOMPARE(jsonLines(re.out).first()["to_run"].toArray(), QJsonArray{2});
        const QMap<QString, QJsonObject> after = pointsById(status(sweep));
        QCOMPARE(after["p002"]["state"].toString(), QString("completed"));
        QCOMPARE(after["p002"]["test_accuracy"].toDouble(), pts["p002"]["test_accuracy"].toDouble()); // same seed
        QCOMPARE(after["p000"]["run"].toString(), pts["p000"]["run"].toString());
    }

    void failingPointShowsItsReason()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        // One point, which fails (completed ones beside a failed one: tst_sweep_views).
        const Result r = qnnw(QStringList{"sweep", project, "--grid", "optimizer=rmsprop", "--name", "f", "--json"} +
                              shortTraining());
        QCOMPARE(r.exitCode, 1); // a point failed
        const QMap<QString, QJsonObject> pts = pointsById(lastEvent(r.out, "result"));
        QCOMPARE(pts.size(), 1);
        QCOMPARE(pts["p000"]["state"].toString(), QString("failed"));
        QVERIFY2(pts["p000"]["reason"].toString().contains("'rmsprop' is not known"),
                 qPrintable(pts["p000"]["reason"].toString()));
        const Result table = qnnw({"sweep", "status", dir.filePath("sweeps/f")});
        QVERIFY(table.out.contains("failed"));
        QVERIFY(table.out.contains("'rmsprop' is not known"));
    }

    // A sweep saved in the project: written only when there is one, read
    // back equal, and a mistake in it is a sentence naming the field.
    void savedSweepRoundTripsInTheProject()
    {
        Project p = example();
        const std::string plain = serializeProject(p);
        QVERIFY(plain.find("\"sweeps\"") == std::string::npos); // older files stay byte-stable
        SweepDefinition a;
        a.name = "widths";
        a.axes = {{"precision", {"W1A1", "W2A2"}}, {"dense*.units", {"32", "64"}}};
        a.seeds = 2;
        a.epochs = 3;
        a.trainLimit = 400;
        a.targetFps = 10000;
        a.backend = "slurm";
        a.partition = "gpu";
        a.time = "01:00:00";
        a.gpusPerTask = 1;
        a.maxRunning = 4;
        a.sbatchArgs = {"--account=me"};
        SweepDefinition b;
        b.name = "lr";
        b.axes = {{"lr", {"0.001", "0.003"}}};
        b.jobs = 2;
        putSweepDefinition(p.sweeps, a);
        putSweepDefinition(p.sweeps, b);
        QCOMPARE(p.sweeps.front().name, std::string("lr")); // sorted by name, as the file has them
        const std::string text = serializeProject(p);
        Project back;
        std::string error;
        QVERIFY2(parseProject(text, back, error), error.c_str());
        QVERIFY(back == p);
        QCOMPARE(serializeProject(back), text);
        QCOMPARE(back.sweeps.size(), size_t(2));
        QCOMPARE(back.sweeps[1].gpusPerTask, 1);
        QCOMPARE(back.sweeps[1].axes[1].values, (std::vector<std::string>{"32", "64"}));
        // The spec it describes expands like the --grid form.
        SweepSpec spec;
        QVERIFY2(sweepSpecFromDefinition(back.sweeps[1], spec, error), error.c_str());
        QCOMPARE(int(expandSweep(p, spec).size()), 8);
    }

    void savedSweepMistakesAreSentences_data()
    {
        QTest::addColumn<QString>("sweeps");
        QTest::addColumn<QString>("says");
        QTest::newRow("unknown key") << R"({"s": {"axes": [{"key": "lr", "values": ["0.1"]}], "seed": 3}})"
                                     << "sweeps.s: unknown key 'seed' (a sweep knows axes, seeds,";
        QTest::newRow("unknown slurm key")
            << R"({"s": {"axes": [{"key": "lr", "values": ["0.1"]}], "slurm": {"gpus": 1}}})"
            << "sweeps.s.slurm: unknown key 'gpus'";
        QTest::newRow("no axes") << R"({"s": {"seeds": 2}})" << "sweeps.s.axes: expected a list";
        QTest::newRow("bad axis") << R"({"s": {"axes": [{"key": "lr", "values": ["0.1", ""]}]}})"
                                  << "sweeps.s.axes[0]: --grid lr=0.1,: an empty value";
        QTest::newRow("type") << R"({"s": {"axes": [{"key": "lr", "values": ["0.1"]}], "seeds": "2"}})"
                              << "sweeps.s.seeds: expected an integer, got a string";
        QTest::newRow("backend") << R"({"s": {"axes": [{"key": "lr", "values": ["0.1"]}], "backend": "pbs"}})"
                                 << "sweeps.s.backend: 'pbs' is neither local nor slurm";
        QTest::newRow("name") << R"({"..": {"axes": [{"key": "lr", "values": ["0.1"]}]}})"
                              << "sweeps...: the name is the sweep folder's";
        QTest::newRow("not an object") << R"([1])" << "sweeps: expected an object";
    }
    void savedSweepMistakesAreSentences()
    {
        QFETCH(QString, sweeps);
        QFETCH(QString, says);
        nlohmann::json j = nlohmann::json::parse(serializeProject(example()));
        j["sweeps"] = nlohmann::json::parse(sweeps.toStdString());
        Project p;
        std::string error;
        QVERIFY(!parseProject(j.dump(), p, error));
        QVERIFY2(QString::fromStdString(error).contains(says), error.c_str());
    }

    // --save keeps the --grid form in the project; --name alone runs it again,
    // with options given on the command line over the saved ones.
    void cliSavesAndRunsASavedSweep()
    {
        QTemporaryDir dir;
        const QString project = copyExample(dir);
        const Result grid = qnnw({"sweep", project, "--grid", "precision=W1A1,W2A2", "--grid", "dense*.units=32,0",
                                  "--epochs", "2", "--backend", "slurm", "--partition", "cpu", "--save", "mine",
                                  "--dry-run", "--json"});
        QVERIFY2(grid.exitCode == 0, grid.err.constData());
        Project saved;
        std::string error;
        QVERIFY2(loadProject(project.toStdString(), saved, error), error.c_str());
        QCOMPARE(saved.sweeps.size(), size_t(1));
        const SweepDefinition& d = saved.sweeps.front();
        QCOMPARE(d.name, std::string("mine"));
        QCOMPARE(SweepDefinition::axisText(d.axes[1]), std::string("dense*.units=32,0"));
        QCOMPARE(d.epochs, 2);
        QCOMPARE(d.backend, std::string("slurm"));
        QCOMPARE(d.partition, std::string("cpu"));
        QCOMPARE(saved.graph, example().graph); // the rest of the project as it was

        const Result byName = qnnw({"sweep", project, "--name", "mine", "--dry-run", "--json"});
        QVERIFY2(byName.exitCode == 0, byName.err.constData());
        const QJsonObject a = lastEvent(grid.out, "result"), b = lastEvent(byName.out, "result");
        QCOMPARE(b["sweep"].toString(), dir.filePath("sweeps/mine"));
        QCOMPARE(b["points"].toArray(), a["points"].toArray()); // the same points, values, costs
        QCOMPARE(b["points"].toArray()[0].toObject()["cost"].toObject()["epochs"].toInt(), 2);
        QCOMPARE(b["valid"].toInt(), 2);

        const Result override = qnnw({"sweep", project, "--name", "mine", "--seeds", "2", "--epochs", "1",
                                      "--dry-run", "--json"});
        QVERIFY2(override.exitCode == 0, override.err.constData());
        const QJsonArray pts = lastEvent(override.out, "result")["points"].toArray();
        QCOMPARE(pts.size(), 8);
        QCOMPARE(pts[0].toObject()["cost"].toObject()["epochs"].toInt(), 1);

        const Result none = qnnw({"sweep", project, "--name", "theirs", "--dry-run"});
        QCOMPARE(none.exitCode, 2);
        QVERIFY2(none.err.contains("the project has no saved sweep 'theirs' (it has mine)"), none.err.constData());
    }

    void statusOfNoSweepIsASentence()
    {
        QTemporaryDir dir;
        const Result r = qnnw({"sweep", "status", dir.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("is not a sweep folder"));
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sweep.moc"
