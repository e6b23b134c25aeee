#include "core/pack/packed_folder.h"

#include "core/hw/overlay.h"
#include "core/pack/layer_files.h"
#include "core/pack/pack_kinds.h"
#include "core/util/sha256.h"
#include "core/util/atomic_file.h"
#include "core/util/json_file.h"
#include "core/util/json_fields.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <filesystem>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace qnn::pack {

namespace {

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

void setOutput(PackedLayer& l, int outputBits)
{
    if (outputBits == 0) {
        l.thresholdsPerRow = 0;
        l.bipolarOutput = false;
        l.outputBase = 0;
    } else if (outputBits == 1) {
        l.thresholdsPerRow = 1;
        l.bipolarOutput = true;
        l.outputBase = -1;
    } else {
        // BNN-PYNQ's A2: values {-1, 0, +1}, two thresholds from base -1.
        l.thresholdsPerRow = (1 << (outputBits - 1));
        l.bipolarOutput = false;
        l.outputBase = -(1 << (outputBits - 2)) * 1;
        if (outputBits == 2)
            l.outputBase = -1;
    }
}

std::string joinPath(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

bool readLayerFiles(const std::string& dir, int index, PackedLayer& l, std::string& error)
{
    for (int pe = 0; pe < l.pe; ++pe) {
        std::string bytes, why;
        const std::string name = weightFileName(index, pe);
        if (!fs::exists(joinPath(dir, name))) {
            error = name + " is missing from " + dir + " (layer " + std::to_string(index) + " has " +
                    std::to_string(l.pe) + " PEs, so files " + weightFileName(index, 0) + " to " +
                    weightFileName(index, l.pe - 1) + ")";
            return false;
        }
        if (!readFile(joinPath(dir, name), bytes, error) || !decodeWeights(bytes, pe, name, l, error))
            return false;
        if (l.thresholdsPerRow == 0)
            continue;
        const std::string tname = thresholdFileName(index, pe);
        if (!fs::exists(joinPath(dir, tname))) {
            error = tname + " is missing from " + dir + " (every PE of layer " + std::to_string(index) +
                    " has a thresholds file)";
            return false;
        }
        if (!readFile(joinPath(dir, tname), bytes, error) || !decodeThresholds(bytes, pe, tname, l, error))
            return false;
    }
    return true;
}

bool readClasses(const std::string& dir, PackedNet& net, std::string& error)
{
    std::string text;
    const std::string path = joinPath(dir, "classes.txt");
    if (!fs::exists(path)) {
        error = "classes.txt is missing from " + dir + " (one class label per line)";
        return false;
    }
    if (!readFile(path, text, error))
        return false;
    std::istringstream in(text);
    std::string line;
    net.classes.clear();
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (!line.empty())
            net.classes.push_back(line);
    }
    return true;
}

std::set<std::string> expectedFiles(const PackedNet& net, bool ours)
{
    std::set<std::string> files{"classes.txt"};
    for (size_t i = 0; i < net.layers.size(); ++i)
        for (const std::string& f : layerFileNames(int(i), net.layers[i]))
            files.insert(f);
    if (ours) {
        files.insert(kManifestFile);
        files.insert("config.h");
    }
    return files;
}

bool checkNoExtraFiles(const std::string& dir, const PackedNet& net, bool ours, std::string& error)
{
    const std::set<std::string> expected = expectedFiles(net, ours);
    std::error_code ec;
    std::vector<std::string> extra;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name == "LICENSE" || name == "README.md" || name == "README")
            continue;
        if (!expected.count(name))
            extra.push_back(name);
    }
    if (extra.empty())
        return true;
    std::sort(extra.begin(), extra.end());
    error = dir + " holds " + extra.front() + ", which a " + net.network + " folder does not have (it has " +
            std::to_string(expected.size()) + " files: " + std::to_string(net.layers.size()) +
            " layers' weights and thresholds per PE and classes.txt" + (ours ? ", config.h, manifest.json" : "") +
            "); is this a folder of another network?";
    return false;
}

std::string inputJsonRounding(const InputEncoding& e) { return e.rounding; }

} // namespace

