#include "core/train/torch_info.h"

#include <torch/torch.h>

#include <thread>

namespace qnn {

TorchInfo torchInfo()
{
    TorchInfo info;
    info.version = TORCH_VERSION;
    info.cudaAvailable = torch::cuda::is_available();
    info.threads = at::get_num_threads();
    info.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return info;
}

int setTorchThreads(int threads)
{
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    return at::get_num_threads();
}

} // namespace qnn
