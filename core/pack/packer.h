#pragma once

#include "core/graph/graph.h"
#include "core/hw/folding.h"
#include "core/pack/packed_net.h"
#include "core/weights/weight_file.h"

#include <string>
#include <vector>

namespace qnn::pack {

/** What to pack besides the graph and its weights. */
struct PackRequest {
    Folding folding;
    /** The manifest's network name (the project's name). */
    std::string network;
    /** The dataset: decides the class labels of classes.txt. */
    std::string dataset;
};

/** Turns a trained graph into integers (FPGA_NOTES.md): weights quantized as
 *  training quantizes them, batch norm + activation (+ bias) folded into
 *  integer thresholds per output level (a row with negative slope negated,
 *  so the hardware compares one way), padding as the BNN-PYNQ overlays pad,
 *  Dense columns after a convolution reordered to the stream's
 *  pixel-major order. The error names the node. */
bool packGraph(const Graph& graph, const WeightFile& weights, const PackRequest& request, PackedNet& out,
               std::string& error);

/** The class labels classes.txt gets for a dataset ("0".."9" for digits,
 *  Xilinx's CIFAR-10 labels). */
std::vector<std::string> classLabels(const std::string& dataset, int64_t classes);


} // namespace qnn::pack
