"""Phase 2: the whole program, function summaries bottom-up over the call graph, and the ownership dataflow."""
