// Speed of the bit-exact integer engine on Xilinx's BNN-PYNQ parameters (LFC
// W1A1, LFC W1A2, CNV W1A1; random weights of the same shapes when ../shared
// is absent), all cores, MNIST test images (random 32×32×3 images for CNV:
// no CIFAR-10 ships with the repository). Per network: images/s with the
// kernel chosen at run time (QNN_ENGINE_KERNEL forces one), and in the same
// run with the AVX2 and portable kernels; LibTorch float inference of the
// same model (FloatModel on the imported graph) for LFC W1A1 and CNV W1A1;
// and how long packing LFC takes; where one thread's time goes, layer by
// layer, with the chosen kernel. One JSON line.
#include "core/data/idx_reader.h"
#include "core/hw/overlay.h"
#include "core/pack/bnn_pynq_import.h"
#include "core/pack/engine_kernel.h"
#include "core/pack/integer_engine.h"
#include "core/pack/packed_folder.h"
#include "core/pack/packer.h"
#include "core/train/float_model.h"
#include "core/train/torch_info.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

qnn::pack::PackedNet bnnPynqNet(const std::string& network, bool& xilinx)
{
    qnn::pack::PackedNet net;
    std::string error;
    const std::string dir = std::string(QNN_SOURCE_DIR "/../shared/bnn-pynq-params/") +
                            (network.rfind("lfc", 0) == 0 ? "mnist/" : "cifar10/") + network;
    xilinx = qnn::pack::readPackedFolder(dir, network, net, error);
    if (xilinx)
        return net;
    net = qnn::pack::bnnPynqShape(*qnn::findOverlay(network));
    std::mt19937 rng(1);
    for (auto& l : net.layers) {
        l.weights.resize(size_t(l.mh * l.mw));
        for (auto& w : l.weights)
            w = (rng() & 1) ? 1 : -1;
        l.thresholds.resize(size_t(l.mh * l.thresholdsPerRow));
        for (int64_t r = 0; r < l.mh; ++r)
            for (int t = 0; t < l.thresholdsPerRow; ++t)
                l.thresholds[size_t(r * l.thresholdsPerRow + t)] = (l.popcount ? l.mw / 2 : 0) + 4 * t;
    }
    net.classes = qnn::pack::classLabels(net.dataset.empty() ? "mnist" : net.dataset, 10);
    return net;
}

const qnn::pack::EngineKernel* kernelNamed(const char* name)
{
    const qnn::pack::EngineKernel* all[8];
    const int n = qnn::pack::availableEngineKernels(all, 8);
    for (int i = 0; i < n; ++i)
        if (std::strcmp(all[i]->name, name) == 0)
            return all[i];
    return nullptr;
}

// Images per second: best of `reps` passes over the codes on all threads.
double engineRate(const qnn::pack::IntegerEngine& engine, const std::vector<int8_t>& codes, size_t n, int threads,
                  const qnn::pack::EngineKernel& kernel, int reps, std::vector<int>* predictions = nullptr)
{
    double best = 1e9;
    for (int rep = 0; rep < reps; ++rep) {
        const auto t0 = Clock::now();
        std::vector<int> p = engine.classifyCodes(codes.data(), n, threads, &kernel);
        best = std::min(best, seconds(t0));
        if (predictions)
            *predictions = std::move(p);
    }
    return double(n) / best;
}

// LibTorch float inference of the same network (the imported graph and weights), images/s.
double torchRate(const qnn::pack::PackedNet& net, const qnn::ImageSet& images, size_t count, int threads,
                 qnn::Project& project, qnn::WeightFile& weights)
{
    std::string error;
    if (!qnn::pack::importBnnPynq(net, project, weights, error))
        return 0;
    qnn::setTorchThreads(threads);
    qnn::FloatModel model;
    if (!model.load(project.graph, weights, error))
        return 0;
    const size_t per = size_t(model.inputSize());
    count = std::min(count, images.size());
    std::vector<float> in(count * per), out;
    for (size_t i = 0; i < in.size(); ++i)
        in[i] = float(images.pixels[i % images.pixels.size()]) / 127.5f - 1.f;
    const size_t batch = 100;
    model.forward(in.data(), int64_t(std::min(batch, count)), out); // warm-up
    double best = 1e9;
    for (int rep = 0; rep < 2; ++rep) {
        const auto t0 = Clock::now();
        for (size_t s = 0; s < count; s += batch)
            model.forward(in.data() + s * per, int64_t(std::min(batch, count - s)), out);
        best = std::min(best, seconds(t0));
    }
    return double(count) / best;
}

// Where one thread's time goes: µs per image of turning codes into bits and of
// each layer, with `kernel`, in the engine's blocks of images (best of `reps`).
nlohmann::json layerProfile(const qnn::pack::IntegerEngine& engine, const std::vector<int8_t>& codes, size_t n,
                            const qnn::pack::EngineKernel& kernel, int reps)
{
    const size_t layers = engine.net().layers.size(), block = engine.batchImages();
    std::vector<double> best(layers + 1, 1e9);
    std::vector<int> predictions(block);
    for (int rep = 0; rep < reps; ++rep) {
        std::vector<double> sum(layers + 1, 0.0);
        for (size_t s = 0; s < n; s += block)
            engine.classifyBatched(codes.data() + s * size_t(engine.inputSize()), std::min(block, n - s), kernel,
                                   predictions.data(), nullptr, sum.data());
        for (size_t i = 0; i <= layers; ++i)
            best[i] = std::min(best[i], sum[i]);
    }
    nlohmann::json out = nlohmann::json::array();
    double total = 0;
    for (size_t i = 0; i <= layers; ++i) {
        const double us = 1e6 * best[i] / double(n);
        total += us;
        out.push_back({{"layer", i == 0 ? std::string("input bits") : engine.net().layers[i - 1].name}, {"us", us}});
    }
    out.push_back({{"layer", "total"}, {"us", total}});
    return out;
}

} // namespace

