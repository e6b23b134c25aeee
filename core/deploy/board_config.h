#pragma once

#include <string>
#include <vector>

namespace qnn::deploy {

/** One board a user deploys to, as kept in the user's configuration
 *  (never in a project): where it is and how to log in. Never holds a
 *  password or the content of a key, only the key file's path. */
struct BoardConfig {
    std::string name;
    /** One of boardKinds(). */
    std::string kind;
    std::string host;
    int port = 22;
    std::string user = "xilinx";
    /** Private key file; empty = ask for a password at connect time. */
    std::string keyPath;
    /** Folder on the board that holds deployments/ and current (local and
     *  xrt: a folder on this machine). */
    std::string remoteDir;
    /** known_hosts file to check the host key against; empty = ~/.ssh/known_hosts. */
    std::string knownHosts;
    /** xrt boards: the .xclbin to load and the device index. */
    std::string xclbin;
    int device = 0;

    bool operator==(const BoardConfig& o) const;
    /** True for the kinds reached over SSH. */
    bool isSsh() const;
};

/** The kinds `board add --kind` accepts, in the order help lists them. */
const std::vector<std::string>& boardKinds();
/** "pynq-z1, pynq-z2, ultra96, zcu104, xrt or local": the kinds for a sentence or a help text. */
std::string boardKindList();

/** Which prebuilt-overlay family a kind's `bnn` package carries: the part
 *  of its board in the device table (pynq-z1/z2: "xc7z020", ultra96:
 *  "xczu3eg", zcu104: "xczu7ev"); empty for local and xrt. */
std::string boardPart(const std::string& kind);

/** Checks name, kind and the fields the kind needs; the error is a sentence. */
bool validateBoard(const BoardConfig& board, std::string& error);

/** `$XDG_CONFIG_HOME/qnn-workbench/boards.json`, or ~/.config/... when unset. */
std::string boardsFilePath();

/** The user's boards. A missing file is an empty list, not an error. */
class BoardStore
{
public:
    explicit BoardStore(std::string path = boardsFilePath());

    bool load(std::string& error);
    /** Atomic write; creates the folder. */
    bool save(std::string& error) const;

    const std::vector<BoardConfig>& boards() const { return m_boards; }
    const BoardConfig* find(const std::string& name) const;
    /** Adds or replaces the board of that name. */
    void put(const BoardConfig& board);
    bool remove(const std::string& name);
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    std::vector<BoardConfig> m_boards;
};

} // namespace qnn::deploy
