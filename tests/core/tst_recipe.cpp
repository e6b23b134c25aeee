// Recipe presets: what each one writes into a project, that applying one
// twice changes nothing more, where the dropout goes, and that a run records
// the recipe it used.
#include "core/graph/graph_analysis.h"
#include "core/project/project.h"
#include "core/project/recipe.h"
#include "core/run/run_compare.h"
#include "core/run/run_info.h"
#include "core/run/run_setup.h"

#include <QtTest>

#include <QTemporaryDir>

using namespace qnn;

namespace {

Project load(const char* name)
{
    Project p;
    std::string error;
    if (!loadProject(std::string(QNN_SOURCE_DIR "/projects/") + name, p, error))
        qFatal("%s", error.c_str());
    return p;
}

/** The name of the node right after `name` in the chain. */
std::string after(const Graph& g, const std::string& name)
{
    const std::vector<Edge> out = g.outEdges(g.findByName(name));
    return out.size() == 1 ? g.node(out[0].toNode)->name : std::string("(" + std::to_string(out.size()) + ")");
}

std::vector<double> dropoutRates(const Graph& g)
{
    std::vector<double> rates;
    for (const auto& [id, n] : g.nodes())
        if (n.kind == LayerKind::Dropout)
            rates.push_back(n.attrFloat("p"));
    return rates;
}

} // namespace

class TestRecipe : public QObject
{
    Q_OBJECT

private slots:
    void lookup()
    {
        QCOMPARE(QString::fromStdString(recipeNames()), QString("binarynet, brevitas, brevitas-short, brevitas-shift, brevitas-nodropout, quick"));
        QVERIFY(findRecipe("binarynet"));
        QCOMPARE(findRecipe("binarynet@1"), findRecipe("binarynet"));
        QVERIFY(!findRecipe("binarynet@2"));
        QVERIFY(!findRecipe("BinaryNet"));
    }

    void binaryNetOnLfc()
    {
        Project p = load("lfc-w1a1-mnist.qnnproj");
        const size_t before = p.graph.size();
        RecipeChanges changes;
        std::string error;
        QVERIFY2(applyRecipe(*findRecipe("binarynet"), p, &changes, error), error.c_str());
        const TrainingConfig& t = p.training;
        QCOMPARE(QString::fromStdString(t.recipe), QString("binarynet@1"));
        QCOMPARE(QString::fromStdString(t.loss), QString("squared_hinge"));
        QCOMPARE(QString::fromStdString(t.optimizer), QString("adam"));
        QCOMPARE(QString::fromStdString(t.schedule), QString("exponential"));
        QCOMPARE(t.learningRate, 0.003);
        QCOMPARE(t.learningRateEnd, 3e-7);
        QCOMPARE(t.batchSize, 100);
        QCOMPARE(t.epochs, 250);
        QCOMPARE(t.randomShift, 0);
        // The user's own settings stay.
        QCOMPARE(t.seed, uint64_t(1));
        // 0.2 on the input, 0.5 after each of the three hidden activations.
        QCOMPARE(changes.dropoutAdded, 4);
        QCOMPARE(p.graph.size(), before + 4);
        QCOMPARE(QString::fromStdString(after(p.graph, "input")), QString("drop_input"));
        QCOMPARE(QString::fromStdString(after(p.graph, "drop_input")), QString("dense1"));
        for (const char* act : {"act1", "act2", "act3"}) {
            const std::string d = after(p.graph, act);
            QCOMPARE(QString::fromStdString(d), QString("drop_") + act);
            QCOMPARE(p.graph.node(p.graph.findByName(d))->attrFloat("p"), 0.5);
        }
        QCOMPARE(QString::fromStdString(after(p.graph, "drop_act3")), QString("dense4"));
        QCOMPARE(p.graph.node(p.graph.findByName("drop_input"))->attrFloat("p"), 0.2);
        for (const auto& [id, n] : p.graph.nodes())
            if (n.kind == LayerKind::BatchNorm) {
                QCOMPARE(n.attrFloat("eps"), 1e-4);
                QCOMPARE(n.attrFloat("momentum"), 0.1);
            }
        const GraphAnalysis a = analyzeGraph(p.graph);
        QVERIFY(!a.hasErrors());
        QCOMPARE(a.order.size(), p.graph.size());

        // The project file keeps the recipe's name and version.
        Project reread;
        QVERIFY2(parseProject(serializeProject(p), reread, error), error.c_str());
        QCOMPARE(QString::fromStdString(reread.training.recipe), QString("binarynet@1"));
        QVERIFY(reread == p);

        // A second time changes nothing.
        Project again = p;
        QVERIFY(applyRecipe(*findRecipe("binarynet"), again, &changes, error));
        QCOMPARE(changes.dropoutAdded, 0);
        QVERIFY(again == p);
    }

