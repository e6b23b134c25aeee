// The xrt board kind where XRT is not installed: every call says so.
#include "core/deploy/xrt_board.h"

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
