#include "core/deploy/runner_result.h"

#include "core/deploy/board_runtime.h"

#include <cmath>

namespace qnn::deploy {

bool parseRunnerResult(const std::string& line, nlohmann::json& out, std::string& error)
{
    out = nlohmann::json::object();
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) {
        error = "the runner on the board printed a line that is not a JSON object: " + line.substr(0, 200);
        return false;
    }
    const auto bad = [&](const std::string& key, const std::string& expected) {
        error = "the runner on the board printed \"" + key + "\": " + j[key].dump().substr(0, 80) + ", expected " +
                expected;
        return false;
    };
    for (const char* key : {"engine", "overlay", "run", "arch", "error", "hint"}) {
        if (!j.contains(key) || j[key].is_null()) {
            if (std::string(key) != "error" && std::string(key) != "hint")
                out[key] = "";
            continue;
        }
        if (!j[key].is_string())
            return bad(key, "a string");
        out[key] = j[key];
    }
    // What ran is said by this side, from the engine and the build: never a board's free text.
    out["backend"] = backendText(out["engine"].get<std::string>(), out["arch"].get<std::string>());
    for (const char* key : {"accuracy", "usec_per_image", "images_per_second"}) {
        if (!j.contains(key) || j[key].is_null()) {
            out[key] = 0.0;
            continue;
        }
        if (!j[key].is_number() || !std::isfinite(j[key].get<double>()) || j[key].get<double>() < 0)
            return bad(key, "a number of at least 0");
        out[key] = j[key].get<double>();
    }
    out["predictions"] = nlohmann::json::array();
    if (j.contains("predictions") && !j["predictions"].is_null()) {
        if (!j["predictions"].is_array())
            return bad("predictions", "a list of class numbers");
        for (const auto& p : j["predictions"]) {
            if (!p.is_number_integer() || p.get<int64_t>() < 0 || p.get<int64_t>() > 1000000)
                return bad("predictions", "a list of class numbers (one is " + p.dump().substr(0, 40) + ")");
            out["predictions"].push_back(p.get<int64_t>());
        }
    }
    if (j.contains("images") && !j["images"].is_null()) {
        if (!j["images"].is_number_integer() || j["images"].get<int64_t>() < 0)
            return bad("images", "a count of images");
        out["images"] = j["images"].get<int64_t>();
    } else {
        out["images"] = out["predictions"].size();
    }
    return true;
}

} // namespace qnn::deploy
