// qnnw board add|list|remove|test: the boards a user deploys to, kept in
// $XDG_CONFIG_HOME/qnn-workbench/boards.json (never a password or key content).
#include "app/cli/cli_command.h"

#include "app/cli/board_cli.h"
#include "core/deploy/board_factory.h"
#include "core/deploy/board_runtime.h"
#include "core/util/child_protocol.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace qnn::cli {

namespace {

using namespace qnn::deploy;

struct BoardOptions {
    BoardConfig board;
    bool json = false;
    std::string knownHosts;
    bool acceptNewHostKey = false;
    std::string acceptHostKey;
    bool passwordStdin = false;
};

nlohmann::json boardJson(const BoardConfig& b)
{
    nlohmann::json j{{"name", b.name}, {"kind", b.kind}, {"dir", b.remoteDir}};
    if (b.isSsh()) {
        j["host"] = b.host;
        j["port"] = b.port;
        j["user"] = b.user;
        j["key"] = b.keyPath;
        j["known_hosts"] = b.knownHosts;
    }
    if (b.kind == "xrt") {
        j["xclbin"] = b.xclbin;
        j["device"] = b.device;
    }
    return j;
}

bool loadStore(BoardStore& store, bool json)
{
    std::string error;
    if (!store.load(error)) {
        reportError(error, json);
        return false;
    }
    return true;
}

bool findBoard(const BoardStore& store, const std::string& name, BoardConfig& out, bool json)
{
    if (const BoardConfig* b = store.find(name)) {
        out = *b;
        return true;
    }
    reportError("no board named '" + name + "' in " + store.path() + " (qnnw board list shows them)", json);
    return false;
}

int runAdd(const BoardOptions& o)
{
    BoardConfig b = o.board;
    if (!b.keyPath.empty())
        b.keyPath = std::filesystem::absolute(b.keyPath).lexically_normal().string();
    if (!b.knownHosts.empty())
        b.knownHosts = std::filesystem::absolute(b.knownHosts).lexically_normal().string();
    if (!b.isSsh() && !b.remoteDir.empty())
        b.remoteDir = std::filesystem::absolute(b.remoteDir).lexically_normal().string();
    if (b.isSsh() && b.remoteDir.empty())
        b.remoteDir = "qnn-workbench";
    std::string error;
    if (!validateBoard(b, error)) {
        reportError(error, o.json);
        return 2;
    }
    BoardStore store;
    if (!loadStore(store, o.json))
        return 1;
    const bool replaced = store.find(b.name) != nullptr;
    store.put(b);
    if (!store.save(error)) {
        return reportError(error, o.json);
    }
    if (o.json)
        protocol::writeEvent(std::cout, protocol::resultEvent(boardJson(b)));
    else
        std::printf("%s board '%s' (%s) in %s\n", replaced ? "updated" : "added", b.name.c_str(), b.kind.c_str(),
                    store.path().c_str());
    return 0;
}

int runList(const BoardOptions& o)
{
    BoardStore store;
    if (!loadStore(store, o.json))
        return 1;
    if (o.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& b : store.boards())
            list.push_back(boardJson(b));
        protocol::writeEvent(std::cout, protocol::resultEvent({{"boards", list}, {"file", store.path()}}));
        return 0;
    }
    if (store.boards().empty())
        std::printf("no boards yet (qnnw board add NAME --kind pynq-z1 --host HOST); file: %s\n",
                    store.path().c_str());
    for (const auto& b : store.boards()) {
        if (b.isSsh())
            std::printf("%-12s %-8s %s@%s:%d  dir %s  %s\n", b.name.c_str(), b.kind.c_str(), b.user.c_str(),
                        b.host.c_str(), b.port, b.remoteDir.c_str(),
                        b.keyPath.empty() ? "password" : ("key " + b.keyPath).c_str());
        else
            std::printf("%-12s %-8s %s%s\n", b.name.c_str(), b.kind.c_str(), b.remoteDir.c_str(),
                        b.kind == "xrt" ? ("  xclbin " + b.xclbin).c_str() : "");
    }
    return 0;
}

