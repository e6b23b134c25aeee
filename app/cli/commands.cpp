#include "app/cli/cli_command.h"

#include "core/project/project.h"

#include <cstdio>

namespace qnn::cli {

bool loadProjectOrSay(const std::string& path, Project& project)
{
    std::string error;
    if (loadProject(path, project, error))
        return true;
    std::fprintf(stderr, "qnnw: %s\n", error.c_str());
    return false;
}

CLI::Option* addProjectArgument(CLI::App& command, std::string& path)
{
    // Existence is checked by the loader, whose sentence names the file and why.
    return command.add_option("PROJECT", path, "the project file (*.qnnproj)")->required();
}

} // namespace qnn::cli
