#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace qnn {

/** Parallelism of one matrix-vector-threshold unit (FPGA_NOTES.md): PE rows
 *  and SIMD columns processed per cycle. */
struct LayerFold {
    int pe = 1;
    int simd = 1;
    bool operator==(const LayerFold& o) const { return pe == o.pe && simd == o.simd; }
    bool operator!=(const LayerFold& o) const { return !(*this == o); }
};

/** PE and SIMD of every Dense/Conv2D node, keyed by node name (the key FINN's
 *  folding_config.json uses too). `source` says where it came from
 *  ("bnn-pynq lfcW1A1", "file folding.json", "fps 10000", "max", "project"). */
struct Folding {
    std::map<std::string, LayerFold> layers;
    std::string source;

    bool operator==(const Folding& o) const { return layers == o.layers; }
    bool empty() const { return layers.empty(); }
    /** The layer's fold, or nullptr when the folding does not name it. */
    const LayerFold* find(const std::string& name) const
    {
        auto it = layers.find(name);
        return it == layers.end() ? nullptr : &it->second;
    }
};

constexpr const char* kFoldingFormat = "qnn-workbench-folding";
constexpr int kFoldingVersion = 1;

/** Our file form: {"format", "version", "source", "layers": {name: {"pe", "simd"}}}. */
nlohmann::json foldingToJson(const Folding& folding);
/** The "layers" object alone ({name: {"pe", "simd"}}), as the project's
 *  "deploy" section stores it. */
nlohmann::json foldingLayersToJson(const Folding& folding);

/** Accepts our form, a bare {name: {"pe", "simd"}} object, and FINN's
 *  folding_config.json ({"Defaults": {...}, "MVAU_0": {"PE": 32, "SIMD": 64,
 *  "ram_style": ...}, ...}: keys other than PE/SIMD are ignored, entries
 *  without PE or SIMD, such as a sliding window's, are skipped). FINN's node
 *  names stay as they are; resolveFinnNames() (dataflow.h) maps them to
 *  layers. The error is a sentence naming the entry. */
bool foldingFromJson(const nlohmann::json& j, Folding& out, std::string& error);

/** Reads a folding file; the error starts with the path. `source` becomes
 *  "file <name>" unless the file names its own. */
bool readFoldingFile(const std::string& path, Folding& out, std::string& error);
/** Writes our form atomically. */
bool writeFoldingFile(const std::string& path, const Folding& folding, std::string& error);

/** "pe 32 × simd 64" per layer in one line, for logs and messages. */
std::string foldingSummary(const Folding& folding);

} // namespace qnn
