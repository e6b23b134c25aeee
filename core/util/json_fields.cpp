#include "core/util/json_fields.h"

#include <cmath>

namespace qnn {

std::string shortJson(const nlohmann::json& v)
{
    std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

namespace {

std::string shortDump(const nlohmann::json& v)
{
    return shortJson(v);
}

std::string numberText(double v)
{
    std::string s = std::to_string(v);
    // 1.000000 → 1, 0.500000 → 0.5
    if (s.find('.') != std::string::npos) {
        while (!s.empty() && s.back() == '0')
            s.pop_back();
        if (!s.empty() && s.back() == '.')
            s.pop_back();
    }
    return s;
}

} // namespace

JsonFields::JsonFields(const nlohmann::json& object, std::string where)
    : m_object(object)
    , m_where(std::move(where))
{
    if (!m_object.is_object())
        m_error = m_where + ": expected a JSON object, found " + shortDump(m_object);
}

bool JsonFields::has(const char* key) const
{
    return m_object.is_object() && m_object.contains(key);
}

const nlohmann::json* JsonFields::member(const char* key)
{
    if (!ok())
        return nullptr;
    if (!has(key)) {
        m_error = m_where + ": \"" + key + "\" is missing";
        return nullptr;
    }
    return &m_object.at(key);
}

bool JsonFields::wrong(const char* key, const nlohmann::json& value, const std::string& expected)
{
    m_error = m_where + ": \"" + key + "\" is " + shortDump(value) + ", expected " + expected;
    return false;
}

bool JsonFields::fail(const std::string& sentence)
{
    if (ok())
        m_error = m_where + ": " + sentence;
    return false;
}

bool JsonFields::integer(const char* key, int64_t& out, int64_t lo, int64_t hi)
{
    const nlohmann::json* v = member(key);
    if (!v)
        return false;
    const std::string expected =
        "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (v->is_number_unsigned()) {
        const uint64_t u = v->get<uint64_t>();
        if (u > uint64_t(INT64_MAX) || int64_t(u) < lo || int64_t(u) > hi)
            return wrong(key, *v, expected);
        out = int64_t(u);
        return true;
    }
    if (!v->is_number_integer() || v->get<int64_t>() < lo || v->get<int64_t>() > hi)
        return wrong(key, *v, expected);
    out = v->get<int64_t>();
    return true;
}

bool JsonFields::integer(const char* key, int& out, int lo, int hi)
{
    int64_t v = 0;
    if (!integer(key, v, lo, hi))
        return false;
    out = int(v);
    return true;
}

bool JsonFields::number(const char* key, double& out, double lo, double hi)
{
    const nlohmann::json* v = member(key);
    if (!v)
        return false;
    if (!v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() < lo || v->get<double>() > hi)
        return wrong(key, *v, "a number from " + numberText(lo) + " to " + numberText(hi));
    out = v->get<double>();
    return true;
}

bool JsonFields::text(const char* key, std::string& out)
{
    const nlohmann::json* v = member(key);
    if (!v)
        return false;
    if (!v->is_string())
        return wrong(key, *v, "a string");
    out = v->get<std::string>();
    return true;
}

bool JsonFields::flag(const char* key, bool& out)
{
    const nlohmann::json* v = member(key);
    if (!v)
        return false;
    if (!v->is_boolean())
        return wrong(key, *v, "true or false");
    out = v->get<bool>();
    return true;
}

bool JsonFields::numbers(const char* key, std::vector<double>& out, size_t maxCount)
{
    const nlohmann::json* v = member(key);
    if (!v)
        return false;
    const std::string expected = "a list of at most " + std::to_string(maxCount) + " finite numbers";
    if (!v->is_array() || v->size() > maxCount)
        return wrong(key, *v, expected);
    std::vector<double> values;
    for (const auto& e : *v) {
        if (!e.is_number() || !std::isfinite(e.get<double>()))
            return wrong(key, *v, expected);
        values.push_back(e.get<double>());
    }
    out = std::move(values);
    return true;
}

bool JsonFields::optionalInteger(const char* key, int& out, int lo, int hi)
{
    return !ok() ? false : !has(key) || integer(key, out, lo, hi);
}

bool JsonFields::optionalNumber(const char* key, double& out, double lo, double hi)
{
    return !ok() ? false : !has(key) || number(key, out, lo, hi);
}

bool JsonFields::optionalText(const char* key, std::string& out)
{
    return !ok() ? false : !has(key) || text(key, out);
}

std::string validUtf8(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool good = n > 0 && i + n <= s.size();
        for (size_t k = 1; good && k < n; ++k)
            good = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (good && n == 2)
            good = c >= 0xC2; // no overlong forms
        if (good && n == 3) {
            const unsigned char d = static_cast<unsigned char>(s[i + 1]);
            good = !(c == 0xE0 && d < 0xA0) && !(c == 0xED && d >= 0xA0); // overlong, surrogates
        }
        if (good && n == 4) {
            const unsigned char d = static_cast<unsigned char>(s[i + 1]);
            good = c <= 0xF4 && !(c == 0xF0 && d < 0x90) && !(c == 0xF4 && d >= 0x90);
        }
        if (!good) {
            out += '?';
            ++i;
            continue;
        }
        out.append(s, i, n);
        i += n;
    }
    return out;
}

} // namespace qnn
