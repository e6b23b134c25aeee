#include "widgets/sweep/set_sweeps_command.h"

#include "widgets/editor/graph_document.h"

SetSweepsCommand::SetSweepsCommand(GraphDocument* doc, std::vector<qnn::SweepDefinition> after, const QString& text,
                                   QUndoCommand* parent)
    : QUndoCommand(text, parent), m_doc(doc), m_before(doc->project().sweeps), m_after(std::move(after))
{
}

void SetSweepsCommand::redo() { m_doc->setSweepsRaw(m_after); }

void SetSweepsCommand::undo() { m_doc->setSweepsRaw(m_before); }
