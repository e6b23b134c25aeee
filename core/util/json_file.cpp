#include "core/util/json_file.h"

#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace qnn {

namespace {

// "line 3, column 7" for a byte offset into text (nlohmann reports offsets only).
std::string lineColumn(const std::string& text, size_t offset)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++col;
        }
    }
    // nlohmann points one past the offending character.
    return "line " + std::to_string(line) + ", column " + std::to_string(col > 1 ? col - 1 : col);
}

} // namespace

bool parseJson(const std::string& text, nlohmann::json& out, std::string& error)
{
    try {
        out = nlohmann::json::parse(text);
        return true;
    } catch (const nlohmann::json::parse_error& e) {
        const std::string what = e.what();
        // Keep nlohmann's reason, drop its "[json.exception.parse_error.101] parse error at ...:" prefix.
        const auto colon = what.find(": ", what.find("parse error"));
        std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
        // nlohmann quotes the whole token it stopped in, which in a file of a
        // long string is megabytes in one sentence: its last 40 bytes say where.
        const std::string lastRead = "; last read: '";
        if (const auto quote = reason.find(lastRead); quote != std::string::npos) {
            const size_t from = quote + lastRead.size();
            const size_t end = reason.size() > from && reason.back() == '\'' ? reason.size() - 1 : reason.size();
            if (end > from + 40)
                reason = reason.substr(0, from) + "…" + reason.substr(end - 40, 40) + "'";
        }
        // The reason quotes the bytes it stopped at: they may be invalid UTF-8, which no JSON output can carry.
        error = "not valid JSON at " + lineColumn(text, e.byte) + ": " + validUtf8(reason);
        return false;
    } catch (const nlohmann::json::exception& e) {
        // out_of_range.406: a number such as 1e400 that no double holds.
        const std::string what = e.what();
        const auto bracket = what.find("] ");
        error = "not valid JSON: " +
                validUtf8(bracket == std::string::npos ? what : what.substr(bracket + 2)) +
                (what.find("number overflow") != std::string::npos ? " (a number too large for a double)" : "");
        return false;
    }
}

bool readJsonFile(const std::string& path, nlohmann::json& out, std::string& error)
{
    std::string text;
    if (!readFile(path, text, error))
        return false;
    if (parseJson(text, out, error))
        return true;
    error = path + ": " + error;
    return false;
}

bool writeJsonFile(const std::string& path, const nlohmann::json& value, std::string& error)
{
    return writeFileAtomic(path, value.dump(2) + "\n", error);
}

} // namespace qnn
