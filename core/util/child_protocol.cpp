#include "core/util/child_protocol.h"

#include <ostream>

namespace qnn::protocol {

namespace {

nlohmann::json envelope(EventKind kind, const nlohmann::json& fields)
{
    // A command's own object may still carry the old "type" key (metrics.jsonl
    // lines do): the envelope replaces it, so that a line has one name only.
    nlohmann::json j = fields.is_object() ? fields : nlohmann::json::object();
    j.erase("type");
    j["event"] = eventName(kind);
    j["version"] = kVersion;
    return j;
}

std::string shownLine(std::string_view line)
{
    const size_t kShown = 60;
    std::string s(line.substr(0, kShown));
    if (line.size() > kShown)
        s += "…";
    return "'" + s + "'";
}

bool kindFromName(const std::string& name, EventKind& kind)
{
    for (EventKind k : {EventKind::Progress, EventKind::Step, EventKind::Result, EventKind::Error})
        if (name == eventName(k)) {
            kind = k;
            return true;
        }
    return false;
}

} // namespace

const char* eventName(EventKind kind)
{
    switch (kind) {
    case EventKind::Progress:
        return "progress";
    case EventKind::Step:
        return "step";
    case EventKind::Result:
        return "result";
    case EventKind::Error:
        return "error";
    }
    return "result";
}

nlohmann::json progressEvent(int64_t done, int64_t total, const std::string& step, const nlohmann::json& extra)
{
    nlohmann::json j = envelope(EventKind::Progress, extra);
    j["step"] = step;
    j["done"] = done;
    j["total"] = total;
    return j;
}

nlohmann::json stepEvent(const std::string& step, const std::string& message, const nlohmann::json& extra)
{
    nlohmann::json j = envelope(EventKind::Step, extra);
    j["step"] = step;
    j["message"] = message;
    return j;
}

nlohmann::json resultEvent(const nlohmann::json& fields) { return envelope(EventKind::Result, fields); }

nlohmann::json errorEvent(const std::string& message, const nlohmann::json& extra)
{
    nlohmann::json j = envelope(EventKind::Error, extra);
    j["message"] = message;
    return j;
}

void writeEvent(std::ostream& out, const nlohmann::json& event)
{
    // Text read from disk (a run's name, an error quoting a file) may not be
    // UTF-8: it is replaced, never thrown on, so that a line is always written.
    out << event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

std::string ChildEvent::step() const
{
    const auto it = body.find("step");
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string ChildEvent::message() const
{
    const auto it = body.find("message");
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool parseEventLine(std::string_view line, ChildEvent& event, std::string& error)
{
    nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded()) {
        error = "a line that is not JSON: " + shownLine(line);
        return false;
    }
    if (!j.is_object()) {
        error = "a JSON line that is not an object: " + shownLine(line);
        return false;
    }
    const auto name = j.find("event");
    if (name == j.end() || !name->is_string()) {
        error = "a JSON line without an \"event\" name: " + shownLine(line);
        return false;
    }
    const auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer()) {
        error = "a \"" + name->get<std::string>() + "\" event without a protocol \"version\": " + shownLine(line);
        return false;
    }
    const int64_t v = version->get<int64_t>();
    if (v > kVersion || v < 1) {
        error = "protocol version " + std::to_string(v) + ", but this program reads version " +
                std::to_string(kVersion) + ": use a qnnw and a workbench from the same release";
        return false;
    }
    EventKind kind;
    if (!kindFromName(name->get<std::string>(), kind)) {
        error = "an unknown event \"" + name->get<std::string>() + "\" (known: progress, step, result, error)";
        return false;
    }
    auto needs = [&](const char* field, bool (nlohmann::json::*is)() const noexcept) {
        const auto it = j.find(field);
        if (it != j.end() && ((*it).*is)())
            return true;
        error = "a \"" + name->get<std::string>() + "\" event without its \"" + field + "\": " + shownLine(line);
        return false;
    };
    switch (kind) {
    case EventKind::Progress:
        if (!needs("done", &nlohmann::json::is_number) || !needs("total", &nlohmann::json::is_number))
            return false;
        break;
    case EventKind::Step:
        if (!needs("step", &nlohmann::json::is_string))
            return false;
        break;
    case EventKind::Error:
        if (!needs("message", &nlohmann::json::is_string))
            return false;
        break;
    case EventKind::Result:
        break;
    }
    event.kind = kind;
    event.body = std::move(j);
    return true;
}

std::vector<ChildLineReader::Line> ChildLineReader::feed(std::string_view bytes)
{
    std::vector<Line> lines;
    m_buffer.append(bytes.data(), bytes.size());
    size_t start = 0;
    for (size_t newline; (newline = m_buffer.find('\n', start)) != std::string::npos; start = newline + 1) {
        std::string_view line(m_buffer.data() + start, newline - start);
        ++m_lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        lines.push_back(parse(line));
    }
    m_buffer.erase(0, start);
    return lines;
}

std::vector<ChildLineReader::Line> ChildLineReader::finish()
{
    std::vector<Line> lines;
    if (m_buffer.find_first_not_of(" \t\r") != std::string::npos) {
        ++m_lineNumber;
        Line l = parse(m_buffer);
        if (!l.ok)
            l.error = "the output ended in the middle of line " + std::to_string(m_lineNumber) + ": " +
                      shownLine(m_buffer);
        lines.push_back(std::move(l));
    }
    m_buffer.clear();
    return lines;
}

ChildLineReader::Line ChildLineReader::parse(std::string_view line)
{
    Line l;
    l.ok = parseEventLine(line, l.event, l.error);
    if (!l.ok)
        l.error = "line " + std::to_string(m_lineNumber) + ": " + l.error;
    return l;
}

} // namespace qnn::protocol
