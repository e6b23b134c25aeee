#pragma once

#include "core/project/project.h"

#include <QUndoCommand>

class GraphDocument;

/** Changes the project's deploy section (device, clock, folding) as one undo
 *  step; consecutive changes of one folding cell of the same layer merge. */
class SetDeployCommand : public QUndoCommand
{
public:
    SetDeployCommand(GraphDocument* doc, qnn::DeployTarget before, qnn::DeployTarget after, const QString& text,
                     QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    GraphDocument* m_doc;
    qnn::DeployTarget m_before;
    qnn::DeployTarget m_after;
};
