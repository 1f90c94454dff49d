"""The native driver's table conversion and request reader (native_driver.py), without a sandbox."""
import os
import sys
import threading
import unittest
from unittest import mock

import native_driver

try:
    import pandas
except ImportError:
    pandas = None


def plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class TableValueTest(unittest.TestCase):
    TABLE = {"columns": ["id", "name"], "data": [[1, 2], ["a", None]]}

    def test_a_list_of_dicts_without_pandas(self):
        with mock.patch.dict(sys.modules, {"pandas": None}):  # import pandas then raises ImportError
            self.assertEqual(native_driver.table_value(self.TABLE), [{"id": 1, "name": "a"}, {"id": 2, "name": None}])

    @unittest.skipIf(pandas is None, "pandas is not installed for this interpreter")
    def test_a_dataframe_built_from_columns_with_pandas(self):
        frame = native_driver.table_value({"columns": ["b", "a"], "data": [[1, None], ["x", "y"]]})
        self.assertIsInstance(frame, pandas.DataFrame)
        self.assertEqual(list(frame.columns), ["b", "a"])
        self.assertEqual(frame["a"].tolist(), ["x", "y"])
        self.assertTrue(frame["b"].isna().tolist()[1])


@unittest.skipIf(pandas is None, "pandas is not installed for this interpreter")
class FrameColumnsTest(unittest.TestCase):
    def test_missing_values_of_every_kind_become_null(self):
        frame = pandas.DataFrame({
            "n": [1, 2],
            "x": [float("nan"), float("inf")],
            "day": pandas.to_datetime(["2024-01-02", None]),
            "s": ["a", None],
            "nullable": pandas.array([None, 3], dtype="Int64"),
        })
        table = native_driver.frame_columns(frame, plain)
        self.assertEqual(table["columns"], ["n", "x", "day", "s", "nullable"])
        self.assertEqual(table["data"], [[1, 2], [None, None], ["2024-01-02T00:00:00", None], ["a", None], [None, 3]])


class LineReaderTest(unittest.TestCase):
    def test_reads_a_large_line_written_in_pieces_and_keeps_what_follows(self):
        read_end, write_end = os.pipe()
        big = b"x" * 300_000
        writer = threading.Thread(target=lambda: [os.write(write_end, piece) for piece in (big[:1000], big[1000:] + b"\nsecond", b"\n")])
        writer.start()
        reader = native_driver.LineReader(read_end)
        self.assertEqual(reader.readline(), big + b"\n")
        self.assertEqual(reader.readline(), b"second\n")
        writer.join()
        os.close(write_end)
        self.assertEqual(reader.readline(), b"")
        os.close(read_end)


if __name__ == "__main__":
    unittest.main()
