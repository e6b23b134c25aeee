#pragma once

#include "core/graph/kind_table.h"
#include "core/graph/graph_analysis.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace qnn {

/** Cost figures of one layer, as `qnnw summary` and the editor's summary bar show them. */
struct LayerSummary {
    NodeId id = kInvalidNode;
    std::string name;
    LayerKind kind = LayerKind::Input;
    Shape outputShape;
    /** Weight bits for Dense/Conv2D, 0 for layers without weights. */
    int weightBits = 0;
    /** Dense/Conv2D: bits of the activations they multiply (the A of W1A1).
     *  Other layers: bits of what they output. */
    int actBits = 32;
    int64_t params = 0;
    /** Weights at their bit-width; bias and BatchNorm parameters at 32 bits. */
    int64_t weightMemoryBits = 0;
    int64_t macs = 0;
    /** MACs × weight bits × activation bits. */
    int64_t bops = 0;
};

struct GraphSummary {
    std::vector<LayerSummary> layers;
    int64_t params = 0;
    int64_t weightMemoryBits = 0;
    /** The same parameters all at 32 bits. */
    int64_t fp32MemoryBits = 0;
    int64_t macs = 0;
    int64_t bops = 0;
    /** fp32MemoryBits / weightMemoryBits (1 when there are no parameters). */
    double compression = 1.0;
    /** False when the graph has errors; layers then cover only what could be inferred. */
    bool complete = true;

    int64_t weightMemoryBytes() const { return (weightMemoryBits + 7) / 8; }
};

/** Figures per layer in topological order; layers whose shapes are unknown are left out. */
GraphSummary summarizeGraph(const Graph& graph, const GraphAnalysis& analysis);
GraphSummary summarizeGraph(const Graph& graph);
/** The summary's table of layer kinds: what each kind counts (weights, parameters, MACs). */
const KindCoverage& summaryKinds();

/** A plain-text table, one row per layer plus totals, for a terminal. */
std::string formatSummaryTable(const GraphSummary& summary);
nlohmann::json summaryToJson(const GraphSummary& summary);

/** 2910208 → "2.91 M"; used for MACs, BOPs and parameters. */
std::string humanCount(double value);
/** 363776 → "355.2 KiB". */
std::string humanBytes(double bytes);

} // namespace qnn
