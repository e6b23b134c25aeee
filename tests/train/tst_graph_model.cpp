// Graph → torch module: module names that never collide, errors that name
// their layer once.
#include "core/graph/graph_json.h"
#include "core/graph/layer_registry.h"
#include "core/train/detail/graph_model.h"

#include <QtTest>

using namespace qnn;
using qnn::detail::GraphModel;
using qnn::detail::buildGraphModel;

namespace {

Graph chain(const std::vector<std::pair<NodeId, std::string>>& denseNames)
{
    Graph g;
    Node in = LayerRegistry::makeNode(LayerKind::Input, 1, "input");
    in.attrs["shape"] = std::vector<int64_t>{8};
    g.insertNode(in);
    NodeId prev = 1;
    for (const auto& [id, name] : denseNames) {
        Node d = LayerRegistry::makeNode(LayerKind::Dense, id, name);
        d.attrs["units"] = int64_t(4);
        g.insertNode(d);
        g.connect({prev, 0, id, 0});
        prev = id;
    }
    Node out = LayerRegistry::makeNode(LayerKind::Output, 100, "output");
    out.attrs["classes"] = int64_t(4);
    g.insertNode(out);
    g.connect({prev, 0, 100, 0});
    return g;
}

} // namespace

class TestGraphModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fallbackModuleNameIsNeverTaken()
    {
        // Node 7 named "in" (a Python keyword) fell back to "node7", which node 3 already had: register_module threw.
        const Graph g = chain({{3, "node7"}, {7, "in"}});
        GraphModel model{nullptr};
        std::string error;
        QVERIFY2(buildGraphModel(g, model, error), error.c_str());
        std::set<std::string> names;
        for (const auto& item : model->named_children())
            names.insert(item.key());
        QVERIFY(names.count("node7"));
        QVERIFY(names.count("node7_2"));
    }

    void errorNamesItsLayerOnce()
    {
        Graph g = chain({{2, "fc"}});
        g.node(2)->attrs["units"] = int64_t(0);
        GraphModel model{nullptr};
        std::string error;
        QVERIFY(!buildGraphModel(g, model, error));
        QVERIFY2(QString::fromStdString(error).contains("first: 'fc': units is 0"), error.c_str());
        QVERIFY2(!QString::fromStdString(error).contains("fc: 'fc'"), error.c_str());
    }
};

QTEST_APPLESS_MAIN(TestGraphModel)
#include "tst_graph_model.moc"
