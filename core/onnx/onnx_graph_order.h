#pragma once

#include "core/onnx/onnx_proto.h"

#include <set>
#include <string>
#include <vector>

namespace qnn::onnx_io {

/** What a graph's values are: the one real input (graph inputs that are not
 *  also initializers, as older IR versions list weights among the inputs),
 *  the initializers and the nodes in an order where each node comes after
 *  the producers of its inputs. */
struct GraphLayout {
    const onnx::ValueInfoProto* input = nullptr;
    std::vector<const onnx::NodeProto*> order;
    std::set<std::string> initializers;
};

/** False with a sentence naming the node: an input neither produced by a
 *  node nor an initializer nor a graph input ("missing initializer"), a
 *  cycle, no or several real graph inputs, no or several outputs. */
bool layoutGraph(const onnx::GraphProto& graph, GraphLayout& out, std::string& error);

/** The input's dimensions; a symbolic batch dimension reads as 1. */
std::vector<int64_t> inputShape(const onnx::ValueInfoProto& input);

} // namespace qnn::onnx_io
