#include "core/deploy/deployment_package.h"

#include "core/deploy/board_factory.h"
#include "core/deploy/sha256.h"
#include "core/util/atomic_file.h"
#include "core/util/json_file.h"

#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace qnn::deploy {

namespace {

void putBigEndian32(std::string& s, uint32_t v)
{
    s.push_back(static_cast<char>(v >> 24));
    s.push_back(static_cast<char>(v >> 16));
    s.push_back(static_cast<char>(v >> 8));
    s.push_back(static_cast<char>(v));
}

bool isCifarShaped(const ImageSet& images)
{
    return images.channels == 3 && images.height == 32 && images.width == 32;
}

std::string utcNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", &tm);
    return buffer;
}

} // namespace

bool writeImagesFile(const std::string& path, const ImageSet& images, std::string& error)
{
    std::string bytes;
    if (images.channels == 1) {
        putBigEndian32(bytes, 0x00000803);
        putBigEndian32(bytes, static_cast<uint32_t>(images.size()));
        putBigEndian32(bytes, static_cast<uint32_t>(images.height));
        putBigEndian32(bytes, static_cast<uint32_t>(images.width));
        bytes.append(reinterpret_cast<const char*>(images.pixels.data()), images.pixels.size());
    } else if (isCifarShaped(images)) {
        // One record per image: the label byte, then the 3072 channel-major bytes.
        bytes.reserve(images.size() * (1 + images.imageBytes()));
        for (size_t i = 0; i < images.size(); ++i) {
            bytes.push_back(static_cast<char>(images.labels[i]));
            bytes.append(reinterpret_cast<const char*>(images.image(i)), images.imageBytes());
        }
    } else {
        error = "images of " + std::to_string(images.channels) + "×" + std::to_string(images.height) + "×" +
                std::to_string(images.width) +
                " have no file format the board's bnn package reads (it takes 1-channel IDX or 3×32×32 CIFAR-10)";
        return false;
    }
    return writeFileAtomic(path, bytes, error);
}

bool writeLabelsFile(const std::string& path, const ImageSet& images, std::string& error)
{
    std::string bytes;
    putBigEndian32(bytes, 0x00000801);
    putBigEndian32(bytes, static_cast<uint32_t>(images.size()));
    for (int32_t label : images.labels)
        bytes.push_back(static_cast<char>(label));
    return writeFileAtomic(path, bytes, error);
}

bool readManifestChecksums(const std::string& packedDir, std::map<std::string, std::string>& sha256,
                           std::string& error)
{
    sha256.clear();
    const std::string path = (fs::path(packedDir) / "manifest.json").string();
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        error = packedDir + " is not a packed folder: it has no manifest.json (qnnw pack writes one)";
        return false;
    }
    nlohmann::json m;
    if (!readJsonFile(path, m, error))
        return false;
    const nlohmann::json* files = m.is_object() && m.contains("files") ? &m["files"] : nullptr;
    if (files && files->is_object()) {
        for (const auto& [name, value] : files->items()) {
            if (value.is_string())
                sha256[name] = value.get<std::string>();
            else if (value.is_object() && value.contains("sha256") && value["sha256"].is_string())
                sha256[name] = value["sha256"].get<std::string>();
        }
    } else if (files && files->is_array()) {
        for (const auto& e : *files) {
            if (!e.is_object() || !e.contains("sha256") || !e["sha256"].is_string())
                continue;
            for (const char* key : {"path", "name", "file"})
                if (e.contains(key) && e[key].is_string()) {
                    sha256[e[key].get<std::string>()] = e["sha256"].get<std::string>();
                    break;
                }
        }
    }
    if (sha256.empty()) {
        error = path + " lists no files with their SHA-256 (\"files\")";
        return false;
    }
    return true;
}

bool buildDeploymentPackage(const PackageRequest& request, const ImageSet& images, DeploymentPackage& out,
                            std::string& error)
{
    out = {};
    out.name = (request.time.empty() ? utcNow() : request.time) + "-" + request.run;
    std::map<std::string, std::string> manifest;
    if (!readManifestChecksums(request.packedDir, manifest, error))
        return false;
    // The local packed folder must be what its manifest says, or the board would verify a broken model.
    for (const auto& [name, expected] : manifest) {
        const std::string local = (fs::path(request.packedDir) / name).string();
        std::string actual;
        if (!sha256File(local, actual, error))
            return false;
        if (actual != expected) {
            error = local + " does not match manifest.json (SHA-256 " + actual.substr(0, 16) + "…, expected " +
                    expected.substr(0, 16) + "…): pack the run again";
            return false;
        }
        const std::string remote = std::string(kDeployModelDir) + "/" + name;
        out.files.push_back({local, remote});
        out.sha256[remote] = expected;
    }
    // manifest.json itself travels too (the board-side runner reads the network from it).
    {
        const std::string local = (fs::path(request.packedDir) / "manifest.json").string();
        std::string hex;
        if (!sha256File(local, hex, error))
            return false;
        const std::string remote = std::string(kDeployModelDir) + "/manifest.json";
        out.files.push_back({local, remote});
        out.sha256[remote] = hex;
    }
    std::error_code ec;
    fs::create_directories(request.stagingDir, ec);
    const bool cifar = isCifarShaped(images);
    out.imagesFile = cifar ? "test_batch.bin" : "t10k-images-idx3-ubyte";
    out.labelsFile = "t10k-labels-idx1-ubyte";
    const fs::path staging(request.stagingDir);
    if (!writeImagesFile((staging / out.imagesFile).string(), images, error) ||
        !writeLabelsFile((staging / out.labelsFile).string(), images, error))
        return false;
    nlohmann::json deployJson{{"format", "qnn-workbench-deployment"},
                              {"version", 1},
                              {"run", request.run},
                              {"time", request.time.empty() ? out.name.substr(0, 15) : request.time},
                              {"network", request.network},
                              {"model", kDeployModelDir},
                              {"images", out.imagesFile},
                              {"images_format", cifar ? "cifar10-bin" : "idx"},
                              {"labels", out.labelsFile},
                              {"count", images.size()},
                              {"result", kDeployResult}};
    if (!writeJsonFile((staging / kDeployJson).string(), deployJson, error))
        return false;
    for (const std::string& name : {out.imagesFile, out.labelsFile, std::string(kDeployJson)}) {
        std::string hex;
        if (!sha256File((staging / name).string(), hex, error))
            return false;
        out.files.push_back({(staging / name).string(), name});
        out.sha256[name] = hex;
    }
    std::string runner = request.runnerScript;
    if (runner.empty()) {
        runner = (staging / kDeployRunner).string();
        if (!writeFileAtomic(runner, boardRunnerScript(), error))
            return false;
    }
    std::string hex;
    if (!sha256File(runner, hex, error))
        return false;
    out.files.push_back({runner, kDeployRunner});
    out.sha256[kDeployRunner] = hex;
    for (const auto& f : out.files)
        out.bytes += fs::file_size(f.localPath, ec);
    return true;
}

} // namespace qnn::deploy
