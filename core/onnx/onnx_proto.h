#pragma once
// Protobuf side of qnn_onnx: only core/onnx/*.cpp and tests include this.

#include "core/onnx/onnx_tensor.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace qnn::onnx_io {

/** The custom domains whose Quant / BipolarQuant / Trunc we read (current
 *  QONNX, earlier Brevitas exports, FINN's older name). */
bool isQonnxDomain(const std::string& domain);
constexpr const char* kQonnxDomain = "qonnx.custom_op.general";

/** Float32, float64, float16 are read as float; int64, int32, int8, uint8,
 *  bool as int. Negative dimensions, more than 2^28 values, a value count
 *  that differs from the shape's, data still external (readModel() loads it)
 *  and other types give a sentence. */
bool tensorFromProto(const onnx::TensorProto& proto, Tensor& out, std::string& error);
onnx::TensorProto tensorToProto(const std::string& name, const Tensor& tensor);

/** The error says whether the file is missing, not a regular file (a device,
 *  a pipe, a folder), 2 GiB or larger (protobuf's limit), not ONNX, or holds
 *  no graph. Initializers stored as external data are read into the model
 *  from plain files inside the model's folder, their sizes checked first. */
bool readModel(const std::string& path, onnx::ModelProto& model, std::string& error);
/** Atomic (temporary file, then rename). */
bool writeModel(const std::string& path, const onnx::ModelProto& model, std::string& error);
/** onnx::checker on the model; the error is the checker's message. */
bool checkModel(const onnx::ModelProto& model, std::string& error);

const onnx::AttributeProto* findAttr(const onnx::NodeProto& node, const std::string& name);
/** Adds an attribute of the value's type (INT, FLOAT, STRING, INTS) to a node. */
void setAttr(onnx::NodeProto& node, const std::string& name, int64_t value);
void setAttr(onnx::NodeProto& node, const std::string& name, float value);
void setAttr(onnx::NodeProto& node, const std::string& name, const std::string& value);
void setAttr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& value);
int64_t attrInt(const onnx::NodeProto& node, const std::string& name, int64_t fallback);
float attrFloat(const onnx::NodeProto& node, const std::string& name, float fallback);
std::string attrString(const onnx::NodeProto& node, const std::string& name, const std::string& fallback);
std::vector<int64_t> attrInts(const onnx::NodeProto& node, const std::string& name);

/** "node 'fc1' (MatMul)": how messages name a node of the file. */
std::string nodeLabel(const onnx::NodeProto& node);

} // namespace qnn::onnx_io
