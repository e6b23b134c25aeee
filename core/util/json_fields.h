#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

/** Checked reads of one JSON object's members, for files from outside.
 *  Each read names the place, the key and what was expected when the
 *  member is missing, of another type or out of range ("manifest.json,
 *  layer \"fc0\": \"mh\" is 8589934592, expected a whole number from 1 to
 *  1048576"). The first failure sticks: later reads return false and keep
 *  it, so a reader can do all its reads and check ok() once. */
class JsonFields
{
public:
    /** `where` starts every error: the file, and the part of it. */
    JsonFields(const nlohmann::json& object, std::string where);

    bool has(const char* key) const;
    /** Required members. */
    bool integer(const char* key, int64_t& out, int64_t lo, int64_t hi);
    bool integer(const char* key, int& out, int lo, int hi);
    bool number(const char* key, double& out, double lo, double hi);
    bool text(const char* key, std::string& out);
    bool flag(const char* key, bool& out);
    bool numbers(const char* key, std::vector<double>& out, size_t maxCount);
    /** Optional members: `out` keeps its value when the key is absent. */
    bool optionalInteger(const char* key, int& out, int lo, int hi);
    bool optionalNumber(const char* key, double& out, double lo, double hi);
    bool optionalText(const char* key, std::string& out);

    /** Records a failure of the reader's own (a rule between members). */
    bool fail(const std::string& sentence);
    bool ok() const { return m_error.empty(); }
    const std::string& error() const { return m_error; }

private:
    const nlohmann::json* member(const char* key);
    bool wrong(const char* key, const nlohmann::json& value, const std::string& expected);

    const nlohmann::json& m_object;
    std::string m_where;
    std::string m_error;
};

/** A value from a file, for a sentence: at most 60 characters ("..." after a
 *  cut), invalid UTF-8 replaced; never throws, whatever the file holds. */
std::string shortJson(const nlohmann::json& value);

/** `s` with every byte that is not part of valid UTF-8 replaced by '?', so
 *  that it can go into JSON output (nlohmann's dump throws on invalid UTF-8). */
std::string validUtf8(const std::string& s);

} // namespace qnn
