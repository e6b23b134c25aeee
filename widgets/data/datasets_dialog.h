#pragma once

#include <QDialog>
#include <QJsonArray>

class ChildProcess;
class QLabel;
class QPushButton;
class QTableWidget;

/** File > Datasets…: every dataset the workbench can download, where it was
 *  found, its size, whether its checksums match, and its licence (from
 *  `qnnw data list --json`, a child process like every other); Download…
 *  opens the download dialog for the selected one. */
class DatasetsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit DatasetsDialog(QWidget* parent = nullptr);

    /** Runs `qnnw data list --json` again; the table fills when it answers. */
    void refresh();

    QTableWidget* table() const { return m_table; }
    QPushButton* downloadButton() const { return m_download; }
    QString status() const;

Q_SIGNALS:
    /** The table was filled from a fresh list (or the list failed: see status()). */
    void refreshed();

private:
    void fill(const QJsonArray& datasets);
    void updateButtons();

    QTableWidget* m_table;
    QLabel* m_status;
    QPushButton* m_download;
    ChildProcess* m_list;
    QJsonArray m_datasets;
};