int runRemove(const BoardOptions& o)
{
    BoardStore store;
    if (!loadStore(store, o.json))
        return 1;
    if (!store.remove(o.board.name)) {
        return reportError("no board named '" + o.board.name + "' in " + store.path(), o.json);
    }
    std::string error;
    if (!store.save(error)) {
        return reportError(error, o.json);
    }
    if (!o.json)
        std::printf("removed board '%s'\n", o.board.name.c_str());
    return 0;
}

std::string bytesText(int64_t bytes)
{
    char buffer[32];
    if (bytes < 0)
        return "unknown";
    std::snprintf(buffer, sizeof buffer, "%.1f GB", bytes / 1e9);
    return buffer;
}

int runTest(const BoardOptions& o)
{
    BoardStore store;
    BoardConfig b;
    if (!loadStore(store, o.json) || !findBoard(store, o.board.name, b, o.json))
        return 1;
    SshOptions ssh;
    ssh.knownHosts = o.knownHosts;
    ssh.acceptNewHostKey = o.acceptNewHostKey;
    ssh.acceptHostKey = o.acceptHostKey;
    if (o.passwordStdin && !readPasswordFromStdin(ssh.password))
        return 2;
    auto board = makeBoard(b, ssh);
    std::string error;
    nlohmann::json j{{"board", b.name}, {"address", board->address()}};
    const bool reachable = board->connect(error);
    j["reachable"] = reachable;
    if (!reachable) {
        j["error"] = error;
        const auto* s = dynamic_cast<SshBoard*>(board.get());
        const bool keyProblem = s && !s->hostKeyProblem().kind.empty();
        if (keyProblem)
            j["host_key"] = hostKeyJson(s->hostKeyProblem());
        // Not reachable is the command failing: an error event that carries the same fields.
        if (o.json)
            protocol::writeEvent(std::cout, protocol::errorEvent(b.name + " is not reachable: " + error, j));
        else if (keyProblem)
            std::printf("reachable: yes, but the host key is %s — %s\n", s->hostKeyProblem().kind.c_str(),
                        error.c_str());
        else
            std::printf("reachable: no — %s\n", error.c_str());
        return 1;
    }
    BoardInfo info;
    if (!board->describe(info, error)) {
        return reportError(error, o.json);
    }
    // The CPU decides which qnn-run goes along with a deploy (a custom network runs on it).
    std::string cpu, runtimeArch, runtimeMissing;
    if (board->machine(cpu, error) && !cpu.empty()) {
        BoardRuntime runtime;
        if (findBoardRuntime(cpu, executableDir(), runtime, runtimeMissing))
            runtimeArch = runtime.arch;
    }
    CurrentDeployment current;
    board->current(current, error);
    board->disconnect();
    j["host_key_fingerprint"] = info.hostKeyFingerprint;
    j["python"] = info.python;
    j["bnn"] = info.bnn;
    j["qnnw"] = info.qnnw;
    j["free_bytes"] = info.freeBytes;
    j["cpu"] = cpu;
    j["qnn_run"] = runtimeArch;
    j["current"] = current.present ? nlohmann::json{{"folder", current.folder},
                                                      {"run", current.run},
                                                      {"time", current.time},
                                                      {"accuracy", current.accuracy}}
                                   : nlohmann::json(nullptr);
    if (o.json) {
        protocol::writeEvent(std::cout, protocol::resultEvent(j));
        return 0;
    }
    std::printf("reachable: yes, %s\n", info.address.c_str());
    if (!info.hostKeyFingerprint.empty())
        std::printf("host key: %s %s\n", info.hostKeyType.c_str(), info.hostKeyFingerprint.c_str());
    if (b.isSsh()) {
        std::printf("python: %s\n", info.python.empty() ? "missing (python3 not found)" : info.python.c_str());
        std::printf("bnn package: %s\n",
                    info.bnn.empty() ? "missing (prebuilt overlays cannot run)" : info.bnn.c_str());
        std::printf("qnnw: %s\n", info.qnnw.empty() ? "missing" : info.qnnw.c_str());
        if (!cpu.empty())
            std::printf("cpu: %s (%s)\n", cpu.c_str(),
                        runtimeArch.empty() ? (runtimeMissing + ": only networks that match a prebuilt overlay run there")
                                                  .c_str()
                                            : ("qnn-run for " + runtimeArch +
                                               " goes along with each deploy: any network runs on this CPU")
                                                  .c_str());
    }
    std::printf("free disk: %s\n", bytesText(info.freeBytes).c_str());
    if (current.present)
        std::printf("current: %s%s\n", current.folder.c_str(),
                    current.accuracy >= 0 ? (" (accuracy " + std::to_string(100 * current.accuracy).substr(0, 5) + "%)").c_str()
                                          : "");
    else
        std::printf("current: nothing deployed yet\n");
    return 0;
}

} // namespace

