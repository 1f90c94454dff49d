"""For the kernel modules' tests (test_*.py beside this file): a fresh runner and its sibling modules over a fresh
notebook namespace, imported as the runtimes import them, and everything they replaced put back afterwards.

Not a test module itself (discovery takes test_*.py only); the runtimes never import it.
"""
import builtins
import importlib
import json
import sys
import types
import unittest

# The runner and the modules that read its namespace, in the order the runtimes import them (python-sources.ts).
RUNNER_MODULES = ("rnb_streams", "rnb_outputs", "_rnb_runner", "rnb_completer", "rnb_inspector", "rnb_variables")
# Rich output: left out here (the runner then renders values itself); test_rnb_display.py tests those files.
RICH_OUTPUT_MODULES = ("rnb_display", "rnb_tables", "rnb_figures", "rnb_ipython")


class FreshKernel(unittest.TestCase):
    """Each test gets a new `_rnb_runner` whose G (the notebook's namespace) is a new `__main__`'s globals."""

    def setUp(self):
        self._saved_modules = dict(sys.modules)
        self._saved_io = (sys.stdout, sys.stderr, sys.stdin, builtins.input)
        for name in RUNNER_MODULES + RICH_OUTPUT_MODULES:
            sys.modules.pop(name, None)
        sys.modules["__main__"] = types.ModuleType("__main__")
        for name in RUNNER_MODULES:
            importlib.import_module(name)
        self.runner = sys.modules["_rnb_runner"]
        self.G = self.runner.G

    def tearDown(self):
        sys.stdout, sys.stderr, sys.stdin, builtins.input = self._saved_io
        sys.modules.clear()
        sys.modules.update(self._saved_modules)

    def run_cell(self, code, defines=(), cell="c1"):
        """The runner's answer for one cell, decoded (an async cell is awaited as the runtimes await it)."""
        answer = json.loads(self.runner.run_cell(cell, code, json.dumps(list(defines))))
        if answer == {"status": "async"}:
            import asyncio
            answer = json.loads(asyncio.run(self.runner.run_cell_async()))
        return answer
