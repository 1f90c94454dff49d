"""The variable explorer and live tables (rnb_variables.py): descriptions without copying values, and pages of a big
result sorted and filtered over all its rows."""
import importlib.util
import json
import unittest

from kernel_test_support import FreshKernel

HAS_PANDAS = importlib.util.find_spec("pandas") is not None


class Explorer(FreshKernel):
    def describe(self, max_names=100):
        return json.loads(self.runner.describe_variables(max_names, 1000))

    def test_user_names_with_type_summary_and_size(self):
        self.run_cell("n = 7\nwords = ['a'] * 1200\ndef helper(): pass", defines=["n", "words", "helper"])
        described = {entry["name"]: entry for entry in self.describe()}
        self.assertEqual(sorted(described), ["helper", "n", "words"])
        self.assertEqual(described["words"]["summary"], "list[1,200]")
        self.assertEqual(described["n"]["type"], "int")
        self.assertGreater(described["words"]["size"], 1200 * 8)

    def test_bounded_by_the_number_of_names(self):
        self.run_cell("\n".join(f"v{i} = {i}" for i in range(20)), defines=[f"v{i}" for i in range(20)])
        self.assertEqual(len(self.describe(max_names=5)), 5)


class LiveTables(FreshKernel):
    ROWS = "[{'id': i, 'name': f'row {i}', 'score': (i * 7919) % 3001} for i in range(5000)]"

    def table_id(self, answer):
        output = answer["outputs"][0]
        self.assertEqual(len(output["data"]["rows"]), 1000)
        self.assertEqual(output["data"]["truncated"], "Showing the first 1,000 of 5,000 rows.")
        return output["metadata"]["rnb_table"]["id"]

    def page(self, table_id, **request):
        return json.loads(self.runner.table_page(json.dumps({"table_id": table_id, **request})))

    def test_a_big_list_of_dicts_sorts_and_filters_over_all_rows(self):
        table_id = self.table_id(self.run_cell(self.ROWS, cell="t1"))
        top = self.page(table_id, offset=0, limit=3, sort={"column": 2, "descending": True})
        self.assertEqual(top["total"], 5000)
        self.assertEqual([row[2] for row in top["rows"]], [3000, 3000, 2999])
        found = self.page(table_id, offset=0, limit=10, filter="ROW 4999")
        self.assertEqual((found["total"], found["rows"][0][0]), (1, 4999))

    @unittest.skipUnless(HAS_PANDAS, "pandas is not installed")
    def test_a_big_dataframe_sorts_in_the_kernel(self):
        table_id = self.table_id(self.run_cell("import pandas as pd\npd.DataFrame(" + self.ROWS + ")", cell="t2"))
        page = self.page(table_id, offset=4998, limit=5, sort={"column": 0, "descending": True})
        self.assertEqual(page["rows"], [[1, "row 1", 7919 % 3001], [0, "row 0", 0]])
        # Filtered, then sorted: positions into the frame, whatever its index holds.
        both = self.page(table_id, offset=0, limit=3, filter="row 49", sort={"column": 2, "descending": False})
        self.assertEqual(both["total"], 111)
        self.assertEqual([row[2] for row in both["rows"]], sorted((i * 7919) % 3001 for i in range(5000) if "row 49" in f"row {i}")[:3])

    @unittest.skipUnless(HAS_PANDAS, "pandas is not installed")
    def test_a_labelled_index_is_a_column_and_nulls_sort_last(self):
        code = ("import pandas as pd\npd.DataFrame({'v': [None if i % 5 == 0 else float(i) for i in range(3000)]},"
                " index=pd.Index([f'k{i}' for i in range(3000)], name='key'))")
        answer = self.run_cell(code, cell="t5")
        table_id = answer["outputs"][0]["metadata"]["rnb_table"]["id"]
        page = self.page(table_id, offset=0, limit=2, sort={"column": 1, "descending": True})
        self.assertEqual((page["columns"], page["rows"]), (["key", "v"], [["k2999", 2999.0], ["k2998", 2998.0]]))
        tail = self.page(table_id, offset=2999, limit=1, sort={"column": 1, "descending": False})
        self.assertEqual(tail["rows"], [["k2995", None]])

    @unittest.skipUnless(HAS_PANDAS, "pandas is not installed")
    def test_a_text_column_is_ranked_once_per_table_and_version(self):
        import rnb_table_sort
        code = "import pandas as pd\nframe = pd.DataFrame({'name': [f'n{(i * 7919) % 5000:05d}' for i in range(5000)]})\nframe"
        table_id = self.table_id(self.run_cell(code, cell="t6"))
        made = []
        original = rnb_table_sort.column_key
        rnb_table_sort.column_key = lambda values: made.append(len(values)) or original(values)
        try:
            ascending = self.page(table_id, offset=0, limit=2, sort={"column": 0, "descending": False})
            descending = self.page(table_id, offset=0, limit=2, sort={"column": 0, "descending": True})
            filtered = self.page(table_id, offset=0, limit=2, filter="n04", sort={"column": 0, "descending": True})
            again = self.page(table_id, offset=4000, limit=2, sort={"column": 0, "descending": False})
            self.assertEqual(made, [5000])
            # A cell ran: the frame may have changed in place, so the order is made again from its values.
            self.run_cell("frame.loc[0, 'name'] = 'a first'", cell="t7")
            changed = self.page(table_id, offset=0, limit=2, sort={"column": 0, "descending": False})
            self.assertEqual(made, [5000, 5000])
        finally:
            rnb_table_sort.column_key = original
        self.assertEqual(ascending["rows"], [["n00000"], ["n00001"]])
        self.assertEqual(descending["rows"], [["n04999"], ["n04998"]])
        self.assertEqual((filtered["total"], filtered["rows"]), (1000, [["n04999"], ["n04998"]]))
        self.assertEqual(again["rows"], [["n04000"], ["n04001"]])
        self.assertEqual(changed["rows"], [["a first"], ["n00001"]])

    @unittest.skipUnless(HAS_PANDAS, "pandas is not installed")
    def test_timezone_aware_dates_sort_as_instants(self):
        code = ("import pandas as pd\nt = pd.Series(pd.date_range('2024-01-01', periods=5000, freq='h', tz='Europe/Paris'))\n"
                "t[5] = pd.NaT\npd.DataFrame({'t': t.sample(frac=1, random_state=3).reset_index(drop=True)})")
        table_id = self.table_id(self.run_cell(code, cell="t8"))
        first = self.page(table_id, offset=0, limit=1, sort={"column": 0, "descending": False})
        last = self.page(table_id, offset=4999, limit=1, sort={"column": 0, "descending": True})
        self.assertEqual(first["rows"], [["2024-01-01 00:00:00+01:00"]])
        self.assertEqual(last["rows"], [[None]])

    def test_records_sort_both_ways_from_one_kept_order_and_mixed_types_put_numbers_first(self):
        code = "[{'v': ('x' if i % 7 == 0 else i % 50), 'w': None if i % 9 == 0 else f'w{i % 40:02d}', 'i': i} for i in range(3000)]"
        answer = self.run_cell(code, cell="t9")
        table_id = answer["outputs"][0]["metadata"]["rnb_table"]["id"]
        mixed = self.page(table_id, offset=0, limit=2, sort={"column": 0, "descending": True})
        self.assertEqual([row[0] for row in mixed["rows"]], ["x", "x"])
        up = self.page(table_id, offset=0, limit=3, sort={"column": 1, "descending": False})
        down = self.page(table_id, offset=0, limit=3, sort={"column": 1, "descending": True})
        tail = self.page(table_id, offset=2999, limit=1, sort={"column": 1, "descending": True})
        self.assertEqual([row[1] for row in up["rows"]], ["w00", "w00", "w00"])
        self.assertEqual([row[1] for row in down["rows"]], ["w39", "w39", "w39"])
        # Ties keep row order in both directions; missing values last.
        self.assertEqual([row[2] for row in down["rows"]], [39, 79, 119])
        self.assertEqual([row[2] for row in up["rows"]], [40, 80, 120])
        self.assertEqual(tail["rows"][0][1], None)

    def test_records_first_pages_are_selected_and_later_ones_come_from_the_whole_order(self):
        # 12,000 records: a first page (1,000 wanted) is an eighth of them at most, so it is selected (heapq), not sorted.
        code = "[{'i': i, 'w': None if i % 11 == 0 else f'w{(i * 7919) % 97:02d}'} for i in range(12000)]"
        table_id = self.run_cell(code, cell="t10")["outputs"][0]["metadata"]["rnb_table"]["id"]
        values = [None if i % 11 == 0 else f"w{(i * 7919) % 97:02d}" for i in range(12000)]
        present = [i for i in range(12000) if values[i] is not None]
        missing = [i for i in range(12000) if values[i] is None]
        for descending in (False, True):
            want = sorted(present, key=values.__getitem__, reverse=descending) + missing
            for offset in (0, 900, 5000, 11990):
                page = self.page(table_id, offset=offset, limit=20, sort={"column": 1, "descending": descending})
                self.assertEqual([row[0] for row in page["rows"]], want[offset:offset + 20], (descending, offset))
                self.assertEqual(page["total"], 12000)
        # Unique values: the descending order is the ascending one reversed.
        up = self.page(table_id, offset=6000, limit=3, sort={"column": 0, "descending": False})
        down = self.page(table_id, offset=6000, limit=3, sort={"column": 0, "descending": True})
        self.assertEqual(([r[0] for r in up["rows"]], [r[0] for r in down["rows"]]), ([6000, 6001, 6002], [5999, 5998, 5997]))

    def test_a_rerun_or_a_deleted_cell_lets_its_tables_go(self):
        first = self.table_id(self.run_cell(self.ROWS, cell="t3"))
        self.run_cell("1", cell="t3")
        self.assertEqual(self.page(first), {"status": "gone"})
        second = self.table_id(self.run_cell(self.ROWS, cell="t4"))
        self.runner.forget_cell_tables(json.dumps(["t4"]))
        self.assertEqual(self.page(second), {"status": "gone"})


if __name__ == "__main__":
    unittest.main()