nlohmann::json hostKeyJson(const HostKeyProblem& p)
{
    return {{"kind", p.kind},
            {"host", p.host},
            {"key_type", p.keyType},
            {"fingerprint", p.fingerprint},
            {"known_hosts", p.knownHostsFile}};
}

bool readPasswordFromStdin(std::string& password)
{
    if (!std::getline(std::cin, password)) {
        std::fprintf(stderr, "qnnw: --password-stdin: nothing on standard input\n");
        return false;
    }
    if (!password.empty() && password.back() == '\r')
        password.pop_back();
    return true;
}

void addBoardCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<BoardOptions>();
    CLI::App* board = app.add_subcommand("board", "add, list, remove and test the boards you deploy to");
    board->require_subcommand(1);

    CLI::App* add = board->add_subcommand("add", "add a board (or replace the one of that name)");
    add->add_option("name", o->board.name, "a name for the board")->required();
    add->add_option("--kind", o->board.kind, boardKindList())
        ->required()
        ->check(CLI::IsMember(boardKinds()));
    add->add_option("--host", o->board.host, "address of an SSH board");
    add->add_option("--port", o->board.port, "SSH port (22)")->check(CLI::Range(1, 65535));
    add->add_option("--user", o->board.user, "SSH user (xilinx)");
    add->add_option("--key", o->board.keyPath, "private key file; without it a password is asked at connect time")
        ->check(CLI::ExistingFile);
    add->add_option("--dir", o->board.remoteDir,
                    "folder on the board for deployments (qnn-workbench in the user's home); a folder on this "
                    "machine for local and xrt boards");
    add->add_option("--known-hosts", o->board.knownHosts, "known_hosts file for this board (~/.ssh/known_hosts)");
    add->add_option("--xclbin", o->board.xclbin, "xrt: the .xclbin to load");
    add->add_option("--device", o->board.device, "xrt: device index (0)");
    add->add_flag("--json", o->json, "print the board as JSON");
    add->callback([o, &exitCode] { exitCode = runAdd(*o); });

    CLI::App* list = board->add_subcommand("list", "list the boards");
    list->add_flag("--json", o->json, "one JSON line");
    list->callback([o, &exitCode] { exitCode = runList(*o); });

    CLI::App* remove = board->add_subcommand("remove", "forget a board (nothing on the board changes)");
    remove->add_option("name", o->board.name, "the board")->required();
    remove->callback([o, &exitCode] { exitCode = runRemove(*o); });

    CLI::App* test = board->add_subcommand(
        "test", "connect and report: reachable, host key fingerprint, Python and bnn present, free disk, current");
    test->add_option("name", o->board.name, "the board")->required();
    test->add_option("--known-hosts", o->knownHosts, "known_hosts file to check the host key against");
    test->add_flag("--accept-new-host-key", o->acceptNewHostKey, "trust a host key seen for the first time");
    test->add_option("--accept-host-key", o->acceptHostKey,
                     "trust a host key seen for the first time only if its fingerprint is this SHA256:...");
    test->add_flag("--password-stdin", o->passwordStdin, "read the SSH password from the first line of stdin");
    test->add_flag("--json", o->json, "one JSON line");
    test->callback([o, &exitCode] { exitCode = runTest(*o); });
}

} // namespace qnn::cli
