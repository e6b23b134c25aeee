#include "core/pack/bnn_pynq_import.h"

#include "core/hw/dataflow.h"
#include "core/hw/overlay.h"
#include "core/pack/packed_folder.h"

#include <algorithm>
#include <cmath>

namespace qnn::pack {

namespace {

constexpr double kEps = 1e-4;

WeightTensor tensor(const std::string& name, std::vector<int64_t> shape, std::vector<float> values)
{
    WeightTensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.values = std::move(values);
    return t;
}

// The float threshold (in units of the real-column dot product acc_f) halfway
// between the last accumulator that does not pass T and the first that does.
double floatThreshold(const PackedLayer& l, int64_t T)
{
    const int64_t npad = l.mw - l.cols;
    if (l.popcount) // h > T ⟺ acc_f = 2h - cols >= 2T + 2 - cols
        return double(2 * T + 1 - l.cols);
    const int64_t padContribution = (l.weightBits == 1 && l.inputBits == 1) ? -npad : 0;
    return double(T) + 0.5 - double(padContribution);
}

struct Builder {
    Graph g;
    NodeId prev = kInvalidNode;
    double x = 40;

    NodeId add(LayerKind kind, const std::string& name)
    {
        const NodeId id = g.addNode(kind, name);
        Node* n = g.node(id);
        n->pos = {x, (g.size() % 2) ? 80.0 : 160.0};
        x += 200;
        if (prev != kInvalidNode)
            g.connect({prev, 0, id, 0});
        prev = id;
        return id;
    }
};

} // namespace

bool importBnnPynq(const PackedNet& net, Project& project, WeightFile& weights, std::string& error)
{
    const Overlay* overlay = findOverlay(net.network);
    if (!overlay || overlay->layers.size() != net.layers.size()) {
        error = "\"" + net.network + "\" is not a BNN-PYNQ network this build can import";
        return false;
    }
    const bool lfc = overlay->network == "LFC";
    Builder b;
    const NodeId input = b.add(LayerKind::Input, "input");
    b.g.node(input)->attrs["shape"] = lfc ? std::vector<int64_t>{784} : std::vector<int64_t>{3, 32, 32};
    b.g.node(input)->quant.actBits = overlay->inputBits;
    weights = WeightFile();
    weights.epoch = 1;
    weights.tag = "best";
    double inScale = overlay->inputBits == 1 ? 1.0 : 1.0 / 127.0; // our Input quantizer's step
    int conv = 0, dense = 0;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const PackedLayer& l = net.layers[i];
        const OverlayLayer& ol = overlay->layers[i];
        const bool last = i + 1 == net.layers.size();
        const std::string suffix = std::to_string(i + 1);
        // Validation only: the loops below divide by ifm_ch and index by k, rows and cols.
        if (!validatePackedLayer(l, error))
            return false;
        if (l.conv != (ol.kind == LayerKind::Conv2D) || l.rows != ol.mh || l.cols != ol.mw || l.k != ol.k ||
            (l.conv && l.ifmCh != ol.ifmCh) || l.weights.size() != size_t(l.mh * l.mw) ||
            l.thresholds.size() != size_t(l.mh * l.thresholdsPerRow)) {
            error = "layer " + std::to_string(i) + " (" + l.name + ") is not the " + net.network +
                    " layer it should be (" + std::to_string(ol.mh) + "×" + std::to_string(ol.mw) +
                    (ol.kind == LayerKind::Conv2D ? ", a " + std::to_string(ol.k) + "×" + std::to_string(ol.k) +
                                                        " convolution over " + std::to_string(ol.ifmCh) + " channels"
                                                  : std::string()) +
                    ")";
            return false;
        }
        if (!l.conv && i > 0 && net.layers[i - 1].conv)
            b.add(LayerKind::Flatten, "flatten");
        const NodeId m = b.add(l.conv ? LayerKind::Conv2D : LayerKind::Dense, (l.conv ? "conv" : "dense") + suffix);
        Node& mn = *b.g.node(m);
        mn.quant.weightBits = l.weightBits;
        mn.attrs["bias"] = false;
        if (l.conv) {
            mn.attrs["filters"] = int64_t(l.rows);
            mn.attrs["kernel"] = int64_t(l.k);
            mn.attrs["stride"] = int64_t(1);
            mn.attrs["padding"] = int64_t(0);
            ++conv;
        } else {
            mn.attrs["units"] = int64_t(l.rows);
            ++dense;
        }
        // Weights back to the graph's order: torch [out][ch][ky][kx] ← stream (ky*K + kx)*C + ch.
        std::vector<float> w(size_t(l.rows * l.cols));
        double maxAbs = 0;
        for (int64_t r = 0; r < l.rows; ++r)
            for (int64_t c = 0; c < l.cols; ++c) {
                const int64_t gc = l.conv ? (c % l.ifmCh) * l.k * l.k + c / l.ifmCh : c;
                const int8_t code = l.weights[r * l.mw + c];
                w[r * l.cols + gc] = float(code);
                maxAbs = std::max(maxAbs, double(std::abs(code)));
            }
        // n-bit weights are quantized over max|w|: codes of ±1 keep a step of 1.
        const double wScale = l.weightBits == 1 || maxAbs == 0 ? 1.0 : maxAbs / double((1 << (l.weightBits - 1)) - 1);
        NodeWeights mw;
        mw.node = m;
        mw.nodeName = mn.name;
        mw.kind = layerKindName(mn.kind);
        mw.tensors.push_back(l.conv ? tensor("weight", {l.rows, l.ifmCh, l.k, l.k}, std::move(w))
                                    : tensor("weight", {l.rows, l.cols}, std::move(w)));
        weights.nodes[m] = mw;

        const NodeId bn = b.add(LayerKind::BatchNorm, "bn" + suffix);
        b.g.node(bn)->attrs["eps"] = kEps;
        b.g.node(bn)->attrs["momentum"] = 0.1;
        std::vector<float> gamma(size_t(l.rows), 1.f), beta(size_t(l.rows), 0.f), mean(size_t(l.rows), 0.f),
            var(size_t(l.rows), float(1.0 - kEps));
        const double unit = wScale * inScale; // float value of one accumulator step
        for (int64_t r = 0; r < l.rows; ++r) {
            if (l.thresholdsPerRow == 1) {
                mean[r] = float(floatThreshold(l, l.thresholds[r]) * unit);
            } else if (l.thresholdsPerRow == 2) {
                // Boundaries of the ternary hardtanh at y = -0.5 and +0.5.
                const double t0 = floatThreshold(l, l.thresholds[r * 2]) * unit;
                const double t1 = floatThreshold(l, l.thresholds[r * 2 + 1]) * unit;
                const double width = std::max(t1 - t0, 1e-3 * unit);
                gamma[r] = float(1.0 / width);
                mean[r] = float((t0 + t1) / 2);
            } else if (l.thresholdsPerRow > 2) {
                error = l.name + " has " + std::to_string(l.thresholdsPerRow) +
                        " thresholds per row; the import takes 1 or 2";
                return false;
            }
        }
        NodeWeights bw;
        bw.node = bn;
        bw.nodeName = "bn" + suffix;
        bw.kind = "BatchNorm";
        bw.tensors = {tensor("weight", {l.rows}, gamma), tensor("bias", {l.rows}, beta),
                      tensor("running_mean", {l.rows}, mean), tensor("running_var", {l.rows}, var)};
        bw.scalars["eps"] = kEps;
        weights.nodes[bn] = bw;
        if (!last) {
            const NodeId act = b.add(LayerKind::Activation, "act" + suffix);
            b.g.node(act)->attrs["function"] = std::string(ol.outputBits == 1 ? "sign" : "hardtanh");
            b.g.node(act)->quant.actBits = ol.outputBits;
            if (ol.poolAfter) {
                const NodeId pool = b.add(LayerKind::MaxPool, "pool" + suffix);
                b.g.node(pool)->attrs["kernel"] = int64_t(2);
                b.g.node(pool)->attrs["stride"] = int64_t(2);
            }
        }
        inScale = 1.0; // bipolar and ternary codes have a step of 1
    }
    const NodeId out = b.add(LayerKind::Output, "output");
    b.g.node(out)->attrs["classes"] = int64_t(net.layers.back().rows);

    project = Project();
    project.name = net.network + " (imported)";
    project.description = "Xilinx BNN-PYNQ " + net.network + " parameters, imported by qnnw import-packed.";
    project.graph = std::move(b.g);
    project.dataset.name = overlay->dataset;
    project.deploy.folding = overlayFolding(buildDataflow(project.graph), *overlay);
    if (project.deploy.folding.empty()) {
        error = "the imported " + net.network + " graph does not form a dataflow";
        return false;
    }
    (void)conv;
    (void)dense;
    return true;
}

} // namespace qnn::pack
