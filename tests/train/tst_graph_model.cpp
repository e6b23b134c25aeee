// Graph → torch module: module names that never collide, errors that name
// their layer once, and the XNOR-popcount forward of W1A1 Dense layers that
// gives the float product's bits.
#include "core/graph/graph_json.h"
#include "core/graph/layer_registry.h"
#include "core/train/detail/graph_model.h"
#include "core/train/detail/xnor_dense.h"

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

// A small LFC: 100 binarized inputs (not a multiple of 64, so the last word
// is padded), two binary hidden layers of 24 and 13 units (not multiples of
// 8); with `dropout`, the recipes' dropout 0.2 on the input and 0.5 after
// each hidden activation (then the Dense inputs are 0, ±1.25 and 0, ±2).
Graph smallLfc(bool dropout)
{
    const char* plain = R"({"nodes": [
        {"id": 1, "kind": "Input", "name": "input", "act_bits": 1, "attrs": {"shape": [100]}},
        {"id": 2, "kind": "Dense", "name": "fc1", "weight_bits": 1, "attrs": {"units": 24, "bias": false}},
        {"id": 3, "kind": "BatchNorm", "name": "bn1", "attrs": {"eps": 0.0001, "momentum": 0.1}},
        {"id": 4, "kind": "Activation", "name": "act1", "act_bits": 1, "attrs": {"function": "sign"}},
        {"id": 5, "kind": "Dense", "name": "fc2", "weight_bits": 1, "attrs": {"units": 13, "bias": false}},
        {"id": 6, "kind": "BatchNorm", "name": "bn2", "attrs": {"eps": 0.0001, "momentum": 0.1}},
        {"id": 7, "kind": "Activation", "name": "act2", "act_bits": 1, "attrs": {"function": "sign"}},
        {"id": 8, "kind": "Dense", "name": "fc3", "weight_bits": 1, "attrs": {"units": 10, "bias": false}},
        {"id": 9, "kind": "BatchNorm", "name": "bn3", "attrs": {"eps": 0.0001, "momentum": 0.1}},
        {"id": 10, "kind": "Output", "name": "output", "attrs": {"classes": 10}}],
      "edges": [
        {"from": 1, "from_port": 0, "to": 2, "to_port": 0}, {"from": 2, "from_port": 0, "to": 3, "to_port": 0},
        {"from": 3, "from_port": 0, "to": 4, "to_port": 0}, {"from": 4, "from_port": 0, "to": 5, "to_port": 0},
        {"from": 5, "from_port": 0, "to": 6, "to_port": 0}, {"from": 6, "from_port": 0, "to": 7, "to_port": 0},
        {"from": 7, "from_port": 0, "to": 8, "to_port": 0}, {"from": 8, "from_port": 0, "to": 9, "to_port": 0},
        {"from": 9, "from_port": 0, "to": 10, "to_port": 0}]})";
    Graph g;
    std::string error;
    if (!graphFromJson(nlohmann::json::parse(plain), g, error))
        qFatal("%s", error.c_str());
    if (!dropout)
        return g;
    // Dropout 20, 40, 70 between (1, 2), (4, 5) and (7, 8).
    for (auto [id, from, to, p] : {std::tuple{20, 1, 2, 0.2}, {40, 4, 5, 0.5}, {70, 7, 8, 0.5}}) {
        Node d = LayerRegistry::makeNode(LayerKind::Dropout, id, "drop" + std::to_string(id));
        d.attrs["p"] = p;
        g.insertNode(d);
        g.disconnect({NodeId(from), 0, NodeId(to), 0});
        g.connect({NodeId(from), 0, NodeId(id), 0});
        g.connect({NodeId(id), 0, NodeId(to), 0});
    }
    return g;
}

torch::Tensor bipolar(std::vector<int64_t> shape, double scale)
{
    return torch::where(torch::randn(shape) >= 0, torch::full({}, scale), torch::full({}, -scale));
}

GraphModel buildSmallLfc(bool xnor, bool dropout)
{
    torch::manual_seed(7);
    GraphModel model{nullptr};
    std::string error;
    if (!buildGraphModel(smallLfc(dropout), model, error))
        qFatal("%s", error.c_str());
    model->setXnorForward(xnor);
    return model;
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

    void xnorLinearEqualsFloatProduct_data();
    void xnorLinearEqualsFloatProduct();
    void xnorLinearDeclinesOtherInputs();
    void xnorTrainingStepsAreBitIdentical_data();
    void xnorTrainingStepsAreBitIdentical();
};

void TestGraphModel::xnorLinearEqualsFloatProduct_data()
{
    QTest::addColumn<int>("inputs");
    QTest::addColumn<int>("units");
    QTest::addColumn<double>("scale");
    QTest::addColumn<double>("dropout");
    QTest::newRow("LFC 784 -> 17, scale 1") << 784 << 17 << 1.0 << 0.0;
    QTest::newRow("128 -> 8, scale 0.5") << 128 << 8 << 0.5 << 0.0;
    QTest::newRow("3 -> 5, scale 4") << 3 << 5 << 4.0 << 0.0;
    QTest::newRow("1024 -> 24, scale 3") << 1024 << 24 << 3.0 << 0.0;
    QTest::newRow("784 -> 17, dropout 0.2") << 784 << 17 << 1.0 << 0.2;
    QTest::newRow("1000 -> 10, dropout 0.5") << 1000 << 10 << 1.0 << 0.5;
}

