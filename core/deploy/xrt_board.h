#pragma once

#include "core/deploy/board_config.h"
#include "core/deploy/local_board.h"

#include <memory>

namespace qnn::deploy {

/** True when this build has XRT (libxrt-dev was found at configure time). */
bool haveXrt();

/** An FPGA card driven through XRT on this machine, for `board test` only:
 *  connect() opens the device and says "no XRT device found" with XRT's own
 *  message when there is none; canDeploy() is false (xrtDeployRefusal), so
 *  a deploy stops before it uploads anything. Built only where XRT is
 *  installed; elsewhere makeXrtBoard() returns a board whose connect() says
 *  that XRT is not in this build. */
std::unique_ptr<Board> makeXrtBoard(const BoardConfig& config);

/** Why a deploy to an xrt board is refused before anything is packed or
 *  uploaded: running a packed model on an XRT card is not implemented. */
std::string xrtDeployRefusal();

/** Devices XRT sees, one line each ("0: xilinx_u250_..."); false with XRT's message when it sees none. */
bool listXrtDevices(std::vector<std::string>& devices, std::string& error);

} // namespace qnn::deploy
