#pragma once

#include "core/pack/packed_net.h"
#include "core/project/project.h"
#include "core/weights/weight_file.h"

#include <string>

namespace qnn::pack {

/** A BNN-PYNQ network as a project: the graph of the overlay's network
 *  (LFC or CNV at its precision), its folding, and float weights whose
 *  batch norms reproduce the integer thresholds exactly when packed again:
 *  weights are the stored codes (negated rows stay negated, with a positive
 *  gamma), each threshold pair becomes a batch norm whose decision boundaries
 *  sit half a step above the stored integers. */
bool importBnnPynq(const PackedNet& net, Project& project, WeightFile& weights, std::string& error);

} // namespace qnn::pack