PackedNet bnnPynqShape(const Overlay& o)
{
    PackedNet net;
    net.network = o.name;
    net.dataset = o.dataset;
    if (o.network == "LFC") {
        net.channels = 1, net.height = 28, net.width = 28;
        net.input.bits = 1;
    } else {
        net.channels = 3, net.height = 32, net.width = 32;
        // ap_fixed<8,1>: 7 fractional bits, truncated.
        net.input.bits = 8;
        net.input.scale = 1.0 / 128.0;
        net.input.rounding = "floor";
    }
    for (size_t i = 0; i < o.layers.size(); ++i) {
        const OverlayLayer& ol = o.layers[i];
        PackedLayer l;
        l.name = "layer" + std::to_string(i);
        l.conv = ol.kind == LayerKind::Conv2D;
        l.pe = ol.fold.pe;
        l.simd = ol.fold.simd;
        l.rows = ol.mh;
        l.cols = ol.mw;
        const bool last = i + 1 == o.layers.size();
        l.mh = last ? roundUp(std::max<int64_t>(ol.mh, 64), l.pe) : ol.mh;
        l.mw = (i == 0 && !l.conv) ? roundUp(roundUp(ol.mw * ol.inputBits, 64) / ol.inputBits, l.simd) : ol.mw;
        l.weightBits = ol.weightBits;
        l.inputBits = ol.inputBits;
        l.k = ol.k;
        l.ifmCh = ol.ifmCh;
        l.ifmDim = ol.ifmDim;
        l.ofmDim = l.conv ? ol.ifmDim - ol.k + 1 : 1;
        l.poolAfter = ol.poolAfter;
        setOutput(l, ol.outputBits);
        l.popcount = ol.weightBits == 1 && ol.inputBits == 1 && ol.outputBits == 1;
        net.layers.push_back(l);
    }
    return net;
}

std::string guessNetwork(const std::string& dir)
{
    std::string base = fs::path(dir).filename().string();
    if (base.empty())
        base = fs::path(dir).parent_path().filename().string();
    for (const Overlay& o : prebuiltOverlays())
        if (base.find(o.name) != std::string::npos)
            return o.name;
    return {};
}

nlohmann::json layerToJson(const PackedLayer& l)
{
    nlohmann::json j = {{"name", l.name},
                        {"kind", layerKindName(l.conv ? LayerKind::Conv2D : LayerKind::Dense)},
                        {"mh", l.mh},
                        {"mw", l.mw},
                        {"rows", l.rows},
                        {"cols", l.cols},
                        {"padding", {{"rows", l.mh - l.rows}, {"cols", l.mw - l.cols}}},
                        {"pe", l.pe},
                        {"simd", l.simd},
                        {"weight_bits", l.weightBits},
                        {"input_bits", l.inputBits},
                        {"k", l.k},
                        {"stride", l.stride},
                        {"ifm_ch", l.ifmCh},
                        {"ifm_dim", l.ifmDim},
                        {"ofm_dim", l.ofmDim},
                        {"thresholds_per_row", l.thresholdsPerRow},
                        {"output_base", l.outputBase},
                        {"bipolar_output", l.bipolarOutput},
                        {"accumulator", l.popcount ? "popcount" : "signed-dot"},
                        {"pool_after", l.poolAfter},
                        {"pool_k", l.poolK},
                        {"pool_stride", l.poolStride}};
    if (!l.scoreScale.empty()) {
        j["score_scale"] = l.scoreScale;
        j["score_bias"] = l.scoreBias;
    }
    return j;
}

