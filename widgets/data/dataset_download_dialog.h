#pragma once

#include "core/data/dataset_choice.h"

#include <QDialog>
#include <QString>

class DatasetFetchProcess;
class QLabel;
class QProgressBar;
class QPushButton;

/** Offers one dataset for download: names it, its size, source and licence,
 *  and where it goes; Download runs `qnnw data fetch NAME --json` with a
 *  progress bar; Cancel stops it (the part stays for a resume). Accepted
 *  once the dataset is downloaded and verified. */
class DatasetDownloadDialog : public QDialog
{
    Q_OBJECT
public:
    /** `name` must be in the catalogue (mnist, fashion-mnist, cifar10). */
    explicit DatasetDownloadDialog(const QString& name, QWidget* parent = nullptr);

    /** When a run needs `choice` and no folder on the search path holds it:
     *  shows the dialog (modal) and returns true once it is downloaded. True
     *  at once when nothing is missing or the dataset cannot be downloaded
     *  (a folder the user chose, an image folder: the run's own error says more). */
    static bool offerIfMissing(QWidget* parent, const qnn::DatasetChoice& choice, const QString& projectFile);

    /** True for a dataset the catalogue knows that no search path holds. */
    static bool isMissing(const qnn::DatasetChoice& choice, const QString& projectFile);

    QPushButton* downloadButton() const { return m_download; }
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_progress; }
    QString status() const;
    /** The folder the dataset was downloaded into (after success). */
    QString downloadedDir() const { return m_dir; }

    void startDownload();

protected:
    void reject() override;

private:
    void onFailed(const QString& message, bool cancelled);

    QString m_name;
    DatasetFetchProcess* m_fetch;
    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_download;
    QPushButton* m_cancel;
    QString m_dir;
    bool m_closeWhenStopped = false;
};