    void brevitasAfterBinaryNetReusesTheDropout()
    {
        Project p = load("lfc-w1a1-mnist.qnnproj");
        std::string error;
        QVERIFY(applyRecipe(*findRecipe("binarynet"), p, nullptr, error));
        RecipeChanges changes;
        QVERIFY(applyRecipe(*findRecipe("brevitas"), p, &changes, error));
        QCOMPARE(changes.dropoutAdded, 0);
        QCOMPARE(dropoutRates(p.graph), (std::vector<double>{0.2, 0.2, 0.2, 0.2}));
        QCOMPARE(QString::fromStdString(p.training.schedule), QString("step"));
        QCOMPARE(p.training.stepEpochs, 40);
        QCOMPARE(p.training.stepGamma, 0.5);
        QCOMPARE(p.training.learningRate, 0.02);
        QCOMPARE(p.training.epochs, 400);
        // Version 2: Brevitas' initialisation and its protocol (the test set picks the epoch).
        QCOMPARE(QString::fromStdString(p.training.weightInit), QString("uniform"));
        QCOMPARE(QString::fromStdString(p.training.selectBy), QString("test"));
        QCOMPARE(QString::fromStdString(p.training.recipe), QString("brevitas@2"));
        // The project file keeps both, and an old id still names the preset.
        Project reread;
        QVERIFY2(parseProject(serializeProject(p), reread, error), error.c_str());
        QVERIFY(reread == p);
        QVERIFY(findRecipe("brevitas@2") == findRecipe("brevitas"));
        QVERIFY(findRecipe("brevitas@1") == nullptr);
    }

    void brevitasShortHalvesEveryTwentyEpochs()
    {
        Project p = load("lfc-w1a1-mnist.qnnproj");
        std::string error;
        QVERIFY(applyRecipe(*findRecipe("brevitas-short"), p, nullptr, error));
        QCOMPARE(p.training.epochs, 200);
        QCOMPARE(p.training.stepEpochs, 20);
        QCOMPARE(p.training.stepGamma, 0.5);
        QCOMPARE(QString::fromStdString(p.training.selectBy), QString("test"));
        QCOMPARE(QString::fromStdString(p.training.recipe), QString("brevitas-short@1"));
        // The same rates as the full preset, each held half as long.
        Project full = load("lfc-w1a1-mnist.qnnproj");
        QVERIFY(applyRecipe(*findRecipe("brevitas"), full, nullptr, error));
        QCOMPARE(p.training.learningRate, full.training.learningRate);
        QCOMPARE(2 * p.training.stepEpochs, full.training.stepEpochs);
        QCOMPARE(2 * p.training.epochs, full.training.epochs);
        QCOMPARE(QString::fromStdString(p.training.weightInit), QString::fromStdString(full.training.weightInit));
    }

    void brevitasShiftIsBrevitasShortWithShifts()
    {
        std::string error;
        Project shifted = load("lfc-w1a1-mnist.qnnproj");
        QVERIFY(applyRecipe(*findRecipe("brevitas-shift"), shifted, nullptr, error));
        QCOMPARE(QString::fromStdString(shifted.training.recipe), QString("brevitas-shift@1"));
        QCOMPARE(shifted.training.randomShift, 2);
        // Everything else as brevitas-short: the settings and the graph it draws.
        Project brevitasShort = load("lfc-w1a1-mnist.qnnproj");
        QVERIFY(applyRecipe(*findRecipe("brevitas-short"), brevitasShort, nullptr, error));
        QCOMPARE(brevitasShort.training.randomShift, 0);
        TrainingConfig a = shifted.training, b = brevitasShort.training;
        a.randomShift = b.randomShift = 0;
        a.recipe = b.recipe = "";
        QVERIFY(a == b);
        QCOMPARE(shifted.graph.size(), brevitasShort.graph.size());
        QVERIFY(dropoutRates(shifted.graph) == dropoutRates(brevitasShort.graph));
    }

