#pragma once

#include "core/graph/edge.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace qnn {

/** One tensor of one node, in float32, row-major. Names follow the trainer's
 *  module: Dense/Conv2D "weight" (latent, real-valued: [out, in] or
 *  [out, in, k, k]) and "bias"; BatchNorm "weight" (gamma), "bias" (beta),
 *  "running_mean", "running_var". */
struct WeightTensor {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> values;

    int64_t elementCount() const;
};

/** Everything trained of one node, keyed by the node's id in the graph. */
struct NodeWeights {
    NodeId node = kInvalidNode;
    /** The node's name when the file was written (a check, not the key). */
    std::string nodeName;
    /** The layer kind's name ("Dense", "BatchNorm", ...). */
    std::string kind;
    std::vector<WeightTensor> tensors;
    /** Scalars the arithmetic needs besides tensors (BatchNorm "eps", ...). */
    std::map<std::string, double> scalars;

    /** nullptr when the node has no tensor of that name. */
    const WeightTensor* find(const std::string& name) const;
};

/** The torch-free weight file of a run (`weights-best.qnnw`,
 *  `weights-last.qnnw` beside the checkpoint): the seam between training and
 *  hardware. core/hw, core/deploy and the exporters read trained weights only
 *  from here, never from a checkpoint.
 *
 *  Layout (version 1): the line "QNNW-WEIGHTS 1\n", then one line of JSON
 *  (the header: format, version, epoch, tag, and per node its id, name, kind,
 *  scalars and tensors with name, shape and offset in floats), then "\n",
 *  then every tensor's values as little-endian float32, back to back, in the
 *  order of the header. */
struct WeightFile {
    /** The epoch these weights are from (1-based). */
    int epoch = 0;
    /** "best" (best validation accuracy) or "last". */
    std::string tag;
    std::map<NodeId, NodeWeights> nodes;

    const NodeWeights* find(NodeId node) const;
};

constexpr int kWeightFileVersion = 1;
constexpr const char* kWeightFileBest = "weights-best.qnnw";
constexpr const char* kWeightFileLast = "weights-last.qnnw";

/** Atomic (temporary file, then rename). */
bool writeWeightFile(const std::string& path, const WeightFile& file, std::string& error);
/** The error names the file and what was wrong (truncated, bad header, newer version). */
bool readWeightFile(const std::string& path, WeightFile& file, std::string& error);

} // namespace qnn
