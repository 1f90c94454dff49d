"""The runner (_rnb_runner.py): cells run in the notebook's namespace, their last value becomes outputs, their errors
a traceback from the user's own code. Run: python3 -m unittest discover -s plugins/python/python."""
import json
import unittest

from kernel_test_support import FreshKernel


class RunningCells(FreshKernel):
    def test_the_last_expression_is_the_output_and_defined_names_are_listed(self):
        answer = self.run_cell("x = 40\nx + 2", defines=["x", "y"])
        self.assertEqual(answer["status"], "ok")
        self.assertEqual(answer["outputs"], [{"mime_type": "text/plain", "data": "42"}])
        self.assertEqual(answer["defined"], ["x"])
        self.assertEqual(self.G["x"], 40)

    def test_a_cell_run_again_unchanged_reuses_its_compiled_code_and_an_edit_or_deletion_drops_it(self):
        compiled = []
        fresh = self.runner._compile_fresh
        self.runner._compile_fresh = lambda code, filename: compiled.append(code) or fresh(code, filename)
        self.run_cell("n = 1", defines=["n"])
        self.assertEqual(self.run_cell("n = 1\nn + 1", defines=["n"])["outputs"], [{"mime_type": "text/plain", "data": "2"}])
        self.G["n"] = 41
        # Run again unchanged: the same code, not compiled again, and it runs (n is 1 again, not 41).
        self.assertEqual(self.run_cell("n = 1\nn + 1", defines=["n"])["outputs"], [{"mime_type": "text/plain", "data": "2"}])
        self.assertEqual(compiled, ["n = 1", "n = 1\nn + 1"])
        self.runner.forget_cells(json.dumps(["c1"]))
        self.run_cell("n = 1\nn + 1", defines=["n"])
        self.assertEqual(compiled, ["n = 1", "n = 1\nn + 1", "n = 1\nn + 1"])

    def test_a_trailing_semicolon_hides_the_value(self):
        self.assertEqual(self.run_cell("1 + 1;")["outputs"], [])

    def test_a_failing_rerun_leaves_no_value_of_the_last_run(self):
        self.run_cell("a = 1", defines=["a"])
        answer = self.run_cell("a = 1 / 0", defines=["a"])
        self.assertEqual(answer["status"], "error")
        self.assertNotIn("a", self.G)

    def test_an_error_shows_the_users_frames_only(self):
        answer = self.run_cell("def f():\n    return {}['k']\nf()", cell="cell-7")
        self.assertEqual(answer["type"], "KeyError")
        self.assertEqual(answer["message"], "KeyError: 'k'")
        self.assertTrue(answer["traceback"].startswith("Traceback (most recent call last):\n  File \"<cell cell-7>\""))
        self.assertNotIn("_rnb_runner", answer["traceback"])

    def test_a_syntax_error_says_where(self):
        answer = self.run_cell("x = (1,")
        self.assertEqual(answer["type"], "SyntaxError")
        self.assertIn("<cell c1>", answer["message"])

    def test_top_level_await_runs(self):
        answer = self.run_cell("import asyncio\nawait asyncio.sleep(0)\nv = 5\nv * 2", defines=["v"])
        self.assertEqual(answer["outputs"], [{"mime_type": "text/plain", "data": "10"}])
        self.assertEqual(answer["defined"], ["v"])

    def test_nan_in_a_result_is_still_json(self):
        answer = self.runner.run_cell("c1", "[{'a': float('nan')}]", "[]")
        self.assertNotIn("NaN,", answer)
        json.loads(answer)


class Streams(FreshKernel):
    def test_print_reaches_the_sink_and_input_says_to_use_a_widget(self):
        out, err = [], []
        self.runner.install_streams(out.append, err.append)
        answer = self.run_cell("print('hello')\nname = input('who? ')", defines=["name"])
        self.runner.flush_streams()
        self.assertEqual("".join(out), "hello\n")
        self.assertEqual(answer["type"], "EOFError")
        self.assertIn("ui.text", answer["message"])
        # The runner's own frame (input() raising) is not shown as the user's code.
        self.assertNotIn("_no_keyboard", answer["traceback"])
        self.assertNotIn("rnb_streams", answer["traceback"])


class Outputs(FreshKernel):
    def test_a_repr_over_the_kernels_limit_becomes_a_note(self):
        self.runner.set_max_output_chars(1000)
        answer = self.run_cell("class Big:\n    def _repr_html_(self):\n        return 'x' * 5000\nBig()")
        self.assertEqual(answer["outputs"][0]["mime_type"], "text/plain")
        self.assertRegex(answer["outputs"][0]["data"], r"^Output of 5 KB not shown: the limit is 1 KB\.$")

    def test_a_list_of_dicts_is_a_table(self):
        answer = self.run_cell("[{'a': 1, 'b': 'x'}, {'a': 2, 'c': None}]")
        table = answer["outputs"][0]
        self.assertEqual(table["mime_type"], "application/vnd.notebook.table+json")
        self.assertEqual(table["data"]["columns"], ["a", "b", "c"])
        self.assertEqual(table["data"]["rows"], [[1, "x", None], [2, None, None]])


class Values(FreshKernel):
    def test_plain_values_for_other_languages(self):
        self.run_cell("import datetime\nd = {'when': datetime.date(2024, 1, 2), 'xs': (1, 2)}", defines=["d"])
        self.assertEqual(self.runner.plain_global("d"), {"when": "2024-01-02", "xs": [1, 2]})

    def test_deleted_names_leave_the_namespace(self):
        self.run_cell("p = 1\nq = 2", defines=["p", "q"])
        self.runner.delete_names(json.dumps(["p"]))
        self.assertNotIn("p", self.G)
        self.assertIn("q", self.G)

    def test_missing_imports_lists_what_cannot_be_found(self):
        self.assertEqual(json.loads(self.runner.missing_imports("import json, no_such_module_rnb\nfrom os import path")),
                         ["no_such_module_rnb"])


class EntryPoints(FreshKernel):
    # What python-runtime.ts (RunnerModule, pyodide-types.ts) and native_driver.py (RUNNER_CALLS) call on the runner.
    CALLED = ("install_streams", "flush_streams", "run_cell", "run_cell_async", "plain_global", "plain", "delete_names",
              "set_max_output_chars", "missing_imports", "install_package", "complete", "inspect_name",
              "describe_variables", "table_page", "forget_cell_tables", "live_table_metadata")

    def test_every_entry_point_the_runtimes_call_is_on_the_runner(self):
        for name in self.CALLED:
            self.assertTrue(callable(getattr(self.runner, name, None)), name)

    def test_the_sibling_modules_keep_their_private_names_apart(self):
        import rnb_inspector
        import rnb_variables
        # Both once lived in one namespace, where one `_summary` replaced the other.
        self.assertIsNot(getattr(rnb_inspector, "_summary", None), rnb_variables._summary)
        self.assertFalse(hasattr(self.runner, "_summary"))
        self.assertEqual(json.loads(self.runner.complete(json.dumps({"code": "import", "cursor": 6})))["options"][0]["label"], "import")


if __name__ == "__main__":
    unittest.main()
