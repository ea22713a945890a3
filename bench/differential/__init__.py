"""Differential testing of leakscan against LeakSanitizer on generated C programs (see README.md here)."""
