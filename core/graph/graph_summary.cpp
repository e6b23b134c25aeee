#include "core/graph/graph_summary.h"

#include "core/graph/kind_table.h"
#include "core/graph/layer_registry.h"

#include <cstdio>
#include <functional>
#include <iomanip>
#include <sstream>

namespace qnn {

namespace {

struct Cost {
    int64_t weights = 0;
    int64_t fp32Params = 0; // bias, BatchNorm gamma and beta
    int64_t macs = 0;
};

using CostFn = std::function<Cost(const Node& n, const std::vector<TensorType>& in, const TensorType& out)>;

Cost denseCost(const Node& n, const std::vector<TensorType>& in, const TensorType&)
{
    Cost c;
    const int64_t inSize = shapeSize(in[0].shape);
    const int64_t units = n.attrInt("units");
    c.weights = inSize * units;
    c.fp32Params = n.attrBool("bias") ? units : 0;
    c.macs = c.weights;
    return c;
}

Cost convCost(const Node& n, const std::vector<TensorType>& in, const TensorType& out)
{
    Cost c;
    const int64_t k = n.attrInt("kernel");
    const int64_t filters = n.attrInt("filters");
    c.weights = filters * in[0].shape[0] * k * k;
    c.fp32Params = n.attrBool("bias") ? filters : 0;
    c.macs = c.weights * out.shape[1] * out.shape[2];
    return c;
}

Cost batchNormCost(const Node&, const std::vector<TensorType>& in, const TensorType&)
{
    Cost c;
    c.fp32Params = 2 * in[0].shape[0]; // gamma and beta
    return c;
}

// No weights, no parameters, no multiply-accumulates.
Cost noCost(const Node&, const std::vector<TensorType>&, const TensorType&) { return {}; }

// One entry per layer kind; tst_layer_kinds checks it covers the registry.
const KindTable<CostFn>& layerCosts()
{
    static const KindTable<CostFn> table("the summary", {
                                                            {LayerKind::Input, noCost, {}},
                                                            {LayerKind::Dense, denseCost, {}},
                                                            {LayerKind::Conv2D, convCost, {}},
                                                            {LayerKind::MaxPool, noCost, {}},
                                                            {LayerKind::AvgPool, noCost, {}},
                                                            {LayerKind::BatchNorm, batchNormCost, {}},
                                                            {LayerKind::Activation, noCost, {}},
                                                            {LayerKind::QuantAct, noCost, {}},
                                                            {LayerKind::Dropout, noCost, {}},
                                                            {LayerKind::Flatten, noCost, {}},
                                                            {LayerKind::Add, noCost, {}},
                                                            {LayerKind::Concat, noCost, {}},
                                                            {LayerKind::Output, noCost, {}},
                                                        });
    return table;
}

// A kind the table misses counts nothing here; tst_layer_kinds names it.
Cost layerCost(const Node& n, const std::vector<TensorType>& in, const TensorType& out)
{
    const CostFn* cost = layerCosts().handler(n.kind);
    return cost ? (*cost)(n, in, out) : Cost{};
}

} // namespace

const KindCoverage& summaryKinds() { return layerCosts(); }

namespace {

// UTF-8 code points, not bytes, so "×" lines up in a terminal.
size_t glyphCount(const std::string& s)
{
    size_t glyphs = 0;
    for (unsigned char ch : s)
        glyphs += (ch & 0xC0) != 0x80;
    return glyphs;
}

std::string padding(const std::string& s, size_t width)
{
    const size_t glyphs = glyphCount(s);
    return std::string(width > glyphs ? width - glyphs : 0, ' ');
}

// Divides by `base` until the value is below it and appends the unit reached.
std::string scaled(double v, double base, const std::vector<const char*>& units, const char* smallFormat,
                   const char* format)
{
    size_t u = 0;
    while (v >= base && u + 1 < units.size()) {
        v /= base;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? smallFormat : format, v, units[u]);
    return buf;
}

std::string bitsCell(int bits) { return bits == 0 ? "-" : std::to_string(bits); }

} // namespace

GraphSummary summarizeGraph(const Graph& graph) { return summarizeGraph(graph, analyzeGraph(graph)); }

GraphSummary summarizeGraph(const Graph& graph, const GraphAnalysis& analysis)
{
    GraphSummary s;
    s.complete = !analysis.hasErrors();
    for (NodeId id : analysis.order) {
        const TensorType* out = analysis.outputType(id);
        auto in = analysis.inputTypes.find(id);
        if (!out)
            continue;
        const Node& n = *graph.node(id);
        const LayerSpec& spec = LayerRegistry::spec(n.kind);
        static const std::vector<TensorType> none;
        const std::vector<TensorType>& inputs = in == analysis.inputTypes.end() ? none : in->second;
        const Cost c = layerCost(n, inputs, *out);

        LayerSummary l;
        l.id = id;
        l.name = n.name;
        l.kind = n.kind;
        l.outputShape = out->shape;
        l.weightBits = spec.hasWeights ? n.quant.weightBits : 0;
        l.actBits = spec.hasWeights && !inputs.empty() ? inputs[0].bits : out->bits;
        l.params = c.weights + c.fp32Params;
        l.weightMemoryBits = c.weights * n.quant.weightBits + c.fp32Params * 32;
        l.macs = c.macs;
        l.bops = c.macs * (spec.hasWeights ? n.quant.weightBits : 32) * l.actBits;
        s.layers.push_back(l);

        s.params += l.params;
        s.weightMemoryBits += l.weightMemoryBits;
        s.fp32MemoryBits += l.params * 32;
        s.macs += l.macs;
        s.bops += l.bops;
    }
    s.compression = s.weightMemoryBits > 0 ? static_cast<double>(s.fp32MemoryBits) / s.weightMemoryBits : 1.0;
    return s;
}

std::string humanCount(double v)
{
    return scaled(v, 1000, {"", " k", " M", " G", " T", " P"}, "%.0f%s", "%.2f%s");
}

std::string humanBytes(double v)
{
    return scaled(v, 1024, {" B", " KiB", " MiB", " GiB", " TiB"}, "%.0f%s", "%.1f%s");
}

std::string formatSummaryTable(const GraphSummary& s)
{
    const std::vector<std::string> head{"layer", "kind", "output", "wbits", "abits", "params", "weight bits",
                                        "bytes", "MACs", "BOPs"};
    std::vector<std::vector<std::string>> rows;
    for (const LayerSummary& l : s.layers)
        rows.push_back({l.name, layerKindName(l.kind), shapeToString(l.outputShape), bitsCell(l.weightBits),
                        std::to_string(l.actBits), std::to_string(l.params), std::to_string(l.weightMemoryBits),
                        std::to_string((l.weightMemoryBits + 7) / 8), std::to_string(l.macs),
                        std::to_string(l.bops)});
    rows.push_back({"total", "", "", "", "", std::to_string(s.params), std::to_string(s.weightMemoryBits),
                    std::to_string(s.weightMemoryBytes()), std::to_string(s.macs), std::to_string(s.bops)});

    std::vector<size_t> width(head.size());
    for (size_t c = 0; c < head.size(); ++c) {
        width[c] = glyphCount(head[c]);
        for (const auto& r : rows)
            width[c] = std::max(width[c], glyphCount(r[c]));
    }
    // Text columns flush left, numbers flush right.
    auto line = [&](const std::vector<std::string>& r) {
        std::string out;
        for (size_t c = 0; c < r.size(); ++c) {
            if (c)
                out += "  ";
            out += c < 3 ? r[c] + padding(r[c], width[c]) : padding(r[c], width[c]) + r[c];
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out + "\n";
    };
    std::string rule;
    for (size_t c = 0; c < head.size(); ++c)
        rule += std::string(width[c], '-') + (c + 1 < head.size() ? "  " : "");

    std::ostringstream o;
    o << line(head) << rule << "\n";
    for (size_t i = 0; i + 1 < rows.size(); ++i)
        o << line(rows[i]);
    o << rule << "\n" << line(rows.back());
    o << "\nweights " << humanBytes(static_cast<double>(s.weightMemoryBytes())) << " (FP32 "
      << humanBytes(static_cast<double>((s.fp32MemoryBits + 7) / 8)) << ", compression " << std::fixed
      << std::setprecision(2) << s.compression << "x), " << humanCount(static_cast<double>(s.macs))
      << " MACs/frame, " << humanCount(static_cast<double>(s.bops)) << " BOPs/frame\n";
    if (!s.complete)
        o << "the graph has errors: layers after them are not counted (see `qnnw check`)\n";
    return o.str();
}

nlohmann::json summaryToJson(const GraphSummary& s)
{
    nlohmann::json layers = nlohmann::json::array();
    for (const LayerSummary& l : s.layers)
        layers.push_back({{"id", l.id},
                          {"name", l.name},
                          {"kind", layerKindName(l.kind)},
                          {"output_shape", l.outputShape},
                          {"weight_bits", l.weightBits == 0 ? nlohmann::json(nullptr) : nlohmann::json(l.weightBits)},
                          {"act_bits", l.actBits},
                          {"params", l.params},
                          {"weight_memory_bits", l.weightMemoryBits},
                          {"weight_memory_bytes", (l.weightMemoryBits + 7) / 8},
                          {"macs", l.macs},
                          {"bops", l.bops}});
    return {{"layers", layers},
            {"complete", s.complete},
            {"totals",
             {{"params", s.params},
              {"weight_bits", s.weightMemoryBits},
              {"weight_bytes", s.weightMemoryBytes()},
              {"fp32_weight_bits", s.fp32MemoryBits},
              {"macs", s.macs},
              {"bops", s.bops},
              {"compression", s.compression}}}};
}

} // namespace qnn
