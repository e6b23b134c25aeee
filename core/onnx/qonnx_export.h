#pragma once

#include "core/graph/graph.h"
#include "core/graph/kind_table.h"
#include "core/hw/folding.h"
#include "core/weights/weight_file.h"

#include <nlohmann/json.hpp>

#include <string>

namespace qnn {

/** Where an exported file came from, written into its metadata. */
struct QonnxExportInfo {
    std::string projectName;
    std::string run;
    int epoch = 0;
};

/** Writes a trained graph as QONNX (ONNX opset 11 plus the
 *  qonnx.custom_op.general domain, version 1), as FINN ingests it:
 *  - the graph input is the image as pixels / 255 in [0, 1] (N×C×H×W, or
 *    N×features for a flat Input), batch 1; a Mul by 2 and a Sub of 1 turn it
 *    into the [-1, 1] the workbench trains on (as Brevitas' BNN-PYNQ models do);
 *  - Dense/Conv2D weights are float initializers (the latent weights) behind a
 *    BipolarQuant (1 bit) or a Quant (n bits, narrow, scale max|w|/(2^(n-1)-1));
 *    Dense is a MatMul with weights [in, out], a bias an Add; Conv2D a Conv;
 *  - BatchNorm is BatchNormalization; quantized activations (Input, Activation,
 *    QuantAct) are BipolarQuant / Quant nodes, float ones Relu / Clip / Identity;
 *  - ONNX nodes are named after the graph's nodes, initializers
 *    "<node>.weight" and so on; every value carries its inferred shape.
 *  The model passes onnx::checker before it is written (atomically).
 *  False with a sentence naming the node when the graph has errors or the
 *  weights do not fit it. */
bool exportQonnx(const Graph& graph, const WeightFile& weights, const QonnxExportInfo& info,
                 const std::string& path, std::string& error);

/** FINN's folding_config.json for the graph's matrix layers, in the order of
 *  the dataflow: {"Defaults": {}, "MVAU_hls_0": {"PE": .., "SIMD": ..}, ...}.
 *  FINN needs PE to divide the rows and SIMD the columns (it does not pad),
 *  so each is the largest divisor of the layer's size not above the
 *  folding's. Layers the folding does not name get PE = SIMD = 1. */
nlohmann::json finnFoldingConfig(const Graph& graph, const Folding& folding);
/** The folding to hand to FINN: the given one when not empty, else the
 *  matching BNN-PYNQ overlay's, else PE = SIMD = 1 everywhere. */
Folding foldingForExport(const Graph& graph, const Folding& chosen);

/** The exporter's table of layer kinds (one ONNX lowering per kind). */
const KindCoverage& qonnxExportKinds();

} // namespace qnn
