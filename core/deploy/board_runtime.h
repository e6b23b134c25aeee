#pragma once
// Which build of qnn-run a board's CPU runs. Deploy asks the board for its
// architecture (`uname -m`) and uploads the matching build beside the model,
// so that a network no prebuilt overlay matches still runs, bit-exact, on any
// Linux board: the host build for x86_64, the static cross builds for
// aarch64 (Ultra96, ZCU104, Kria) and armhf (PYNQ-Z1/Z2's Cortex-A9).

#include <string>

namespace qnn::deploy {

/** A qnn-run build on this machine, ready to upload. */
struct BoardRuntime {
    /** The build's name: "x86_64", "aarch64" or "armhf". */
    std::string arch;
    /** The executable on this machine. */
    std::string path;
};

/** The build that runs on a machine whose `uname -m` says `machine`:
 *  "x86_64" (also amd64), "aarch64" (also arm64, armv8b is not), "armhf"
 *  (armv7l, armv7, armv8l: a 32-bit ARM user space with VFP and NEON);
 *  empty for any other (armv6l, mips, riscv64, ...). */
std::string runtimeArchFor(const std::string& machine);

/** The board build's file name beside qnnw: "qnn-run-<arch>", statically
 *  linked (a cross build, or x86_64's own); "qnn-run" is this machine's,
 *  dynamically linked, which findBoardRuntime takes for a board of this
 *  machine's architecture only when the static build is missing. */
std::string runtimeFileName(const std::string& arch);

/** The architecture this executable was built for ("x86_64", "aarch64", "armhf"). */
std::string hostRuntimeArch();

/** Finds the qnn-run build for `machine` in `dir` (runtimeFileName). False
 *  with a sentence when the architecture has no build at all, or when this
 *  installation lacks it (cross compilers missing at build time). */
bool findBoardRuntime(const std::string& machine, const std::string& dir, BoardRuntime& out, std::string& error);

/** The folder of the running executable (/proc/self/exe), where qnnw finds
 *  the qnn-run builds; empty when it cannot be read. */
std::string executableDir();

/** What ran a deployment, in the words the Deploy dock and `qnnw deploy`
 *  show: "FPGA overlay" for the bnn package, "CPU (qnn-run, aarch64)" for
 *  qnn-run, "CPU (qnnw)" for a board's own qnnw, "CPU (this computer)" for
 *  the in-process engine of a local board. */
std::string backendText(const std::string& engine, const std::string& arch);

} // namespace qnn::deploy
