// Speed of the bit-exact integer engine on LFC W1A1 (Xilinx's BNN-PYNQ
// parameters when ../shared is there, else random weights of the same shape),
// all cores, a batch of MNIST test images (or random ones); in the same run
// LibTorch float inference of the same model (FloatModel, the imported graph
// and weights), the raw XNOR-popcount rate of the chosen kernel as the
// machine's roofline, and how long packing LFC takes. One JSON line.
#include "core/data/idx_reader.h"
#include "core/hw/overlay.h"
#include "core/pack/bnn_pynq_import.h"
#include "core/pack/integer_engine.h"
#include "core/pack/packed_folder.h"
#include "core/pack/packer.h"
#include "core/pack/popcount.h"
#include "core/train/float_model.h"
#include "core/train/torch_info.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

qnn::pack::PackedNet lfcNet(bool& xilinx)
{
    qnn::pack::PackedNet net;
    std::string error;
    const std::string dir = QNN_SOURCE_DIR "/../shared/bnn-pynq-params/mnist/lfcW1A1";
    xilinx = qnn::pack::readPackedFolder(dir, "lfcW1A1", net, error);
    if (xilinx)
        return net;
    net = qnn::pack::bnnPynqShape(*qnn::findOverlay("lfcW1A1"));
    std::mt19937 rng(1);
    for (auto& l : net.layers) {
        l.weights.resize(size_t(l.mh * l.mw));
        for (auto& w : l.weights)
            w = (rng() & 1) ? 1 : -1;
        l.thresholds.assign(size_t(l.mh * l.thresholdsPerRow), l.popcount ? l.mw / 2 : 0);
    }
    net.classes = qnn::pack::classLabels("mnist", 10);
    return net;
}

// XNOR-popcount words per second of the kernel on all cores, rows in L2 like
// a layer's: the roofline of the engine (best of 5 runs, so that a busy
// machine's interruptions do not lower it).
double popcountWordsPerSecond(const qnn::pack::XnorPopcountKernel& k, unsigned threads)
{
    const int64_t rows = 1024, words = 16;
    const int passes = 2000;
    double best = 1e9;
    for (int run = 0; run < 5; ++run) {
    std::vector<std::thread> pool;
    const auto t0 = Clock::now();
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            std::vector<uint64_t> w(static_cast<size_t>(rows * words)), x(static_cast<size_t>(words));
            std::vector<int64_t> out(static_cast<size_t>(rows));
            for (size_t i = 0; i < w.size(); ++i)
                w[i] = 0x9e3779b97f4a7c15ull * (i + t + 1);
            for (int p = 0; p < passes; ++p) {
                x[size_t(p % words)] ^= uint64_t(p) * 0xff51afd7ed558ccdull;
                k.rows(w.data(), rows, words, x.data(), out.data());
            }
            volatile int64_t sink = out[0];
            (void)sink;
        });
    for (auto& th : pool)
        th.join();
    best = std::min(best, seconds(t0));
    }
    return double(rows * words * passes) * threads / best;
}

} // namespace

