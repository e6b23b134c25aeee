#include "core/sweep/local_queue.h"

#include "core/sweep/child_process.h"

#include <csignal>
#include <sys/wait.h>

namespace qnn {

LocalQueue::LocalQueue(std::string qnnwPath, std::string sweepDir, int concurrency)
    : m_qnnw(std::move(qnnwPath)), m_sweepDir(std::move(sweepDir)), m_concurrency(std::max(1, concurrency))
{
}

LocalQueue::~LocalQueue()
{
    // Never leave orphans that write into a sweep nobody watches.
    stop();
    for (const auto& [pid, index] : m_running) {
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
}

void LocalQueue::enqueue(const std::vector<int>& indices, const std::vector<std::string>& ids)
{
    for (size_t i = 0; i < indices.size() && i < ids.size(); ++i)
        m_waiting.emplace_back(indices[i], ids[i]);
}

bool LocalQueue::poll()
{
    for (auto it = m_running.begin(); it != m_running.end();) {
        int status = 0;
        const pid_t r = ::waitpid(it->first, &status, WNOHANG);
        if (r == it->first) {
            m_exitCodes[it->second] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            it = m_running.erase(it);
        } else {
            ++it;
        }
    }
    while (static_cast<int>(m_running.size()) < m_concurrency && !m_waiting.empty()) {
        const auto [index, id] = m_waiting.front();
        m_waiting.pop_front();
        const int pid = spawnProgram({m_qnnw, "sweep", "run-point", m_sweepDir, std::to_string(index)},
                                     m_sweepDir + "/points/" + id + "/runner.log", m_error);
        if (pid < 0)
            m_exitCodes[index] = 127;
        else
            m_running[pid] = index;
    }
    return !m_running.empty() || !m_waiting.empty();
}

void LocalQueue::stop()
{
    m_waiting.clear();
    for (const auto& [pid, index] : m_running)
        ::kill(pid, SIGINT);
}

} // namespace qnn
