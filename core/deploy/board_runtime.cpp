#include "core/deploy/board_runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace fs = std::filesystem;

namespace qnn::deploy {

std::string runtimeArchFor(const std::string& machine)
{
    if (machine == "x86_64" || machine == "amd64")
        return "x86_64";
    if (machine == "aarch64" || machine == "arm64")
        return "aarch64";
    // armhf is Debian's ARMv7 hard-float ABI; an ARMv8 core running a 32-bit
    // user space says armv8l. armv6l (the first Raspberry Pi) is below it.
    if (machine == "armv7l" || machine == "armv7" || machine == "armv8l" || machine == "armhf")
        return "armhf";
    return {};
}

std::string hostRuntimeArch()
{
#if defined(__x86_64__)
    return "x86_64";
#elif defined(__aarch64__)
    return "aarch64";
#elif defined(__arm__)
    return "armhf";
#else
    return "unknown";
#endif
}

std::string runtimeFileName(const std::string& arch)
{
    return "qnn-run-" + arch;
}

bool findBoardRuntime(const std::string& machine, const std::string& dir, BoardRuntime& out, std::string& error)
{
    out = {};
    const std::string arch = runtimeArchFor(machine);
    if (arch.empty()) {
        error = "the board's CPU is '" + machine.substr(0, 40) +
                "' (uname -m), and qnn-run is built for x86_64, aarch64 and armv7 (armhf) only";
        return false;
    }
    const auto isFile = [](const fs::path& p) {
        struct stat st {};
        return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    };
    fs::path path = fs::path(dir) / runtimeFileName(arch);
    // A build without the static board builds (QNN_CROSS_QNN_RUN off) still
    // serves a board like this machine with its own qnn-run, if the board's
    // glibc is as new.
    if (!isFile(path) && arch == hostRuntimeArch() && isFile(fs::path(dir) / "qnn-run"))
        path = fs::path(dir) / "qnn-run";
    if (!isFile(path)) {
        const std::string compiler = arch == "aarch64" ? "g++-aarch64-linux-gnu" : "g++-arm-linux-gnueabihf";
        error = "the board is " + machine + " and needs qnn-run for " + arch + ", but " + path.string() +
                " is not there" +
                (arch == hostRuntimeArch() ? std::string(" (build the qnn-run-" + arch + " target)")
                                           : " (this build was made without " + compiler +
                                                 ": install it, scripts/install-deps.sh does, and build again)");
        return false;
    }
    out.arch = arch;
    out.path = path.string();
    return true;
}

std::string executableDir()
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : self.parent_path().string();
}

std::string backendText(const std::string& engine, const std::string& arch)
{
    if (engine == "bnn")
        return "FPGA overlay";
    if (engine == "qnn-run")
        return "CPU (qnn-run, " + (arch.empty() ? std::string("unknown CPU") : arch) + ")";
    if (engine == "qnnw")
        return "CPU (qnnw)";
    if (engine == "local")
        return "CPU (this computer)";
    return engine.empty() ? std::string("unknown") : engine;
}

} // namespace qnn::deploy
