#include "core/train/float_model.h"

#include "core/train/detail/weight_io.h"

namespace qnn {

struct FloatModel::Impl {
    detail::GraphModel model{nullptr};
    std::vector<NodeId> order;
    int64_t inputSize = 0;
};

FloatModel::FloatModel() : m_impl(std::make_unique<Impl>()) {}
FloatModel::~FloatModel() = default;

bool FloatModel::load(const Graph& graph, const WeightFile& weights, std::string& error)
{
    detail::GraphModel model{nullptr};
    if (!detail::buildGraphModel(graph, model, error))
        return false;
    if (!detail::loadWeightFileIntoModel(graph, weights, model, error))
        return false;
    model->eval();
    m_impl->model = model;
    m_impl->order = model->order();
    m_impl->inputSize = 1;
    for (int64_t d : model->inputShape())
        m_impl->inputSize *= d;
    return true;
}

const std::vector<NodeId>& FloatModel::order() const { return m_impl->order; }
int64_t FloatModel::inputSize() const { return m_impl->inputSize; }

void FloatModel::forward(const float* inputs, int64_t n, std::vector<float>& out)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::from_blob(const_cast<float*>(inputs), {n, m_impl->inputSize}, torch::kFloat);
    const torch::Tensor y = m_impl->model->forward(x).contiguous();
    out.assign(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
}

void FloatModel::forwardAll(const float* inputs, int64_t n, std::vector<std::vector<float>>& outputs)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::from_blob(const_cast<float*>(inputs), {n, m_impl->inputSize}, torch::kFloat);
    const std::vector<torch::Tensor> all = m_impl->model->forwardAll(x);
    outputs.resize(all.size());
    for (size_t i = 0; i < all.size(); ++i) {
        const torch::Tensor c = all[i].contiguous().to(torch::kFloat);
        outputs[i].assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    }
}

} // namespace qnn
