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

/** Reads a QONNX file (the qonnx.custom_op.general domain, the older
 *  onnx.brevitas one or finn.custom_op.general; opsets 9–13; initializers
 *  also listed as inputs or kept as external data) and maps it onto the layer
 *  registry's kinds:
 *  - every node whose inputs are all constants (initializers, Constant
 *    nodes, shapes of the input) is computed with eval-onnx's operators
 *    (onnx_ops.h) first: Brevitas' flatten and quantizer-scale arithmetic;
 *  - Mul/Div/Add/Sub by constants become the Input's pixel scaling when they
 *    amount to the workbench's own (pixels / 255 → [-1, 1]), a Dense/Conv2D
 *    bias, part of the BatchNorm after them, or a BatchNorm holding the
 *    per-channel affine map otherwise;
 *  - MatMul/Gemm → Dense, Conv → Conv2D, BatchNormalization → BatchNorm,
 *    BipolarQuant/Quant on weights → 1- to 8-bit weights (per-output-channel
 *    scales as integer codes and a per-channel multiply), on activations →
 *    the Input's bits, Activation (sign, hardtanh, relu) or QuantAct; Relu,
 *    Clip, MaxPool, AveragePool, Flatten, Add, Concat as themselves.
 *  The file's input is taken as pixels / 255 (see qonnx_eval.h). Anything the
 *  workbench cannot compute exactly is refused with a sentence naming the
 *  node and why: nothing is dropped silently (a final Softmax, which leaves
 *  every prediction unchanged, is dropped with a note). */
bool importQonnx(const std::string& path, QonnxImport& out, std::string& error);

} // namespace qnn
