#include "core/deploy/board.h"

namespace qnn::deploy {

bool Board::verify(const std::string& deployment, const std::map<std::string, std::string>& expected,
                   std::string& error)
{
    std::vector<std::string> files;
    for (const auto& [file, sha] : expected)
        files.push_back(file);
    std::map<std::string, std::string> actual;
    if (!checksums(deployment, files, actual, error))
        return false;
    std::string problems;
    int bad = 0;
    for (const auto& [file, sha] : expected) {
        const auto it = actual.find(file);
        std::string line;
        if (it == actual.end() || it->second.empty())
            line = file + " is missing on the board";
        else if (it->second != sha)
            line = file + " has SHA-256 " + it->second.substr(0, 16) + "… on the board, expected " +
                   sha.substr(0, 16) + "…";
        else
            continue;
        ++bad;
        problems += (problems.empty() ? "" : "; ") + line;
    }
    if (bad) {
        error = std::to_string(bad) + " of " + std::to_string(expected.size()) +
                " files differ from what was sent: " + problems;
        return false;
    }
    return true;
}

} // namespace qnn::deploy
