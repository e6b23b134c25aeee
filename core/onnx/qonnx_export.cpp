#include "core/onnx/qonnx_export.h"

#include "core/graph/graph_analysis.h"
#include "core/graph/kind_table.h"
#include "core/graph/layer_registry.h"
#include "core/hw/dataflow.h"
#include "core/hw/overlay.h"
#include "core/onnx/onnx_proto.h"
#include "core/quant/quantization.h"

#include <onnx/shape_inference/implementation.h>

#include <cmath>
#include <functional>

namespace qnn {

using onnx_io::Tensor;

namespace {

struct ExportError {
    std::string message;
};

[[noreturn]] void fail(const Node& n, const std::string& why) { throw ExportError{"node " + n.name + ": " + why}; }

std::vector<int64_t> withBatch(const Shape& s)
{
    std::vector<int64_t> v{1};
    v.insert(v.end(), s.begin(), s.end());
    return v;
}

class Builder
{
public:
    explicit Builder(onnx::GraphProto& g) : m_g(g) {}

    std::string init(const std::string& name, Tensor t)
    {
        *m_g.add_initializer() = onnx_io::tensorToProto(name, t);
        m_shapes[name] = t.shape;
        return name;
    }
    std::string scalar(const std::string& name, float v) { return init(name, Tensor::ofFloats({}, {v})); }

    onnx::NodeProto& node(const std::string& op, const std::string& name, const std::vector<std::string>& in,
                          const std::string& out, const std::vector<int64_t>& outShape, bool qonnx = false)
    {
        onnx::NodeProto& n = *m_g.add_node();
        n.set_op_type(op);
        n.set_name(name);
        if (qonnx)
            n.set_domain(onnx_io::kQonnxDomain);
        for (const auto& s : in)
            n.add_input(s);
        n.add_output(out);
        m_shapes[out] = outShape;
        m_valueOrder.push_back(out);
        return n;
    }

    template <typename T>
    static void attr(onnx::NodeProto& n, const std::string& name, const T& v)
    {
        onnx_io::setAttr(n, name, v);
    }

    /** x → quantized to `levels` (Bipolar or Quant), named `name`; float levels return x. */
    std::string quantize(const std::string& name, const std::string& x, const QuantLevels& levels,
                         const std::vector<int64_t>& shape, const std::string& prefix)
    {
        if (levels.isFloat())
            return x;
        const std::string out = name + "_out";
        if (levels.isBipolar()) {
            node("BipolarQuant", name, {x, scalar(prefix + "_scale", static_cast<float>(levels.scale))}, out, shape,
                 true);
            return out;
        }
        const bool narrow = levels.isSigned && levels.minLevel == -levels.maxLevel;
        auto& n = node("Quant", name,
                       {x, scalar(prefix + "_scale", static_cast<float>(levels.scale)),
                        scalar(prefix + "_zeropt", 0.0f), scalar(prefix + "_bitwidth", static_cast<float>(levels.bits))},
                       out, shape, true);
        attr(n, "signed", static_cast<int64_t>(levels.isSigned ? 1 : 0));
        attr(n, "narrow", static_cast<int64_t>(narrow ? 1 : 0));
        attr(n, "rounding_mode", std::string("ROUND"));
        return out;
    }

    void writeValueInfo()
    {
        for (const std::string& v : m_valueOrder) {
            if (v == m_outputName)
                continue;
            auto* vi = m_g.add_value_info();
            setType(*vi, v, m_shapes[v]);
        }
    }
    static void setType(onnx::ValueInfoProto& vi, const std::string& name, const std::vector<int64_t>& shape)
    {
        vi.set_name(name);
        auto* t = vi.mutable_type()->mutable_tensor_type();
        t->set_elem_type(onnx::TensorProto::FLOAT);
        auto* s = t->mutable_shape();
        for (int64_t d : shape)
            s->add_dim()->set_dim_value(d);
    }

