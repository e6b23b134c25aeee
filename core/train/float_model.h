#pragma once

#include "core/graph/graph.h"
#include "core/weights/weight_file.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace qnn {

/** Float inference (eval mode, CPU) of a graph with the weights of a weight
 *  file: what the trained model computes, for comparing with the packed
 *  integer model or with imported parameters. Torch is inside qnn_train;
 *  this interface is torch-free, so any qnn_train user can call it. */
class FloatModel
{
public:
    FloatModel();
    ~FloatModel();
    FloatModel(const FloatModel&) = delete;
    FloatModel& operator=(const FloatModel&) = delete;

    /** False with a sentence when the graph cannot be built or the weights do not fit it. */
    bool load(const Graph& graph, const WeightFile& weights, std::string& error);

    /** Node ids in the order forwardAll() returns them. */
    const std::vector<NodeId>& order() const;
    /** Values per image of the Input node (C*H*W or features). */
    int64_t inputSize() const;

    /** Output-node values of n images (inputs: n * inputSize() floats, already
     *  transformed like evaluation batches); out: n * classes. */
    void forward(const float* inputs, int64_t n, std::vector<float>& out);
    /** Every node's output for n images: outputs[i] belongs to order()[i],
     *  n * (values per image) floats, channel-major. */
    void forwardAll(const float* inputs, int64_t n, std::vector<std::vector<float>>& outputs);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace qnn
