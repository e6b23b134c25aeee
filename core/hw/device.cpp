#include "core/hw/device.h"

#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"
#include "core/util/json_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <fstream>
#include <unordered_map>
#include <unordered_set>

namespace qnn {

namespace detail {
extern const char* const kBuiltInDevicesJson;
}

namespace {

using nlohmann::json;

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool readCount(const json& e, const char* key, const std::string& where, int64_t& out, std::string& error)
{
    auto it = e.find(key);
    if (it == e.end() || !it->is_number_integer() || it->get<int64_t>() < 0) {
        error = where + ": \"" + key + "\" must be a whole number ≥ 0" +
                (it == e.end() ? std::string(" (missing)") : ", got " + shortJson(*it));
        return false;
    }
    out = it->get<int64_t>();
    return true;
}

bool readClock(const json& e, const char* key, const std::string& where, double& out, std::string& error)
{
    auto it = e.find(key);
    if (it == e.end() || !it->is_number() || it->get<double>() <= 0 || it->get<double>() > 2000) {
        error = where + ": \"" + key + "\" must be a clock in MHz between 0 and 2000" +
                (it == e.end() ? std::string(" (missing)") : ", got " + shortJson(*it));
        return false;
    }
    out = it->get<double>();
    return true;
}

bool parseDevice(const json& e, size_t index, const std::string& origin, Device& d, std::string& error)
{
    std::string where = origin + ": device " + std::to_string(index + 1);
    if (!e.is_object()) {
        error = where + " must be an object with \"part\", \"lut\", \"ff\", \"bram36\", \"uram\", \"dsp\"";
        return false;
    }
    auto part = e.find("part");
    if (part == e.end() || !part->is_string() || part->get<std::string>().empty()) {
        error = where + ": \"part\" must be a part name such as \"xc7z020\"";
        return false;
    }
    d.part = lower(part->get<std::string>());
    where += " (" + d.part + ")";
    if (auto family = e.find("family"); family != e.end() && family->is_string())
        d.family = family->get<std::string>();
    if (!readCount(e, "lut", where, d.lut, error) || !readCount(e, "ff", where, d.ff, error) ||
        !readCount(e, "bram36", where, d.bram36, error) || !readCount(e, "uram", where, d.uram, error) ||
        !readCount(e, "dsp", where, d.dsp, error))
        return false;
    if (d.lut == 0) {
        error = where + ": \"lut\" must be more than 0";
        return false;
    }
    d.defaultClockMhz = 100;
    if (e.contains("default_clock_mhz") && !readClock(e, "default_clock_mhz", where, d.defaultClockMhz, error))
        return false;
    if (e.contains("peak_clock_mhz") && !readClock(e, "peak_clock_mhz", where, d.peakClockMhz, error))
        return false;
    if (auto boards = e.find("boards"); boards != e.end()) {
        if (!boards->is_array()) {
            error = where + ": \"boards\" must be a list of {\"name\", \"clock_mhz\"}";
            return false;
        }
        for (size_t b = 0; b < boards->size(); ++b) {
            const json& bj = (*boards)[b];
            const std::string bwhere = where + ", board " + std::to_string(b + 1);
            if (!bj.is_object() || !bj.contains("name") || !bj["name"].is_string() ||
                bj["name"].get<std::string>().empty()) {
                error = bwhere + ": must be {\"name\": \"...\", \"clock_mhz\": 100}";
                return false;
            }
            DeviceBoard board;
            board.name = lower(bj["name"].get<std::string>());
            board.clockMhz = d.defaultClockMhz;
            if (bj.contains("clock_mhz") && !readClock(bj, "clock_mhz", bwhere, board.clockMhz, error))
                return false;
            d.boards.push_back(board);
        }
    }
    d.origin = origin;
    return true;
}

} // namespace

std::string userDevicesPath()
{
    if (const char* env = std::getenv("QNNW_DEVICES"); env && *env)
        return env;
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.config/qnn-workbench/devices.json";
    return {};
}

DeviceDatabase DeviceDatabase::builtIn()
{
    DeviceDatabase db;
    std::string error;
    const bool ok = db.addJson(detail::kBuiltInDevicesJson, "built-in devices.json", error);
    assert(ok && "resources/devices.json is broken");
    (void)ok;
    return db;
}

bool DeviceDatabase::standard(DeviceDatabase& out, std::string& error)
{
    out = builtIn();
    const std::string path = userDevicesPath();
    const bool explicitPath = std::getenv("QNNW_DEVICES") && *std::getenv("QNNW_DEVICES");
    if (path.empty() || (!explicitPath && !std::ifstream(path).good()))
        return true;
    return out.addFile(path, error);
}

bool DeviceDatabase::addJson(const std::string& text, const std::string& origin, std::string& error)
{
    json root;
    if (!parseJson(text, root, error)) {
        error = origin + ": " + error;
        return false;
    }
    if (!root.is_object() || !root.contains("devices") || !root["devices"].is_array()) {
        error = origin + ": a devices file is an object with a \"devices\" list";
        return false;
    }
    if (auto format = root.find("format");
        format != root.end() && (!format->is_string() || format->get<std::string>() != "qnn-workbench-devices")) {
        error = origin + ": \"format\" must be \"qnn-workbench-devices\"";
        return false;
    }
    // Part names through hash maps: a pairwise check made a file of 100,000
    // parts take half a minute.
    std::vector<Device> parsed;
    const json& list = root["devices"];
    parsed.reserve(list.size());
    std::unordered_set<std::string> seen;
    seen.reserve(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
        Device d;
        if (!parseDevice(list[i], i, origin, d, error))
            return false;
        if (!seen.insert(d.part).second) {
            error = origin + ": part " + d.part + " is listed twice";
            return false;
        }
        parsed.push_back(std::move(d));
    }
    std::unordered_map<std::string, size_t> index;
    index.reserve(m_devices.size() + parsed.size());
    for (size_t i = 0; i < m_devices.size(); ++i)
        index.emplace(m_devices[i].part, i);
    for (Device& d : parsed) {
        auto same = index.find(d.part);
        if (same != index.end()) {
            m_devices[same->second] = std::move(d);
        } else {
            index.emplace(d.part, m_devices.size());
            m_devices.push_back(std::move(d));
        }
    }
    return true;
}

bool DeviceDatabase::addFile(const std::string& path, std::string& error)
{
    std::string text;
    if (!readFile(path, text, error))
        return false;
    return addJson(text, path, error);
}

bool DeviceDatabase::find(const std::string& name, DeviceChoice& out, std::string& error) const
{
    const std::string key = lower(name);
    out = DeviceChoice{};
    for (const Device& d : m_devices)
        for (const DeviceBoard& b : d.boards)
            if (b.name == key) {
                out = {&d, b.name, b.clockMhz};
                return true;
            }
    // Exact part, else the longest known part that prefixes a full part
    // number (xc7z020clg400-1 → xc7z020).
    const Device* best = nullptr;
    for (const Device& d : m_devices)
        if (key.compare(0, d.part.size(), d.part) == 0 && (!best || d.part.size() > best->part.size()))
            best = &d;
    if (best) {
        out.device = best;
        out.board = best->boards.size() == 1 ? best->boards.front().name : std::string();
        out.clockMhz = best->boards.size() == 1 ? best->boards.front().clockMhz : best->defaultClockMhz;
        return true;
    }
    std::string known;
    for (const std::string& n : names())
        known += (known.empty() ? "" : ", ") + n;
    error = "unknown device \"" + name + "\"; known parts and boards: " + known +
            " (add a part to " + (userDevicesPath().empty() ? std::string("$QNNW_DEVICES") : userDevicesPath()) +
            " in the format of resources/devices.json)";
    return false;
}

std::vector<std::string> DeviceDatabase::names() const
{
    std::vector<std::string> out;
    for (const Device& d : m_devices) {
        out.push_back(d.part);
        for (const DeviceBoard& b : d.boards)
            out.push_back(b.name);
    }
    return out;
}

} // namespace qnn
