#include "core/deploy/board_config.h"

#include "core/hw/device.h"
#include "core/util/json_file.h"
#include "core/util/json_fields.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace qnn::deploy {

bool BoardConfig::operator==(const BoardConfig& o) const
{
    return name == o.name && kind == o.kind && host == o.host && port == o.port && user == o.user &&
           keyPath == o.keyPath && remoteDir == o.remoteDir && knownHosts == o.knownHosts && xclbin == o.xclbin &&
           device == o.device;
}

namespace {

struct BoardKind {
    const char* name;
    /** Reached over SSH (a PYNQ image); otherwise a folder on this machine. */
    bool ssh;
};

// The one list of board kinds: the CLI's --kind choices, the board dialog,
// validation and its sentence read it. An SSH kind's part is its board entry
// in the device table (resources/devices.json), not a second list here;
// "linux" is any Linux board over SSH with no FPGA of ours: its CPU runs qnn-run.
const std::vector<BoardKind>& kindTable()
{
    static const std::vector<BoardKind> kinds = {{"pynq-z1", true}, {"pynq-z2", true}, {"ultra96", true},
                                                 {"zcu104", true},  {"linux", true},   {"xrt", false},
                                                 {"local", false}};
    return kinds;
}

const BoardKind* findKind(const std::string& kind)
{
    for (const BoardKind& k : kindTable())
        if (kind == k.name)
            return &k;
    return nullptr;
}

} // namespace

bool BoardConfig::isSsh() const
{
    const BoardKind* k = findKind(kind);
    return !k || k->ssh;
}

const std::vector<std::string>& boardKinds()
{
    static const std::vector<std::string> kinds = [] {
        std::vector<std::string> out;
        for (const BoardKind& k : kindTable())
            out.push_back(k.name);
        return out;
    }();
    return kinds;
}

std::string boardKindList()
{
    const auto& kinds = boardKinds();
    std::string out;
    for (size_t i = 0; i < kinds.size(); ++i)
        out += (i == 0 ? "" : i + 1 == kinds.size() ? " or " : ", ") + kinds[i];
    return out;
}

std::string boardPart(const std::string& kind)
{
    const BoardKind* k = findKind(kind);
    if (!k || !k->ssh)
        return {};
    static const DeviceDatabase devices = DeviceDatabase::builtIn();
    DeviceChoice choice;
    std::string error;
    return devices.find(kind, choice, error) && choice.device ? choice.device->part : std::string();
}

namespace {

// A value from a file, fit for a sentence: valid UTF-8 and short.
std::string shown(const std::string& s)
{
    return s.size() > 60 ? validUtf8(s.substr(0, 60)) + "…" : validUtf8(s);
}

} // namespace

bool validateBoard(const BoardConfig& b, std::string& error)
{
    if (b.name.empty() || b.name.size() > 200 || b.name.find_first_of("/\\ \t\n") != std::string::npos) {
        error = "a board name must be one word of at most 200 characters without slashes (got '" + shown(b.name) +
                "')";
        return false;
    }
    const auto& kinds = boardKinds();
    if (std::find(kinds.begin(), kinds.end(), b.kind) == kinds.end()) {
        error = "unknown board kind '" + shown(b.kind) + "': use " + boardKindList();
        return false;
    }
    if (b.isSsh()) {
        if (b.host.empty()) {
            error = "board '" + shown(b.name) + "' (" + b.kind + ") needs a host (--host)";
            return false;
        }
        if (b.port < 1 || b.port > 65535) {
            error = "port " + std::to_string(b.port) + " of board '" + shown(b.name) + "' is not between 1 and 65535";
            return false;
        }
        if (b.user.empty()) {
            error = "board '" + shown(b.name) + "' needs a user (--user)";
            return false;
        }
    }
    if (!b.isSsh() && b.remoteDir.empty()) {
        error = "a " + b.kind + " board needs a folder on this machine (--dir)";
        return false;
    }
    return true;
}

std::string boardsFilePath()
{
    fs::path base;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = fs::path(home) / ".config";
    else
        base = ".config";
    return (base / "qnn-workbench" / "boards.json").string();
}

BoardStore::BoardStore(std::string path)
    : m_path(std::move(path))
{
}

bool BoardStore::load(std::string& error)
{
    m_boards.clear();
    std::error_code ec;
    if (!fs::exists(m_path, ec))
        return true;
    nlohmann::json j;
    if (!readJsonFile(m_path, j, error))
        return false;
    if (!j.is_object() || !j.contains("boards") || !j["boards"].is_array()) {
        error = m_path + ": expected an object with a \"boards\" list";
        return false;
    }
    for (const auto& e : j["boards"]) {
        if (!e.is_object()) {
            error = m_path + ": every entry of \"boards\" must be an object";
            return false;
        }
        BoardConfig b;
        // Every member checked for its type and range; the error names the file, the entry and the key.
        const std::string name = e.contains("name") && e["name"].is_string() ? e["name"].get<std::string>() : "?";
        JsonFields f(e, m_path + ", board \"" + validUtf8(name.substr(0, 60)) + "\"");
        f.optionalText("name", b.name);
        f.optionalText("kind", b.kind);
        f.optionalText("host", b.host);
        f.optionalInteger("port", b.port, 1, 65535);
        f.optionalText("user", b.user);
        f.optionalText("key", b.keyPath);
        f.optionalText("dir", b.remoteDir);
        f.optionalText("known_hosts", b.knownHosts);
        f.optionalText("xclbin", b.xclbin);
        f.optionalInteger("device", b.device, 0, 1 << 16);
        if (!f.ok()) {
            error = f.error();
            return false;
        }
        std::string why;
        if (!validateBoard(b, why)) {
            error = m_path + ": " + why;
            return false;
        }
        m_boards.push_back(b);
    }
    return true;
}

bool BoardStore::save(std::string& error) const
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& b : m_boards) {
        nlohmann::json e{{"name", b.name}, {"kind", b.kind}};
        if (!b.host.empty())
            e["host"] = b.host;
        if (b.isSsh()) {
            e["port"] = b.port;
            e["user"] = b.user;
        }
        if (!b.keyPath.empty())
            e["key"] = b.keyPath;
        if (!b.remoteDir.empty())
            e["dir"] = b.remoteDir;
        if (!b.knownHosts.empty())
            e["known_hosts"] = b.knownHosts;
        if (b.kind == "xrt") {
            e["xclbin"] = b.xclbin;
            e["device"] = b.device;
        }
        list.push_back(e);
    }
    std::error_code ec;
    fs::create_directories(fs::path(m_path).parent_path(), ec);
    if (ec) {
        error = "cannot create " + fs::path(m_path).parent_path().string() + ": " + ec.message();
        return false;
    }
    return writeJsonFile(m_path, nlohmann::json{{"format", "qnn-workbench-boards"}, {"version", 1}, {"boards", list}},
                         error);
}

const BoardConfig* BoardStore::find(const std::string& name) const
{
    for (const auto& b : m_boards)
        if (b.name == name)
            return &b;
    return nullptr;
}

void BoardStore::put(const BoardConfig& board)
{
    for (auto& b : m_boards)
        if (b.name == board.name) {
            b = board;
            return;
        }
    m_boards.push_back(board);
}

bool BoardStore::remove(const std::string& name)
{
    const auto it = std::find_if(m_boards.begin(), m_boards.end(), [&](const BoardConfig& b) { return b.name == name; });
    if (it == m_boards.end())
        return false;
    m_boards.erase(it);
    return true;
}

} // namespace qnn::deploy
