#include "core/hw/folding.h"

#include "core/util/json_fields.h"
#include "core/util/json_file.h"

#include <sstream>

namespace qnn {

using nlohmann::json;

json foldingLayersToJson(const Folding& folding)
{
    json layers = json::object();
    for (const auto& [name, fold] : folding.layers)
        layers[name] = {{"pe", fold.pe}, {"simd", fold.simd}};
    return layers;
}

json foldingToJson(const Folding& folding)
{
    json j;
    j["format"] = kFoldingFormat;
    j["version"] = kFoldingVersion;
    j["source"] = folding.source;
    j["layers"] = foldingLayersToJson(folding);
    return j;
}

namespace {

// PE/SIMD under either spelling ("pe" ours, "PE" FINN's); absent is fine
// (found = false), anything but a positive integer is an error.
bool readPositive(const json& entry, const char* lower, const char* upper, const std::string& name, int& out,
                  bool& found, std::string& error)
{
    auto it = entry.find(lower);
    if (it == entry.end())
        it = entry.find(upper);
    found = it != entry.end();
    if (!found)
        return true;
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 1 << 20) {
        error = "folding entry \"" + name + "\": " + upper + " must be a positive integer, got " + shortJson(*it);
        return false;
    }
    out = int(it->get<int64_t>());
    return true;
}

bool readLayers(const json& layers, bool strict, Folding& out, std::string& error)
{
    for (auto it = layers.begin(); it != layers.end(); ++it) {
        const std::string& name = it.key();
        if (name == "Defaults" || name == "format" || name == "version" || name == "source")
            continue;
        if (!it->is_object()) {
            if (!strict)
                continue;
            error = "folding entry \"" + name + "\" must be an object such as {\"pe\": 4, \"simd\": 8}, got " +
                    shortJson(*it);
            return false;
        }
        LayerFold fold;
        bool hasPe = false, hasSimd = false;
        if (!readPositive(*it, "pe", "PE", name, fold.pe, hasPe, error) ||
            !readPositive(*it, "simd", "SIMD", name, fold.simd, hasSimd, error))
            return false;
        if (!hasPe && !hasSimd)
            continue; // FINN lists other units too (sliding windows, FIFOs)
        if (!hasPe || !hasSimd) {
            // FINN gives a sliding window only SIMD; a matrix layer needs both.
            if (!strict && !hasPe)
                continue;
            error = std::string("folding entry \"") + name + "\" has " + (hasPe ? "PE" : "SIMD") + " but no " +
                    (hasPe ? "SIMD" : "PE");
            return false;
        }
        out.layers[name] = fold;
    }
    return true;
}

} // namespace

bool foldingFromJson(const json& j, Folding& out, std::string& error)
{
    out = Folding{};
    if (!j.is_object()) {
        error = "a folding must be a JSON object";
        return false;
    }
    if (auto format = j.find("format"); format != j.end()) {
        if (!format->is_string() || format->get<std::string>() != kFoldingFormat) {
            error = std::string("not a folding file: \"format\" must be \"") + kFoldingFormat + "\"";
            return false;
        }
        if (auto version = j.find("version");
            version != j.end() && (!version->is_number_integer() || version->get<int>() > kFoldingVersion)) {
            error = "folding file version " + shortJson(*version) + " is newer than this program reads (" +
                    std::to_string(kFoldingVersion) + ")";
            return false;
        }
        if (auto source = j.find("source"); source != j.end() && source->is_string())
            out.source = source->get<std::string>();
        auto layers = j.find("layers");
        if (layers == j.end() || !layers->is_object()) {
            error = "folding file: \"layers\" must be an object of {\"pe\", \"simd\"} per layer name";
            return false;
        }
        return readLayers(*layers, true, out, error);
    }
    // Our bare form is strict; FINN's (recognised by its capitalised keys or
    // "Defaults") carries entries for units other than matrix layers.
    bool finn = j.contains("Defaults");
    for (auto it = j.begin(); it != j.end() && !finn; ++it)
        finn = it->is_object() && (it->contains("PE") || it->contains("SIMD"));
    if (!readLayers(j, !finn, out, error))
        return false;
    if (out.layers.empty()) {
        error = "the folding names no layer with PE and SIMD";
        return false;
    }
    return true;
}

bool readFoldingFile(const std::string& path, Folding& out, std::string& error)
{
    json j;
    if (!readJsonFile(path, j, error))
        return false;
    if (!foldingFromJson(j, out, error)) {
        error = path + ": " + error;
        return false;
    }
    if (out.source.empty()) {
        const size_t slash = path.find_last_of('/');
        out.source = "file " + (slash == std::string::npos ? path : path.substr(slash + 1));
    }
    return true;
}

bool writeFoldingFile(const std::string& path, const Folding& folding, std::string& error)
{
    return writeJsonFile(path, foldingToJson(folding), error);
}

std::string foldingSummary(const Folding& folding)
{
    std::ostringstream s;
    bool first = true;
    for (const auto& [name, fold] : folding.layers) {
        s << (first ? "" : ", ") << name << " " << fold.pe << "×" << fold.simd;
        first = false;
    }
    return s.str();
}

} // namespace qnn
