#pragma once
// What the QONNX and Brevitas tests compare: the float model's predictions on
// a set, and how many of two prediction lists differ. Header-only: it needs
// qnn_train (LibTorch), which only the tests that include it link, not the
// shared qnn_test_support library.

#include "core/data/image_set.h"
#include "core/data/transforms.h"
#include "core/graph/graph.h"
#include "core/train/float_model.h"
#include "core/weights/weight_file.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace qnn::test {

inline int argmax(const float* v, int n)
{
    int best = 0;
    for (int c = 1; c < n; ++c)
        if (v[c] > v[best])
            best = c;
    return best;
}

/** Predictions of the workbench's float model (torch, eval mode) on every image of `set`. */
inline bool floatPredictions(const Graph& graph, const WeightFile& weights, const ImageSet& set,
                             const std::string& dataset, std::vector<int>& out, std::string& error)
{
    FloatModel model;
    if (!model.load(graph, weights, error))
        return false;
    int inputBits = 32, classes = 10;
    for (const auto& [id, n] : graph.nodes()) {
        if (n.kind == LayerKind::Input)
            inputBits = n.quant.actBits;
        if (n.kind == LayerKind::Output)
            classes = static_cast<int>(n.attrInt("classes"));
    }
    const Transform t = defaultTransform(dataset, inputBits, false);
    out.clear();
    const size_t batch = 500;
    std::vector<float> images, scores;
    std::vector<int64_t> labels(batch), idx(batch);
    for (size_t start = 0; start < set.size(); start += batch) {
        const size_t n = std::min(batch, set.size() - start);
        images.resize(n * set.imageBytes());
        for (size_t k = 0; k < n; ++k)
            idx[k] = static_cast<int64_t>(start + k);
        fillBatch(set, idx.data(), n, t, 0, images.data(), labels.data());
        model.forward(images.data(), static_cast<int64_t>(n), scores);
        for (size_t k = 0; k < n; ++k)
            out.push_back(argmax(scores.data() + k * classes, classes));
    }
    return true;
}

/** How many predictions differ; -1 when the lists differ in length. */
inline int differences(const std::vector<int>& a, const std::vector<int>& b)
{
    if (a.size() != b.size())
        return -1;
    int d = 0;
    for (size_t k = 0; k < a.size(); ++k)
        d += a[k] != b[k];
    return d;
}

/** n normally distributed values of standard deviation `scale`, the same for a seed. */
inline std::vector<float> randomValues(size_t n, float scale, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v)
        x = d(rng);
    return v;
}

} // namespace qnn::test