    void brevitasNoDropoutTakesTheDropoutOut()
    {
        std::string error;
        const Project bare = load("tfc-w1a2-mnist.qnnproj");
        // On a graph without dropout it adds none and keeps the graph as drawn.
        Project p = bare;
        RecipeChanges changes;
        QVERIFY2(applyRecipe(*findRecipe("brevitas-nodropout"), p, &changes, error), error.c_str());
        QCOMPARE(changes.dropoutAdded, 0);
        QCOMPARE(changes.dropoutRemoved, 0);
        QVERIFY(p.graph == bare.graph);
        QCOMPARE(QString::fromStdString(p.training.recipe), QString("brevitas-nodropout@1"));
        // The settings are brevitas' own.
        Project withDropout = bare;
        QVERIFY(applyRecipe(*findRecipe("brevitas"), withDropout, nullptr, error));
        TrainingConfig a = p.training, b = withDropout.training;
        a.recipe = b.recipe = "";
        QVERIFY(a == b);
        // After 'brevitas' it takes out the four layers that one put in, and the
        // chain is joined again as it was.
        QCOMPARE(dropoutRates(withDropout.graph).size(), size_t(4));
        QVERIFY(applyRecipe(*findRecipe("brevitas-nodropout"), withDropout, &changes, error));
        QCOMPARE(changes.dropoutRemoved, 4);
        QVERIFY(dropoutRates(withDropout.graph).empty());
        QVERIFY(withDropout.graph.edges() == bare.graph.edges());
        QCOMPARE(withDropout.graph.size(), bare.graph.size());
        QCOMPARE(QString::fromStdString(after(withDropout.graph, "input")), QString("dense1"));
        QVERIFY(!analyzeGraph(withDropout.graph).hasErrors());
        QVERIFY(std::any_of(changes.lines.begin(), changes.lines.end(),
                            [](const std::string& l) { return l == "drop_input removed (no dropout after input)"; }));
    }

    void selectingOnTheTestSetTrainsOnEveryTrainingImage()
    {
        QTemporaryDir tmp;
        RunRequest request;
        request.projectPath = QNN_SOURCE_DIR "/projects/synthetic-digits-w1a1.qnnproj";
        request.outDir = tmp.path().toStdString();
        PreparedRun held;
        std::string error;
        QVERIFY2(prepareRun(request, held, error), error.c_str());
        request.recipe = "brevitas";
        PreparedRun onTest;
        QVERIFY2(prepareRun(request, onTest, error), error.c_str());
        QCOMPARE(onTest.data.train.size(), held.data.train.size() + held.data.validation.size());
        QCOMPARE(onTest.data.validation.labels, held.data.test.labels);
        QCOMPARE(onTest.data.validation.pixels, held.data.test.pixels);
        QCOMPARE(onTest.data.test.labels, held.data.test.labels);
        // The held-out images come last, after the training images they join.
        QCOMPARE(std::vector<uint8_t>(onTest.data.train.pixels.end() - held.data.validation.pixels.size(),
                                      onTest.data.train.pixels.end()),
                 held.data.validation.pixels);
        // The run says so: `qnnw runs`, its --json and the Runs dock read it back.
        std::string warning;
        QVERIFY2(startRun(request, onTest, nlohmann::json::object(), error, warning), error.c_str());
        const RunInfo info = readRunInfo(onTest.store.dir());
        QCOMPARE(QString::fromStdString(info.selectBy), QString("test"));
        QCOMPARE(QString::fromStdString(runInfoJson(info).value("select_by", "")), QString("test"));
    }

