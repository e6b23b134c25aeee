#include "app/cli/cli_command.h"

namespace qnn::cli {

const std::vector<Command>& commands()
{
    static const std::vector<Command> all{
        {"summary", "summary PROJECT [--json]", "per-layer parameters, memory, MACs and BOPs", runSummary},
        {"check", "check PROJECT [--json]", "every diagnostic of the graph; exit 1 on an error", runCheck},
    };
    return all;
}

} // namespace qnn::cli
