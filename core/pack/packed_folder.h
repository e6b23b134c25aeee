#pragma once

#include "core/pack/packed_net.h"

#include <nlohmann/json.hpp>

#include <string>

namespace qnn {
struct Overlay;
}

namespace qnn::pack {

constexpr const char* kManifestFormat = "qnn-workbench-packed";
/** Version 2 adds "manifest_sha256": the SHA-256 of the manifest itself
 *  (its compact dump without that member), so that an edit of the manifest
 *  (a layer's weight_bits, say) is caught like an edit of any packed file. */
constexpr int kManifestVersion = 2;
constexpr const char* kManifestFile = "manifest.json";

/** The shapes (no weights) of a prebuilt overlay's parameter folder. */
PackedNet bnnPynqShape(const Overlay& overlay);

/** The BNN-PYNQ network a folder holds, from its name ("…/lfcW1A1" → "lfcW1A1"); empty when none fits. */
std::string guessNetwork(const std::string& dir);

/** Reads a packed folder: ours (manifest.json: shapes, and every file's
 *  SHA-256 checked) or Xilinx's (network from `network`, else the folder's
 *  name). A missing, truncated or extra file, a checksum that does not match
 *  or a folder of another network gives a sentence naming the file. */
bool readPackedFolder(const std::string& dir, const std::string& network, PackedNet& net, std::string& error);

/** Extra facts the manifest records besides the layers. */
struct ManifestExtras {
    std::string foldingSource;
    std::string project;
    std::string run;
    std::string epoch;
    /** {"matches": bool, "overlay": name, "verdict": sentence}. */
    nlohmann::json overlay;
};

/** Writes every layer's files, classes.txt, config.h and manifest.json
 *  (written last, with the SHA-256 of every other file), each atomically. */
bool writePackedFolder(const std::string& dir, const PackedNet& net, const ManifestExtras& extras, std::string& error);
/** Only the BNN-PYNQ files (layers and classes.txt), as Xilinx ships them. */
bool writeBnnPynqFiles(const std::string& dir, const PackedNet& net, std::string& error);

/** The HLS rebuild header: Ln_SIMD, Ln_PE, Ln_WMEM, Ln_TMEM, Ln_MW, Ln_MH, Ln_WPI, Ln_API, Ln_WPF, Ln_APF (+ conv sizes). */
std::string configHeader(const PackedNet& net);

nlohmann::json layerToJson(const PackedLayer& layer);
bool layerFromJson(const nlohmann::json& j, PackedLayer& layer, std::string& error);

/** Limits of what a packed layer may be: generous for any real network, and
 *  small enough that no size computed from them overflows. */
constexpr int64_t kMaxPackedDim = int64_t(1) << 20;
constexpr int64_t kMaxPackedElements = int64_t(1) << 28;

/** Checks a layer's geometry before anything is allocated or indexed by
 *  it: sizes in range and their products bounded, PE and SIMD dividing the
 *  matrix, a conv's output size equal to (ifm_dim - k) / stride + 1, pool
 *  sizes and strides at least 1 and within the feature map, score_scale and
 *  score_bias one per class. The error names the layer and the value. */
bool validatePackedLayer(const PackedLayer& layer, std::string& error);

} // namespace qnn::pack
