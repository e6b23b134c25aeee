// The node editor: document API, undo/redo of every edit, mouse gestures on a
// real QGraphicsView, palette drops, quick-add, presets, inspector, issues,
// summary bar and the main window's file handling. Runs offscreen.
#include "core/graph/graph_json.h"
#include "core/graph/graph_summary.h"
#include "core/graph/layer_registry.h"
#include "core/project/project.h"
#include "core/project/project_lock.h"
#include "core/run/run_setup.h"
#include "widgets/editor/edge_item.h"
#include "widgets/editor/graph_document.h"
#include "widgets/editor/graph_scene.h"
#include "widgets/editor/graph_view.h"
#include "widgets/editor/issues_list.h"
#include "widgets/editor/layer_palette.h"
#include "widgets/editor/node_item.h"
#include "widgets/editor/property_inspector.h"
#include "widgets/editor/summary_bar.h"
#include "widgets/workbench/main_window.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QPushButton>
#include <QSettings>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <chrono>
#include <functional>
#include <thread>

using qnn::Edge;
using qnn::LayerKind;
using qnn::NodeId;

namespace {

QString examplePath(const char* name) { return QStringLiteral(QNN_SOURCE_DIR "/projects/") + name; }

qnn::Project loadExample(const char* name)
{
    qnn::Project p;
    std::string error;
    if (!qnn::loadProject(examplePath(name).toStdString(), p, error))
        qFatal("cannot load %s: %s", name, error.c_str());
    return p;
}

// An example as it was stored before the examples were arranged: one zigzag
// row, a column every 200 px. The editing tests below were written against
// that layout, and keep it whatever the files hold.
qnn::Project loadRowExample(const char* name)
{
    qnn::Project p = loadExample(name);
    int i = 0;
    for (const NodeId id : p.graph.nodeIds()) {
        p.graph.node(id)->pos = {40.0 + 200 * i, i % 2 ? 160.0 : 80.0};
        ++i;
    }
    return p;
}

std::string bytes(const qnn::Graph& g) { return qnn::graphToJson(g).dump(2); }

void mouse(QWidget* w, QEvent::Type type, QPoint pos, Qt::MouseButton button, Qt::MouseButtons buttons)
{
    QMouseEvent ev(type, QPointF(pos), w->mapToGlobal(QPointF(pos)), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &ev);
}

/** Press at one point, move in steps, release at another: a real drag on the view.
 *  `hintSeen` gets what the scene showed beside the cursor just before the release. */
void drag(GraphView& view, QPointF fromScene, QPointF toScene, GraphScene* scene = nullptr, QString* hintSeen = nullptr)
{
    QWidget* vp = view.viewport();
    const QPoint a = view.mapFromScene(fromScene);
    const QPoint b = view.mapFromScene(toScene);
    mouse(vp, QEvent::MouseButtonPress, a, Qt::LeftButton, Qt::LeftButton);
    for (int i = 1; i <= 4; ++i)
        mouse(vp, QEvent::MouseMove, a + (b - a) * i / 4, Qt::NoButton, Qt::LeftButton);
    if (hintSeen && scene)
        *hintSeen = scene->connectionHint();
    mouse(vp, QEvent::MouseButtonRelease, b, Qt::LeftButton, Qt::NoButton);
}

/** What a drag from the palette delivers: enter, move, drop. True when the canvas accepted the drag. */
bool dropOn(GraphView& view, QPoint at, const QMimeData* mime)
{
    QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view.viewport(), &enter);
    QDragMoveEvent move(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view.viewport(), &move);
    QDropEvent drop(QPointF(at), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view.viewport(), &drop);
    return enter.isAccepted() && drop.isAccepted();
}

QPointF portPos(GraphScene& scene, NodeId id, bool input, int index)
{
    NodeItem* item = scene.nodeItem(id);
    Q_ASSERT(item && item->port(input, index));
    return item->port(input, index)->scenePos();
}

/** Adds every node of `ref` through the document API (same ids, names, attributes, bits). */
void addNodesLike(GraphDocument& doc, const qnn::Graph& ref)
{
    for (const auto& [id, n] : ref.nodes()) {
        const NodeId got = doc.addNode(n.kind, n.pos, n.name);
        QCOMPARE(got, id);
        for (const auto& [name, value] : n.attrs)
            QVERIFY(doc.setAttribute({got}, name, value));
        QVERIFY(doc.setBits({got}, n.quant.weightBits, n.quant.actBits));
    }
}

// A small graph for refused connections: input → a → b → sum:0 → head → out,
// with sum:1 free, a spare Dense "c" and a spare Output "out2".
const char* kSmallGraph = R"({
  "nodes": [
    {"id": 1, "kind": "Input", "name": "input", "attrs": {"shape": [784]}, "pos": {"x": 0, "y": 0}, "act_bits": 32},
    {"id": 2, "kind": "Dense", "name": "a", "attrs": {"units": 64, "bias": true}, "pos": {"x": 200, "y": 0}, "weight_bits": 32},
    {"id": 3, "kind": "Activation", "name": "b", "attrs": {"function": "relu"}, "pos": {"x": 400, "y": 0}, "act_bits": 32},
    {"id": 4, "kind": "Add", "name": "sum", "attrs": {}, "pos": {"x": 600, "y": 0}},
    {"id": 5, "kind": "Dense", "name": "head", "attrs": {"units": 10, "bias": true}, "pos": {"x": 800, "y": 0}, "weight_bits": 32},
    {"id": 6, "kind": "Output", "name": "out", "attrs": {"classes": 10}, "pos": {"x": 1000, "y": 0}},
    {"id": 7, "kind": "Dense", "name": "c", "attrs": {"units": 32, "bias": true}, "pos": {"x": 200, "y": 200}, "weight_bits": 32},
    {"id": 8, "kind": "Output", "name": "out2", "attrs": {"classes": 10}, "pos": {"x": 600, "y": 200}}
  ],
  "edges": [
    {"from": 1, "from_port": 0, "to": 2, "to_port": 0},
    {"from": 2, "from_port": 0, "to": 3, "to_port": 0},
    {"from": 3, "from_port": 0, "to": 4, "to_port": 0},
    {"from": 4, "from_port": 0, "to": 5, "to_port": 0},
    {"from": 5, "from_port": 0, "to": 6, "to_port": 0}
  ]
})";

qnn::Project smallProject()
{
    qnn::Project p;
    p.name = "small";
    std::string error;
    if (!qnn::graphFromJson(nlohmann::json::parse(kSmallGraph), p.graph, error))
        qFatal("%s", error.c_str());
    return p;
}

/** One edit: how to prepare the project, what the user does, what the graph must become. */
struct EditCase {
    std::function<void(qnn::Project&)> setup;
    std::function<void(GraphDocument&)> act;
    std::function<void(qnn::Graph&)> expect;
};

