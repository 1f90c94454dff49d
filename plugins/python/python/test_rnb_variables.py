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

    def test_a_rerun_or_a_deleted_cell_lets_its_tables_go(self):
        first = self.table_id(self.run_cell(self.ROWS, cell="t3"))
        self.run_cell("1", cell="t3")
        self.assertEqual(self.page(first), {"status": "gone"})
        second = self.table_id(self.run_cell(self.ROWS, cell="t4"))
        self.runner.forget_cell_tables(json.dumps(["t4"]))
        self.assertEqual(self.page(second), {"status": "gone"})


if __name__ == "__main__":
    unittest.main()
