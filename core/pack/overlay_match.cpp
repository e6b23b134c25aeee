#include "core/pack/overlay_match.h"

#include "core/hw/overlay.h"
#include "core/pack/packed_folder.h"

namespace qnn::pack {

namespace {

std::string firstDifference(const PackedNet& net, const PackedNet& o)
{
    if (net.layers.size() != o.layers.size())
        return "it has " + std::to_string(net.layers.size()) + " matrix layers, " + o.network + " has " +
               std::to_string(o.layers.size());
    if (net.input.bits != o.input.bits)
        return "its input has " + std::to_string(net.input.bits) + "-bit pixels, " + o.network + " takes " +
               std::to_string(o.input.bits) + "-bit";
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const PackedLayer& a = net.layers[i];
        const PackedLayer& b = o.layers[i];
        const std::string at = a.name + " (layer " + std::to_string(i) + ")";
        auto shape = [](const PackedLayer& l) {
            return std::string(l.conv ? "Conv2D " : "Dense ") + std::to_string(l.rows) + "×" + std::to_string(l.cols);
        };
        if (a.conv != b.conv || a.rows != b.rows || a.cols != b.cols || a.k != b.k || a.ifmDim != b.ifmDim)
            return at + " is " + shape(a) + ", " + o.network + "'s is " + shape(b);
        if (a.weightBits != b.weightBits || a.inputBits != b.inputBits)
            return at + " has W" + std::to_string(a.weightBits) + " weights on " + std::to_string(a.inputBits) +
                   "-bit inputs, " + o.network + "'s W" + std::to_string(b.weightBits) + " on " +
                   std::to_string(b.inputBits) + "-bit";
        if (a.thresholdsPerRow != b.thresholdsPerRow || a.bipolarOutput != b.bipolarOutput)
            return at + " has " + std::to_string(a.thresholdsPerRow) + " thresholds per row, " + o.network + "'s " +
                   std::to_string(b.thresholdsPerRow);
        if (a.poolAfter != b.poolAfter)
            return at + (a.poolAfter ? " has" : " has no") + " max pool after it, unlike " + o.network + "'s";
        if (a.pe != b.pe || a.simd != b.simd)
            return at + " is folded PE " + std::to_string(a.pe) + " × SIMD " + std::to_string(a.simd) + ", " +
                   o.network + "'s bitstream has PE " + std::to_string(b.pe) + " × SIMD " + std::to_string(b.simd) +
                   " (pack with --folding bnn-pynq)";
        if (a.mh != b.mh || a.mw != b.mw)
            return at + " is padded to " + std::to_string(a.mh) + "×" + std::to_string(a.mw) + ", " + o.network +
                   "'s to " + std::to_string(b.mh) + "×" + std::to_string(b.mw);
    }
    return {};
}

} // namespace

std::string matchPackedOverlay(const PackedNet& net, std::string& difference)
{
    difference.clear();
    std::string nearest;
    size_t bestScore = 0;
    for (const Overlay& o : prebuiltOverlays()) {
        const PackedNet shape = bnnPynqShape(o);
        const std::string d = firstDifference(net, shape);
        if (d.empty())
            return o.name;
        // Nearest: most leading layers alike in kind and size.
        size_t score = 1;
        for (size_t i = 0; i < std::min(net.layers.size(), shape.layers.size()); ++i, ++score)
            if (net.layers[i].conv != shape.layers[i].conv || net.layers[i].rows != shape.layers[i].rows ||
                net.layers[i].cols != shape.layers[i].cols)
                break;
        if (score > bestScore) {
            bestScore = score;
            nearest = o.name;
            difference = "nearest prebuilt overlay " + o.name + ": " + d;
        }
    }
    return {};
}

} // namespace qnn::pack
