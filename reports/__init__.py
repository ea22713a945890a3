"""Pure renderers over one AnalysisResult: text, json, sarif (and html)."""
