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
    /** Sets (adding it after the built-in ones the first time) a figure that
     *  another panel computes, such as the Hardware dock's LUT %, BRAM %, FPS. */
    void setFigure(const QString& key, const QString& caption, const QString& text);

private:
    void refresh();
    QLabel* addFigure(const QString& key, const QString& caption);

    GraphDocument* m_document;
    QMap<QString, QLabel*> m_labels;
    class FlowLayout* m_figures = nullptr;
};
