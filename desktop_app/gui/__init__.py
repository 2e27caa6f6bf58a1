"""The desktop window (PySide6): design a network on a canvas, check it live, save it as a project.

The GUI only reads and edits project data and asks the engine to build models; it never computes a
gradient. Dependencies point one way: gui -> project / data / engine / registry.
"""
