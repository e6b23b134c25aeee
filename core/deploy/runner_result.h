#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace qnn::deploy {

/** Checks the line a board's runner printed and returns it with exactly
 *  these members, of these types: "engine", "overlay", "run", "arch"
 *  (strings), "backend" (what ran, in words: see backendText),
 *  "predictions" (integers), "images" (integer), "accuracy",
 *  "usec_per_image", "images_per_second" (numbers, 0 when absent), and
 *  "error" (string, only when the runner reported one). Anything else of an
 *  unexpected type is an error that names the member and what it should be. */
bool parseRunnerResult(const std::string& line, nlohmann::json& out, std::string& error);

} // namespace qnn::deploy
