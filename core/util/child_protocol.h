#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

/** The one JSON-lines protocol every `qnnw ... --json` command speaks on
 *  stdout, and that the workbench (or a script) reads: one object a line,
 *  `{"event": "progress" | "step" | "result" | "error", "version": 1, ...}`.
 *  docs/protocol.md is the user-facing description; this header is the only
 *  place that writes or checks the envelope, so the writer in qnnw and the
 *  reader in the window cannot drift apart. Qt-free and torch-free. */
namespace qnn::protocol {

/** Bumped only when a field a reader relies on changes meaning or goes away;
 *  new fields and new step names do not bump it. */
constexpr int kVersion = 1;

enum class EventKind { Progress, Step, Result, Error };

/** "progress", "step", "result", "error". */
const char* eventName(EventKind kind);

/** A progress event: `done` of `total` units (total 0: unknown) in `step`;
 *  `extra` adds command-specific fields (training: epoch, loss, ...). */
nlohmann::json progressEvent(int64_t done, int64_t total, const std::string& step,
                             const nlohmann::json& extra = nlohmann::json::object());
/** A step event: a named stage with a sentence for a person. */
nlohmann::json stepEvent(const std::string& step, const std::string& message,
                         const nlohmann::json& extra = nlohmann::json::object());
/** The result event: the command's outcome; `fields` is the command's own object. */
nlohmann::json resultEvent(const nlohmann::json& fields = nlohmann::json::object());
/** The error event: a sentence a user can act on; `extra` may carry details
 *  (deploy's "host_key"). */
nlohmann::json errorEvent(const std::string& message, const nlohmann::json& extra = nlohmann::json::object());

/** Writes one event as one line and flushes, so that a reader sees it at once. */
void writeEvent(std::ostream& out, const nlohmann::json& event);

/** One parsed line: the event kind and the whole object (envelope included). */
struct ChildEvent {
    EventKind kind = EventKind::Result;
    nlohmann::json body;

    std::string step() const;    ///< "step" field or ""
    std::string message() const; ///< "message" field or ""
};

/** Checks one line (without its newline). On failure `error` is a sentence
 *  that quotes the start of the line: not JSON, no "event", an unknown event,
 *  a missing or newer "version", or a required field missing. */
bool parseEventLine(std::string_view line, ChildEvent& event, std::string& error);

/** Splits a byte stream into lines and parses each; bytes may arrive in any
 *  pieces (a pipe delivers what it has). Blank lines are skipped. */
class ChildLineReader
{
public:
    struct Line {
        bool ok = false;
        ChildEvent event; ///< when ok
        std::string error; ///< when not ok
    };

    /** Adds bytes; returns the lines they completed. */
    std::vector<Line> feed(std::string_view bytes);
    /** The stream ended: a last line without its newline is parsed if it is a
     *  whole event, and reported as cut off otherwise. */
    std::vector<Line> finish();
    /** Bytes held of an unfinished line. */
    size_t pending() const { return m_buffer.size(); }

private:
    Line parse(std::string_view line);

    std::string m_buffer;
    int64_t m_lineNumber = 0;
};

} // namespace qnn::protocol
