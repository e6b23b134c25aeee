#pragma once

#include "core/graph/graph.h"
#include "core/weights/weight_file.h"

#include <string>
#include <vector>

namespace qnn {

/** A QONNX file turned into the workbench's terms. */
struct QonnxImport {
    Graph graph;
    /** Weights keyed by the new graph's node ids (epoch 1, tag "best"). */
    WeightFile weights;
    /** What was folded or rewritten on the way, one sentence each. */
    std::vector<std::string> notes;
    /** The dataset the input's shape suggests (mnist, cifar10) or empty. */
    std::string dataset;
};

/** Reads a QONNX file (the qonnx.custom_op.general domain or the older
 *  onnx.brevitas one) and maps it onto the layer registry's kinds:
 *  - whatever depends only on constants and shapes is folded (initializers
 *    also listed as graph inputs, Shape/Gather/Unsqueeze/Concat/Reshape
 *    flattens, Transpose of weights, Constant nodes);
 *  - Mul/Div/Add/Sub by constants become the Input's pixel scaling when they
 *    amount to the workbench's own (pixels / 255 → [-1, 1]), a Dense/Conv2D
 *    bias, or a BatchNorm holding the per-channel affine map otherwise;
 *  - MatMul/Gemm → Dense, Conv → Conv2D, BatchNormalization → BatchNorm,
 *    BipolarQuant/Quant on weights → 1/n-bit weights, on activations → the
 *    Input's bits, Activation (sign, hardtanh, relu) or QuantAct; Relu, Clip,
 *    MaxPool, AveragePool, Flatten, Add, Concat as themselves.
 *  The file's input is taken as pixels / 255 (see qonnx_eval.h). Anything the
 *  workbench cannot compute exactly is refused with a sentence naming the
 *  node and why: nothing is dropped silently (a final Softmax, which leaves
 *  every prediction unchanged, is dropped with a note). */
bool importQonnx(const std::string& path, QonnxImport& out, std::string& error);

} // namespace qnn
