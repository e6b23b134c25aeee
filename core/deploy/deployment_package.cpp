#include "core/deploy/deployment_package.h"

#include "core/deploy/board_factory.h"
#include "core/util/sha256.h"
#include "core/util/atomic_file.h"
#include "core/util/json_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>
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

std::string randomHex(int digits)
{
    std::random_device random;
    std::string hex;
    for (int i = 0; i < digits; ++i)
        hex += "0123456789abcdef"[random() & 15];
    return hex;
}

bool isDigits(const std::string& s, size_t from, size_t to)
{
    if (from >= to || to - from > 6)
        return false;
    for (size_t i = from; i < to; ++i)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

// A staging folder must be ours alone: a folder or link planted by another
// user would receive (or redirect) deploy.json, runner.py and the images.
bool prepareStagingFolder(const std::string& dir, std::string& error)
{
    if (dir.empty()) {
        error = "no staging folder given for the deployment package";
        return false;
    }
    if (::mkdir(dir.c_str(), 0700) == 0)
        return true;
    if (errno != EEXIST) {
        error = "cannot create the staging folder " + dir + ": " + std::strerror(errno);
        return false;
    }
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        error = "refused the staging folder " + dir + ": it is a link or not a folder";
        return false;
    }
    if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
        error = "refused the staging folder " + dir +
                ": it belongs to another user or others may open it (it must be mode 0700 and yours)";
        return false;
    }
    return true;
}

} // namespace

bool isPackedFileName(const std::string& name)
{
    if (name == "classes.txt" || name == "config.h")
        return true;
    // <layer>-<pe>-weights.bin | <layer>-<pe>-thres.bin, as layer_files.cpp names them.
    const auto first = name.find('-');
    if (first == std::string::npos || !isDigits(name, 0, first))
        return false;
    const auto second = name.find('-', first + 1);
    if (second == std::string::npos || !isDigits(name, first + 1, second))
        return false;
    const std::string rest = name.substr(second + 1);
    return rest == "weights.bin" || rest == "thres.bin";
}

bool makeStagingFolder(std::string& path, std::string& error)
{
    std::error_code ec;
    fs::path tmp = fs::temp_directory_path(ec);
    if (ec)
        tmp = "/tmp";
    std::string pattern = (tmp / "qnnw-deploy-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!::mkdtemp(buffer.data())) {
        error = "cannot create a staging folder in " + tmp.string() + ": " + std::strerror(errno);
        return false;
    }
    path = buffer.data();
    return true;
}

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
    std::vector<std::pair<std::string, std::string>> listed;
    if (files && files->is_object()) {
        for (const auto& [name, value] : files->items()) {
            if (value.is_string())
                listed.emplace_back(name, value.get<std::string>());
            else if (value.is_object() && value.contains("sha256") && value["sha256"].is_string())
                listed.emplace_back(name, value["sha256"].get<std::string>());
            else
                listed.emplace_back(name, "");
        }
    } else if (files && files->is_array()) {
        for (const auto& e : *files) {
            if (!e.is_object() || !e.contains("sha256") || !e["sha256"].is_string())
                continue;
            for (const char* key : {"path", "name", "file"})
                if (e.contains(key) && e[key].is_string()) {
                    listed.emplace_back(e[key].get<std::string>(), e["sha256"].get<std::string>());
                    break;
                }
        }
    }
    for (const auto& [name, hex] : listed) {
        // The names are used as local paths and as paths on the board: only the format's own names may pass.
        if (!isPackedFileName(name)) {
            error = path + " lists \"" + name.substr(0, 120) +
                    "\" under \"files\", which is not a file of a packed folder (classes.txt, config.h, "
                    "<layer>-<pe>-weights.bin, <layer>-<pe>-thres.bin); nothing was deployed";
            sha256.clear();
            return false;
        }
        if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
            error = path + " gives \"" + name + "\" no SHA-256 (64 lowercase hex digits)";
            sha256.clear();
            return false;
        }
        sha256[name] = hex;
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
    out.network = request.network;
    out.stagingDir = request.stagingDir;
    out.name = (request.time.empty() ? utcNow() : request.time) + "-" + request.run + "-" + randomHex(6);
    if (!isSafeDeploymentName(out.name)) {
        error = "the run name \"" + request.run + "\" cannot be part of a folder name on the board";
        return false;
    }
    std::map<std::string, std::string> manifest;
    if (!readManifestChecksums(request.packedDir, manifest, error))
        return false;
    // The local packed folder must be what its manifest says, or the board would verify a broken model.
    for (const auto& [name, expected] : manifest) {
        const std::string local = (fs::path(request.packedDir) / name).string();
        struct stat st {};
        if (::lstat(local.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            error = local + " is missing, a link or not a regular file; a packed folder holds plain files only";
            return false;
        }
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
    if (!prepareStagingFolder(request.stagingDir, error))
        return false;
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
    out.deployJson = deployJson;
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

bool addRuntime(DeploymentPackage& package, const BoardRuntime& runtime, std::string& error)
{
    std::string hex;
    if (!sha256File(runtime.path, hex, error))
        return false;
    // deploy.json names the build: this package's copy is written beside the
    // first (deploy.json.<arch>, uploaded as deploy.json), so a package made
    // once and deployed to boards of two CPUs never changes under the other.
    package.deployJson["runtime"] = {{"file", kDeployQnnRun}, {"arch", runtime.arch}, {"sha256", hex}};
    const std::string deployJson = (fs::path(package.stagingDir) / kDeployJson).string() + "." + runtime.arch;
    std::string deployHex;
    if (!writeJsonFile(deployJson, package.deployJson, error) || !sha256File(deployJson, deployHex, error))
        return false;
    for (UploadItem& f : package.files)
        if (f.remotePath == kDeployJson)
            f.localPath = deployJson;
    package.sha256[kDeployJson] = deployHex;
    package.files.push_back({runtime.path, kDeployQnnRun, true});
    package.sha256[kDeployQnnRun] = hex;
    std::error_code ec;
    package.bytes = 0;
    for (const auto& f : package.files)
        package.bytes += fs::file_size(f.localPath, ec);
    return true;
}

} // namespace qnn::deploy
