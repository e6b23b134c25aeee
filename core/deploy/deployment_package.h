#pragma once

#include "core/data/image_set.h"
#include "core/deploy/board.h"
#include "core/deploy/board_runtime.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace qnn::deploy {

/** File names inside a deployment folder; runner.py reads the same names from deploy.json. */
constexpr const char* kDeployModelDir = "model";
constexpr const char* kDeployJson = "deploy.json";
constexpr const char* kDeployRunner = "runner.py";
constexpr const char* kDeployResult = "result.json";
constexpr const char* kDeployQnnRun = "qnn-run";

/** Everything one deployment uploads: the packed model (checked against its
 *  manifest), the test images and labels, the runner and deploy.json. */
struct DeploymentPackage {
    /** <UTC time>-<run>-<6 random hex digits>, the folder name under
     *  deployments/: two deploys of one run in one second get two folders. */
    std::string name;
    std::vector<UploadItem> files;
    /** Path inside the deployment → SHA-256 the board must report. */
    std::map<std::string, std::string> sha256;
    /** Bytes of all files. */
    uint64_t bytes = 0;
    std::string imagesFile;
    std::string labelsFile;
    /** The prebuilt overlay the network matches ("lfcW1A1"), empty for none. */
    std::string network;
    /** Where deploy.json and the images were written. */
    std::string stagingDir;
    /** deploy.json as written; addRuntime() adds "runtime" to it. */
    nlohmann::json deployJson;
};

/** What goes into a package. */
struct PackageRequest {
    std::string run;
    /** A packed folder with manifest.json (qnnw pack). */
    std::string packedDir;
    /** BNN-PYNQ network name when the graph matches a prebuilt overlay
     *  ("lfcW1A1"), empty otherwise. */
    std::string network;
    /** runner.py to ship; empty = the one compiled into this build. */
    std::string runnerScript;
    /** Folder to write the images, labels and deploy.json into: created
     *  with mode 0700 when it does not exist; an existing one must be a real
     *  folder (not a link) of this user that nobody else may open (see
     *  makeStagingFolder). */
    std::string stagingDir;
    /** UTC time, "20261125-123456"; empty = now. */
    std::string time;
};

/** Checksums of a packed folder as its manifest.json lists them (file → hex).
 *  Accepts "files" as an object (name → hex or {"sha256": hex}) or a list of
 *  {"path"|"name"|"file", "sha256"}. Only the file names the packed format
 *  defines pass (isPackedFileName); any other name, a path or "..", is an
 *  error that names it. */
bool readManifestChecksums(const std::string& packedDir, std::map<std::string, std::string>& sha256,
                           std::string& error);

/** classes.txt, config.h, <layer>-<pe>-weights.bin, <layer>-<pe>-thres.bin. */
bool isPackedFileName(const std::string& name);

/** A new, empty folder under the temporary folder (mkdtemp: a name nobody
 *  could plant beforehand, owned by this user, mode 0700). */
bool makeStagingFolder(std::string& path, std::string& error);

/** Checks every file of the packed folder against its manifest, writes the
 *  images (IDX for one channel, CIFAR-10 binary for 3×32×32) and labels,
 *  deploy.json, and lists what to upload with the checksums to verify. */
bool buildDeploymentPackage(const PackageRequest& request, const ImageSet& images, DeploymentPackage& out,
                            std::string& error);

/** Adds the qnn-run build for the board's CPU to the package: uploaded as
 *  `qnn-run` (mode 0755), checked by its SHA-256 like every other file, and
 *  named in deploy.json ("runtime": file, arch, sha256) for the runner. */
bool addRuntime(DeploymentPackage& package, const BoardRuntime& runtime, std::string& error);

/** Images in the file formats the `bnn` package reads: IDX (classify_mnists)
 *  or CIFAR-10 binary (classify_cifars). */
bool writeImagesFile(const std::string& path, const ImageSet& images, std::string& error);
bool writeLabelsFile(const std::string& path, const ImageSet& images, std::string& error);

} // namespace qnn::deploy
