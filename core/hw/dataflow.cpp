#include "core/hw/dataflow.h"

#include "core/graph/kind_table.h"
#include "core/graph/layer_registry.h"

#include <algorithm>
#include <functional>
#include <regex>
#include <sstream>
#include <unordered_set>

namespace qnn {

namespace {

int64_t roundUp(int64_t v, int64_t m) { return m <= 0 ? v : (v + m - 1) / m * m; }

Diagnostic problem(NodeId node, std::string message, std::string fix = {})
{
    Diagnostic d;
    d.node = node;
    d.severity = Severity::Error;
    d.category = DiagnosticCategory::HardwareFit;
    d.message = std::move(message);
    d.fix = std::move(fix);
    return d;
}

std::vector<int> divisorsUpTo(int64_t n, int64_t limit)
{
    std::vector<int> out;
    for (int64_t d = 1; d <= n && d <= limit; ++d)
        if (n % d == 0)
            out.push_back(int(d));
    return out;
}

std::string listValues(const std::vector<int>& values)
{
    std::ostringstream s;
    const size_t shown = std::min<size_t>(values.size(), 12);
    for (size_t i = 0; i < shown; ++i)
        s << (i ? ", " : "") << values[i];
    if (shown < values.size())
        s << ", … " << values.back();
    return s.str();
}

// Bits of the accumulator a layer's dot product needs: the sum of MW
// products of W-bit weights and A-bit inputs.
int accumulatorBits(const MatrixLayer& l)
{
    int log2mw = 0;
    while ((int64_t(1) << log2mw) < l.mw)
        ++log2mw;
    return log2mw + l.weightBits + l.inputBits;
}

} // namespace

PaddedShape paddedShape(const MatrixLayer& l)
{
    PaddedShape s{std::max(l.mh, l.minRows), l.mw};
    if (l.columnWordBits > 0 && l.inputBits > 0 && l.columnWordBits % l.inputBits == 0)
        s.mw = roundUp(l.mw * l.inputBits, l.columnWordBits) / l.inputBits;
    return s;
}

PaddedShape paddedShape(const MatrixLayer& l, const LayerFold& fold)
{
    PaddedShape s = paddedShape(l);
    if (l.last)
        s.mh = roundUp(s.mh, fold.pe);
    if (l.first && l.kind == LayerKind::Dense)
        s.mw = roundUp(s.mw, fold.simd);
    return s;
}

const MatrixLayer* Dataflow::find(const std::string& name) const
{
    for (const MatrixLayer& l : layers)
        if (l.name == name)
            return &l;
    return nullptr;
}

bool Dataflow::isMlp() const
{
    return !layers.empty() &&
           std::all_of(layers.begin(), layers.end(), [](const MatrixLayer& l) { return l.kind == LayerKind::Dense; });
}

Dataflow buildDataflow(const Graph& graph) { return buildDataflow(graph, analyzeGraph(graph)); }

namespace {

// What the walk along the graph's order has built so far.
struct DataflowWalk {
    const Graph& graph;
    const GraphAnalysis& analysis;
    Dataflow df;
    MatrixLayer* current = nullptr;
    bool activated = false;
    NodeId inputNode = kInvalidNode;
};

using DataflowStep = std::function<void(DataflowWalk& w, NodeId id, const Node& n)>;

void addInput(DataflowWalk& w, NodeId id, const Node& n)
{
    const TensorType* t = w.analysis.outputType(id);
    w.df.inputBits = t ? t->bits : n.quant.actBits;
    w.df.inputNarrow = n.attrBoolOr("narrow", true);
    w.inputNode = id;
    w.df.inputShape = t ? t->shape : Shape{};
}

void addMatrixLayer(DataflowWalk& w, NodeId id, const Node& n)
{
    auto in = w.analysis.inputTypes.find(id);
    const TensorType* out = w.analysis.outputType(id);
    if (in == w.analysis.inputTypes.end() || in->second.empty() || !out)
        return;
    const TensorType& it = in->second[0];
    MatrixLayer l;
    l.node = id;
    l.name = n.name;
    l.kind = n.kind;
    l.index = int(w.df.layers.size());
    l.weightBits = n.quant.weightBits;
    l.inputBits = it.bits;
    if (n.kind == LayerKind::Dense) {
        l.mh = out->shape[0];
        l.mw = shapeSize(it.shape);
        l.ifmCh = l.mw;
    } else {
        l.k = int(n.attrInt("kernel"));
        l.stride = int(n.attrInt("stride"));
        l.pad = int(n.attrInt("padding"));
        l.ifmCh = it.shape[0];
        l.ifmH = it.shape[1];
        l.ifmW = it.shape[2];
        l.ofmH = out->shape[1];
        l.ofmW = out->shape[2];
        l.mh = out->shape[0];
        l.mw = int64_t(l.k) * l.k * l.ifmCh;
    }
    if (l.weightBits > 8)
        w.df.problems.push_back(problem(id,
                                        n.name + " has " + std::to_string(l.weightBits) +
                                            "-bit (float) weights; the dataflow units take 1- to 8-bit weights",
                                        "set its weight bits to 1–8"));
    if (l.inputBits > 8)
        w.df.problems.push_back(problem(
            id, n.name + " takes " + elementTypeName(it) + " inputs; the dataflow units take 1- to 8-bit inputs",
            "put an Activation or QuantAct of 1–8 bits before it"));
    l.thresholdsPerRow = 0;
    l.outputBits = 0; // set by finishLayers: an activation's bits or the accumulator
    w.df.layers.push_back(l);
    w.current = &w.df.layers.back();
    w.activated = false;
}

void addActivation(DataflowWalk& w, NodeId id, const Node& n)
{
    if (!w.current || w.activated)
        return; // on the input or a repeat: the host or the previous thresholds already quantize
    const TensorType* out = w.analysis.outputType(id);
    const int bits = out ? out->bits : n.quant.actBits;
    if (bits > 8) {
        w.df.problems.push_back(problem(id,
                                        n.name + " outputs float values; the dataflow thresholds produce 1- to "
                                                 "8-bit activations",
                                        "set its activation bits to 1–8"));
        return;
    }
    w.current->outputBits = bits;
    w.current->thresholdsPerRow = (1 << bits) - 1;
    w.activated = true;
}

void addMaxPool(DataflowWalk& w, NodeId id, const Node& n)
{
    if (!w.current) {
        w.df.problems.push_back(problem(id, "the dataflow has no unit for a MaxPool before the first Conv2D (" +
                                                n.name + ")",
                                        "remove it or move it after a convolution"));
        return;
    }
    w.current->poolAfter = true;
    w.current->poolK = int(n.attrInt("kernel"));
    w.current->poolStride = int(n.attrInt("stride"));
}

// Folded away: BatchNorm into the thresholds of the layer before; the others carry no work.
void nothingToBuild(DataflowWalk&, NodeId, const Node&) {}

const char* const kNoUnit = "the FINN/BNN-PYNQ pipeline streams Dense, Conv2D and MaxPool units";

// One entry per layer kind; tst_layer_kinds checks it covers the registry. A
// refused kind's sentence follows "the dataflow has no unit for <kind> (<node>); ".
const KindTable<DataflowStep>& dataflowSteps()
{
    using Table = KindTable<DataflowStep>;
    static const Table table("the cost model",
                             {
                                 {LayerKind::Input, addInput, {}},
                                 {LayerKind::Dense, addMatrixLayer, {}},
                                 {LayerKind::Conv2D, addMatrixLayer, {}},
                                 {LayerKind::MaxPool, addMaxPool, {}},
                                 Table::unsupported(LayerKind::AvgPool, kNoUnit),
                                 {LayerKind::BatchNorm, nothingToBuild, {}},
                                 {LayerKind::Activation, addActivation, {}},
                                 {LayerKind::QuantAct, addActivation, {}},
                                 {LayerKind::Dropout, nothingToBuild, {}},
                                 {LayerKind::Flatten, nothingToBuild, {}},
                                 Table::unsupported(LayerKind::Add, kNoUnit),
                                 Table::unsupported(LayerKind::Concat, kNoUnit),
                                 {LayerKind::Output, nothingToBuild, {}},
                             });
    return table;
}

void refuseKind(DataflowWalk& w, NodeId id, const Node& n)
{
    if (n.kind == LayerKind::AvgPool && n.attrFloat("trunc_scale") > 0) {
        // Exact on the codes (floor of the window's code sum / 2^bits), but no unit computes it.
        w.df.problems.push_back(problem(id,
                                        "the dataflow has no unit for the truncating AvgPool " + n.name +
                                            " (Brevitas' TruncAvgPool2d: floor of the window's sum / 2^" +
                                            std::to_string(n.attrInt("trunc_bits")) +
                                            "); the FINN/BNN-PYNQ pipeline and the packed engine pool with MaxPool only",
                                        "evaluate it with qnnw eval or eval-onnx, or train a MaxPool in its place"));
        return;
    }
    const std::string reason = dataflowSteps().refusal(n.kind);
    w.df.problems.push_back(problem(id,
                                    "the dataflow has no unit for " + layerKindName(n.kind) + " (" + n.name +
                                        "); " + reason,
                                    n.kind == LayerKind::AvgPool ? "use a MaxPool" : "remove the branch"));
}

// Boundary padding and output bits, once every matrix layer is known.
void finishLayers(Dataflow& df)
{
    const bool mlp = df.isMlp();
    for (MatrixLayer& l : df.layers) {
        l.first = l.index == 0;
        l.last = l.index + 1 == int(df.layers.size());
        if (l.first && l.kind == LayerKind::Dense)
            l.columnWordBits = 64;
        if (l.last) {
            l.minRows = 64;
            // BNN-PYNQ's LFC thresholds its last layer too (one bit per class);
            // CNV's passes 16-bit scores through.
            if (mlp && l.thresholdsPerRow == 0) {
                l.thresholdsPerRow = 1;
                l.outputBits = 1;
            }
        }
        if (l.outputBits == 0)
            l.outputBits = accumulatorBits(l) <= 16 ? 16 : 32;
    }
}

} // namespace

const KindCoverage& dataflowKinds() { return dataflowSteps(); }

Dataflow buildDataflow(const Graph& graph, const GraphAnalysis& analysis)
{
    DataflowWalk w{graph, analysis, {}};
    Dataflow& df = w.df;
    if (analysis.hasErrors()) {
        for (const Diagnostic& d : analysis.diagnostics) {
            if (d.severity != Severity::Error)
                continue;
            const Node* n = graph.node(d.node);
            df.problems.push_back(problem(d.node,
                                          "the graph has errors, so it has no hardware estimate yet (first: " +
                                              (n ? n->name + ": " : std::string()) + d.message + ")",
                                          "fix the graph's errors"));
            return df;
        }
    }
    for (NodeId id : analysis.order) {
        const Node& n = *graph.node(id);
        if (n.kind != LayerKind::Output && graph.outEdges(id).size() > 1)
            df.problems.push_back(problem(id,
                                          n.name + " feeds " + std::to_string(graph.outEdges(id).size()) +
                                              " layers, but the dataflow pipeline is one chain of units",
                                          "keep one path from Input to Output"));
        if (const DataflowStep* step = dataflowSteps().handler(n.kind))
            (*step)(w, id, n);
        else
            refuseKind(w, id, n);
    }
    if (df.inputBits > 8 && !df.layers.empty())
        df.problems.insert(df.problems.begin(),
                           problem(w.inputNode, "the input is float; the dataflow takes 1- to 8-bit pixels",
                                   "set the Input's activation bits to 1 or 8"));
    if (df.layers.empty() && df.problems.empty())
        df.problems.push_back(problem(kInvalidNode, "the graph has no Dense or Conv2D layer, so nothing to put on an FPGA",
                                      "add a Dense or Conv2D layer"));
    finishLayers(df);
    return df;
}

std::vector<int> validPe(const MatrixLayer& l)
{
    const PaddedShape s = paddedShape(l);
    return divisorsUpTo(s.mh, s.mh);
}

std::vector<int> validSimd(const MatrixLayer& l)
{
    const int64_t wordLimit = std::max(1, 64 / std::max(1, l.weightBits));
    if (l.kind == LayerKind::Conv2D)
        return divisorsUpTo(l.ifmCh, wordLimit);
    return divisorsUpTo(paddedShape(l).mw, wordLimit);
}

int64_t mvtuCycles(const MatrixLayer& l, const LayerFold& fold)
{
    const PaddedShape s = paddedShape(l, fold);
    return l.ofmPixels() * ((s.mh + fold.pe - 1) / fold.pe) * ((s.mw + fold.simd - 1) / fold.simd);
}

std::vector<Diagnostic> checkFolding(const Dataflow& df, const Folding& folding)
{
    std::vector<Diagnostic> out;
    // A set of the layer names, not Dataflow::find per entry (quadratic on long chains).
    std::unordered_set<std::string> names;
    names.reserve(df.layers.size());
    for (const MatrixLayer& l : df.layers)
        names.insert(l.name);
    for (const auto& [name, fold] : folding.layers) {
        if (!names.count(name))
            out.push_back(problem(kInvalidNode,
                                  "the folding names \"" + name + "\", which is not a Dense or Conv2D layer of this graph",
                                  "remove the entry or rename it after a layer"));
    }
    for (const MatrixLayer& l : df.layers) {
        const LayerFold* f = folding.find(l.name);
        if (!f) {
            out.push_back(problem(l.node, l.name + " has no PE/SIMD in the folding" +
                                              (folding.source.empty() ? std::string() : " (" + folding.source + ")"),
                                  "add an entry for it"));
            continue;
        }
        if (f->pe < 1 || f->simd < 1) {
            out.push_back(problem(l.node, l.name + ": PE and SIMD must be at least 1, got PE " + std::to_string(f->pe) +
                                              ", SIMD " + std::to_string(f->simd)));
            continue;
        }
        const PaddedShape s = paddedShape(l);
        if (l.last) {
            if (f->pe > s.mh)
                out.push_back(problem(l.node, l.name + ": PE " + std::to_string(f->pe) + " exceeds its " +
                                                  std::to_string(s.mh) + " rows (padded)",
                                      "choose one of " + listValues(validPe(l))));
        } else if (s.mh % f->pe != 0) {
            out.push_back(problem(l.node, l.name + ": PE " + std::to_string(f->pe) + " does not divide its " +
                                              std::to_string(s.mh) + " rows (MH)",
                                  "choose one of " + listValues(validPe(l))));
        }
        if (l.kind == LayerKind::Conv2D) {
            if (l.ifmCh % f->simd != 0)
                out.push_back(problem(l.node, l.name + ": SIMD " + std::to_string(f->simd) + " does not divide its " +
                                                  std::to_string(l.ifmCh) +
                                                  " input channels (MW = " + std::to_string(l.mw) +
                                                  "; the sliding window streams whole channel groups)",
                                      "choose one of " + listValues(validSimd(l))));
        } else if (l.first) {
            if (f->simd > s.mw)
                out.push_back(problem(l.node, l.name + ": SIMD " + std::to_string(f->simd) + " exceeds its " +
                                                  std::to_string(s.mw) + " columns (padded)",
                                      "choose one of " + listValues(validSimd(l))));
        } else if (s.mw % f->simd != 0) {
            out.push_back(problem(l.node, l.name + ": SIMD " + std::to_string(f->simd) + " does not divide its " +
                                              std::to_string(s.mw) + " columns (MW)",
                                  "choose one of " + listValues(validSimd(l))));
        }
        if (int64_t(f->simd) * l.weightBits > 64)
            out.push_back(problem(l.node, l.name + ": a weight word of SIMD " + std::to_string(f->simd) + " × " +
                                              std::to_string(l.weightBits) + " bits = " +
                                              std::to_string(int64_t(f->simd) * l.weightBits) +
                                              " bits is wider than 64 bits (the weight files' words)",
                                  "use SIMD ≤ " + std::to_string(64 / l.weightBits)));
    }
    return out;
}

bool resolveFinnNames(const Dataflow& df, Folding& folding, std::string& error)
{
    static const std::regex finnName(
        R"((?:MVAU|MatrixVectorActivation|StreamingFCLayer_Batch|VectorVectorActivation)(?:_hls|_rtl)?_(\d+))");
    Folding resolved;
    resolved.source = folding.source;
    for (const auto& [name, fold] : folding.layers) {
        std::smatch m;
        if (df.find(name) || !std::regex_match(name, m, finnName)) {
            resolved.layers[name] = fold;
            continue;
        }
        const size_t index = m[1].length() > 6 ? df.layers.size() : std::stoul(m[1].str());
        if (index >= df.layers.size()) {
            error = "folding entry \"" + name + "\" names matrix layer " + std::to_string(index) + ", but the graph has " +
                    std::to_string(df.layers.size());
            return false;
        }
        resolved.layers[df.layers[index].name] = fold;
    }
    folding = std::move(resolved);
    return true;
}

} // namespace qnn