    std::string m_outputName;

private:
    onnx::GraphProto& m_g;
    std::map<std::string, std::vector<int64_t>> m_shapes;
    std::vector<std::string> m_valueOrder;
};

const WeightTensor& tensorOf(const Node& n, const NodeWeights* w, const std::string& name,
                             const std::vector<int64_t>& shape)
{
    if (!w)
        fail(n, "the weight file has no weights for this " + layerKindName(n.kind));
    const WeightTensor* t = w->find(name);
    if (!t)
        fail(n, "the weight file has no tensor \"" + name + "\"");
    if (t->shape != shape)
        fail(n, "tensor \"" + name + "\" is " + onnx_io::shapeText(t->shape) + " in the weight file, but the graph needs " +
                    onnx_io::shapeText(shape));
    return *t;
}

// Chooses value and node names: the graph's names, made unique and safe.
std::string onnxName(const Node& n)
{
    std::string s = n.name.empty() ? layerKindName(n.kind) + std::to_string(n.id) : n.name;
    for (char& c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
            c = '_';
    return s;
}

// One node on its way into the ONNX graph: what a kind's exporter reads, and
// `out`, the value it leaves for the nodes after it.
struct NodeExport {
    Builder& b;
    const Node& n;
    std::string name;
    std::vector<std::string> in;
    const std::vector<TensorType>& inTypes;
    const NodeWeights* w;
    std::string out;
    std::vector<int64_t> outShape;
};

using KindExporter = std::function<void(NodeExport& x)>;

void exportInput(NodeExport& x)
{
    const std::string scaled = x.b.node("Mul", x.name + "_scale", {x.name, x.b.scalar(x.name + ".pixel_scale", 2.0f)},
                                        x.name + "_scaled", x.outShape)
                                   .output(0);
    const std::string centred = x.b.node("Sub", x.name + "_shift",
                                         {scaled, x.b.scalar(x.name + ".pixel_shift", 1.0f)}, x.name + "_centred",
                                         x.outShape)
                                    .output(0);
    x.out = x.b.quantize(x.name, centred, inputLevels(x.n.quant.actBits, x.n.attrBoolOr("narrow", true)), x.outShape, x.name + ".act");
}

void exportDense(NodeExport& x)
{
    const Node& n = x.n;
    const int64_t units = n.attrInt("units"), fanIn = x.inTypes[0].shape[0];
    const WeightTensor& wt = tensorOf(n, x.w, "weight", {units, fanIn});
    Tensor t = Tensor::ofFloats({fanIn, units}, std::vector<float>(wt.values.size()));
    for (int64_t o = 0; o < units; ++o)
        for (int64_t i = 0; i < fanIn; ++i)
            t.f[i * units + o] = wt.values[o * fanIn + i];
    const std::string init = x.b.init(x.name + ".weight", t);
    const QuantLevels levels = weightLevelsOf(n.quant.weightBits, wt.values.data(), wt.values.size());
    const std::string wq = x.b.quantize(x.name + "_weight_quant", init, levels, {fanIn, units}, x.name + ".weight");
    const bool bias = n.attrBool("bias");
    const std::string mm = bias ? x.name + "_matmul" : x.out;
    x.b.node("MatMul", x.name, {x.in[0], wq}, mm, x.outShape);
    if (bias) {
        const WeightTensor& bt = tensorOf(n, x.w, "bias", {units});
        x.b.node("Add", x.name + "_bias", {mm, x.b.init(x.name + ".bias", Tensor::ofFloats({units}, bt.values))}, x.out,
                 x.outShape);
    }
}

void exportConv(NodeExport& x)
{
    const Node& n = x.n;
    const int64_t f = n.attrInt("filters"), k = n.attrInt("kernel"), c = x.inTypes[0].shape[0];
    const WeightTensor& wt = tensorOf(n, x.w, "weight", {f, c, k, k});
    const std::string init = x.b.init(x.name + ".weight", Tensor::ofFloats(wt.shape, wt.values));
    const QuantLevels levels = weightLevelsOf(n.quant.weightBits, wt.values.data(), wt.values.size());
    const std::string wq = x.b.quantize(x.name + "_weight_quant", init, levels, wt.shape, x.name + ".weight");
    std::vector<std::string> args{x.in[0], wq};
    if (n.attrBool("bias"))
        args.push_back(x.b.init(x.name + ".bias", Tensor::ofFloats({f}, tensorOf(n, x.w, "bias", {f}).values)));
    auto& node = x.b.node("Conv", x.name, args, x.out, x.outShape);
    const int64_t s = n.attrInt("stride"), p = n.attrInt("padding");
    Builder::attr(node, "kernel_shape", std::vector<int64_t>{k, k});
    Builder::attr(node, "strides", std::vector<int64_t>{s, s});
    Builder::attr(node, "pads", std::vector<int64_t>{p, p, p, p});
    Builder::attr(node, "dilations", std::vector<int64_t>{1, 1});
    Builder::attr(node, "group", int64_t{1});
}

// The Mul by k² and the Trunc after a truncating pool's AveragePool ("<name>_mean").
void exportTrunc(NodeExport& x, int64_t k)
{
    const std::string& name = x.name;
    const std::string sum =
        x.b.node("Mul", name + "_sum", {name + "_mean", x.b.scalar(name + ".window", float(k * k))}, name + "_sum",
                 x.outShape)
            .output(0);
    // Only the difference of the bit widths counts; the output keeps the input's bits.
    const int outBits = x.inTypes[0].bits >= 2 && x.inTypes[0].bits <= 8 ? x.inTypes[0].bits : 8;
    auto& t = x.b.node("Trunc", name + "_trunc",
                       {sum, x.b.scalar(name + ".trunc_scale", static_cast<float>(x.n.attrFloat("trunc_scale"))),
                        x.b.scalar(name + ".trunc_zeropt", 0.0f),
                        x.b.scalar(name + ".trunc_in_bits", float(outBits + x.n.attrInt("trunc_bits"))),
                        x.b.scalar(name + ".trunc_out_bits", float(outBits))},
                       x.out, x.outShape, true);
    Builder::attr(t, "rounding_mode", std::string("FLOOR"));
}

KindExporter exportPool(const char* op)
{
    return [op](NodeExport& x) {
        // A truncating pool is Brevitas' TruncAvgPool2d: AveragePool, Mul by k², Trunc.
        const bool trunc = x.n.kind == LayerKind::AvgPool && x.n.attrFloat("trunc_scale") > 0;
        const int64_t k = x.n.attrInt("kernel"), s = x.n.attrInt("stride");
        auto& node = x.b.node(op, x.name, {x.in[0]}, trunc ? x.name + "_mean" : x.out, x.outShape);
        Builder::attr(node, "kernel_shape", std::vector<int64_t>{k, k});
        Builder::attr(node, "strides", std::vector<int64_t>{s, s});
        if (trunc)
            exportTrunc(x, k);
    };
}

void exportBatchNorm(NodeExport& x)
{
    const int64_t ch = x.inTypes[0].shape[0];
    std::vector<std::string> args{x.in[0]};
    for (const char* t : {"weight", "bias", "running_mean", "running_var"})
        args.push_back(x.b.init(x.name + "." + t, Tensor::ofFloats({ch}, tensorOf(x.n, x.w, t, {ch}).values)));
    auto& node = x.b.node("BatchNormalization", x.name, args, x.out, x.outShape);
    Builder::attr(node, "epsilon", static_cast<float>(x.n.attrFloat("eps")));
    Builder::attr(node, "momentum", static_cast<float>(1.0 - x.n.attrFloat("momentum")));
}

void exportActivation(NodeExport& x)
{
    const std::string fn = x.n.attrString("function");
    const int bits = fn == "sign" ? 1 : x.n.quant.actBits;
    if (bits < 32) {
        x.out = x.b.quantize(x.name, x.in[0], activationFunctionLevels(fn, bits), x.outShape, x.name + ".act");
    } else if (fn == "relu") {
        x.b.node("Relu", x.name, {x.in[0]}, x.out, x.outShape);
    } else if (fn == "hardtanh") {
        x.b.node("Clip", x.name, {x.in[0], x.b.scalar(x.name + ".min", -1.0f), x.b.scalar(x.name + ".max", 1.0f)},
                 x.out, x.outShape);
    } else {
        x.b.node("Identity", x.name, {x.in[0]}, x.out, x.outShape);
    }
}

void exportQuantAct(NodeExport& x)
{
    const Node& n = x.n;
    const QuantLevels levels =
        activationLevels(n.quant.actBits, n.attrBool("signed"), n.attrFloat("range"), n.attrBool("narrow"));
    if (levels.isFloat())
        x.b.node("Identity", x.name, {x.in[0]}, x.out, x.outShape);
    else
        x.out = x.b.quantize(x.name, x.in[0], levels, x.outShape, x.name + ".act");
}

void exportIdentity(NodeExport& x) { x.b.node("Identity", x.name, {x.in[0]}, x.out, x.outShape); }

void exportFlatten(NodeExport& x)
{
    Builder::attr(x.b.node("Flatten", x.name, {x.in[0]}, x.out, x.outShape), "axis", int64_t{1});
}

void exportAdd(NodeExport& x) { x.b.node("Add", x.name, {x.in[0], x.in[1]}, x.out, x.outShape); }

void exportConcat(NodeExport& x)
{
    Builder::attr(x.b.node("Concat", x.name, x.in, x.out, x.outShape), "axis", int64_t{1});
}

void exportOutput(NodeExport& x)
{
    x.b.node("Identity", x.name, {x.in[0]}, x.name, x.outShape);
    x.b.m_outputName = x.name;
    x.out = x.name;
}

// One entry per layer kind; tst_layer_kinds checks it covers the registry.
const KindTable<KindExporter>& kindExporters()
{
    static const KindTable<KindExporter> table("the QONNX exporter",
                                               {
                                                   {LayerKind::Input, exportInput, {}},
                                                   {LayerKind::Dense, exportDense, {}},
                                                   {LayerKind::Conv2D, exportConv, {}},
                                                   {LayerKind::MaxPool, exportPool("MaxPool"), {}},
                                                   {LayerKind::AvgPool, exportPool("AveragePool"), {}},
                                                   {LayerKind::BatchNorm, exportBatchNorm, {}},
                                                   {LayerKind::Activation, exportActivation, {}},
                                                   {LayerKind::QuantAct, exportQuantAct, {}},
                                                   {LayerKind::Dropout, exportIdentity, {}},
                                                   {LayerKind::Flatten, exportFlatten, {}},
                                                   {LayerKind::Add, exportAdd, {}},
                                                   {LayerKind::Concat, exportConcat, {}},
                                                   {LayerKind::Output, exportOutput, {}},
                                               });
    return table;
}

void exportNode(Builder& b, const Graph& graph, const GraphAnalysis& a, const WeightFile& weights, const Node& n,
                std::map<NodeId, std::string>& value)
{
    const KindExporter* exporter = kindExporters().handler(n.kind);
    if (!exporter)
        fail(n, kindExporters().refusal(n.kind));
    const std::string name = onnxName(n);
    const TensorType* outType = a.outputType(n.id);
    std::vector<std::string> in;
    std::vector<Edge> edges = graph.inEdges(n.id);
    std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) { return x.toPort < y.toPort; });
    for (const Edge& e : edges)
        in.push_back(value.at(e.fromNode));
    static const std::vector<TensorType> none;
    const std::vector<TensorType>& inTypes = n.kind == LayerKind::Input ? none : a.inputTypes.at(n.id);
    NodeExport x{b, n, name, std::move(in), inTypes, weights.find(n.id), name + "_out", withBatch(outType->shape)};
    // The Output's value carries its own name; an imported graph may have
    // named it "<layer>_out" after the file's output, which must stay unique.
    const NodeId clash = graph.findByName(x.out);
    if (clash != kInvalidNode && graph.node(clash)->kind == LayerKind::Output)
        x.out = name + "_value";
    (*exporter)(x);
    value[n.id] = x.out;
}

void buildModel(const Graph& graph, const WeightFile& weights, const QonnxExportInfo& info, onnx::ModelProto& m)
{
    const GraphAnalysis a = analyzeGraph(graph);
    for (const Diagnostic& d : a.diagnostics)
        if (d.severity == Severity::Error) {
            const Node* n = graph.node(d.node);
            throw ExportError{"the graph cannot be exported: " + (n ? "node " + n->name + ": " : std::string()) +
                              d.message};
        }
    const Node* input = nullptr;
    const Node* output = nullptr;
    int inputs = 0, outputs = 0;
    for (const auto& [id, n] : graph.nodes()) {
        if (n.kind == LayerKind::Input)
            input = &n, ++inputs;
        if (n.kind == LayerKind::Output)
            output = &n, ++outputs;
    }
    if (inputs != 1 || outputs != 1 || a.order.size() != graph.size())
        throw ExportError{"the graph cannot be exported: it needs exactly one Input and one Output node, all connected "
                          "(it has " + std::to_string(inputs) + " and " + std::to_string(outputs) + ")"};

    m.set_ir_version(7);
    m.set_producer_name("qnn-workbench");
    m.set_producer_version("0.1");
    m.set_model_version(1);
    m.set_doc_string("QONNX export of " + info.projectName + (info.run.empty() ? "" : ", run " + info.run) +
                     "; input: pixels / 255 in [0, 1]");
    auto* opset = m.add_opset_import();
    opset->set_domain("");
    opset->set_version(11);
    auto* qonnx = m.add_opset_import();
    qonnx->set_domain(onnx_io::kQonnxDomain);
    qonnx->set_version(1);
    auto addMeta = [&m](const std::string& k, const std::string& v) {
        auto* p = m.add_metadata_props();
        p->set_key(k);
        p->set_value(v);
    };
    addMeta("qnn.project", info.projectName);
    addMeta("qnn.run", info.run);
    addMeta("qnn.epoch", std::to_string(info.epoch));
    addMeta("qnn.input", "pixels / 255 in [0, 1]");

    onnx::GraphProto& g = *m.mutable_graph();
    g.set_name(info.projectName.empty() ? "qnn" : info.projectName);
    Builder b(g);
    Builder::setType(*g.add_input(), onnxName(*input), withBatch(input->attrInts("shape")));
    std::map<NodeId, std::string> value;
    value[input->id] = onnxName(*input);
    for (NodeId id : a.order)
        exportNode(b, graph, a, weights, *graph.node(id), value);
    Builder::setType(*g.add_output(), onnxName(*output), withBatch(a.outputType(output->id)->shape));
    b.writeValueInfo();
}

} // namespace

