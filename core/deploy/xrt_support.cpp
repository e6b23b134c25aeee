// The xrt board kind where XRT is not installed: every call says so.
#include "core/deploy/xrt_board.h"

namespace qnn::deploy {

std::string xrtDeployRefusal()
{
    return "deploying to an XRT card is not implemented: an xrt board can only be listed and tested (qnnw board "
           "test opens the device), it cannot load weights or run images yet. Deploy to a PYNQ board or a local "
           "board instead; nothing was packed or uploaded.";
}

} // namespace qnn::deploy

#ifndef QNN_HAVE_XRT

namespace qnn::deploy {

namespace {

class MissingXrtBoard : public LocalBoard
{
public:
    explicit MissingXrtBoard(const BoardConfig& config)
        : LocalBoard(config.remoteDir)
    {
    }
    bool connect(std::string& error) override
    {
        error = "this build has no XRT (install libxrt-dev and build again to use xrt boards)";
        return false;
    }
    bool canDeploy(std::string& why) const override
    {
        why = xrtDeployRefusal();
        return false;
    }
};

} // namespace

bool haveXrt()
{
    return false;
}

std::unique_ptr<Board> makeXrtBoard(const BoardConfig& config)
{
    return std::make_unique<MissingXrtBoard>(config);
}

bool listXrtDevices(std::vector<std::string>& devices, std::string& error)
{
    devices.clear();
    error = "this build has no XRT (install libxrt-dev and build again)";
    return false;
}

} // namespace qnn::deploy

#endif
