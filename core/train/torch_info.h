#pragma once

#include <string>

namespace qnn {

/** What the linked LibTorch can do; a torch-free view for the CLI and the GUI. */
struct TorchInfo {
    std::string version;
    bool cudaAvailable = false;
    int threads = 1;
    int cores = 1;
};

TorchInfo torchInfo();

/** Sets torch's intra-op thread count; 0 = every core of this machine (Debian's
 *  LibTorch starts with one thread, which wastes the rest). Returns the count set. */
int setTorchThreads(int threads);

} // namespace qnn
