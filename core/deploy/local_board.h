#pragma once

#include "core/deploy/board.h"

namespace qnn::deploy {

/** A board that is a folder on this machine: the same deployments/ and
 *  `current` layout as a PYNQ board, and the integer engine run in-process
 *  on the deployed files. The whole deploy flow works with no board. */
class LocalBoard : public Board
{
public:
    explicit LocalBoard(std::string folder);

    bool connect(std::string& error) override;
    bool describe(BoardInfo& info, std::string& error) override;
    bool checksums(const std::string& deployment, const std::vector<std::string>& files,
                   std::map<std::string, std::string>& sha256, std::string& error) override;
    bool switchCurrent(const std::string& deployment, std::string& error) override;
    bool run(const std::string& deployment, std::string& resultLine, std::string& error) override;
    bool current(CurrentDeployment& out, std::string& error) override;
    void disconnect() override {}
    std::string address() const override { return m_folder; }

protected:
    bool uploadFiles(const std::string& deployment, const std::vector<UploadItem>& files, const ProgressFn& progress,
                     std::string& error) override;
    void removeDeploymentFolder(const std::string& deployment) override;
    std::vector<std::string> removeAbandonedUploads() override;
    bool removeUploadMarker(const std::string& deployment, std::string& error) override;

private:
    std::string m_folder;
};

/** Reads what `current` points to in a board folder laid out as above. */
bool readCurrentDeployment(const std::string& boardFolder, CurrentDeployment& out, std::string& error);

} // namespace qnn::deploy
