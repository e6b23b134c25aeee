#include "core/run/run_store.h"

#include "core/util/atomic_file.h"
#include "core/util/json_file.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace qnn {

namespace fs = std::filesystem;

std::string runNameStem(const std::string& name)
{
    std::string s;
    for (char c : name) {
        const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        s += keep ? c : '-';
    }
    return s.empty() ? "run" : s;
}

bool RunStore::create(const std::string& runsDir, const std::string& name, RunStore& out, std::string& error)
{
    std::error_code ec;
    fs::create_directories(runsDir, ec);
    if (ec) {
        error = "cannot create the runs folder " + runsDir + ": " + ec.message();
        return false;
    }
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm {};
    localtime_r(&now, &tm);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const std::string base = (fs::path(runsDir) / (std::string(stamp) + "-" + runNameStem(name))).string();
    for (int i = 1; i < 1000; ++i) {
        const std::string dir = i == 1 ? base : base + "-" + std::to_string(i);
        // create_directory is false for an existing folder: two runs started in one second get their own.
        if (fs::create_directory(dir, ec)) {
            out.m_dir = dir;
            return true;
        }
        if (ec) {
            error = "cannot create the run folder " + dir + ": " + ec.message();
            return false;
        }
    }
    error = "cannot create a run folder under " + runsDir + ": too many runs in one second";
    return false;
}

bool RunStore::open(const std::string& runDir, RunStore& out, std::string& error)
{
    std::error_code ec;
    if (!fs::is_directory(runDir, ec)) {
        error = "run folder " + runDir + " does not exist";
        return false;
    }
    if (!fs::exists(fs::path(runDir) / "config.json", ec)) {
        error = runDir + " is not a run folder: it has no config.json";
        return false;
    }
    out.m_dir = runDir;
    while (out.m_dir.size() > 1 && out.m_dir.back() == '/')
        out.m_dir.pop_back();
    return true;
}

bool RunStore::writeConfig(const nlohmann::json& config, std::string& error) const
{
    return writeJsonFile(configPath(), config, error);
}

bool RunStore::readConfig(nlohmann::json& config, std::string& error) const
{
    return readJsonFile(configPath(), config, error);
}

bool RunStore::appendMetrics(const nlohmann::json& line, std::string& error) const
{
    // One write() per line: a reader (the workbench) never sees half a line
    // unless the process dies inside the call.
    const std::string text = line.dump() + "\n";
    const int fd = ::open(metricsPath().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = "cannot write " + metricsPath() + ": " + std::strerror(errno);
        return false;
    }
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            error = "cannot write " + metricsPath() + ": " + std::strerror(n < 0 ? errno : ENOSPC);
            ::close(fd);
            return false;
        }
        done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) {
        error = "cannot write " + metricsPath() + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

namespace {

// metrics.jsonl as text; a folder or device in its place is damage, not metrics.
bool readMetricsText(const std::string& path, std::string& text, std::string& error)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        error = path + " is not a regular file";
        return false;
    }
    return readFile(path, text, error);
}

} // namespace

bool RunStore::readMetrics(std::vector<nlohmann::json>& lines, std::string& error) const
{
    lines.clear();
    std::error_code ec;
    if (!fs::exists(metricsPath(), ec))
        return true; // no metrics yet
    std::string text;
    if (!readMetricsText(metricsPath(), text, error))
        return false;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty())
            continue;
        try {
            lines.push_back(nlohmann::json::parse(line));
        } catch (const nlohmann::json::parse_error&) {
            // A last line without its newline was cut short by a killed process:
            // everything before it is good. A bad line anywhere else is damage.
            if (in.eof() && text.back() != '\n')
                break;
            error = metricsPath() + ": line " + std::to_string(number) + " is not valid JSON";
            return false;
        }
    }
    return true;
}

bool RunStore::truncateMetricsAfter(int epoch, std::string& error, int64_t batchesDone) const
{
    std::error_code ec;
    if (!fs::exists(metricsPath(), ec))
        return true;
    std::string text;
    if (!readMetricsText(metricsPath(), text, error))
        return false;
    std::istringstream in(text);
    std::string kept, line;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error&) {
            break; // a torn last line
        }
        const bool keptBatch = j.value("type", std::string()) == "batch" && j.value("epoch", 0) == epoch + 1 &&
                               j.value("batch", int64_t(0)) <= batchesDone;
        if (j.value("epoch", 0) > epoch && !keptBatch)
            continue;
        kept += line + "\n";
    }
    return writeFileAtomic(metricsPath(), kept, error);
}

namespace {

// summary.json is padded with spaces to this size (JSON allows trailing
// white space), so that its final status fits into blocks the file already
// owns when the disk is full.
constexpr size_t kSummaryReserve = 4096;

// Overwrites the start of an existing file in place: no new block is needed
// as long as the text is not longer than the file.
bool overwriteInPlace(const std::string& path, const std::string& text, std::string& error)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_size) >= text.size();
    size_t at = 0;
    while (ok && at < text.size()) {
        const ssize_t n = ::pwrite(fd, text.data() + at, text.size() - at, off_t(at));
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        at += ok ? size_t(n) : 0;
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok)
        error += " (writing it in place failed too)";
    return ok;
}

} // namespace

bool RunStore::writeSummary(const nlohmann::json& summary, std::string& error) const
{
    std::string text = summary.dump(2) + "\n";
    const size_t content = text.size();
    if (text.size() < kSummaryReserve)
        text.append(kSummaryReserve - text.size() - 1, ' ').push_back('\n');
    if (writeFileAtomic(summaryPath(), text, error))
        return true;
    // A full disk: the run's end (failed, with its reason) must still reach summary.json, or the run would
    // read as "running" and later as killed. Only the part up to the longest earlier content is rewritten.
    std::string old;
    std::string ignored;
    size_t oldContent = 0;
    if (readFile(summaryPath(), old, ignored, 1 << 20)) {
        const size_t last = old.find_last_not_of(" \n");
        oldContent = last == std::string::npos ? 0 : last + 1;
    }
    std::string inPlace = text.substr(0, content);
    if (inPlace.size() < oldContent)
        inPlace.append(oldContent - inPlace.size(), ' ');
    if (!overwriteInPlace(summaryPath(), inPlace, error))
        return false;
    error.clear();
    return true;
}

bool RunStore::readSummary(nlohmann::json& summary, std::string& error) const
{
    return readJsonFile(summaryPath(), summary, error);
}

} // namespace qnn
