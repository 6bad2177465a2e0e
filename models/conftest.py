"""pytest: make models/ the import root (``import ldm_models``), wherever pytest is started from.

    cd models && /usr/bin/python3 -m pytest -q tests
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