    void convolutionsGetNoDropout()
    {
        Project p = load("cnv-w1a1-cifar10.qnnproj");
        std::string error;
        QVERIFY(applyRecipe(*findRecipe("binarynet"), p, nullptr, error));
        // Only the activations that feed a Dense layer: act6 (through the
        // flatten), act7 and act8; the input feeds a convolution.
        QCOMPARE(dropoutRates(p.graph), (std::vector<double>{0.5, 0.5, 0.5}));
        QCOMPARE(QString::fromStdString(after(p.graph, "input")), QString("conv1"));
        QCOMPARE(QString::fromStdString(after(p.graph, "act5")), QString("conv6"));
        QCOMPARE(QString::fromStdString(after(p.graph, "act6")), QString("drop_act6"));
        QVERIFY(!analyzeGraph(p.graph).hasErrors());
    }

    void quickChangesOnlyTheEpochs()
    {
        const Project original = load("lfc-w1a1-mnist.qnnproj");
        Project p = original;
        std::string error;
        QVERIFY(applyRecipe(*findRecipe("quick"), p, nullptr, error));
        QVERIFY(p.graph == original.graph);
        QCOMPARE(p.training.epochs, 3);
        TrainingConfig expected = original.training;
        expected.epochs = 3;
        expected.recipe = "quick@1";
        QVERIFY(p.training == expected);
    }

    void aBranchIsRefusedAndNothingChanges()
    {
        Project p = load("lfc-w1a1-mnist.qnnproj");
        // act1 now also feeds dense3 (a skip the graph check would refuse
        // later): dropout "after act1" has no one place.
        p.graph.connect({p.graph.findByName("act1"), 0, p.graph.findByName("dense3"), 0});
        const Project before = p;
        std::string error;
        QVERIFY(!applyRecipe(*findRecipe("binarynet"), p, nullptr, error));
        QVERIFY2(QString::fromStdString(error).contains("'act1', which feeds more than one layer"), error.c_str());
        QVERIFY(p == before);
        // A recipe without dropout has nothing to put there, so the branch is no reason to refuse it.
        QVERIFY2(applyRecipe(*findRecipe("brevitas-nodropout"), p, nullptr, error), error.c_str());
        QVERIFY(p.graph == before.graph);
        QCOMPARE(QString::fromStdString(p.training.recipe), QString("brevitas-nodropout@1"));
    }

    void aRunRecordsTheRecipe()
    {
        QTemporaryDir tmp;
        RunRequest request;
        request.projectPath = QNN_SOURCE_DIR "/projects/synthetic-digits-w1a1.qnnproj";
        request.outDir = tmp.path().toStdString();
        request.recipe = "quick";
        request.epochs = 2; // an option still overrides the recipe
        PreparedRun run;
        std::string error, warning;
        QVERIFY2(prepareRun(request, run, error), error.c_str());
        QCOMPARE(run.project.training.epochs, 2);
        QVERIFY2(startRun(request, run, nlohmann::json::object(), error, warning), error.c_str());
        nlohmann::json config;
        QVERIFY2(run.store.readConfig(config, error), error.c_str());
        QCOMPARE(QString::fromStdString(config.value("recipe", "")), QString("quick@1"));
        QCOMPARE(QString::fromStdString(config["project"]["training"].value("recipe", "")), QString("quick@1"));
        // The runs list, `qnnw runs --json` and the compare table read it back.
        const RunInfo info = readRunInfo(run.store.dir());
        QCOMPARE(QString::fromStdString(info.recipe), QString("quick@1"));
        QCOMPARE(QString::fromStdString(runInfoJson(info).value("recipe", "")), QString("quick@1"));
        RunInfo plain = info;
        plain.recipe.clear();
        const nlohmann::json compared = compareRuns(info, plain);
        QCOMPARE(QString::fromStdString(compared["runs"][0].value("recipe", "")), QString("quick@1"));
        QCOMPARE(QString::fromStdString(compared["runs"][1].value("recipe", "?")), QString(""));

        request.recipe = "fast";
        PreparedRun refused;
        QVERIFY(!prepareRun(request, refused, error));
        QCOMPARE(QString::fromStdString(error),
                 QString("unknown recipe 'fast'; the recipes are binarynet, brevitas, brevitas-short, brevitas-shift, brevitas-nodropout, quick"));
    }
};

QTEST_GUILESS_MAIN(TestRecipe)
#include "tst_recipe.moc"
