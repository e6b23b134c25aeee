#pragma once

#include "core/graph/diagnostic.h"
#include "core/graph/graph.h"
#include "core/graph/graph_analysis.h"
#include "core/graph/kind_table.h"
#include "core/hw/folding.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

/** One Dense or Conv2D node as a matrix-vector-threshold unit (FPGA_NOTES.md):
 *  a weight matrix of MH rows (output neurons or channels) by MW columns
 *  (inputs; K*K*IFM_CH for a conv, columns channel-innermost). */
struct MatrixLayer {
    NodeId node = kInvalidNode;
    std::string name;
    LayerKind kind = LayerKind::Dense;
    /** Position among the matrix layers, from 0 (the BNN-PYNQ file prefix). */
    int index = 0;
    int64_t mh = 0;
    int64_t mw = 0;
    /** Conv2D: kernel, stride, zero padding and the image sizes. Dense: K = 1, dims 1. */
    int k = 1;
    int stride = 1;
    int pad = 0;
    int64_t ifmCh = 0;
    int64_t ifmH = 1, ifmW = 1;
    int64_t ofmH = 1, ofmW = 1;
    /** Bits of a weight, of an input element and of an output element. */
    int weightBits = 1;
    int inputBits = 1;
    int outputBits = 1;
    /** Thresholds per row: 2^outputBits - 1 when an activation follows (its
     *  batch norm folded in); 0 when the accumulator passes through. */
    int thresholdsPerRow = 1;
    /** A max pool follows (before the next matrix layer). */
    bool poolAfter = false;
    int poolK = 0;
    int poolStride = 0;
    /** Boundary padding of the BNN-PYNQ overlays: the first layer of an MLP
     *  takes its input in whole 64-bit words (784 → 832 columns for 1-bit
     *  pixels), the last layer pads its rows to at least 64 (10 → 64). */
    int64_t minRows = 0;
    int64_t columnWordBits = 0;
    bool first = false;
    bool last = false;

    /** Output pixels per frame (1 for Dense). */
    int64_t ofmPixels() const { return ofmH * ofmW; }
};

/** Rows and columns a layer has in hardware under a fold: boundary padding
 *  first (minRows, columnWordBits), then the first layer's columns up to a
 *  multiple of SIMD and the last layer's rows up to a multiple of PE (the
 *  host pads and ignores those). Inner layers are not padded: PE must divide
 *  MH and SIMD must divide MW (checkFolding says so). */
struct PaddedShape {
    int64_t mh = 0;
    int64_t mw = 0;
};
PaddedShape paddedShape(const MatrixLayer& layer, const LayerFold& fold);
/** Boundary padding only (no fold): the shape the packer and the overlays' files start from. */
PaddedShape paddedShape(const MatrixLayer& layer);

/** What the dataflow pipeline of a graph is made of, in stream order. */
struct Dataflow {
    std::vector<MatrixLayer> layers;
    /** Bits of one input element of the network, and the input's size. */
    int inputBits = 32;
    /** The Input's "narrow" option (inputLevels): false = one more code below zero. */
    bool inputNarrow = true;
    Shape inputShape;
    /** Problems that stop the graph from becoming a dataflow pipeline
     *  (category hardware-fit, naming the node): graph errors, float
     *  weights or activations, a layer kind without a unit, branches. */
    std::vector<Diagnostic> problems;

    bool ok() const { return problems.empty(); }
    const MatrixLayer* find(const std::string& name) const;
    /** True when every matrix layer is Dense (the MLP padding rules apply). */
    bool isMlp() const;
};

Dataflow buildDataflow(const Graph& graph, const GraphAnalysis& analysis);
/** The cost model's table of layer kinds: which become units, which fold away, which it refuses. */
const KindCoverage& dataflowKinds();
Dataflow buildDataflow(const Graph& graph);

/** Every reason this folding cannot work on this dataflow, one sentence per
 *  problem naming the layer (category hardware-fit, node set): a layer the
 *  folding does not name, PE or SIMD below 1, PE not dividing MH, SIMD not
 *  dividing MW (or a conv's input channels), a weight word wider than 64
 *  bits. Folding entries naming no layer are an error too. Empty = valid. */
std::vector<Diagnostic> checkFolding(const Dataflow& dataflow, const Folding& folding);

/** FINN's folding_config.json names matrix layers by its own node names
 *  ("MVAU_0", "MatrixVectorActivation_1", "StreamingFCLayer_Batch_2",
 *  "MVAU_hls_3"): renames those that are not node names to the layer with
 *  that index. False, with a sentence, when an index names no layer. */
bool resolveFinnNames(const Dataflow& dataflow, Folding& folding, std::string& error);

/** The PE values valid for a layer (divisors of MH, or any up to the padded
 *  rows for the last layer) and the SIMD values (divisors of MW or of a
 *  conv's input channels, SIMD × weight bits ≤ 64), ascending. */
std::vector<int> validPe(const MatrixLayer& layer);
std::vector<int> validSimd(const MatrixLayer& layer);

/** Cycles one frame spends in the layer's unit: OFM_H*OFM_W * MH/PE * MW/SIMD (padded). */
int64_t mvtuCycles(const MatrixLayer& layer, const LayerFold& fold);

} // namespace qnn