bool exportQonnx(const Graph& graph, const WeightFile& weights, const QonnxExportInfo& info, const std::string& path,
                 std::string& error)
{
    onnx::ModelProto m;
    try {
        buildModel(graph, weights, info, m);
    } catch (const ExportError& e) {
        error = e.message;
        return false;
    }
    try {
        // Standard operators get their shapes checked against ours; the QONNX
        // ones keep the value_info written above.
        onnx::ShapeInferenceOptions options{true, 1, false};
        onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception& e) {
        error = std::string("the exported model fails ONNX shape inference: ") + e.what();
        return false;
    }
    if (!onnx_io::checkModel(m, error))
        return false;
    return onnx_io::writeModel(path, m, error);
}

const KindCoverage& qonnxExportKinds() { return kindExporters(); }

Folding foldingForExport(const Graph& graph, const Folding& chosen)
{
    if (!chosen.empty())
        return chosen;
    const Dataflow df = buildDataflow(graph);
    Folding f;
    std::string error;
    if (df.problems.empty() && bnnPynqFolding(df, f, error))
        return f;
    f = Folding{};
    f.source = "pe 1 simd 1";
    for (const MatrixLayer& l : df.layers)
        f.layers[l.name] = LayerFold{1, 1};
    return f;
}

nlohmann::json finnFoldingConfig(const Graph& graph, const Folding& folding)
{
    nlohmann::json j = nlohmann::json::object();
    j["Defaults"] = nlohmann::json::object();
    const Dataflow df = buildDataflow(graph);
    for (const MatrixLayer& l : df.layers) {
        const LayerFold* f = folding.find(l.name);
        const LayerFold fold = f ? *f : LayerFold{1, 1};
        // FINN does not pad a layer as our units do: its PE must divide the
        // rows and SIMD the columns, so each is the largest divisor not above ours.
        auto divisorAtMost = [](int64_t n, int64_t most) {
            for (int64_t d = std::max<int64_t>(1, std::min(most, n)); d > 1; --d)
                if (n % d == 0)
                    return d;
            return int64_t{1};
        };
        j["MVAU_hls_" + std::to_string(l.index)] = {{"PE", divisorAtMost(l.mh, fold.pe)},
                                                     {"SIMD", divisorAtMost(l.mw, fold.simd)}};
    }
    return j;
}

} // namespace qnn
