#pragma once
// The float semantics of the ONNX and QONNX operators this tool reads: the
// interpreter of eval-onnx runs them, and the importer folds constants with them.

#include "core/onnx/onnx_proto.h"

#include <string>
#include <vector>

namespace qnn::onnx_io {

/** True when runOp knows the operator (ONNX domain or a QONNX domain). */
bool isSupportedOp(const onnx::NodeProto& node);

/** Runs one node. `inputs` follows node.input(); an omitted optional input is
 *  nullptr. False with a sentence naming the node when the inputs do not fit
 *  the operator or an attribute is unsupported. */
bool runOp(const onnx::NodeProto& node, const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs,
           std::string& error);

/** QONNX Quant on one value: clamp(x/scale + zeropt) to the integer range of
 *  (bits, signed, narrow), round, shift back and scale. */
float quantValue(float x, float scale, float zeropt, double bits, bool isSigned, bool narrow, const std::string& rounding);
/** The integer range of QONNX's Quant. */
double quantMinInt(bool isSigned, bool narrow, double bits);
double quantMaxInt(bool isSigned, bool narrow, double bits);

} // namespace qnn::onnx_io

namespace qnn::onnx_io {

/** `t` broadcast (numpy rules) to `shape`; false when it does not broadcast to exactly that shape. */
bool broadcastTo(const Tensor& t, const std::vector<int64_t>& shape, Tensor& out);

} // namespace qnn::onnx_io