bool layerFromJson(const nlohmann::json& j, PackedLayer& l, std::string& error)
{
    std::string name = "?";
    if (j.is_object() && j.contains("name") && j["name"].is_string())
        name = j["name"].get<std::string>();
    JsonFields f(j, "layer \"" + name + "\" of the manifest");
    std::string kind, accumulator;
    const int64_t D = kMaxPackedDim;
    f.text("name", l.name);
    f.text("kind", kind);
    f.integer("mh", l.mh, 1, D);
    f.integer("mw", l.mw, 1, D);
    f.integer("rows", l.rows, 1, D);
    f.integer("cols", l.cols, 1, D);
    f.integer("pe", l.pe, 1, int(D));
    f.integer("simd", l.simd, 1, 64);
    f.integer("weight_bits", l.weightBits, 1, 8);
    f.integer("input_bits", l.inputBits, 1, 8);
    f.integer("k", l.k, 1, 64);
    f.integer("stride", l.stride, 1, 64);
    f.integer("ifm_ch", l.ifmCh, 0, D);
    f.integer("ifm_dim", l.ifmDim, 1, 1 << 14);
    f.integer("ofm_dim", l.ofmDim, 1, 1 << 14);
    f.integer("thresholds_per_row", l.thresholdsPerRow, 0, 255);
    f.integer("output_base", l.outputBase, -255, 255);
    f.flag("bipolar_output", l.bipolarOutput);
    f.text("accumulator", accumulator);
    f.flag("pool_after", l.poolAfter);
    f.integer("pool_k", l.poolK, 1, 64);
    f.integer("pool_stride", l.poolStride, 1, 64);
    if (f.has("score_scale") || f.has("score_bias")) {
        f.numbers("score_scale", l.scoreScale, size_t(D));
        f.numbers("score_bias", l.scoreBias, size_t(D));
    }
    const std::optional<bool> conv = packedUnitIsConv(kind);
    if (f.ok() && !conv) {
        std::string expected;
        for (const std::string& k : packedUnitKindNames())
            expected += (expected.empty() ? "\"" : " or \"") + k + "\"";
        f.fail("\"kind\" is \"" + kind + "\", expected " + expected);
    }
    if (f.ok() && accumulator != "popcount" && accumulator != "signed-dot")
        f.fail("\"accumulator\" is \"" + accumulator + "\", expected \"popcount\" or \"signed-dot\"");
    if (!f.ok()) {
        error = f.error();
        return false;
    }
    l.conv = *conv;
    l.popcount = accumulator == "popcount";
    return validatePackedLayer(l, error);
}

bool validatePackedLayer(const PackedLayer& l, std::string& error)
{
    const auto bad = [&](const std::string& why) {
        error = "layer \"" + l.name + "\" of the manifest has an impossible shape: " + why;
        return false;
    };
    const auto n = [](int64_t v) { return std::to_string(v); };
    if (l.mh < 1 || l.mw < 1 || l.mh > kMaxPackedDim || l.mw > kMaxPackedDim || l.mh * l.mw > kMaxPackedElements)
        return bad("MH " + n(l.mh) + " × MW " + n(l.mw) + " (each from 1 to " + n(kMaxPackedDim) + ", at most " +
                   n(kMaxPackedElements) + " weights)");
    if (l.pe < 1 || l.simd < 1 || l.mh % l.pe || l.mw % l.simd)
        return bad("PE " + n(l.pe) + " must divide MH " + n(l.mh) + " and SIMD " + n(l.simd) + " must divide MW " +
                   n(l.mw));
    if (l.weightBits < 1 || l.weightBits > 8 || l.inputBits < 1 || l.inputBits > 8 || l.simd * l.weightBits > 64)
        return bad(n(l.weightBits) + "-bit weights, " + n(l.inputBits) + "-bit inputs at SIMD " + n(l.simd) +
                   " (1 to 8 bits, SIMD × weight bits at most 64)");
    if (l.rows < 1 || l.cols < 1 || l.rows > l.mh || l.cols > l.mw)
        return bad(n(l.rows) + " rows × " + n(l.cols) + " columns in a padded " + n(l.mh) + " × " + n(l.mw) +
                   " matrix");
    if (l.thresholdsPerRow < 0 || l.thresholdsPerRow > 255)
        return bad(n(l.thresholdsPerRow) + " thresholds per row (0 to 255)");
    if (l.conv) {
        if (l.k < 1 || l.stride < 1 || l.ifmCh < 1 || l.ifmDim < l.k || l.ifmDim > (1 << 14) ||
            l.ifmDim * l.ifmDim > kMaxPackedElements / std::max<int64_t>(l.ifmCh, 1))
            return bad("a " + n(l.k) + "×" + n(l.k) + " kernel at stride " + n(l.stride) + " over " + n(l.ifmDim) +
                       "×" + n(l.ifmDim) + "×" + n(l.ifmCh));
        if (l.ofmDim != (l.ifmDim - l.k) / l.stride + 1)
            return bad("ofm_dim " + n(l.ofmDim) + ", but a " + n(l.k) + "×" + n(l.k) + " kernel at stride " +
                       n(l.stride) + " over " + n(l.ifmDim) + "×" + n(l.ifmDim) + " gives " +
                       n((l.ifmDim - l.k) / l.stride + 1));
        if (l.cols != int64_t(l.k) * l.k * l.ifmCh)
            return bad(n(l.cols) + " columns, but a " + n(l.k) + "×" + n(l.k) + " kernel over " + n(l.ifmCh) +
                       " channels has " + n(int64_t(l.k) * l.k * l.ifmCh));
    } else if (l.ofmDim != 1 || l.poolAfter) {
        return bad("a Dense layer has ofm_dim 1 and no pool");
    }
    if (l.poolAfter && (l.poolK < 1 || l.poolStride < 1 || l.poolK > l.ofmDim))
        return bad("a " + n(l.poolK) + "×" + n(l.poolK) + " pool at stride " + n(l.poolStride) + " over " +
                   n(l.ofmDim) + "×" + n(l.ofmDim));
    if (l.ofmDim * l.ofmDim > kMaxPackedElements / l.mh)
        return bad(n(l.ofmDim) + "×" + n(l.ofmDim) + " outputs of " + n(l.mh) + " channels");
    if (l.scoreScale.size() != l.scoreBias.size() || (!l.scoreScale.empty() && int64_t(l.scoreScale.size()) < l.rows))
        return bad(n(int64_t(l.scoreScale.size())) + " score_scale and " + n(int64_t(l.scoreBias.size())) +
                   " score_bias values for " + n(l.rows) + " classes (one each per class)");
    return true;
}

