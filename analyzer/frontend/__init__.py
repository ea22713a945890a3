"""The only package that imports clang.cindex: compile jobs in, ir.Module out."""
