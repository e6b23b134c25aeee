#include "core/pack/packed_run.h"

#include "core/data/cifar10_reader.h"
#include "core/data/idx_reader.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace qnn::pack {

PackedRunReport runPackedImages(const IntegerEngine& engine, const ImageSet& images, bool labelled, int threads)
{
    PackedRunReport r;
    r.network = engine.net().network;
    r.images = images.size();
    r.labelled = labelled;
    r.threads = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    r.kernel = engineKernelName();
    const auto start = std::chrono::steady_clock::now();
    r.predictions = engine.classifyAll(images, r.threads);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (labelled)
        for (size_t i = 0; i < images.size(); ++i)
            r.correct += r.predictions[i] == images.labels[i];
    return r;
}

nlohmann::json packedRunJson(const PackedRunReport& r)
{
    const double perSecond = r.imagesPerSecond();
    nlohmann::json j{{"event", "result"},
                     {"network", r.network},
                     {"folder", r.folder},
                     {"images", r.images},
                     {"images_per_second", perSecond},
                     {"usec_per_image", perSecond > 0 ? 1e6 / perSecond : 0.0},
                     {"popcount", r.kernel},
                     {"threads", r.threads}};
    if (r.labelled) {
        j["correct"] = r.correct;
        j["accuracy"] = r.accuracy();
    }
    if (r.listPredictions)
        j["predictions"] = r.predictions;
    return j;
}

std::string packedRunText(const PackedRunReport& r)
{
    std::string out;
    char line[256];
    if (r.labelled) {
        std::snprintf(line, sizeof line, "%s: %zu of %zu test images right, accuracy %.2f %%\n", r.network.c_str(),
                      r.correct, r.images, r.accuracy());
        out += line;
    }
    if (r.listPredictions)
        for (int p : r.predictions)
            out += std::to_string(p) + "\n";
    const double perSecond = r.imagesPerSecond();
    std::snprintf(line, sizeof line, "integer engine: %.0f images/s, %.1f µs per image (%s kernel, %d threads)\n",
                  perSecond, perSecond > 0 ? 1e6 / perSecond : 0.0, r.kernel.c_str(), r.threads);
    return out + line;
}

bool readTestSplit(const std::string& dir, const std::string& dataset, ImageSet& out, std::string& error)
{
    const fs::path d(dir);
    std::error_code ec;
    if (!fs::is_directory(d, ec)) {
        error = "the data folder " + dir + " does not exist";
        return false;
    }
    auto found = [&](const std::string& name) {
        for (const char* suffix : {"", ".gz"})
            if (fs::exists(d / (name + suffix), ec))
                return (d / (name + suffix)).string();
        return std::string();
    };
    if (dataset == "cifar10") {
        const std::string batch = found("test_batch.bin");
        if (batch.empty()) {
            error = dir + " has no test_batch.bin (the CIFAR-10 binary test batch)";
            return false;
        }
        out = ImageSet{};
        return readCifarBatch(batch, out, error);
    }
    const std::string images = found("t10k-images-idx3-ubyte"), labels = found("t10k-labels-idx1-ubyte");
    if (images.empty() || labels.empty()) {
        error = dir + " has no t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (the " +
                (dataset.empty() ? std::string("MNIST") : dataset) + " test split, raw or .gz)";
        return false;
    }
    return readIdxPair(images, labels, 10, out, error);
}

bool readImageFile(const std::string& imagesFile, const std::string& labelsFile, ImageSet& images, bool& labelled,
                   std::string& error)
{
    std::string why;
    if (readIdxImages(imagesFile, images, why)) {
        labelled = !labelsFile.empty();
        if (labelled)
            return readIdxPair(imagesFile, labelsFile, 10, images, error);
        if (images.labels.empty() && images.imageBytes() > 0)
            images.labels.assign(images.pixels.size() / images.imageBytes(), 0); // ImageSet counts labels
        return true;
    }
    ImageSet cifar;
    std::string cifarWhy;
    if (readCifarBatch(imagesFile, cifar, cifarWhy)) {
        images = std::move(cifar);
        labelled = true;
        return true;
    }
    error = imagesFile + " is neither an IDX image file (" + why + ") nor a CIFAR-10 batch (" + cifarWhy + ")";
    return false;
}

} // namespace qnn::pack