bool readPackedFolder(const std::string& dir, const std::string& network, PackedNet& net, std::string& error)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        error = dir + " is not a folder (a packed folder holds <layer>-<pe>-weights.bin files and classes.txt)";
        return false;
    }
    const std::string manifestPath = joinPath(dir, kManifestFile);
    const bool ours = fs::exists(manifestPath, ec);
    nlohmann::json m;
    if (ours) {
        if (!readJsonFile(manifestPath, m, error))
            return false;
        JsonFields f(m, manifestPath);
        std::string format;
        int version = 0;
        f.text("format", format);
        if (f.ok() && format != kManifestFormat)
            f.fail("\"format\" is \"" + format + "\", expected \"" + kManifestFormat +
                   "\" (it is not a packed-model manifest)");
        f.integer("version", version, 1, 1000000);
        if (f.ok() && version > kManifestVersion)
            f.fail("version " + std::to_string(version) + "; this build reads up to version " +
                   std::to_string(kManifestVersion));
        if (f.ok() && (version >= 2 || m.contains("manifest_sha256"))) {
            // The manifest is checked like the files it lists: an edited weight_bits must not run quietly.
            nlohmann::json unsealed = m;
            unsealed.erase("manifest_sha256");
            std::string sealed;
            f.text("manifest_sha256", sealed);
            if (f.ok() && sealed != sha256Hex(unsealed.dump()))
                f.fail("the manifest does not match its own SHA-256 (\"manifest_sha256\"): it was changed after "
                       "packing; pack the run again");
        }
        net = PackedNet();
        f.optionalText("network", net.network);
        f.optionalText("dataset", net.dataset);
        if (!f.ok()) {
            error = f.error();
            return false;
        }
        if (!network.empty() && network != net.network) {
            error = dir + " holds " + net.network + ", not " + network;
            return false;
        }
        const nlohmann::json in = m.contains("input") ? m["input"] : nlohmann::json::object();
        JsonFields fi(in, manifestPath + ", \"input\"");
        fi.optionalInteger("channels", net.channels, 1, 4096);
        fi.optionalInteger("height", net.height, 1, 1 << 14);
        fi.optionalInteger("width", net.width, 1, 1 << 14);
        fi.optionalInteger("bits", net.input.bits, 1, 8);
        fi.optionalNumber("scale", net.input.scale, 1e-30, 1e30);
        fi.optionalText("rounding", net.input.rounding);
        if (fi.has("narrow"))
            fi.flag("narrow", net.input.narrow);
        if (fi.ok() && int64_t(net.channels) * net.height * net.width > kMaxPackedElements)
            fi.fail("an input of " + std::to_string(net.channels) + "×" + std::to_string(net.height) + "×" +
                    std::to_string(net.width) + " is larger than a packed model may take");
        if (fi.ok() && m.contains("layers") && !m["layers"].is_array())
            fi.fail("\"layers\" must be a list");
        if (fi.ok() && m.contains("files") && !m["files"].is_object())
            fi.fail("\"files\" must be an object of file name → SHA-256");
        if (!fi.ok()) {
            error = fi.error();
            return false;
        }
        for (const auto& lj : m.value("layers", nlohmann::json::array())) {
            PackedLayer l;
            if (!layerFromJson(lj, l, error)) {
                error = manifestPath + ": " + error;
                return false;
            }
            net.layers.push_back(l);
        }
        if (net.layers.empty()) {
            error = manifestPath + " lists no layers";
            return false;
        }
        // Checksums first: a changed file is named as changed, not as a bad shape.
        const nlohmann::json files = m.value("files", nlohmann::json::object());
        for (const std::string& name : expectedFiles(net, false)) {
            if (!files.contains(name)) {
                error = manifestPath + " has no checksum for " + name;
                return false;
            }
            std::string bytes;
            if (!fs::exists(joinPath(dir, name))) {
                error = name + " is missing from " + dir + " (the manifest lists it)";
                return false;
            }
            if (!readFile(joinPath(dir, name), bytes, error))
                return false;
            if (!files[name].is_string() || sha256Hex(bytes) != files[name].get<std::string>()) {
                error = name + " in " + dir + " does not match its SHA-256 in manifest.json (the file changed after packing)";
                return false;
            }
        }
    } else {
        const std::string name = network.empty() ? guessNetwork(dir) : network;
        const Overlay* o = findOverlay(name);
        if (!o) {
            error = name.empty() ? dir + " has no manifest.json and its name names no BNN-PYNQ network; give "
                                         "--network " + prebuiltOverlayList("|")
                                 : "\"" + name + "\" is not a BNN-PYNQ network (" + prebuiltOverlayList(", ") + ")";
            return false;
        }
        net = bnnPynqShape(*o);
    }
    for (size_t i = 0; i < net.layers.size(); ++i)
        if (!readLayerFiles(dir, int(i), net.layers[i], error))
            return false;
    if (!readClasses(dir, net, error) || !checkNoExtraFiles(dir, net, ours, error))
        return false;
    return true;
}