int main()
{
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    bool xilinx = false;
    const qnn::pack::PackedNet net = lfcNet(xilinx);
    qnn::pack::IntegerEngine engine;
    std::string error;
    if (!engine.load(net, error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    qnn::ImageSet images;
    const std::string mnist = QNN_SOURCE_DIR "/../shared/datasets/mnist/";
    const bool realImages = qnn::readIdxPair(mnist + "t10k-images-idx3-ubyte.gz", mnist + "t10k-labels-idx1-ubyte.gz",
                                             10, images, error);
    if (!realImages) {
        images.channels = 1, images.height = 28, images.width = 28;
        std::mt19937 rng(2);
        images.pixels.resize(10000 * 784);
        for (auto& p : images.pixels)
            p = uint8_t(rng());
        images.labels.assign(10000, 0);
    }
    const size_t n = images.size();
    std::vector<int8_t> codes(n * size_t(engine.inputSize()));
    for (size_t i = 0; i < n; ++i)
        engine.encode(images.image(i), codes.data() + i * size_t(engine.inputSize()));

    // Integer engine: best of 5 passes over the batch.
    double engineSeconds = 1e9;
    std::vector<int> predictions;
    for (int rep = 0; rep < 5; ++rep) {
        const auto t0 = Clock::now();
        predictions = engine.classifyCodes(codes.data(), n, int(threads));
        engineSeconds = std::min(engineSeconds, seconds(t0));
    }
    size_t right = 0;
    for (size_t i = 0; i < n; ++i)
        right += predictions[i] == images.labels[i];

    // LibTorch float inference of the same model.
    qnn::Project project;
    qnn::WeightFile weights;
    double torchPerSecond = 0;
    size_t torchImages = 0;
    if (qnn::pack::importBnnPynq(net, project, weights, error)) {
        qnn::setTorchThreads(int(threads));
        qnn::FloatModel model;
        if (model.load(project.graph, weights, error)) {
            torchImages = std::min<size_t>(n, 2000);
            std::vector<float> in(torchImages * 784), out;
            for (size_t i = 0; i < in.size(); ++i)
                in[i] = images.pixels[i] >= 128 ? 1.f : -1.f;
            model.forward(in.data(), 100, out); // warm-up
            double best = 1e9;
            for (int rep = 0; rep < 2; ++rep) {
                const auto t0 = Clock::now();
                for (size_t s = 0; s < torchImages; s += 500)
                    model.forward(in.data() + s * 784, int64_t(std::min<size_t>(500, torchImages - s)), out);
                best = std::min(best, seconds(t0));
            }
            torchPerSecond = double(torchImages) / best;
        }
    }

    // Packing LFC: the imported graph and weights through the packer, files written.
    double packSeconds = -1, packInMemorySeconds = -1;
    {
        qnn::pack::PackRequest request;
        request.folding = project.deploy.folding;
        request.network = "lfcW1A1";
        request.dataset = "mnist";
        const std::string dir = (fs::temp_directory_path() / "qnnw-bench-pack").string();
        const auto t0 = Clock::now();
        qnn::pack::PackedNet packed;
        if (qnn::pack::packGraph(project.graph, weights, request, packed, error)) {
            packInMemorySeconds = seconds(t0);
            if (qnn::pack::writePackedFolder(dir, packed, {}, error))
                packSeconds = seconds(t0);
        }
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    const qnn::pack::XnorPopcountKernel& kernel = qnn::pack::xnorPopcountKernel();
    int64_t wordsPerImage = 0;
    for (size_t i = 0; i < net.layers.size(); ++i)
        wordsPerImage += (i + 1 == net.layers.size() ? net.layers[i].rows : net.layers[i].mh) * ((net.layers[i].mw + 63) / 64);
    const double wordsPerSecond = popcountWordsPerSecond(kernel, threads);
    const double roofline = wordsPerSecond / double(wordsPerImage);
    const double enginePerSecond = double(n) / engineSeconds;
    nlohmann::json j{{"bench", "integer_engine"},
                     {"network", "lfcW1A1"},
                     {"weights", xilinx ? "xilinx bnn-pynq" : "random"},
                     {"images", n},
                     {"accuracy", realImages ? 100.0 * double(right) / double(n) : -1.0},
                     {"threads", threads},
                     {"kernel", kernel.name},
                     {"engine_images_per_second", enginePerSecond},
                     {"engine_usec_per_image_per_thread", 1e6 * engineSeconds * threads / double(n)},
                     {"torch_images_per_second", torchPerSecond},
                     {"torch_images", torchImages},
                     {"torch_threads", qnn::torchInfo().threads},
                     {"speedup_vs_torch", torchPerSecond > 0 ? enginePerSecond / torchPerSecond : 0.0},
                     {"popcount_words_per_image", wordsPerImage},
                     {"popcount_words_per_second", wordsPerSecond},
                     {"roofline_images_per_second", roofline},
                     {"fraction_of_roofline", enginePerSecond / roofline},
                     {"target_images_per_second", 195000},
                     {"pack_seconds", packSeconds},
                     {"pack_in_memory_seconds", packInMemorySeconds}};
    std::cout << j.dump() << std::endl;
    return 0;
}
