#include "core/run/memory_check.h"

#include "core/graph/graph_summary.h"

#include <fstream>
#include <sstream>

namespace qnn {

MemoryEstimate estimateTrainingMemory(const Graph& graph, const TrainingConfig& config)
{
    const GraphSummary summary = summarizeGraph(graph);
    MemoryEstimate e;
    // latent weight + gradient + quantized copy, + Adam's two moments or SGD's momentum; 4 bytes each.
    const int64_t perParameter = 4 * (3 + (config.optimizer == "sgd" ? 1 : 2));
    int64_t elements = 0;
    for (const LayerSummary& l : summary.layers) {
        int64_t n = 1;
        for (int64_t d : l.outputShape)
            n *= d;
        elements += n;
    }
    e.parameterBytes = summary.params * perParameter;
    e.activationBytes = elements * std::max(1, config.batchSize) * 4 * 3;
    e.overheadBytes = int64_t(256) << 20;
    return e;
}

int64_t availableMemoryBytes()
{
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("MemAvailable:", 0) != 0)
            continue;
        std::istringstream s(line.substr(13));
        int64_t kib = -1;
        s >> kib;
        return kib < 0 ? -1 : kib * 1024;
    }
    return -1;
}

bool checkTrainingMemory(const Graph& graph, const TrainingConfig& config, std::string& error, int64_t availableBytes)
{
    if (availableBytes < 0)
        availableBytes = availableMemoryBytes();
    if (availableBytes < 0)
        return true; // no figure to compare with: let LibTorch try
    const MemoryEstimate e = estimateTrainingMemory(graph, config);
    if (e.total() <= availableBytes)
        return true;
    error = "training this graph needs about " + humanBytes(static_cast<double>(e.total())) + " of memory (" +
            humanBytes(static_cast<double>(e.parameterBytes)) + " for the weights, gradients and optimizer state, " +
            humanBytes(static_cast<double>(e.activationBytes)) + " for one batch of " +
            std::to_string(config.batchSize) + " images), but this machine has " +
            humanBytes(static_cast<double>(availableBytes)) +
            " available; make the largest layers smaller or lower the batch size";
    return false;
}

} // namespace qnn