std::string configHeader(const PackedNet& net)
{
    std::ostringstream s;
    s << "// " << net.network << ": folding and sizes of each layer for an HLS rebuild (qnn-workbench).\n"
      << "#pragma once\n\n";
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const PackedLayer& l = net.layers[i];
        const std::string p = "#define L" + std::to_string(i) + "_";
        const int outBits = l.thresholdsPerRow == 0 ? 16 : l.bipolarOutput ? 1 : 2;
        s << "// " << l.name << "\n"
          << p << "SIMD " << l.simd << "\n"
          << p << "PE " << l.pe << "\n"
          << p << "WMEM " << (l.mh / l.pe) * (l.mw / l.simd) << "\n"
          << p << "TMEM " << l.mh / l.pe << "\n"
          << p << "MW " << l.mw << "\n"
          << p << "MH " << l.mh << "\n"
          << p << "WPI " << l.weightBits << "\n"
          << p << "API " << outBits << "\n"
          << p << "WPF 0\n"
          << p << "APF 0\n";
        if (l.conv)
            s << p << "K " << l.k << "\n"
              << p << "IFM_CH " << l.ifmCh << "\n"
              << p << "IFM_DIM " << l.ifmDim << "\n"
              << p << "OFM_CH " << l.mh << "\n"
              << p << "OFM_DIM " << l.ofmDim << "\n";
        s << "\n";
    }
    return s.str();
}

