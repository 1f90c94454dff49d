"""Column summaries of table outputs (rnb_column_stats.py) and tables of numpy 2-D arrays (rnb_tables.as_table_source):
over all rows, bounded in time. pandas tests run where pandas is importable (Debian's /usr/bin/python3 here).
polars and pyarrow are not installable on this machine (no Debian package, no PyPI): their path is not tested here."""
import importlib.util
import json
import unittest

import rnb_column_stats
import rnb_tables
from kernel_test_support import FreshKernel

HAS_PANDAS = importlib.util.find_spec("pandas") is not None


class Records(unittest.TestCase):
    def test_numbers_have_a_range_text_its_top_values_and_nulls_are_counted(self):
        records = [{"n": i, "city": "Oslo" if i % 3 else "Lima", "maybe": None if i % 2 else 1.5} for i in range(3000)]
        stats = rnb_tables.table_output(records)["metadata"]["column_stats"]
        self.assertEqual(stats[0], {"type": "int", "nulls": 0, "min": 0, "max": 2999})
        self.assertEqual(stats[1], {"type": "str", "nulls": 0, "distinct": 2, "top": [["Oslo", 2000], ["Lima", 1000]]})
        self.assertEqual(stats[2], {"type": "float", "nulls": 1500, "min": 1.5, "max": 1.5})

    def test_mixed_and_unhashable_values_keep_type_and_nulls(self):
        stats = rnb_column_stats.records_stats([{"a": [1]}, {"a": "x"}, {"a": None}], ["a"])
        self.assertEqual(stats[0]["type"], "mixed")
        self.assertEqual(stats[0]["nulls"], 1)


@unittest.skipUnless(HAS_PANDAS, "pandas is not installed")
class Frames(unittest.TestCase):
    def setUp(self):
        import pandas
        self.pd = pandas

    def test_over_all_rows_not_only_the_preview(self):
        pd = self.pd
        frame = pd.DataFrame({
            "score": [float(i) if i % 10 else None for i in range(50_000)],
            "when": pd.date_range("2024-01-01", periods=50_000, freq="min", tz="UTC"),
            "kind": pd.Categorical(["a", "b", "b", "c"] * 12_500),
            "ok": [True, False] * 25_000,
        })
        output = rnb_tables.table_output(frame)
        self.assertEqual(len(output["data"]["rows"]), rnb_tables.MAX_TABLE_ROWS)
        score, when, kind, ok = output["metadata"]["column_stats"]
        self.assertEqual(score, {"type": "float64", "nulls": 5000, "min": 1.0, "max": 49999.0})
        self.assertEqual((when["min"], when["max"]), ("2024-01-01T00:00:00+00:00", "2024-02-04T17:19:00+00:00"))
        self.assertEqual(kind["top"][0], ["b", 25_000])
        self.assertEqual(kind["distinct"], 3)
        self.assertEqual(ok["top"], [[True, 25_000], [False, 25_000]])

    def test_index_levels_have_summaries_too(self):
        pd = self.pd
        frame = pd.DataFrame({"v": [1, 2, 3]}, index=pd.Index(["x", "y", "x"], name="key"))
        output = rnb_tables.table_output(frame)
        self.assertEqual(output["data"]["columns"], ["key", "v"])
        self.assertEqual(output["metadata"]["column_stats"][0]["top"][0], ["x", 2])

    def test_past_the_time_budget_columns_keep_their_type_only(self):
        saved = rnb_column_stats.TIME_BUDGET_SECONDS
        rnb_column_stats.TIME_BUDGET_SECONDS = -1
        try:
            stats = rnb_tables.table_output(self.pd.DataFrame({"a": [1], "b": ["x"]}))["metadata"]["column_stats"]
        finally:
            rnb_column_stats.TIME_BUDGET_SECONDS = saved
        self.assertEqual(stats, [{"type": "int64", "partial": True}, {"type": "object", "partial": True}])

    def test_a_numpy_2d_array_is_a_table_with_summaries(self):
        import numpy
        source = rnb_tables.as_table_source(numpy.arange(12).reshape(4, 3))
        output = rnb_tables.table_output(source)
        self.assertEqual(output["data"]["columns"], ["0", "1", "2"])
        self.assertEqual(output["data"]["rows"][1], [3, 4, 5])
        self.assertEqual(output["metadata"]["column_stats"][2], {"type": "int64", "nulls": 0, "min": 2, "max": 11})
        self.assertIsNone(rnb_tables.table_output(rnb_tables.as_table_source(numpy.arange(3))))


@unittest.skipUnless(HAS_PANDAS, "pandas is not installed")
class LiveArrays(FreshKernel):
    def test_a_big_numpy_array_pages_and_sorts_in_the_kernel(self):
        import numpy
        self.run_cell("1", cell="arr")  # the runner notes the cell whose tables these are
        array = numpy.column_stack([numpy.arange(5000), (numpy.arange(5000) * 7919) % 5003])
        source = rnb_tables.as_table_source(array)
        table = rnb_tables.table_output(source)["data"]
        meta = self.runner.live_table_metadata(source, table)
        self.assertEqual(meta["rnb_table"]["rows"], 5000)
        page = json.loads(self.runner.table_page(json.dumps({"table_id": meta["rnb_table"]["id"], "offset": 0, "limit": 2,
                                                             "sort": {"column": 1, "descending": True}})))
        self.assertEqual([row[1] for row in page["rows"]], [5002, 5001])
        self.assertEqual(page["total"], 5000)


if __name__ == "__main__":
    unittest.main()
