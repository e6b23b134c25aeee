// Built only where XRT is found (see core/CMakeLists.txt); xrt_support.cpp
// provides the same functions for builds without it.
#include "core/deploy/xrt_board.h"

#include <experimental/xrt_system.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include <exception>
#include <optional>

namespace qnn::deploy {

namespace {

class XrtBoard : public LocalBoard
{
public:
    explicit XrtBoard(const BoardConfig& config)
        : LocalBoard(config.remoteDir)
        , m_config(config)
    {
    }

    bool connect(std::string& error) override
    {
        try {
            m_device.emplace(static_cast<unsigned int>(m_config.device));
        } catch (const std::exception& e) {
            error = "no XRT device found (device " + std::to_string(m_config.device) + "): " + e.what();
            return false;
        }
        return LocalBoard::connect(error);
    }

    bool describe(BoardInfo& info, std::string& error) override
    {
        if (!LocalBoard::describe(info, error))
            return false;
        info.qnnw.clear();
        if (m_device) {
            try {
                info.address = "XRT device " + std::to_string(m_config.device) + " (" +
                               m_device->get_info<xrt::info::device::name>() + ")";
            } catch (const std::exception& e) {
                info.address = "XRT device " + std::to_string(m_config.device) + " (" + e.what() + ")";
            }
        }
        return true;
    }

    bool canDeploy(std::string& why) const override
    {
        why = xrtDeployRefusal();
        return false;
    }

    bool run(const std::string& /*deployment*/, std::string& /*resultLine*/, std::string& error) override
    {
        error = xrtDeployRefusal();
        return false;
    }

private:
    BoardConfig m_config;
    std::optional<xrt::device> m_device;
};

} // namespace

bool haveXrt()
{
    return true;
}

std::unique_ptr<Board> makeXrtBoard(const BoardConfig& config)
{
    return std::make_unique<XrtBoard>(config);
}

bool listXrtDevices(std::vector<std::string>& devices, std::string& error)
{
    devices.clear();
    try {
        const unsigned int count = xrt::system::enumerate_devices();
        for (unsigned int i = 0; i < count; ++i) {
            xrt::device d(i);
            devices.push_back(std::to_string(i) + ": " + d.get_info<xrt::info::device::name>());
        }
    } catch (const std::exception& e) {
        error = std::string("no XRT device found: ") + e.what();
        return false;
    }
    if (devices.empty()) {
        error = "no XRT device found: XRT enumerates 0 devices";
        return false;
    }
    return true;
}

} // namespace qnn::deploy
