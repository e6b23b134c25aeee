#pragma once

#include "core/graph/graph.h"
#include "core/run/run_info.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace qnn {

/** One layer that differs between two graphs. */
struct LayerDifference {
    NodeId id = kInvalidNode;
    std::string name;
    /** "only in A", "kind Dense → Conv2D", "bits W1A1 → W32A32",
     *  "attributes function: sign → hardtanh". */
    std::string what;
};

/** Layers (matched by node id) whose kind, attributes or bit-widths differ,
 *  or that only one graph has; by id. Positions on the canvas are ignored. */
std::vector<LayerDifference> graphDiff(const Graph& a, const Graph& b);

/** The comparison table of two runs: {"runs": [A, B] with keys
 *  name, precision, test_accuracy, best_val_accuracy, final_val_accuracy,
 *  params, weight_bits, bops, compression, wall_s; "accuracy_gap_points":
 *  (test accuracy of A − that of B) × 100, null when either is missing;
 *  "graph_diff": [{node, name, what}]; "notes": what the FP32 twin changed}. */
nlohmann::json compareRuns(const RunInfo& a, const RunInfo& b);

} // namespace qnn
