#pragma once

#include <QFrame>
#include <QMap>

class GraphDocument;
class QLabel;

/** The `qnnw summary` figures of the current graph, updated on every edit:
 *  parameters, weight memory, MACs, BOPs, compression vs FP32, error count. */
class SummaryBar : public QFrame
{
    Q_OBJECT
public:
    explicit SummaryBar(GraphDocument* document, QWidget* parent = nullptr);

    /** One figure's text by key: params, memory, macs, bops, compression, status. */
    QString figure(const QString& key) const;

private:
    void refresh();

    GraphDocument* m_document;
    QMap<QString, QLabel*> m_labels;
};
