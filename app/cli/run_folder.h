#pragma once

#include <string>

namespace qnn::cli {

/** A RUN argument: a folder holding config.json, or a name under <projectDir>/runs/. */
bool findRunFolder(const std::string& run, const std::string& projectDir, std::string& runDir, std::string& error);

/** The folder of a project file ("." when it has none). */
std::string projectFolderOf(const std::string& projectPath);

} // namespace qnn::cli
