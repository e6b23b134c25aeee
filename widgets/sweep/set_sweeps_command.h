#pragma once

#include "core/project/sweep_definition.h"

#include <QUndoCommand>

#include <vector>

class GraphDocument;

/** Replaces the project's saved sweep definitions as one undo step (the New
 *  Sweep dialog saving or starting a sweep). */
class SetSweepsCommand : public QUndoCommand
{
public:
    SetSweepsCommand(GraphDocument* doc, std::vector<qnn::SweepDefinition> after, const QString& text,
                     QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    GraphDocument* m_doc;
    std::vector<qnn::SweepDefinition> m_before;
    std::vector<qnn::SweepDefinition> m_after;
};
