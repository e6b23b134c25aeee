#pragma once

#include "core/graph/graph.h"
#include "core/project/project.h"

#include <cstdint>
#include <string>

namespace qnn {

/** What training a graph needs in memory, before LibTorch allocates any of it. */
struct MemoryEstimate {
    /** Latent weights, their gradients, the optimizer's state and the
     *  quantized copy made in each forward pass. */
    int64_t parameterBytes = 0;
    /** One batch of every layer's output, its gradient and the quantized copy. */
    int64_t activationBytes = 0;
    /** LibTorch's own working memory. */
    int64_t overheadBytes = 0;
    int64_t total() const { return parameterBytes + activationBytes + overheadBytes; }
};

MemoryEstimate estimateTrainingMemory(const Graph& graph, const TrainingConfig& config);

/** MemAvailable of /proc/meminfo; -1 when it cannot be read. */
int64_t availableMemoryBytes();

/** False with a sentence naming both figures when training would need more
 *  than `availableBytes` (-1: the machine's, see availableMemoryBytes). */
bool checkTrainingMemory(const Graph& graph, const TrainingConfig& config, std::string& error,
                         int64_t availableBytes = -1);

} // namespace qnn
