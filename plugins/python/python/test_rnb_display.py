"""Python's own tests of the rich output files (rnb_display, rnb_tables, rnb_figures, rnb_ipython).

Run: python3 -m unittest discover -s plugins/python/python (npm test runs it through src/python-files.test.ts).
pandas and matplotlib tests run where those are importable (Debian's /usr/bin/python3 here) and skip elsewhere.
"""
import base64
import importlib.util
import json
import sys
import types
import unittest

_runner = types.ModuleType("_rnb_runner")
_runner.flush_streams = lambda: None
sys.modules["_rnb_runner"] = _runner

import rnb_outputs  # noqa: E402  (the kernel's output limit: 1000 characters here)
rnb_outputs.MAX_OUTPUT_CHARS = 1000

import rnb_display  # noqa: E402  (after the stand-in runner)
import rnb_tables  # noqa: E402

HAS_PANDAS = importlib.util.find_spec("pandas") is not None
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

shown = []
rnb_display.install(lambda text: shown.append(json.loads(text)))


class Cell(unittest.TestCase):
    def setUp(self):
        shown.clear()
        rnb_display.start_cell()

    def finish(self, value=None):
        rest = rnb_display.finish_cell(value)
        return shown + rest


class Reprs(Cell):
    def test_the_richest_type_wins_and_text_plain_rides_in_metadata(self):
        class Value:
            def _repr_png_(self):
                return b"\x89PNG"

            def _repr_html_(self):
                return "<b>x</b>"

            def __repr__(self):
                return "Value()"

        self.assertEqual(rnb_display.render(Value()), [{"mime_type": "text/html", "data": "<b>x</b>", "metadata": {"text/plain": "Value()"}}])

    def test_a_failing_repr_falls_back_to_the_next(self):
        class Value:
            def _repr_html_(self):
                raise RuntimeError("no")

            def _repr_markdown_(self):
                return "*m*"

        self.assertEqual(rnb_display.render(Value())[0]["mime_type"], "text/markdown")

    def test_a_repr_over_the_limit_becomes_a_note(self):
        class Value:
            def _repr_html_(self):
                return "x" * 5000

        self.assertEqual(rnb_display.render(Value()), [{"mime_type": "text/plain", "data": "Output of 5 KB not shown: the limit is 1 KB."}])

    def test_json_is_measured_before_it_is_encoded_and_non_finite_floats_become_strings(self):
        class Huge:
            def _repr_json_(self):
                return {"v": list(range(10_000))}

        class Odd:
            def _repr_json_(self):
                return {"v": float("nan")}

        self.assertTrue(rnb_display.render(Huge())[0]["data"].startswith("Output of"))
        self.assertEqual(rnb_display.render(Odd())[0]["data"], {"v": "NaN"})
        self.assertGreater(rnb_display.bounded_json_size(list(range(10**6)), 100), 100)


class Display(Cell):
    def test_outputs_keep_their_order_and_end_with_the_value(self):
        display(1, "a")  # noqa: F821  (the builtin install() adds)
        outputs = self.finish(2)
        self.assertEqual([o["data"] for o in outputs], ["1", "'a'", "2"])

    def test_a_cell_shows_at_most_the_limit_then_a_note(self):
        for i in range(60):
            rnb_display.display(i)
        outputs = self.finish()
        self.assertEqual(len(outputs), 51)
        self.assertEqual(outputs[-1]["data"], "10 more outputs not shown: a cell shows at most 50.")


class ClearOutput(Cell):
    def test_clear_output_asks_core_to_clear_and_starts_the_budget_again(self):
        for i in range(60):
            rnb_display.display(i)
            rnb_display.clear_output(wait=True)
        rnb_display.display("last")
        outputs = self.finish()
        markers = [o for o in outputs if o["mime_type"] == rnb_display.CLEAR_OUTPUT_MIME]
        self.assertEqual(len(markers), 60)
        self.assertEqual(markers[0]["data"], {"wait": True})
        # Never "more outputs not shown": each clear starts the cell's count of outputs again.
        self.assertEqual(outputs[-1], {"mime_type": "text/plain", "data": "'last'"})
        from IPython.display import clear_output
        clear_output()
        self.assertEqual(shown[-1], {"mime_type": rnb_display.CLEAR_OUTPUT_MIME, "data": {"wait": False}})


class IPythonShim(Cell):
    def test_jupyter_imports_work(self):
        from IPython.display import HTML, JSON, Image, Markdown, clear_output, display
        clear_output()
        display(HTML("<p>h</p>"), Markdown("m"), JSON({"a": 1}), Image(b"\x89PNG\r\n\x1a\nxx"))
        self.assertEqual([o["mime_type"] for o in self.finish()],
                         [rnb_display.CLEAR_OUTPUT_MIME, "text/html", "text/markdown", "application/json", "image/png"])


@unittest.skipUnless(HAS_PANDAS, "pandas is not importable")
class Tables(Cell):
    def test_a_default_index_is_left_out_a_named_one_leads(self):
        import pandas as pd
        plain = rnb_tables.table_output(pd.DataFrame({"a": [1, 2]}))
        self.assertEqual(plain["data"]["columns"], ["a"])
        self.assertEqual(plain["metadata"]["index_columns"], 0)
        named = rnb_tables.table_output(pd.DataFrame({"a": [1.5, float("nan")]}, index=pd.Index(["x", "y"], name="k")))
        self.assertEqual(named["data"], {"type": "table", "columns": ["k", "a"], "rows": [["x", 1.5], ["y", None]]})
        self.assertEqual(named["metadata"]["column_types"], ["object", "float64"])

    def test_mixed_nested_and_odd_types_become_json_cells(self):
        import datetime
        import decimal
        import pandas as pd
        frame = pd.DataFrame({
            "nested": [[1, 2], {"k": "v"}],
            "raw": [b"\x00", None],
            "gap": [pd.Timedelta(seconds=90), pd.NaT],
            "money": [decimal.Decimal("1.10"), pd.NA],
            "kind": pd.Categorical(["a", "b"]),
            "big": [2**60, 1],
            "day": [datetime.date(2024, 1, 2), None],
        })
        frame.columns = pd.MultiIndex.from_tuples([("x", c) for c in frame.columns])
        table = rnb_tables.table_output(frame)
        self.assertEqual(table["data"]["columns"][0], "x / nested")
        self.assertEqual(table["data"]["rows"], [
            ["[1, 2]", "b'\\x00'", "0 days 00:01:30", "1.10", "a", "1152921504606846976", "2024-01-02"],
            ["{'k': 'v'}", None, None, None, "b", 1, None],
        ])
        json.dumps(table, allow_nan=False)

    def test_a_list_of_dicts_keeps_nan_apart_from_none(self):
        table = rnb_tables.table_output([{"v": float("nan")}, {"v": None}])
        self.assertEqual(table["data"]["rows"], [["NaN"], [None]])


@unittest.skipUnless(HAS_MATPLOTLIB, "matplotlib is not importable")
class Figures(Cell):
    def test_open_figures_show_as_png_and_are_closed(self):
        import matplotlib.pyplot as plt
        rnb_outputs.MAX_OUTPUT_CHARS = 8 * 1024 * 1024
        try:
            plt.plot([1, 2])
            outputs = self.finish()
        finally:
            rnb_outputs.MAX_OUTPUT_CHARS = 1000
        self.assertEqual([o["mime_type"] for o in outputs], ["image/png"])
        self.assertEqual(base64.b64decode(outputs[0]["data"])[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(plt.get_fignums(), [])


if __name__ == "__main__":
    unittest.main()
