#pragma once

#include "core/graph/graph.h"

#include <string>
#include <vector>

namespace qnn {

/** The FP32 twin of a graph: same topology, names and attributes, every
 *  bit-width at 32, exactly as the editor's FP32 precision preset makes it:
 *  a sign activation (which 32 bits cannot be) becomes hardtanh, bipolar
 *  inputs become float. `notes` gets one sentence per such change, for the
 *  comparison to say. */
Graph fp32Twin(const Graph& graph, std::vector<std::string>* notes = nullptr);

/** True when every bit-width in the graph is 32. */
bool isAllFloat(const Graph& graph);

} // namespace qnn
