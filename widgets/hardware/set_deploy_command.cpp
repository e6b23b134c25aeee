#include "widgets/hardware/set_deploy_command.h"

#include "widgets/editor/graph_document.h"

SetDeployCommand::SetDeployCommand(GraphDocument* doc, qnn::DeployTarget before, qnn::DeployTarget after,
                                   const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), m_doc(doc), m_before(std::move(before)), m_after(std::move(after))
{
}

void SetDeployCommand::redo() { m_doc->setDeployRaw(m_after); }

void SetDeployCommand::undo() { m_doc->setDeployRaw(m_before); }
