"""placeholder"""
SHAPES = []