void TestGraphModel::xnorLinearEqualsFloatProduct()
{
    QFETCH(int, inputs);
    QFETCH(int, units);
    QFETCH(double, scale);
    QFETCH(double, dropout);
    torch::manual_seed(inputs);
    torch::Tensor x = bipolar({37, inputs}, scale);
    if (dropout > 0)
        x = torch::dropout(x, dropout, true); // zeros, and the rest scaled by 1 / (1 - p) as torch does it
    const torch::Tensor w = bipolar({units, inputs}, 1.0);
    const torch::Tensor y = qnn::detail::xnorLinear(x, w);
    QVERIFY(y.defined());
    const torch::Tensor expected = torch::nn::functional::linear(x, w);
    QVERIFY(torch::equal(y, expected));
    // Not a vacuous equality: the sums are spread out, and nonzero somewhere.
    QVERIFY(y.abs().max().item<float>() >= 3 * scale);
}

void TestGraphModel::xnorLinearDeclinesOtherInputs()
{
    torch::manual_seed(3);
    const torch::Tensor w = bipolar({8, 70}, 1.0);
    torch::Tensor mixed = bipolar({4, 70}, 1.0);
    mixed[2][69] = 2.0f; // two scales, in the padded last word
    QVERIFY(!qnn::detail::xnorLinear(mixed, w).defined());
    // A 24-bit mantissa: partial sums of the float product round, so it is not the same product.
    QVERIFY(!qnn::detail::xnorLinear(bipolar({4, 70}, 1.0 + std::ldexp(1.0, -23)), w).defined());
    QVERIFY(!qnn::detail::xnorLinear(torch::randn({4, 70}), w).defined());
    QVERIFY(!qnn::detail::xnorLinear(bipolar({4, 70}, 1.0), torch::randn({8, 70})).defined());
    QVERIFY(qnn::detail::xnorLinear(bipolar({4, 70}, 1.0), w).defined());
}

void TestGraphModel::xnorTrainingStepsAreBitIdentical_data()
{
    QTest::addColumn<bool>("dropout");
    QTest::newRow("plain") << false;
    QTest::newRow("recipe dropout") << true;
}

void TestGraphModel::xnorTrainingStepsAreBitIdentical()
{
    QFETCH(bool, dropout);
    torch::set_num_threads(2); // both models on the same thread count, so BLAS splits the same way
    GraphModel floatModel = buildSmallLfc(false, dropout), xnorModel = buildSmallLfc(true, dropout);
    torch::optim::Adam floatOpt(floatModel->parameters(), torch::optim::AdamOptions(0.003));
    torch::optim::Adam xnorOpt(xnorModel->parameters(), torch::optim::AdamOptions(0.003));
    const torch::Tensor start = floatModel->named_parameters()["fc2.weight"].clone();
    torch::manual_seed(11);
    const uint64_t xnorBefore = qnn::detail::xnorLinearCount();
    for (int step = 0; step < 4; ++step) {
        const torch::Tensor x = torch::rand({32, 100}) * 2 - 1, labels = torch::randint(0, 10, {32});
        for (auto* pair : {&floatModel, &xnorModel}) {
            GraphModel& m = *pair;
            torch::optim::Adam& opt = pair == &floatModel ? floatOpt : xnorOpt;
            opt.zero_grad();
            torch::manual_seed(100 + step); // the same dropout masks for both
            qnn::detail::trainingLoss("squared_hinge", m->forward(x), labels).backward();
            opt.step();
            torch::NoGradGuard noGrad;
            for (torch::Tensor w : m->clippedWeights()) // handles: clamps the parameter itself
                w.clamp_(-1, 1);
        }
    }
    const auto a = floatModel->named_parameters(), b = xnorModel->named_parameters();
    for (const auto& item : a)
        QVERIFY2(torch::equal(item.value(), b[item.key()]), item.key().c_str());
    const auto bufA = floatModel->named_buffers(), bufB = xnorModel->named_buffers();
    for (const auto& item : bufA)
        QVERIFY2(torch::equal(item.value(), bufB[item.key()]), item.key().c_str());
    QVERIFY(!torch::equal(start, a["fc2.weight"])); // the steps trained something
    // Every Dense layer of the XNOR model took the integer path in every step, the float model's none.
    QCOMPARE(qnn::detail::xnorLinearCount() - xnorBefore, uint64_t(4 * 3));

    // The forward in eval mode, every node's output.
    floatModel->eval();
    xnorModel->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::rand({9, 100}) * 2 - 1;
    const auto outA = floatModel->forwardAll(x), outB = xnorModel->forwardAll(x);
    for (size_t i = 0; i < outA.size(); ++i)
        QVERIFY2(torch::equal(outA[i], outB[i]), std::to_string(i).c_str());
}

QTEST_APPLESS_MAIN(TestGraphModel)
#include "tst_graph_model.moc"