namespace {

// Writes one file atomically and remembers its SHA-256 for the manifest.
bool writeHashed(const std::string& dir, const std::string& name, const std::string& bytes,
                 nlohmann::json* hashes, std::string& error)
{
    if (!writeFileAtomic(joinPath(dir, name), bytes, error))
        return false;
    if (hashes)
        (*hashes)[name] = sha256Hex(bytes);
    return true;
}

bool writeLayerAndClassFiles(const std::string& dir, const PackedNet& net, nlohmann::json* hashes, std::string& error)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        error = "cannot create " + dir + ": " + ec.message();
        return false;
    }
    std::vector<std::pair<std::string, std::string>> files;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const PackedLayer& l = net.layers[i];
        for (int pe = 0; pe < l.pe; ++pe) {
            files.emplace_back(weightFileName(int(i), pe), weightBytes(l, pe));
            if (l.thresholdsPerRow > 0)
                files.emplace_back(thresholdFileName(int(i), pe), thresholdBytes(l, pe));
        }
    }
    // As Xilinx writes it: CRLF between labels, none after the last.
    std::string classes;
    for (size_t i = 0; i < net.classes.size(); ++i)
        classes += (i ? "\r\n" : "") + net.classes[i];
    files.emplace_back("classes.txt", classes);
    // Each file is flushed to disk before its rename; on several threads the
    // waits for the disk overlap (LFC has 289 files).
    std::vector<std::string> errors(files.size()), digests(files.size());
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t k = next++; k < files.size(); k = next++) {
            std::string why;
            if (!writeFileAtomic(joinPath(dir, files[k].first), files[k].second, why))
                errors[k] = why.empty() ? "cannot write " + joinPath(dir, files[k].first) : why;
            if (hashes)
                digests[k] = sha256Hex(files[k].second);
        }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < 8; ++t)
        pool.emplace_back(work);
    for (auto& th : pool)
        th.join();
    for (size_t k = 0; k < files.size(); ++k) {
        if (!errors[k].empty()) {
            error = errors[k];
            return false;
        }
        if (hashes)
            (*hashes)[files[k].first] = digests[k];
    }
    return true;
}

} // namespace

bool writeBnnPynqFiles(const std::string& dir, const PackedNet& net, std::string& error)
{
    return writeLayerAndClassFiles(dir, net, nullptr, error);
}

bool writePackedFolder(const std::string& dir, const PackedNet& net, const ManifestExtras& extras, std::string& error)
{
    nlohmann::json files = nlohmann::json::object();
    if (!writeLayerAndClassFiles(dir, net, &files, error) ||
        !writeHashed(dir, "config.h", configHeader(net), &files, error))
        return false;
    nlohmann::json m;
    m["format"] = kManifestFormat;
    m["version"] = kManifestVersion;
    m["network"] = net.network;
    m["dataset"] = net.dataset;
    m["layout"] = {{"files", "<layer>-<pe>-weights.bin, <layer>-<pe>-thres.bin (BNN-PYNQ)"},
                   {"word", "uint64 little-endian"},
                   {"bit_order", "element j of a word at bit j*weight_bits, least significant first"},
                   {"binary_weight", "bit 1 = +1, bit 0 = -1"},
                   {"rows", "row r in PE r mod PE at neuron fold r div PE"},
                   {"thresholds", "int64 little-endian per neuron fold and threshold; output = base + "
                                  "count(threshold < accumulator)"},
                   {"padding", "padded binary weights 1, padded thresholds the largest value"}};
    m["input"] = {{"channels", net.channels},
                  {"height", net.height},
                  {"width", net.width},
                  {"bits", net.input.bits},
                  {"scale", net.input.scale},
                  {"rounding", inputJsonRounding(net.input)},
                  {"encoding", net.input.bits == 1 ? "pixel scaled to [-1,1], bit 1 where >= 0, LSB first"
                                                   : "signed codes of the pixel scaled to [-1,1], channel-interleaved"}};
    nlohmann::json layers = nlohmann::json::array();
    for (const PackedLayer& l : net.layers)
        layers.push_back(layerToJson(l));
    // Written only when off, so that folders packed before the option keep their bytes.
    if (!net.input.narrow)
        m["input"]["narrow"] = false;
    m["layers"] = layers;
    m["classes"] = net.classes;
    if (!extras.foldingSource.empty())
        m["folding_source"] = extras.foldingSource;
    if (!extras.project.empty())
        m["project"] = extras.project;
    if (!extras.run.empty())
        m["run"] = extras.run;
    if (!extras.epoch.empty())
        m["epoch"] = extras.epoch;
    if (!extras.overlay.is_null())
        m["overlay"] = extras.overlay;
    m["files"] = files;
    m["manifest_sha256"] = sha256Hex(m.dump());
    return writeFileAtomic(joinPath(dir, kManifestFile), m.dump(2) + "\n", error);
}

} // namespace qnn::pack
