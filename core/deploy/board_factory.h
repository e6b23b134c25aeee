#pragma once

#include "core/deploy/board.h"
#include "core/deploy/board_config.h"
#include "core/deploy/ssh_board.h"

#include <memory>

namespace qnn::deploy {

/** The Board for a configuration: SshBoard for PYNQ-style kinds, LocalBoard,
 *  or the XRT board. */
std::unique_ptr<Board> makeBoard(const BoardConfig& config, const SshOptions& ssh = {});

/** runner.py as this build ships it (resources/board/runner.py, compiled in,
 *  so that qnnw needs no resource folder to deploy). */
const std::string& boardRunnerScript();

} // namespace qnn::deploy