std::map<QString, EditCase>& editCases()
{
    static std::map<QString, EditCase> cases;
    if (!cases.empty())
        return cases;
    auto none = [](qnn::Project&) {};
    cases["add node"] = {none, [](GraphDocument& d) { d.addNode(LayerKind::Dense, {100, 500}); },
                         [](qnn::Graph& g) {
                             qnn::Node n = qnn::LayerRegistry::makeNode(LayerKind::Dense, 14, "dense5");
                             n.pos = {100, 500};
                             g.insertNode(n);
                         }};
    cases["delete node"] = {none, [](GraphDocument& d) { d.removeItems({5}); }, [](qnn::Graph& g) { g.removeNode(5); }};
    cases["delete edge"] = {none, [](GraphDocument& d) { d.removeItems({}, {Edge{4, 0, 5, 0}}); },
                            [](qnn::Graph& g) { g.disconnect({4, 0, 5, 0}); }};
    cases["disconnect"] = {none, [](GraphDocument& d) { QVERIFY(d.disconnectEdge({12, 0, 13, 0})); },
                           [](qnn::Graph& g) { g.disconnect({12, 0, 13, 0}); }};
    cases["connect"] = {[](qnn::Project& p) { p.graph.disconnect({4, 0, 5, 0}); },
                        [](GraphDocument& d) { QVERIFY(d.connectPorts({4, 0, 5, 0})); },
                        [](qnn::Graph& g) { g.connect({4, 0, 5, 0}); }};
    cases["set attribute"] = {none, [](GraphDocument& d) { QVERIFY(d.setAttribute({2, 5}, "units", int64_t(512))); },
                              [](qnn::Graph& g) {
                                  g.node(2)->attrs["units"] = int64_t(512);
                                  g.node(5)->attrs["units"] = int64_t(512);
                              }};
    cases["set bits"] = {none, [](GraphDocument& d) { QVERIFY(d.setBits({2, 3, 4}, 4, 2)); },
                         [](qnn::Graph& g) {
                             g.node(2)->quant.weightBits = 4; // BatchNorm (3) has neither
                             g.node(4)->quant.actBits = 2;
                             g.node(4)->attrs["function"] = std::string("hardtanh"); // sign is 1 bit only
                         }};
    cases["rename"] = {none, [](GraphDocument& d) { QVERIFY(d.renameNode(2, "fc1")); },
                       [](qnn::Graph& g) { g.node(2)->name = "fc1"; }};
    cases["move"] = {none, [](GraphDocument& d) { d.moveNodes({{1, {10, 20}}, {2, {300, 400}}}); },
                     [](qnn::Graph& g) {
                         g.node(1)->pos = {10, 20};
                         g.node(2)->pos = {300, 400};
                     }};
    cases["preset W1A2"] = {none, [](GraphDocument& d) { d.applyPreset(precisionPresets()[4]); },
                            [](qnn::Graph& g) { g = loadRowExample("lfc-w1a2-mnist.qnnproj").graph; }};
    cases["auto-arrange"] = {none, [](GraphDocument& d) { d.autoArrange(); },
                             [](qnn::Graph& g) {
                                 for (auto& [id, n] : g.nodes())
                                     g.node(id)->pos = {40.0 + 200.0 * (id - 1), 80.0};
                             }};
    cases["paste"] = {none, [](GraphDocument& d) { QCOMPARE(d.pasteNodes(d.copyNodes({2, 3}), {40, 40}).size(), size_t(2)); },
                      [](qnn::Graph& g) {
                          qnn::Node a = *g.node(2), b = *g.node(3);
                          a.id = 14, a.name = "dense5", a.pos = {a.pos.x + 40, a.pos.y + 40};
                          b.id = 15, b.name = "bn5", b.pos = {b.pos.x + 40, b.pos.y + 40};
                          g.insertNode(a);
                          g.insertNode(b);
                          g.connect({14, 0, 15, 0});
                      }};
    cases["duplicate"] = {none, [](GraphDocument& d) { QCOMPARE(d.duplicateNodes({13}), std::vector<NodeId>{14}); },
                          [](qnn::Graph& g) {
                              qnn::Node o = *g.node(13);
                              o.id = 14, o.name = "output1", o.pos = {o.pos.x, o.pos.y + 76 + 40}; // just below
                              g.insertNode(o);
                          }};
    cases["insert on edge"] = {none,
                               [](GraphDocument& d) { QCOMPARE(d.insertOnEdge(LayerKind::Dropout, {4, 0, 5, 0}, {700, 300}), 14); },
                               [](qnn::Graph& g) {
                                   // It takes the column after act1 (640, 160); dense2 and all after it move right.
                                   qnn::Node n = qnn::LayerRegistry::makeNode(LayerKind::Dropout, 14, "dropout1");
                                   n.pos = {840, 160};
                                   for (NodeId id = 5; id <= 13; ++id)
                                       g.node(id)->pos.x += 200;
                                   g.insertNode(n);
                                   g.disconnect({4, 0, 5, 0});
                                   g.connect({4, 0, 14, 0});
                                   g.connect({14, 0, 5, 0});
                               }};
    return cases;
}

} // namespace

class TestEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("qnn-workbench-test");
        QCoreApplication::setApplicationName("tst_editor");
    }

    void buildLfcThroughDocument()
    {
        const qnn::Project ref = loadRowExample("lfc-w1a1-mnist.qnnproj");
        GraphDocument doc;
        addNodesLike(doc, ref.graph);
        for (const Edge& e : ref.graph.edges()) {
            QString error;
            QVERIFY2(doc.connectPorts(e, &error), qPrintable(error));
        }
        QCOMPARE(doc.graphJson(), bytes(ref.graph));
        QVERIFY(!doc.analysis().hasErrors());
        // Every step undoes back to the empty canvas.
        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        QCOMPARE(doc.graphJson(), bytes(qnn::Graph()));
    }

    void newNodesAreSavedWithEveryAttribute()
    {
        // Whatever way the editor makes a node, the saved file names each of
        // its attributes, so that no default is left for a reader to guess
        // (only those added later and still at their default are left out,
        // by design: they keep older files byte-stable).
        GraphDocument doc;
        for (const qnn::LayerSpec& spec : qnn::LayerRegistry::all())
            doc.addNode(spec.kind, {0, 0});
        const NodeId first = doc.addNode(LayerKind::Input, {0, 0});
        for (const qnn::LayerSpec& spec : qnn::LayerRegistry::all())
            if (spec.kind != LayerKind::Input && spec.kind != LayerKind::Output)
                doc.addNodeAfter(spec.kind, {0, 0}, first);
        QTemporaryDir dir;
        QString error;
        QVERIFY2(doc.save(dir.filePath("every.qnnproj"), &error), qPrintable(error));
        QFile f(dir.filePath("every.qnnproj"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto file = nlohmann::json::parse(f.readAll().toStdString());
        int nodes = 0;
        for (const auto& n : file["graph"]["nodes"]) {
            ++nodes;
            const qnn::LayerSpec& spec = qnn::LayerRegistry::spec(*qnn::layerKindFromName(n["kind"].get<std::string>()));
            for (const qnn::AttrSpec& a : spec.attrs)
                if (a.writtenWhenDefault)
                    QVERIFY2(n["attrs"].contains(a.name), qPrintable(QString::fromStdString(spec.name + "." + a.name)));
            if (spec.hasWeights)
                QVERIFY2(n.contains("weight_bits"), spec.name.c_str());
            if (spec.hasActivationBits)
                QVERIFY2(n.contains("act_bits"), spec.name.c_str());
        }
        QCOMPARE(nodes, int(2 * qnn::LayerRegistry::all().size()) - 1);
        qnn::Project read;
        std::string why;
        QVERIFY2(qnn::loadProject(dir.filePath("every.qnnproj").toStdString(), read, why), why.c_str());
        QVERIFY(read.fileNotes.empty());
    }

    void buildLfcWithMouse()
    {
        const qnn::Project ref = loadRowExample("lfc-w1a1-mnist.qnnproj");
        GraphDocument doc;
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.resize(1200, 700);
        view.show();
        addNodesLike(doc, ref.graph);
        QCOMPARE(scene.nodeItemCount(), ref.graph.size());
        for (const Edge& e : ref.graph.edges()) {
            const QPointF from = portPos(scene, e.fromNode, false, e.fromPort);
            const QPointF to = portPos(scene, e.toNode, true, e.toPort);
            view.centerOn((from + to) / 2);
            QString hint;
            drag(view, from, to, &scene, &hint);
            QVERIFY2(hint.startsWith(QStringLiteral("✓")), qPrintable(hint));
            QVERIFY2(scene.lastRefusal().isEmpty(), qPrintable(scene.lastRefusal()));
            QVERIFY(scene.edgeItem(e));
        }
        QCOMPARE(scene.edgeItemCount(), ref.graph.edges().size());
        // Save and compare with the example's graph.
        QTemporaryDir dir;
        QString error;
        QVERIFY2(doc.save(dir.filePath("built.qnnproj"), &error), qPrintable(error));
        qnn::Project saved;
        std::string err;
        QVERIFY(qnn::loadProject(dir.filePath("built.qnnproj").toStdString(), saved, err));
        QCOMPARE(bytes(saved.graph), bytes(ref.graph));
        // An edge carries its tensor type as a label.
        QCOMPARE(scene.edgeItem({1, 0, 2, 0})->labelText(), QStringLiteral("784 · bipolar"));
        QCOMPARE(scene.edgeItem({2, 0, 3, 0})->labelText(), QStringLiteral("1024 · float"));
        QCOMPARE(scene.edgeItem({1, 0, 2, 0})->toolTip(), QStringLiteral("input → dense1: 784 · bipolar"));
    }

    void editActions_data()
    {
        QTest::addColumn<QString>("name");
        for (const auto& [name, c] : editCases())
            QTest::newRow(qPrintable(name)) << name;
    }

    void editActions()
    {
        QFETCH(QString, name);
        const EditCase& c = editCases().at(name);
        qnn::Project p = loadRowExample("lfc-w1a1-mnist.qnnproj");
        c.setup(p);
        GraphDocument doc;
        GraphScene scene(&doc); // observes every step; must never disagree with the model
        doc.setProject(p);
        const std::string before = doc.graphJson();
        qnn::Graph expected = p.graph;
        c.expect(expected);
        const std::string after = bytes(expected);
        QVERIFY(before != after);

        c.act(doc);
        QCOMPARE(doc.graphJson(), after);
        QCOMPARE(doc.undoStack()->count(), 1);
        QVERIFY(doc.isModified());
        QCOMPARE(scene.nodeItemCount(), doc.graph().size());
        QCOMPARE(scene.edgeItemCount(), doc.graph().edges().size());
        doc.undoStack()->undo();
        QCOMPARE(doc.graphJson(), before);
        QVERIFY(!doc.isModified());
        QCOMPARE(scene.edgeItemCount(), doc.graph().edges().size());
        doc.undoStack()->redo();
        QCOMPARE(doc.graphJson(), after);
        QCOMPARE(scene.nodeItemCount(), doc.graph().size());
        for (const auto& [id, n] : doc.graph().nodes())
            QCOMPARE(scene.nodeItem(id)->pos(), QPointF(n.pos.x, n.pos.y));
    }

    void undoDuringConnectionDragCancelsIt()
    {
        GraphDocument doc;
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.show();
        const NodeId in = doc.addNode(LayerKind::Input, {0, 0});
        const NodeId dense = doc.addNode(LayerKind::Dense, {300, 0});
        const QPointF from = portPos(scene, in, false, 0);
        mouse(view.viewport(), QEvent::MouseButtonPress, view.mapFromScene(from), Qt::LeftButton, Qt::LeftButton);
        QVERIFY(scene.isConnecting());
        doc.undoStack()->undo(); // removes the Dense whose port the drag may be hovering
        QVERIFY(!scene.isConnecting());
        mouse(view.viewport(), QEvent::MouseButtonRelease, view.mapFromScene(from + QPointF(300, 0)), Qt::LeftButton,
              Qt::NoButton);
        QVERIFY(!doc.graph().contains(dense));
        QCOMPARE(doc.graph().edges().size(), size_t(0));
    }

    void refusedConnections_data()
    {
        QTest::addColumn<int>("from");
        QTest::addColumn<int>("to");
        QTest::addColumn<int>("toPort");
        QTest::addColumn<QString>("reason");
        QTest::newRow("cycle") << 5 << 4 << 1 << "this connection would make a cycle";
        QTest::newRow("occupied input") << 7 << 2 << 0 << "that input of 'a' is already connected to 'input'";
        QTest::newRow("feeds itself") << 4 << 4 << 1 << "a layer cannot feed itself";
        QTest::newRow("shape") << 1 << 8 << 0 << "Output expects 10 values (one per class) but gets 784";
    }

    void refusedConnections()
    {
        QFETCH(int, from);
        QFETCH(int, to);
        QFETCH(int, toPort);
        QFETCH(QString, reason);
        GraphDocument doc;
        doc.setProject(smallProject());
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.resize(1400, 600);
        view.show();
        const std::string before = doc.graphJson();
        QCOMPARE(QString::fromStdString(qnn::connectionProblem(doc.graph(), {from, 0, to, toPort})), reason);

        QString hint;
        const QPointF a = portPos(scene, from, false, 0), b = portPos(scene, to, true, toPort);
        view.centerOn((a + b) / 2);
        drag(view, a, b, &scene, &hint);
        QCOMPARE(hint, QStringLiteral("✗ ") + reason); // beside the cursor while dragging
        const QString fromName = QString::fromStdString(doc.graph().node(from)->name);
        const QString toName = QString::fromStdString(doc.graph().node(to)->name);
        QCOMPARE(scene.lastRefusal(), QStringLiteral("Cannot connect %1 → %2: %3").arg(fromName, toName, reason));
        QCOMPARE(doc.graphJson(), before);
        QCOMPARE(doc.undoStack()->count(), 0);

        QString error;
        QVERIFY(!doc.connectPorts({from, 0, to, toPort}, &error));
        QCOMPARE(error, reason);
    }

    void dragEdgeEndAwayDisconnects()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.resize(1200, 700);
        view.show();
        const std::string before = doc.graphJson();
        const QPointF in = portPos(scene, 3, true, 0);
        view.centerOn(in);
        drag(view, in, in + QPointF(0, 200));
        qnn::Graph expected = loadRowExample("lfc-w1a1-mnist.qnnproj").graph;
        expected.disconnect({2, 0, 3, 0});
        QCOMPARE(doc.graphJson(), bytes(expected));
        QVERIFY(!scene.edgeItem({2, 0, 3, 0}));
        QCOMPARE(doc.undoStack()->count(), 1);
        doc.undoStack()->undo();
        QCOMPARE(doc.graphJson(), before);
        QVERIFY(scene.edgeItem({2, 0, 3, 0}));

        // Escape while an edge is picked up puts it back.
        mouse(view.viewport(), QEvent::MouseButtonPress, view.mapFromScene(in), Qt::LeftButton, Qt::LeftButton);
        QVERIFY(scene.isConnecting());
        QTest::keyClick(&view, Qt::Key_Escape);
        QVERIFY(!scene.isConnecting());
        mouse(view.viewport(), QEvent::MouseButtonRelease, view.mapFromScene(in + QPointF(0, 200)), Qt::LeftButton,
              Qt::NoButton);
        QCOMPARE(doc.graphJson(), before);

        // Picking the edge up and dropping it back on the same port changes nothing.
        drag(view, in, in);
        QCOMPARE(doc.graphJson(), before);
    }

    void reconnectMovesEdgeInOneStep()
    {
        GraphDocument doc;
        doc.setProject(smallProject());
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.resize(1400, 600);
        view.show();
        // Move b → sum:0 over to sum:1.
        const QPointF a = portPos(scene, 4, true, 0), b = portPos(scene, 4, true, 1);
        view.centerOn(a);
        drag(view, a, b);
        QVERIFY(!doc.graph().edges().count({3, 0, 4, 0}));
        QVERIFY(doc.graph().edges().count({3, 0, 4, 1}));
        QCOMPARE(doc.undoStack()->count(), 1);
        doc.undoStack()->undo();
        QVERIFY(doc.graph().edges().count({3, 0, 4, 0}));
        QVERIFY(!doc.graph().edges().count({3, 0, 4, 1}));
    }

    void dragOfManyNodesIsOneStep()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.resize(1200, 700);
        view.show();
        scene.selectNodes({1, 2, 3});
        NodeItem* item = scene.nodeItem(2);
        const QPointF grip = item->scenePos() + QPointF(NodeItem::kWidth / 2, 40);
        view.centerOn(grip);
        drag(view, grip, grip + QPointF(60, 40));
        QCOMPARE(doc.undoStack()->count(), 1);
        qnn::Graph expected = loadRowExample("lfc-w1a1-mnist.qnnproj").graph;
        for (NodeId id : {1, 2, 3})
            expected.node(id)->pos = {expected.node(id)->pos.x + 60, expected.node(id)->pos.y + 40};
        QCOMPARE(doc.graphJson(), bytes(expected));
        doc.undoStack()->undo();
        QCOMPARE(doc.graphJson(), bytes(loadRowExample("lfc-w1a1-mnist.qnnproj").graph));
        QCOMPARE(scene.nodeItem(2)->pos(), QPointF(240, 160));
    }

    void arrowNudgesMergeIntoOneStep()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.show();
        scene.selectNodes({2, 3});
        QTest::keyClick(&view, Qt::Key_Right);
        QTest::keyClick(&view, Qt::Key_Right);
        QTest::keyClick(&view, Qt::Key_Down, Qt::ShiftModifier);
        QCOMPARE(doc.undoStack()->count(), 1);
        QCOMPARE(doc.graph().node(2)->pos.x, 260.0);
        QCOMPARE(doc.graph().node(2)->pos.y, 210.0);
        QCOMPARE(doc.graph().node(3)->pos.x, 460.0);
        QCOMPARE(scene.nodeItem(3)->pos(), QPointF(460, 130));
        doc.undoStack()->undo();
        QCOMPARE(doc.graphJson(), bytes(loadRowExample("lfc-w1a1-mnist.qnnproj").graph));
        // A different set of nodes starts a new step.
        scene.selectNodes({2});
        QTest::keyClick(&view, Qt::Key_Left);
        scene.selectNodes({3});
        QTest::keyClick(&view, Qt::Key_Left);
        QCOMPARE(doc.undoStack()->count(), 2);
    }

    void paletteDrop()
    {
        GraphDocument doc;
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.resize(800, 600);
        view.show();
        LayerPalette palette;
        QTreeWidgetItem* dense = nullptr;
        for (QTreeWidgetItem* item : palette.tree()->findItems("Dense", Qt::MatchExactly | Qt::MatchRecursive))
            dense = item;
        QVERIFY(dense);
        auto* tree = static_cast<PaletteTree*>(palette.tree());
        std::unique_ptr<QMimeData> mime(tree->mimeData({dense}));
        QVERIFY(mime);
        const QPoint at(400, 300);
        QVERIFY(dropOn(view, at, mime.get()));
        QCOMPARE(doc.graph().size(), size_t(1));
        const qnn::Node& n = doc.graph().nodes().begin()->second;
        QCOMPARE(n.kind, LayerKind::Dense);
        QCOMPARE(n.name, std::string("dense1"));
        const QPointF scenePos = view.mapToScene(at);
        QCOMPARE(n.pos.x, std::round(scenePos.x() - NodeItem::kWidth / 2));
        QCOMPARE(n.pos.y, std::round(scenePos.y() - NodeItem::kHeight / 2));
        QCOMPARE(scene.selectedNodeIds(), std::vector<NodeId>{n.id});
        doc.undoStack()->undo();
        QVERIFY(doc.graph().empty());
        QCOMPARE(scene.nodeItemCount(), size_t(0));
    }

    void viewZoomPanFit()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.resize(800, 600);
        view.show();
        QCOMPARE(view.zoom(), 1.0);
        const QPoint centre = view.viewport()->rect().center();
        QWheelEvent wheel(centre, view.viewport()->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view.viewport(), &wheel);
        QCOMPARE(view.zoom(), 1.15);
        for (int i = 0; i < 20; ++i)
            view.setZoom(2.0);
        QCOMPARE(view.zoom(), 3.0); // clamped

        view.fitToContents();
        const QRectF visible = view.mapToScene(view.viewport()->rect()).boundingRect();
        for (const auto& [id, n] : doc.graph().nodes())
            QVERIFY2(visible.contains(scene.nodeItem(id)->sceneBoundingRect()), n.name.c_str());
        QVERIFY(view.zoom() < 0.5); // LFC is 2.5 k px wide

        // Middle-button drag pans without touching the model.
        view.resetTransform();
        const QPointF before = view.mapToScene(centre);
        mouse(view.viewport(), QEvent::MouseButtonPress, centre, Qt::MiddleButton, Qt::MiddleButton);
        mouse(view.viewport(), QEvent::MouseMove, centre + QPoint(-100, -50), Qt::NoButton, Qt::MiddleButton);
        mouse(view.viewport(), QEvent::MouseButtonRelease, centre + QPoint(-100, -50), Qt::MiddleButton, Qt::NoButton);
        QCOMPARE(view.mapToScene(centre) - before, QPointF(100, 50));
        QCOMPARE(doc.undoStack()->count(), 0);
    }

    void badgeOfUnconnectedWeightLayer()
    {
        GraphDocument doc;
        GraphScene scene(&doc);
        const NodeId id = doc.addNode(LayerKind::Dense, {0, 0});
        QVERIFY(doc.setBits({id}, 2, std::nullopt));
        QCOMPARE(scene.nodeItem(id)->badgeText(), QStringLiteral("W2A?"));
        QCOMPARE(scene.nodeItem(id)->shapeText(), QStringLiteral("→ ?"));
    }

    void contextMenus()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        GraphScene scene(&doc);
        GraphView view(&scene);
        auto find = [](QMenu* menu, const QString& path) -> QAction* {
            QAction* found = nullptr;
            for (const QString& part : path.split('/')) {
                found = nullptr;
                for (QAction* a : menu->actions())
                    if (a->text() == part)
                        found = a;
                if (!found)
                    return nullptr;
                if (found->menu())
                    menu = found->menu();
            }
            return found;
        };
        // On an edge: insert a layer there.
        std::unique_ptr<QMenu> onEdge(view.createContextMenu(scene.edgeItem({4, 0, 5, 0})->midPoint()));
        QVERIFY(!find(onEdge.get(), "Insert/Output")); // Output cannot sit in the middle
        find(onEdge.get(), "Insert/QuantAct")->trigger();
        QVERIFY(doc.graph().edges().count({4, 0, 14, 0}) && doc.graph().edges().count({14, 0, 5, 0}));
        QCOMPARE(doc.graph().node(14)->kind, LayerKind::QuantAct);
        // On a layer: precision of that layer only.
        std::unique_ptr<QMenu> onNode(view.createContextMenu(scene.nodeItem(5)->sceneBoundingRect().center()));
        QCOMPARE(scene.selectedNodeIds(), std::vector<NodeId>{5});
        find(onNode.get(), "Precision/W4A4")->trigger();
        QCOMPARE(doc.graph().node(5)->quant.weightBits, 4);
        QCOMPARE(doc.graph().node(2)->quant.weightBits, 1);
        // On empty canvas: add any kind there.
        std::unique_ptr<QMenu> onCanvas(view.createContextMenu(QPointF(100, 600)));
        find(onCanvas.get(), "Add layer/Pooling/MaxPool")->trigger();
        QCOMPARE(doc.graph().node(15)->kind, LayerKind::MaxPool);
        QCOMPARE(doc.graph().node(15)->pos.x, 100 - NodeItem::kWidth / 2);
        QCOMPARE(doc.undoStack()->count(), 3);
    }

    void paletteGroupsAndFilter()
    {
        LayerPalette palette;
        QStringList groups;
        for (int i = 0; i < palette.tree()->topLevelItemCount(); ++i)
            groups << palette.tree()->topLevelItem(i)->text(0);
        QCOMPARE(groups, QStringList({"Inputs", "Layers", "Quantization", "Pooling", "Merge", "Outputs"}));
        QCOMPARE(palette.visibleKinds().size(), int(qnn::LayerRegistry::all().size()));
        palette.setFilterText("pool");
        QCOMPARE(palette.visibleKinds(), QStringList({"MaxPool", "AvgPool"}));
        palette.setFilterText("quant");
        QCOMPARE(palette.visibleKinds(), QStringList({"Activation", "QuantAct"})); // the group name matches
    }

    void dropOnEdgeInserts()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.resize(1200, 700);
        view.show();
        const QPointF mid = scene.edgeItem({4, 0, 5, 0})->midPoint();
        view.centerOn(mid);
        std::unique_ptr<QMimeData> mime(LayerPalette::mimeDataFor(LayerKind::Dropout));
        const QPoint at = view.mapFromScene(mid);
        QDragEnterEvent enter(at, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view.viewport(), &enter);
        QDragMoveEvent move(at, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view.viewport(), &move);
        QVERIFY(scene.edgeAt(mid));
        QCOMPARE(scene.edgeAt(mid)->edge(), (Edge{4, 0, 5, 0}));
        QVERIFY(dropOn(view, at, mime.get()));
        const qnn::Node* n = doc.graph().node(14);
        QVERIFY(n);
        QCOMPARE(n->kind, LayerKind::Dropout);
        QVERIFY(doc.graph().edges().count({4, 0, 14, 0}));
        QVERIFY(doc.graph().edges().count({14, 0, 5, 0}));
        QVERIFY(!doc.graph().edges().count({4, 0, 5, 0}));
        QCOMPARE(doc.undoStack()->count(), 1);
        QVERIFY(!doc.analysis().hasErrors());
        doc.undoStack()->undo();
        QCOMPARE(doc.graphJson(), bytes(loadRowExample("lfc-w1a1-mnist.qnnproj").graph));

        // Something that cannot sit on an edge is refused with a reason.
        QString error;
        QCOMPARE(doc.insertOnEdge(LayerKind::Output, {4, 0, 5, 0}, {0, 0}, &error), qnn::kInvalidNode);
        QCOMPARE(error, QStringLiteral("a Output layer cannot sit in the middle of a connection"));
    }

    void quickAdd()
    {
        GraphDocument doc;
        GraphScene scene(&doc);
        GraphView view(&scene);
        view.resize(800, 600);
        view.show();
        QApplication::setActiveWindow(&view);
        QVERIFY(QTest::qWaitForWindowActive(&view));
        view.setFocus();
        QTest::keyClick(&view, Qt::Key_Tab);
        QuickAddPopup* popup = view.quickAddPopup();
        QVERIFY(popup->isVisible());
        QTest::keyClicks(popup->lineEdit(), "inp");
        QCOMPARE(popup->visibleKinds(), QStringList({"Input"}));
        QTest::keyClick(popup->lineEdit(), Qt::Key_Return);
        QVERIFY(!popup->isVisible());
        QCOMPARE(doc.graph().size(), size_t(1));
        QCOMPARE(doc.graph().node(1)->kind, LayerKind::Input);

        // Typing on the canvas with a layer selected adds the next one, connected after it.
        view.setFocus();
        QTest::keyClick(&view, Qt::Key_D);
        QVERIFY(popup->isVisible());
        QCOMPARE(popup->lineEdit()->text(), QStringLiteral("d"));
        QCOMPARE(popup->visibleKinds().first(), QStringLiteral("Dense"));
        QTest::keyClick(popup->lineEdit(), Qt::Key_Return);
        QCOMPARE(doc.graph().size(), size_t(2));
        QCOMPARE(doc.graph().node(2)->kind, LayerKind::Dense);
        QVERIFY(doc.graph().edges().count({1, 0, 2, 0}));
        QCOMPARE(doc.graph().node(2)->pos.x, doc.graph().node(1)->pos.x + 200);
        QCOMPARE(scene.selectedNodeIds(), std::vector<NodeId>{2});
        QCOMPARE(doc.undoStack()->count(), 2);

        // A layer that cannot follow the selected one is added unconnected, and the view says why.
        QSignalSpy messages(&view, &GraphView::message);
        view.setFocus();
        QTest::keyClick(&view, Qt::Key_Tab);
        QTest::keyClicks(popup->lineEdit(), "output");
        QTest::keyClick(popup->lineEdit(), Qt::Key_Return);
        QCOMPARE(doc.graph().size(), size_t(3));
        QCOMPARE(doc.graph().edges().size(), size_t(1));
        QCOMPARE(messages.count(), 1);
        QCOMPARE(messages.first().first().toString(),
                 QStringLiteral("output1 was added but not connected to dense1: "
                                "Output expects 10 values (one per class) but gets 64"));

        // A second layer after the input goes below the first one, not on top of it.
        scene.selectNodes({1});
        view.setFocus();
        QTest::keyClick(&view, Qt::Key_Tab);
        QTest::keyClicks(popup->lineEdit(), "Dense");
        QTest::keyClick(popup->lineEdit(), Qt::Key_Return);
        QCOMPARE(doc.graph().node(4)->pos.x, doc.graph().node(2)->pos.x);
        QCOMPARE(doc.graph().node(4)->pos.y, doc.graph().node(2)->pos.y + NodeItem::kHeight + 30);
        QVERIFY(doc.graph().edges().count({1, 0, 4, 0}));

        // Escape closes without adding.
        view.setFocus();
        QTest::keyClick(&view, Qt::Key_Tab);
        QTest::keyClick(popup->lineEdit(), Qt::Key_Escape);
        QVERIFY(!popup->isVisible());
        QCOMPARE(doc.graph().size(), size_t(4));
    }

    void copyPasteBetweenWindows()
    {
        MainWindow a, b;
        QTemporaryDir dir;
        std::string error;
        QVERIFY(qnn::saveProject(dir.filePath("lfc.qnnproj").toStdString(), loadRowExample("lfc-w1a1-mnist.qnnproj"), error));
        QVERIFY(a.openFile(dir.filePath("lfc.qnnproj"), nullptr, true));
        a.scene()->selectNodes({2, 3, 4});
        a.copySelection();
        b.paste();
        QCOMPARE(b.document()->graph().size(), size_t(3));
        // Fresh ids in the target, the same attributes and bits, the inner edges kept.
        const qnn::Graph& ga = a.document()->graph();
        const qnn::Graph& gb = b.document()->graph();
        for (NodeId i = 0; i < 3; ++i) {
            const qnn::Node* src = ga.node(2 + i);
            const qnn::Node* dst = gb.node(1 + i);
            QVERIFY(dst);
            QCOMPARE(dst->kind, src->kind);
            QCOMPARE(dst->name, src->name);
            QVERIFY(dst->attrs == src->attrs);
            QVERIFY(dst->quant == src->quant);
        }
        QCOMPARE(gb.edges().size(), size_t(2));
        QVERIFY(gb.edges().count({1, 0, 2, 0}) && gb.edges().count({2, 0, 3, 0}));
        QCOMPARE(b.scene()->selectedNodeIds(), (std::vector<NodeId>{1, 2, 3}));

        // Pasting into the source window gives fresh ids and names there too.
        a.paste();
        QCOMPARE(ga.size(), size_t(16));
        QCOMPARE(ga.node(14)->name, std::string("dense5"));
        QCOMPARE(ga.node(15)->name, std::string("bn5"));
        QCOMPARE(ga.node(16)->name, std::string("act4"));
        QVERIFY(ga.node(14)->attrs == ga.node(2)->attrs);
        // Below the copied block (y 80 … 160, nodes 76 high) with a 40 px gap, so nothing is hidden.
        QCOMPARE(ga.node(14)->pos.x, ga.node(2)->pos.x);
        QCOMPARE(ga.node(14)->pos.y, ga.node(2)->pos.y + (160 - 80 + 76 + 40));
        a.document()->undoStack()->undo();
        QCOMPARE(ga.size(), size_t(13));
    }

    void presetsChangeEveryBadge()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        GraphScene scene(&doc);
        QStringList previous;
        for (const PrecisionPreset& preset : precisionPresets()) {
            doc.applyPreset(preset);
            QStringList badges;
            for (const auto& [id, n] : doc.graph().nodes()) {
                const QString badge = scene.nodeItem(id)->badgeText();
                badges << badge;
                const qnn::LayerSpec& spec = qnn::LayerRegistry::spec(n.kind);
                const QString act = preset.actBits == 32 ? QStringLiteral("FP32") : QStringLiteral("A%1").arg(preset.actBits);
                if (n.kind == LayerKind::Dense && id != 2)
                    QCOMPARE(badge, QString::fromLatin1(preset.label));
                else if (n.kind == LayerKind::Activation)
                    QCOMPARE(badge, act);
                else if (!spec.hasWeights && !spec.hasActivationBits)
                    QCOMPARE(badge, QString());
            }
            QVERIFY(badges != previous);
            previous = badges;
        }
        // W1A1 after the others: the first layer reads the binarized input again.
        QCOMPARE(scene.nodeItem(2)->badgeText(), QStringLiteral("W1A1"));
        QCOMPARE(scene.nodeItem(1)->badgeText(), QStringLiteral("A1"));
    }

    void presetsReproduceExamples()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        doc.applyPreset(precisionPresets()[0]);
        QCOMPARE(doc.graphJson(), bytes(loadRowExample("lfc-fp32-mnist.qnnproj").graph));
        doc.applyPreset(precisionPresets()[5]);
        QCOMPARE(doc.graphJson(), bytes(loadRowExample("lfc-w1a1-mnist.qnnproj").graph));
        QCOMPARE(doc.undoStack()->count(), 2);
    }

    void inspectorEditsSelection()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        PropertyInspector inspector(&doc);
        inspector.setNodes({2});
        QCOMPARE(inspector.title(), QStringLiteral("dense1 · Dense"));
        auto* units = qobject_cast<QSpinBox*>(inspector.editor("units"));
        QVERIFY(units);
        QCOMPARE(units->minimum(), 1);
        QCOMPARE(units->maximum(), 65536);
        QCOMPARE(units->value(), 1024);
        QVERIFY(qobject_cast<QCheckBox*>(inspector.editor("bias")));
        QVERIFY(!inspector.editor("act_bits"));
        units->setValue(512);
        QCOMPARE(doc.graph().node(2)->attrInt("units"), 512);
        doc.undoStack()->undo();
        QCOMPARE(doc.graph().node(2)->attrInt("units"), 1024);
        QCOMPARE(units->value(), 1024); // the editor follows the model

        auto* wbits = qobject_cast<QComboBox*>(inspector.editor("weight_bits"));
        QCOMPARE(wbits->currentData().toInt(), 1);
        QStringList widths;
        for (int i = 0; i < wbits->count(); ++i)
            widths << wbits->itemData(i).toString();
        QCOMPARE(widths, QStringList({"1", "2", "3", "4", "5", "6", "7", "8", "32"}));
        wbits->setCurrentIndex(wbits->findData(8));
        QCOMPARE(doc.graph().node(2)->quant.weightBits, 8);

        auto* name = qobject_cast<QLineEdit*>(inspector.editor("name"));
        name->setText("bn1");
        QMetaObject::invokeMethod(name, "editingFinished");
        QCOMPARE(inspector.errorText(), QStringLiteral("another layer is already named 'bn1'"));
        QCOMPARE(doc.graph().node(2)->name, std::string("dense1"));
        QCOMPARE(name->text(), QStringLiteral("dense1"));

        // Activation function: a combo box with the registry's choices.
        inspector.setNodes({4});
        auto* fn = qobject_cast<QComboBox*>(inspector.editor("function"));
        QVERIFY(fn);
        QCOMPARE(fn->count(), 4);
        fn->setCurrentText("hardtanh");
        QCOMPARE(doc.graph().node(4)->attrString("function"), std::string("hardtanh"));

        // Input shape: a list; a wrong length is refused with a sentence.
        inspector.setNodes({1});
        auto* shape = qobject_cast<QLineEdit*>(inspector.editor("shape"));
        QCOMPARE(shape->text(), QStringLiteral("784"));
        shape->setText("3, 32");
        QMetaObject::invokeMethod(shape, "editingFinished");
        QCOMPARE(inspector.errorText(), QStringLiteral("input: shape has 2 entries; give a flat size (1 entry) or channels, height, width (3 entries)"));
        QCOMPARE(doc.graph().node(1)->attrInts("shape"), std::vector<int64_t>{784});
    }

    void inspectorEditsWhatSelectionShares()
    {
        GraphDocument doc;
        doc.setProject(loadRowExample("lfc-w1a1-mnist.qnnproj"));
        PropertyInspector inspector(&doc);
        inspector.setNodes({2, 5, 11});
        QCOMPARE(inspector.fields(), QStringList({"bias", "units", "weight_bits"}));
        QCOMPARE(inspector.title(), QStringLiteral("3 layers"));
        const int stepsBefore = doc.undoStack()->count();
        qobject_cast<QSpinBox*>(inspector.editor("units"))->setValue(256);
        for (NodeId id : {2, 5, 11})
            QCOMPARE(doc.graph().node(id)->attrInt("units"), 256);
        QCOMPARE(doc.undoStack()->count(), stepsBefore + 1);
        inspector.setNodes({1, 4}); // Input and Activation share only activation bits
        QCOMPARE(inspector.fields(), QStringList({"act_bits"}));
        auto* abits = qobject_cast<QComboBox*>(inspector.editor("act_bits"));
        abits->setCurrentIndex(abits->findData(2));
        QCOMPARE(doc.graph().node(1)->quant.actBits, 2);
        QCOMPARE(doc.graph().node(4)->quant.actBits, 2);
        inspector.setNodes({2, 3}); // Dense and BatchNorm share nothing
        QCOMPARE(inspector.fields(), QStringList());
    }

    void issuesListSelectsNode()
    {
        MainWindow window;
        qnn::Project p = loadRowExample("lfc-w1a1-mnist.qnnproj");
        p.graph.node(11)->attrs["units"] = int64_t(20); // the Output now gets 20 values instead of 10
        window.document()->setProject(p);
        window.show();
        IssuesList* issues = window.issues();
        QVERIFY(issues->topLevelItemCount() > 0);
        QVERIFY(issues->summaryTitle().startsWith("Issues — "));
        QVERIFY(issues->summaryTitle().contains("error"));
        int row = -1;
        for (int i = 0; i < issues->topLevelItemCount(); ++i)
            if (issues->nodeOfRow(i) == 13)
                row = i;
        QVERIFY(row >= 0);
        QVERIFY(issues->topLevelItem(row)->text(3).contains("20"));
        QVERIFY(window.scene()->nodeItem(13)->hasError());
        QVERIFY(window.scene()->nodeItem(13)->toolTip().contains("Output expects 10 values"));
        const QRect rect = issues->visualItemRect(issues->topLevelItem(row));
        QTest::mouseClick(issues->viewport(), Qt::LeftButton, Qt::NoModifier, rect.center());
        QCOMPARE(window.scene()->selectedNodeIds(), std::vector<NodeId>{13});
        QCOMPARE(window.inspector()->nodes(), std::vector<NodeId>{13});
        QVERIFY(window.summaryBar()->figure("status").contains("error"));
        // Fixing it empties the list.
        QVERIFY(window.document()->setAttribute({11}, "units", int64_t(10)));
        QCOMPARE(issues->topLevelItemCount(), 0);
        QCOMPARE(issues->summaryTitle(), QStringLiteral("Issues — none"));
        QVERIFY(!window.scene()->nodeItem(13)->hasError());
    }

    void issuesListNamesWhatTheFileLeftOutUntilSaved()
    {
        // A hand-written LFC whose dense1 has no "bias": it loads with one, and the Issues list says so,
        // as `qnnw check` does, until a save writes it.
        QTemporaryDir dir;
        QFile lfc(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj");
        QVERIFY(lfc.open(QIODevice::ReadOnly));
        nlohmann::json j = nlohmann::json::parse(lfc.readAll().toStdString());
        for (auto& n : j["graph"]["nodes"])
            if (n["name"] == "dense1")
                n["attrs"].erase("bias");
        const QString path = dir.filePath("lfc.qnnproj");
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QByteArray::fromStdString(j.dump()));
        out.close();
        GraphDocument doc;
        IssuesList issues(&doc);
        QString error;
        QVERIFY2(doc.load(path, &error), qPrintable(error));
        auto biasRows = [&] {
            int rows = 0;
            for (int i = 0; i < issues.topLevelItemCount(); ++i)
                if (issues.topLevelItem(i)->text(3).contains("\"bias\"") && issues.topLevelItem(i)->text(1) == "dense1")
                    ++rows;
            return rows;
        };
        QCOMPARE(biasRows(), 1);
        QVERIFY2(doc.save(path, &error), qPrintable(error));
        QCOMPARE(biasRows(), 0);
        // Opening the saved file again: nothing to say.
        QVERIFY(doc.load(path, &error));
        QCOMPARE(biasRows(), 0);
    }

    void summaryBarFollowsEdits()
    {
        GraphDocument doc;
        SummaryBar bar(&doc);
        QCOMPARE(bar.figure("params"), QStringLiteral("0"));
        const qnn::Project p = loadRowExample("lfc-w1a1-mnist.qnnproj");
        doc.setProject(p);
        const qnn::GraphSummary s = qnn::summarizeGraph(p.graph);
        QCOMPARE(bar.figure("params"), QString::fromStdString(qnn::humanCount(double(s.params))));
        QCOMPARE(bar.figure("memory"), QString::fromStdString(qnn::humanBytes(double(s.weightMemoryBytes()))));
        QCOMPARE(bar.figure("macs"), QString::fromStdString(qnn::humanCount(double(s.macs))));
        QCOMPARE(bar.figure("bops"), QString::fromStdString(qnn::humanCount(double(s.bops))));
        QCOMPARE(bar.figure("compression"), QStringLiteral("%1×").arg(s.compression, 0, 'f', 1));
        const QString memoryBefore = bar.figure("memory");
        doc.applyPreset(precisionPresets()[0]);
        QVERIFY(bar.figure("memory") != memoryBefore);
        QCOMPARE(bar.figure("compression"), QStringLiteral("1.0×"));
    }

    void deleteSelectionInWindow()
    {
        MainWindow window;
        QVERIFY(window.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        window.scene()->selectNodes({5});
        QCOMPARE(window.inspector()->nodes(), std::vector<NodeId>{5});
        window.scene()->edgeItem({12, 0, 13, 0})->setSelected(true);
        window.deleteSelection();
        qnn::Graph expected = loadExample("lfc-w1a1-mnist.qnnproj").graph;
        expected.removeNode(5);
        expected.disconnect({12, 0, 13, 0});
        QCOMPARE(window.document()->graphJson(), bytes(expected));
        QCOMPARE(window.inspector()->nodes(), std::vector<NodeId>());
        QVERIFY(window.scene()->selectedNodeIds().empty());
        QCOMPARE(window.document()->undoStack()->count(), 1);
        window.document()->undoStack()->undo();
        QCOMPARE(window.document()->graphJson(), bytes(loadExample("lfc-w1a1-mnist.qnnproj").graph));
        QVERIFY(window.scene()->nodeItem(5) && window.scene()->edgeItem({12, 0, 13, 0}));

        window.selectAll();
        QCOMPARE(window.scene()->selectedNodeIds().size(), size_t(13));
        window.duplicateSelection();
        QCOMPARE(window.document()->graph().size(), size_t(26));
        QCOMPARE(window.document()->graph().edges().size(), size_t(24));
        QCOMPARE(window.scene()->selectedNodeIds().front(), 14);
    }

    void mainWindowTitleAndSave()
    {
        MainWindow window;
        QVERIFY(window.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        QVERIFY(window.windowTitle().startsWith("lfc-w1a1-mnist[*]"));
        QVERIFY(!window.isWindowModified());
        window.document()->renameNode(2, "fc1");
        QVERIFY(window.isWindowModified());
        window.document()->undoStack()->undo();
        QVERIFY(!window.isWindowModified());
        window.document()->renameNode(2, "fc1");
        QTemporaryDir dir;
        const QString path = dir.filePath("copy.qnnproj");
        QVERIFY(window.saveTo(path));
        QVERIFY(!window.isWindowModified());
        QVERIFY(window.windowTitle().startsWith("copy[*]"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().toStdString(), qnn::serializeProject(window.document()->project()));
        QCOMPARE(window.document()->project().graph.node(2)->name, std::string("fc1"));
    }

    void saveKeepsTheRunAQnnwTrainRecorded()
    {
        // `qnnw train` in a terminal adds its run to the file the window has
        // open; the window's next save wrote its own older list and dropped it.
        QTemporaryDir dir;
        const QString path = dir.filePath("p.qnnproj");
        QVERIFY(QFile::copy(examplePath("lfc-w1a1-mnist.qnnproj"), path));
        GraphDocument doc;
        QString error;
        QVERIFY2(doc.load(path, &error), qPrintable(error));
        std::string e;
        QVERIFY2(qnn::recordRunInProject(path.toStdString(), "from-the-terminal", e), e.c_str());
        doc.renameNode(2, "fc1");
        QVERIFY2(doc.save(path, &error), qPrintable(error));
        qnn::Project saved;
        QVERIFY2(qnn::loadProject(path.toStdString(), saved, e), e.c_str());
        QCOMPARE(saved.graph.node(2)->name, std::string("fc1"));
        QCOMPARE(saved.runs, std::vector<std::string>{"from-the-terminal"});
        QCOMPARE(doc.project().runs, std::vector<std::string>{"from-the-terminal"});

        // While another writer holds the project's lock, the save waits for it.
        qnn::ProjectLock other;
        QVERIFY2(other.acquire(path.toStdString(), 1000, e), e.c_str());
        std::thread releaser([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(400));
            other.release();
        });
        doc.renameNode(2, "fc9");
        QElapsedTimer timer;
        timer.start();
        const bool saved9 = doc.save(path, &error);
        releaser.join();
        QVERIFY2(saved9, qPrintable(error));
        QVERIFY2(timer.elapsed() >= 350, qPrintable(QString::number(timer.elapsed())));
    }

    void promptBeforeLosingChanges()
    {
        MainWindow window;
        QVERIFY(window.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        QVERIFY(window.maybeSave()); // nothing to lose: no question
        window.document()->renameNode(2, "fc1");
        auto answer = [](QMessageBox::StandardButton button, QString* text) {
            QTimer::singleShot(0, [button, text] {
                if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                    *text = box->text();
                    box->button(button)->click();
                }
            });
        };
        QString asked;
        answer(QMessageBox::Cancel, &asked);
        QVERIFY(!window.maybeSave());
        QCOMPARE(asked, QStringLiteral("lfc-w1a1-mnist has unsaved changes. Save them?"));
        QVERIFY(window.isWindowModified());
        asked.clear();
        answer(QMessageBox::Discard, &asked);
        QVERIFY(window.maybeSave());
        QVERIFY(!asked.isEmpty());
        QCOMPARE(window.document()->graph().node(2)->name, std::string("fc1")); // discarding is the caller's move

        // Opening a file records it first in the recent list.
        const QStringList recent = QSettings().value("recentFiles").toStringList();
        QCOMPARE(recent.value(0), QFileInfo(examplePath("lfc-w1a1-mnist.qnnproj")).absoluteFilePath());
    }

    void openBrokenFileShowsLoaderMessage()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("broken.qnnproj");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ \"format\": \"qnn-workbench-project\", \"version\": 1, \"graph\": ");
        f.close();
        qnn::Project unused;
        std::string expected;
        QVERIFY(!qnn::loadProject(path.toStdString(), unused, expected));

        MainWindow window;
        QVERIFY(window.openFile(examplePath("lfc-w1a1-mnist.qnnproj"), nullptr, true));
        const std::string before = window.document()->graphJson();
        QString dialogText;
        QTimer::singleShot(0, [&dialogText] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                dialogText = box->text();
                box->accept();
            }
        });
        QString error;
        QVERIFY(!window.openFile(path, &error));
        QCOMPARE(error, QString::fromStdString(expected));
        QCOMPARE(dialogText, QString::fromStdString(expected));
        QVERIFY(dialogText.contains("broken.qnnproj"));
        QCOMPARE(window.document()->graphJson(), before); // the open project is untouched
    }

    void examplesFolderIsFound()
    {
        const QString dir = MainWindow::examplesDir();
        QVERIFY(!dir.isEmpty());
        QVERIFY(QFile::exists(dir + "/lfc-w1a1-mnist.qnnproj"));
    }
};

QTEST_MAIN(TestEditor)
#include "tst_editor.moc"
