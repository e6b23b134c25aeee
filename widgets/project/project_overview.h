#pragma once

#include "core/project/project.h"

#include <QWidget>

class QTreeWidget;
class QPlainTextEdit;

/** Read-only view of a project: its layers with shapes and precision, the
 *  diagnostics and the cost summary. */
class ProjectOverview : public QWidget
{
    Q_OBJECT
public:
    explicit ProjectOverview(QWidget* parent = nullptr);

    void setProject(const qnn::Project& project);
    int layerRowCount() const;

private:
    QTreeWidget* m_layers = nullptr;
    QTreeWidget* m_issues = nullptr;
    QPlainTextEdit* m_summary = nullptr;
};
