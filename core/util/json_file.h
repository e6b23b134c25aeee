#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace qnn {

/** Parses JSON text; on failure the error says where: "not valid JSON at
 *  line 4, column 8: <reason>". Every JSON file the workbench reads uses it. */
bool parseJson(const std::string& text, nlohmann::json& out, std::string& error);

/** Reads and parses a file; the error starts with the path. */
bool readJsonFile(const std::string& path, nlohmann::json& out, std::string& error);

/** Writes 2-space JSON with a final newline, atomically (see AtomicFile). */
bool writeJsonFile(const std::string& path, const nlohmann::json& value, std::string& error);

} // namespace qnn
