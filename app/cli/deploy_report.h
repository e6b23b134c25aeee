#pragma once
// What `qnnw deploy` prints as it goes: text lines for a person, protocol
// lines (--json) for the window; the same events either way.

#include "core/util/child_protocol.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>

namespace qnn::cli {

class DeployReport
{
public:
    explicit DeployReport(bool json)
        : m_json(json)
    {
    }
    void step(const std::string& step, const std::string& message)
    {
        if (m_json)
            emit(protocol::stepEvent(step, message));
        else
            std::printf("%-8s %s\n", (step + ":").c_str(), message.c_str());
        std::fflush(stdout);
    }
    void progress(uint64_t done, uint64_t total)
    {
        // At most every 2 % so that a fast link does not flood the GUI.
        const int percent = total ? static_cast<int>(100 * done / total) : 100;
        if (percent < m_lastPercent + 2 && done != total)
            return;
        m_lastPercent = percent;
        if (m_json)
            emit(protocol::progressEvent(static_cast<int64_t>(done), static_cast<int64_t>(total), "upload"));
    }
    /** Says the sentence (and the error event with --json); returns 1, the exit code. */
    int error(const std::string& message, const nlohmann::json& details = nlohmann::json::object())
    {
        if (m_json)
            emit(protocol::errorEvent(message, details));
        std::fprintf(stderr, "qnnw: %s\n", message.c_str());
        return 1;
    }
    void emit(const nlohmann::json& event) { protocol::writeEvent(std::cout, event); }
    bool json() const { return m_json; }

private:
    bool m_json;
    int m_lastPercent = -100;
};

} // namespace qnn::cli
