"""leakscan: static analysis of resource leaks in C and C++."""
__version__ = "0.1.0"
