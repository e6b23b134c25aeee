#include "core/deploy/board_factory.h"

#include "core/deploy/local_board.h"
#include "core/deploy/xrt_board.h"

namespace qnn::deploy {

std::unique_ptr<Board> makeBoard(const BoardConfig& config, const SshOptions& ssh)
{
    if (config.kind == "local")
        return std::make_unique<LocalBoard>(config.remoteDir);
    if (config.kind == "xrt")
        return makeXrtBoard(config);
    return std::make_unique<SshBoard>(config, ssh);
}

} // namespace qnn::deploy
