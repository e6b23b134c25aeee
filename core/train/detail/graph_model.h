#pragma once
// Torch side of qnn_train: only core/train/*.cpp and tests of the trainer include this.

#include "core/graph/graph.h"
#include "core/graph/graph_analysis.h"
#include "core/quant/quantization.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace qnn::detail {

/** Forward sign (x >= 0 → +1, else -1) with the hardtanh straight-through
 *  gradient: the incoming gradient where |x| <= 1, zero outside (BinaryNet). */
torch::Tensor binaryActivation(const torch::Tensor& x, double scale = 1.0);
/** Forward sign of latent weights with an identity straight-through gradient;
 *  the latent weights stay in [-1, 1] through clipping after each step instead. */
torch::Tensor binaryWeight(const torch::Tensor& w);
/** Uniform fake quantization to `levels` (clip, round half to even, scale)
 *  with a straight-through gradient that is 1 inside the clip range and 0 outside. */
torch::Tensor uniformQuantize(const torch::Tensor& x, const QuantLevels& levels);
/** Weights at `bits`: bipolar sign, n-bit symmetric with scale max|w| / (2^(n-1)-1), or unchanged at 32. */
torch::Tensor quantizeWeight(const torch::Tensor& w, int bits);

/** Mean loss of a batch: "squared_hinge" (targets +1 for the true class, -1
 *  for the others, mean of max(0, 1 - t·y)², as in BinaryNet) or "cross_entropy". */
torch::Tensor trainingLoss(const std::string& loss, const torch::Tensor& out, const torch::Tensor& labels);

/** One node of the graph as a torch module. */
class LayerImpl : public torch::nn::Module
{
public:
    virtual torch::Tensor forward(const std::vector<torch::Tensor>& inputs) = 0;
};

/** A trainable module built from a validated graph: one submodule per node
 *  (registered under the node's name), run in the graph's topological order.
 *  Parameters are named "<node name>.weight" and so on. */
class GraphModelImpl : public torch::nn::Module
{
public:
    /** The graph must analyse without errors (see buildGraphModel). */
    GraphModelImpl(const Graph& graph, const GraphAnalysis& analysis);

    /** Output of the Output node for a batch whose samples have the Input node's shape. */
    torch::Tensor forward(const torch::Tensor& input);
    /** Every node's output, indexed like order(); for tests and layer-by-layer comparison. */
    std::vector<torch::Tensor> forwardAll(const torch::Tensor& input);

    const std::vector<NodeId>& order() const { return m_order; }
    /** The module of a node (nullptr for an id not in the graph); the weight file reads and writes through it. */
    std::shared_ptr<LayerImpl> layerOf(NodeId id) const;
    /** Latent weights of quantized Dense/Conv2D layers: clipped to [-1, 1] after each step. */
    const std::vector<torch::Tensor>& clippedWeights() const { return m_clipped; }
    /** Whether W1A1 Dense layers may compute their forward product by
     *  XNOR-popcount (detail/xnor_dense.h); on unless QNN_TRAIN_XNOR=0.
     *  Results are the same bits either way: this is for tests and benchmarks. */
    void setXnorForward(bool on);
    /** Shape of one sample at the Input node. */
    const Shape& inputShape() const { return m_inputShape; }
    int inputActBits() const { return m_inputActBits; }

private:
    /** Every node's output in order; unless keepAll, values no later step needs are freed on the way. */
    std::vector<torch::Tensor> run(const torch::Tensor& input, bool keepAll);

    struct Step {
        NodeId id = kInvalidNode;
        std::shared_ptr<LayerImpl> layer;
        /** Index into the step list of the producer of each input port. */
        std::vector<size_t> inputs;
    };
    std::vector<NodeId> m_order;
    std::vector<Step> m_steps;
    std::vector<torch::Tensor> m_clipped;
    size_t m_outputStep = 0;
    Shape m_inputShape;
    int m_inputActBits = 32;
};
TORCH_MODULE(GraphModel);

/** Builds the model, or says in a sentence why the graph cannot be trained
 *  (graph errors, no Input or Output, more than one of them). */
bool buildGraphModel(const Graph& graph, GraphModel& out, std::string& error);

} // namespace qnn::detail