int main()
{
    const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    const qnn::pack::EngineKernel& chosen = qnn::pack::engineKernel();
    std::string error;

    qnn::ImageSet mnist;
    const std::string dir = QNN_SOURCE_DIR "/../shared/datasets/mnist/";
    const bool realMnist =
        qnn::readIdxPair(dir + "t10k-images-idx3-ubyte.gz", dir + "t10k-labels-idx1-ubyte.gz", 10, mnist, error);
    std::mt19937 rng(2);
    if (!realMnist) {
        mnist.channels = 1, mnist.height = 28, mnist.width = 28;
        mnist.pixels.resize(10000 * 784);
        for (auto& p : mnist.pixels)
            p = uint8_t(rng());
        mnist.labels.assign(10000, 0);
    }
    qnn::ImageSet cifar;
    cifar.channels = 3, cifar.height = 32, cifar.width = 32;
    cifar.pixels.resize(1000 * 3072);
    for (auto& p : cifar.pixels)
        p = uint8_t(rng());
    cifar.labels.assign(1000, 0);

    nlohmann::json j{{"bench", "integer_engine"}, {"threads", threads}, {"kernel", chosen.name}};
    {
        char model[256] = "";
        if (FILE* f = std::fopen("/proc/cpuinfo", "r")) {
            char line[512];
            while (std::fgets(line, sizeof line, f))
                if (std::strncmp(line, "model name", 10) == 0) {
                    const char* colon = std::strchr(line, ':');
                    std::snprintf(model, sizeof model, "%s", colon ? colon + 2 : line);
                    model[std::strcspn(model, "\n")] = 0;
                    break;
                }
            std::fclose(f);
        }
        j["cpu"] = model;
    }
    qnn::Project lfcProject;
    qnn::WeightFile lfcWeights;
    for (const char* network : {"lfcW1A1", "lfcW1A2", "cnvW1A1"}) {
        bool xilinx = false;
        const qnn::pack::PackedNet net = bnnPynqNet(network, xilinx);
        qnn::pack::IntegerEngine engine;
        if (!engine.load(net, error)) {
            std::fprintf(stderr, "%s: %s\n", network, error.c_str());
            return 1;
        }
        const bool lfc = net.layers.front().conv == false;
        const qnn::ImageSet& images = lfc ? mnist : cifar;
        const size_t n = images.size();
        std::vector<int8_t> codes(n * size_t(engine.inputSize()));
        for (size_t i = 0; i < n; ++i)
            engine.encode(images.image(i), codes.data() + i * size_t(engine.inputSize()));
        nlohmann::json r{{"weights", xilinx ? "xilinx bnn-pynq" : "random"},
                         {"images", n},
                         {"batched", engine.batched()}};
        std::vector<int> predictions;
        const int reps = lfc ? 7 : 3;
        const double rate = engineRate(engine, codes, n, threads, chosen, reps, &predictions);
        r["images_per_second"] = rate;
        if (lfc && realMnist) {
            size_t right = 0;
            for (size_t i = 0; i < n; ++i)
                right += predictions[i] == images.labels[i];
            r["accuracy"] = 100.0 * double(right) / double(n);
        }
        if (engine.batched())
            r["one_thread_us_per_image"] = layerProfile(engine, codes, n, chosen, lfc ? 3 : 2);
        for (const char* other : {"avx2", "portable"})
            if (const qnn::pack::EngineKernel* k = kernelNamed(other); k && k != &chosen)
                r[std::string(other) + "_images_per_second"] = engineRate(engine, codes, n, threads, *k, lfc ? 3 : 1);
        if (std::strcmp(network, "lfcW1A2") != 0) {
            qnn::Project project;
            qnn::WeightFile weights;
            const double torch = torchRate(net, images, lfc ? 2000 : 200, threads, project, weights);
            r["torch_float_images_per_second"] = torch;
            r["speedup_vs_torch"] = torch > 0 ? rate / torch : 0.0;
            if (lfc)
                lfcProject = project, lfcWeights = weights;
        }
        j[network] = r;
    }
    j["torch_threads"] = qnn::torchInfo().threads;

    // Packing LFC: the imported graph and weights through the packer, files written.
    double packSeconds = -1, packInMemorySeconds = -1;
    {
        qnn::pack::PackRequest request;
        request.folding = lfcProject.deploy.folding;
        request.network = "lfcW1A1";
        request.dataset = "mnist";
        const std::string out = (fs::temp_directory_path() / "qnnw-bench-pack").string();
        const auto t0 = Clock::now();
        qnn::pack::PackedNet packed;
        if (qnn::pack::packGraph(lfcProject.graph, lfcWeights, request, packed, error)) {
            packInMemorySeconds = seconds(t0);
            if (qnn::pack::writePackedFolder(out, packed, {}, error))
                packSeconds = seconds(t0);
        }
        std::error_code ec;
        fs::remove_all(out, ec);
    }
    j["pack_seconds"] = packSeconds;
    j["pack_in_memory_seconds"] = packInMemorySeconds;
    j["targets"] = {{"lfcW1A1", 300000}, {"lfcW1A2", 100000}, {"cnvW1A1", 5000}, {"lfcW1A1_vs_torch", 10}};
    std::cout << j.dump() << std::endl;
    return 0;
}
