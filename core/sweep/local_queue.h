#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace qnn {

/** The local backend: points run as `qnnw sweep run-point` child processes,
 *  at most `concurrency` at once, each logging to its point's runner.log.
 *  Driven by poll() from the owner's loop (the CLI's, or the workbench's
 *  timer), so nothing here blocks or needs a thread. */
class LocalQueue
{
public:
    LocalQueue(std::string qnnwPath, std::string sweepDir, int concurrency);
    ~LocalQueue();

    void enqueue(const std::vector<int>& pointIndices, const std::vector<std::string>& pointIds);
    /** Reaps ended children and starts waiting points up to the limit.
     *  False once nothing is waiting or running. */
    bool poll();
    /** SIGINT to every running point (their training stops resumably) and
     *  drops the waiting ones; poll() until it returns false to reap them. */
    void stop();

    int runningCount() const { return static_cast<int>(m_running.size()); }
    int waitingCount() const { return static_cast<int>(m_waiting.size()); }
    /** Exit codes of the points that ended, by index. */
    const std::map<int, int>& exitCodes() const { return m_exitCodes; }
    const std::string& lastError() const { return m_error; }

private:
    std::string m_qnnw;
    std::string m_sweepDir;
    int m_concurrency;
    std::deque<std::pair<int, std::string>> m_waiting;
    std::map<int, int> m_running; // pid → point index
    std::map<int, int> m_exitCodes;
    std::string m_error;
};

} // namespace qnn
